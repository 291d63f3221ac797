/**
 * The links API from a test's side: create a document with its three links, read a link's token
 * from its URL, and call the link routes with a token as `Authorization: Bearer`.
 */
import assert from 'node:assert/strict';
import { http, jsonOf, type HttpResult } from './http.js';

export interface CreatedDoc {
  readonly id: string;
  readonly ownerUrl: string;
  readonly editUrl: string;
  readonly viewUrl: string;
}

export interface LinkJson {
  readonly id: string;
  readonly role: string;
  readonly label: string | null;
  readonly url: string | null;
  readonly createdAt: string | null;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
}

/** `POST /api/docs`: a new document and its owner, edit and view links. */
export async function createDocWithLinks(url: string): Promise<CreatedDoc> {
  const result = await http(`${url}/api/docs`, { method: 'POST' });
  assert.equal(result.status, 201, result.text);
  return jsonOf(result) as CreatedDoc;
}

/** The token of a link URL: its last path segment. */
export function tokenOf(linkUrl: string): string {
  const token = new URL(linkUrl).pathname.split('/').pop();
  assert.ok(token, `a token in ${linkUrl}`);
  return token;
}

/** A JSON request to the API with `token` as its bearer. */
export function withBearer(url: string, token: string, method = 'GET', body?: unknown): Promise<HttpResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return http(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** `GET /api/docs/:doc/links` as the holder of `token`. */
export async function listLinks(url: string, docName: string, token: string): Promise<LinkJson[]> {
  const result = await withBearer(`${url}/api/docs/${docName}/links`, token);
  assert.equal(result.status, 200, result.text);
  return (jsonOf(result) as { links: LinkJson[] }).links;
}

/** `POST /api/docs/:doc/links` as the holder of `token`; resolves to the new link (with its URL). */
export async function createLink(url: string, docName: string, token: string, body: Record<string, unknown>): Promise<LinkJson & { url: string }> {
  const result = await withBearer(`${url}/api/docs/${docName}/links`, token, 'POST', body);
  assert.equal(result.status, 201, result.text);
  return jsonOf(result) as LinkJson & { url: string };
}
