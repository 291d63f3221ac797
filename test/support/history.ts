/**
 * The version-history API from a test's side: list, name and restore versions over real HTTP,
 * and the plain text of a document's editor fragment (one line per block) to compare content.
 */
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { http, jsonOf } from './http.js';

export interface VersionJson {
  readonly id: string;
  readonly createdAt: string;
  readonly label: string | null;
  readonly kind: 'auto' | 'named' | 'before-restore';
  readonly authors: string[];
  readonly sizeBytes: number;
}

export async function listVersions(url: string, docName: string): Promise<VersionJson[]> {
  const result = await http(`${url}/api/docs/${docName}/versions`);
  assert.equal(result.status, 200, result.text);
  return (jsonOf(result) as { versions: VersionJson[] }).versions;
}

export async function nameVersion(url: string, docName: string, label: string): Promise<VersionJson> {
  const result = await http(`${url}/api/docs/${docName}/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label }) });
  assert.equal(result.status, 201, result.text);
  return jsonOf(result) as VersionJson;
}

export async function restoreVersion(url: string, docName: string, versionId: string): Promise<{ restored: string; before: string }> {
  const result = await http(`${url}/api/docs/${docName}/versions/${versionId}/restore`, { method: 'POST' });
  assert.equal(result.status, 200, result.text);
  return jsonOf(result) as { restored: string; before: string };
}

/** The text of every block of the editor fragment, one per line. */
export function plainText(doc: Y.Doc): string {
  const lines: string[] = [];
  const walk = (node: Y.XmlElement | Y.XmlFragment): void => {
    let text = '';
    for (const child of node.toArray()) {
      if (child instanceof Y.XmlText) text += child.toString();
      else if (child instanceof Y.XmlElement) walk(child);
    }
    if (text !== '') lines.push(text);
  };
  walk(doc.getXmlFragment(FRAGMENT_NAME));
  return lines.join('\n');
}

/** Appends a paragraph holding `text` to the document's editor fragment. */
export function appendParagraph(doc: Y.Doc, text: string): void {
  const fragment = doc.getXmlFragment(FRAGMENT_NAME);
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText(text)]);
  fragment.insert(fragment.length, [paragraph]);
}

/** Replaces everything in the editor fragment with one paragraph holding `text`. */
export function replaceAll(doc: Y.Doc, text: string): void {
  const fragment = doc.getXmlFragment(FRAGMENT_NAME);
  doc.transact(() => {
    fragment.delete(0, fragment.length);
    appendParagraph(doc, text);
  });
}
