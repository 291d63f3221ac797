import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';
import { FRAGMENT_NAME } from '../../document/fragment.js';

describe('two providers co-editing', () => {
  const t = useTestServer();

  it('relays Y.Text edits both ways', async () => {
    const docName = await t().createDoc();
    const a = t().provider(docName);
    const b = t().provider(docName);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    assert.equal(a.role, 'edit');
    a.doc.getText('t').insert(0, 'hello');
    await waitFor('b to see a', () => b.doc.getText('t').toString() === 'hello');
    b.doc.getText('t').insert(5, ' world');
    await waitFor('a to see b', () => a.doc.getText('t').toString() === 'hello world');
    await Promise.all([a.whenSaved(), b.whenSaved()]);
    assert.equal(a.unsavedCount, 0);
    assert.equal(b.unsavedCount, 0);
  });

  it('relays Y.XmlFragment edits both ways', async () => {
    const docName = await t().createDoc();
    const a = t().provider(docName);
    const b = t().provider(docName);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('from a')]);
    a.doc.getXmlFragment(FRAGMENT_NAME).insert(0, [paragraph]);
    await waitFor('b to get the paragraph', () => b.doc.getXmlFragment(FRAGMENT_NAME).length === 1);
    const heading = new Y.XmlElement('heading');
    heading.setAttribute('level', '1');
    b.doc.getXmlFragment(FRAGMENT_NAME).insert(0, [heading]);
    await waitFor('a to get the heading', () => a.doc.getXmlFragment(FRAGMENT_NAME).length === 2);
    assert.equal(a.doc.getXmlFragment(FRAGMENT_NAME).toString(), b.doc.getXmlFragment(FRAGMENT_NAME).toString());
    assert.match(a.doc.getXmlFragment(FRAGMENT_NAME).toString(), /<heading level="1"><\/heading><paragraph>from a<\/paragraph>/);
  });

  it('serves a late joiner the whole document, from memory and after a restart', async () => {
    const docName = await t().createDoc();
    const a = t().provider(docName);
    await a.whenSynced();
    a.doc.getText('t').insert(0, 'persisted');
    await a.whenSaved();
    const late = t().provider(docName);
    await late.whenSynced();
    assert.equal(late.doc.getText('t').toString(), 'persisted');
    a.destroy();
    late.destroy();
    await waitFor('the room to unload', () => !t().server.isLoaded(docName));
    const fresh = t().provider(docName);
    await fresh.whenSynced();
    assert.equal(fresh.doc.getText('t').toString(), 'persisted');
  });
});
