/**
 * Session secrets: a random, URL-safe string a client keeps for as long as it is the same client.
 * Uses the Web Crypto API, which Node 20 and every browser have.
 */

/** 128 random bits as 22 URL-safe base64 characters. */
export function newSessionSecret(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
