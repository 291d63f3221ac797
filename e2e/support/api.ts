/** The JSON API the editor uses, called from Node the way the page calls it. */

export interface DocLinks {
  readonly editUrl: string;
  readonly viewUrl: string;
}

async function json(response: Response, what: string): Promise<unknown> {
  const body = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${body}`);
  return JSON.parse(body) as unknown;
}

/** `GET /api/docs/:id/links`: the edit and view-only paths (creates the view token on first call). */
export async function getLinks(baseUrl: string, docId: string): Promise<DocLinks> {
  const body = await json(await fetch(`${baseUrl}/api/docs/${docId}/links`), `GET /api/docs/${docId}/links`);
  const links = body as Partial<DocLinks>;
  if (typeof links.editUrl !== 'string' || typeof links.viewUrl !== 'string') {
    throw new Error(`GET /api/docs/${docId}/links returned ${JSON.stringify(body)}`);
  }
  return { editUrl: links.editUrl, viewUrl: links.viewUrl };
}
