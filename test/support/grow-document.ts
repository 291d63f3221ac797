/**
 * Fills a document with text through a real provider, for tests that need a large document on
 * the server (amplification and slow-reader attacks).
 */
import * as Y from 'yjs';
import { DocProvider } from '../../client/provider.js';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { withTimeout } from './wait.js';

/** Grows a document to about `megabytes` MB of text, in changes under the 1 MiB limit. */
export async function growDocument(url: string, docName: string, megabytes: number): Promise<void> {
  const writer = new DocProvider(url, docName, new Y.Doc());
  try {
    await writer.whenSynced();
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    writer.doc.getXmlFragment(FRAGMENT_NAME).insert(0, [paragraph]);
    paragraph.insert(0, [text]);
    // Half a megabyte per change, each acknowledged before the next (one message must stay under 1 MiB).
    for (let i = 0; i < megabytes * 2; i++) {
      text.insert(text.length, 'lorem ipsum '.repeat(40_000));
      await withTimeout('a part of the large document to be saved', writer.whenSaved(), 30_000);
    }
  } finally {
    writer.destroy();
  }
}
