/**
 * What a page held, as a web page file, for a person whose copy of the document the server could
 * not take (`change-not-applied`): the page then empties the browser's copy and leads to the
 * server's version, and whatever was typed here since the last "All changes saved" would be
 * gone. The file keeps it: the document as this page showed it, written through the editor's
 * schema (so it carries nothing the editor would not show), with pictures at absolute addresses
 * of this server (a picture added on the page and not uploaded yet gets there when the browser
 * opens the document again). It is made before the editor leaves the page and saved only when
 * asked for.
 */
import { DOMSerializer, type Node as PmNode } from 'prosemirror-model';
import { schema } from '../../document/schema.js';
import { saveBlob } from './dom.js';
import { downloadFileName } from './download-name.js';

/**
 * A standalone web page of `doc` titled `title`; its pictures (`data-quire-blob`, as the schema
 * writes them) are given the absolute address `pictureUrl` answers for each.
 */
export function pageCopyHtml(doc: PmNode, title: string, pictureUrl: (blobId: string) => string): string {
  const page = document.implementation.createHTMLDocument(title === '' ? 'Untitled' : title);
  const charset = page.createElement('meta');
  charset.setAttribute('charset', 'utf-8');
  page.head.prepend(charset);
  page.body.append(DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document: page }));
  for (const image of page.body.querySelectorAll('img[data-quire-blob]')) image.setAttribute('src', pictureUrl(image.getAttribute('data-quire-blob')!));
  return `<!doctype html>\n${page.documentElement.outerHTML}\n`;
}

/** Shows `button` and makes it save `html` as the page's copy of a document titled `title`. */
export function offerPageCopy(button: HTMLButtonElement, html: string, title: string): void {
  button.hidden = false;
  const name = downloadFileName(title, 'html', "(this page's copy)");
  button.addEventListener('click', () => saveBlob(new Blob([html], { type: 'text/html;charset=utf-8' }), name));
}
