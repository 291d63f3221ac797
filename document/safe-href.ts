/**
 * The one check every link in a Quire document passes before it can reach the DOM, whether it
 * comes from a paste, from the link prompt or from a peer writing into the Yjs document.
 * Pure and DOM-free: the server uses it too when it exports a document.
 */

/** Schemes a link may use. Everything else (javascript:, data:, vbscript:, file:, …) is refused. */
export const SAFE_LINK_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/** Longest link we keep, in characters; longer ones are refused rather than truncated. */
export const MAX_HREF_LENGTH = 2048;

/**
 * Returns the normalised absolute URL when `url` is an absolute http, https or mailto link, and
 * null for anything else: other schemes, relative references, malformed URLs, URLs carrying a
 * user name or password (`https://bank.example@evil.example`), over-long input, non-strings.
 *
 * The check uses the WHATWG URL parser, the same one the browser applies to `href`, so tricks
 * such as `java\tscript:`, leading control characters or mixed case are seen exactly as the
 * browser would see them. The returned string is what was checked, and what should be rendered.
 */
export function safeHref(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const trimmed = url.trim();
  if (trimmed === '' || trimmed.length > MAX_HREF_LENGTH) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null; // relative or malformed: there is no base to resolve against, by design
  }
  if (!SAFE_LINK_PROTOCOLS.has(parsed.protocol)) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  if (parsed.protocol !== 'mailto:' && parsed.hostname === '') return null;
  const href = parsed.href;
  return href.length > MAX_HREF_LENGTH ? null : href;
}

/**
 * Turns what a person typed into the link prompt into a safe link, or null. Unlike `safeHref`
 * it is forgiving about the scheme: `example.com/page` becomes `https://example.com/page`, and
 * `someone@example.com` becomes a mailto link.
 */
export function hrefFromUserInput(input: string): string | null {
  const text = input.trim();
  if (text === '') return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^:/]+:\d/.test(text)) return safeHref(text);
  if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(text)) return safeHref('mailto:' + text);
  if (text.startsWith('//')) return safeHref('https:' + text);
  return safeHref('https://' + text);
}
