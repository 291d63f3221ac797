/**
 * What the share dialog's parts have in common: JSON requests to the document API with errors as
 * sentences, absolute link URLs, and copying a link with feedback on its button.
 */
import { icon } from './icons.js';

/** Reads a JSON reply, turning a `{ error: { message } }` body or a network failure into an Error with a sentence. */
export async function fetchJson(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers }, credentials: 'same-origin' });
  } catch {
    throw new Error('The server cannot be reached. Check your connection and try again.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    throw new Error(typeof message === 'string' ? message : `The server answered ${response.status}.`);
  }
  return body;
}

/** The headers that present a signed token (from an embedding application) to the API; none without one. */
export function bearerHeaders(token: string | null): Record<string, string> {
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

/** An absolute URL for a path the server sent. */
export function absolute(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error('The server sent an unexpected link.');
  return new URL(path, window.location.origin).href;
}

/** Copies `text`, through the Clipboard API when allowed, else through a selected input. */
export async function copyText(text: string, input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (plain http on a LAN address, or an old browser): fall back.
    input.focus();
    input.select();
    return document.execCommand('copy');
  }
}

/** Copies an input's link and shows on its button whether that worked, for a moment. */
export async function copyWithFeedback(input: HTMLInputElement, button: HTMLButtonElement): Promise<void> {
  if (input.value === '') return;
  const ok = await copyText(input.value, input);
  const label = button.querySelector('.button-label');
  if (!label) return;
  button.classList.toggle('is-done', ok);
  label.textContent = ok ? 'Copied' : 'Press Ctrl+C';
  button.replaceChildren(icon(ok ? 'check' : 'copy'), label);
  window.setTimeout(() => {
    label.textContent = 'Copy';
    button.classList.remove('is-done');
    button.replaceChildren(icon('copy'), label);
  }, 1800);
}
