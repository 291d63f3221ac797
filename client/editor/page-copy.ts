/**
 * What a page held, as a web page file, for a person whose copy of the document the server could
 * not take (`change-not-applied`): the page then empties the browser's copy and leads to the
 * server's version, and whatever was typed here since the last "All changes saved" would be
 * gone. The file keeps it: the document as this page showed it, written through the editor's
 * schema (so it carries nothing the editor would not show), with its pictures inside it as
 * `data:` addresses. So the file stands alone (offline, after the link is revoked), and carries
 * no address of the document, which would let whoever is given the file read it. A picture the
 * page cannot get (not uploaded and not on the page, or the server unreachable) keeps only its
 * alt text. The document is kept when the page is refused; the file is made when asked for.
 */
import { DOMSerializer, type Node as PmNode } from 'prosemirror-model';
import { schema } from '../../document/schema.js';
import { saveBlob } from './dom.js';
import { downloadFileName } from './download-name.js';

/** The picture of blob `id`, or null when there is none to be had. */
export type PictureSource = (id: string) => Promise<Blob | null>;

/** A standalone web page of `doc` titled `title`, its pictures read from `pictures`. */
export async function pageCopyHtml(doc: PmNode, title: string, pictures: PictureSource): Promise<string> {
  const page = document.implementation.createHTMLDocument(title === '' ? 'Untitled' : title);
  const charset = page.createElement('meta');
  charset.setAttribute('charset', 'utf-8');
  page.head.prepend(charset);
  page.body.append(DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document: page }));
  const images = [...page.body.querySelectorAll('img[data-quire-blob]')];
  const ids = new Set(images.map((image) => image.getAttribute('data-quire-blob')!));
  const inline = new Map<string, string>();
  for (const id of ids) {
    const picture = await pictures(id).catch(() => null);
    if (picture !== null) inline.set(id, await dataUrl(picture));
  }
  for (const image of images) {
    const id = image.getAttribute('data-quire-blob')!;
    image.removeAttribute('data-quire-blob');
    const src = inline.get(id);
    if (src !== undefined) image.setAttribute('src', src);
  }
  return `<!doctype html>\n${page.documentElement.outerHTML}\n`;
}

function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('The picture could not be read.'));
    reader.readAsDataURL(blob);
  });
}

/**
 * Shows `button`; a click makes the copy of `doc` (titled `title`) and saves it. The button
 * says when that fails, and can be clicked again.
 */
export function offerPageCopy(button: HTMLButtonElement, doc: PmNode, title: string, pictures: PictureSource): void {
  const label = button.textContent ?? '';
  const name = downloadFileName(title, 'html', "(this page's copy)");
  button.hidden = false;
  button.addEventListener('click', () => {
    if (button.disabled) return;
    button.disabled = true;
    button.textContent = 'Preparing the copy…';
    pageCopyHtml(doc, title, pictures).then(
      (html) => {
        saveBlob(new Blob([html], { type: 'text/html;charset=utf-8' }), name);
        button.textContent = label;
      },
      (error: unknown) => {
        console.warn("The page's copy could not be made", error);
        button.textContent = 'The copy could not be made; try again';
      },
    ).finally(() => {
      button.disabled = false;
    });
  });
}
