/** The JSON API the editor uses, called from Node the way the page calls it. */

export interface DocLinks {
  readonly editUrl: string;
  readonly viewUrl: string;
}

/** A document made through `POST /api/docs`, with its paths on the server. */
export interface CreatedDoc {
  readonly id: string;
  /** `/d/<id>` */
  readonly editPath: string;
  /** `/v/<token>`: the document's regenerable view link */
  readonly viewPath: string;
  /** The owner link (absolute). */
  readonly ownerUrl: string;
}

async function json(response: Response, what: string): Promise<unknown> {
  const body = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${body}`);
  return JSON.parse(body) as unknown;
}

/** `GET /api/docs/:id/links`: the edit and view-only paths (creates the view token on first call). */
export async function getLinks(baseUrl: string, docName: string): Promise<DocLinks> {
  const body = await json(await fetch(`${baseUrl}/api/docs/${docName}/links`), `GET /api/docs/${docName}/links`);
  const links = body as Partial<DocLinks>;
  if (typeof links.editUrl !== 'string' || typeof links.viewUrl !== 'string') {
    throw new Error(`GET /api/docs/${docName}/links returned ${JSON.stringify(body)}`);
  }
  return { editUrl: links.editUrl, viewUrl: links.viewUrl };
}

/**
 * `POST /api/docs`: a new document, empty or made from `markdown`, created the way the home page
 * creates one (documents exist only once created; an id typed into the address bar is not one).
 */
export async function createDoc(baseUrl: string, markdown?: string): Promise<CreatedDoc> {
  const init: RequestInit =
    markdown === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: markdown };
  const body = (await json(await fetch(`${baseUrl}/api/docs`, init), 'POST /api/docs')) as { id?: unknown; ownerUrl?: unknown; viewUrl?: unknown };
  if (typeof body.id !== 'string' || typeof body.viewUrl !== 'string' || typeof body.ownerUrl !== 'string') throw new Error(`POST /api/docs returned ${JSON.stringify(body)}`);
  const { viewUrl } = await getLinks(baseUrl, body.id);
  return { id: body.id, editPath: `/d/${body.id}`, viewPath: viewUrl, ownerUrl: body.ownerUrl };
}

/**
 * `POST /api/docs/:id/view-link`: replaces the view-only link; returns the new path. A document
 * with an owner needs the owner link (`ownerUrl`).
 */
export async function regenerateViewLink(baseUrl: string, docName: string, ownerUrl?: string): Promise<string> {
  const headers: Record<string, string> = ownerUrl === undefined ? {} : { authorization: `Bearer ${new URL(ownerUrl).pathname.split('/').pop()}` };
  const body = (await json(await fetch(`${baseUrl}/api/docs/${docName}/view-link`, { method: 'POST', headers }), 'POST view-link')) as { viewUrl?: unknown };
  if (typeof body.viewUrl !== 'string') throw new Error(`POST view-link returned ${JSON.stringify(body)}`);
  return body.viewUrl;
}

/** `DELETE /api/admin/docs/:id` with the admin token the test server was started with. */
export async function deleteDocAsAdmin(baseUrl: string, docName: string, adminToken: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/admin/docs/${docName}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
  if (response.status !== 204) throw new Error(`DELETE /api/admin/docs/${docName} answered ${response.status}: ${await response.text()}`);
}
