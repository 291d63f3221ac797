/**
 * Checks that an exported document cannot run script where it is opened. HTML is parsed (with
 * linkedom, as a browser would build it) and every element and attribute inspected, so escaped
 * text such as `title="&quot; onclick=…"` is not mistaken for an attribute. Markdown is first
 * rendered by a permissive renderer (markdown-it with raw HTML on, as many tools render it), and
 * the result is checked the same way.
 */
import MarkdownIt from 'markdown-it';
import { parseHTML } from 'linkedom';

/** Elements that run or embed active content. */
const ACTIVE_ELEMENTS = new Set(['script', 'iframe', 'frame', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'form']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'poster']);

/** The scheme of a URL attribute as a browser reads it (whitespace and control characters ignored). */
function schemeOf(value: string): string {
  // eslint-disable-next-line no-control-regex
  const squeezed = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
  const match = /^([a-z][a-z0-9+.-]*):/.exec(squeezed);
  return match?.[1] ?? '';
}

/**
 * Describes every active part of an HTML fragment or page: script-like elements, `on…`
 * attributes, and URL attributes with a scheme other than http, https or mailto. Empty when safe.
 * `allowPageHead`: a whole export page may carry its own `<meta>` (charset and CSP).
 */
export function activeHtmlParts(html: string, options: { allowPageHead?: boolean } = {}): string[] {
  const isPage = /^\s*<!doctype/i.test(html);
  const { document } = parseHTML(isPage ? html : `<!doctype html><html><body>${html}</body></html>`);
  const found: string[] = [];
  for (const element of document.querySelectorAll('*')) {
    const tag = element.localName.toLowerCase();
    const inHead = element.closest('head') !== null;
    if (ACTIVE_ELEMENTS.has(tag) && !(options.allowPageHead && inHead && tag === 'meta')) found.push(`<${tag}>`);
    for (const name of element.getAttributeNames()) {
      const lower = name.toLowerCase();
      const value = element.getAttribute(name) ?? '';
      if (lower.startsWith('on')) found.push(`${tag}[${name}]`);
      if (lower === 'style' && /url\s*\(|expression\s*\(/i.test(value)) found.push(`${tag}[style=${value}]`);
      if (URL_ATTRIBUTES.has(lower)) {
        const scheme = schemeOf(value);
        if (scheme !== '' && !['http', 'https', 'mailto'].includes(scheme)) found.push(`${tag}[${name}=${value}]`);
      }
    }
  }
  return found;
}

const permissiveMarkdown = MarkdownIt({ html: true, linkify: true });
// markdown-it refuses javascript: links by default; a careless renderer would not.
permissiveMarkdown.validateLink = () => true;

/** The active parts of what a permissive renderer makes of `markdown` (see `activeHtmlParts`). */
export function activeMarkdownParts(markdown: string): string[] {
  return activeHtmlParts(permissiveMarkdown.render(markdown));
}

/** The literal strings the brief forbids in an export: `<script`, an `on…=` attribute, `javascript:`. */
export function forbiddenStrings(text: string): string[] {
  const found: string[] = [];
  for (const pattern of [/<script/i, /\son[a-z]+\s*=/i, /javascript:/i]) {
    const match = pattern.exec(text);
    if (match) found.push(match[0]);
  }
  return found;
}
