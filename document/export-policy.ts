/**
 * The Content-Security-Policy of an exported HTML page: its own inline style, and pictures only
 * from `data:` and the origin of the document's blob route. Kept apart from the conversions so
 * that the server's main thread can set the same policy as a header without loading them.
 */
export function exportPageCsp(blobUrlPrefix: string | null): string {
  const origin = blobUrlPrefix === null ? '' : ` ${new URL(blobUrlPrefix).origin}`;
  return `default-src 'none'; style-src 'unsafe-inline'; img-src data:${origin}`;
}
