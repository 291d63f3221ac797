import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { newDocId } from '../shared/doc-id.js';
import { startTestServer, waitFor, type TestServer } from './test-support/test-server.js';

describe('two providers co-editing', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('relays Y.Text edits both ways', async () => {
    const docId = newDocId();
    const a = t.provider(docId);
    const b = t.provider(docId);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    assert.equal(a.role, 'edit');
    a.doc.getText('t').insert(0, 'hello');
    await waitFor(() => b.doc.getText('t').toString() === 'hello', 'b to see a');
    b.doc.getText('t').insert(5, ' world');
    await waitFor(() => a.doc.getText('t').toString() === 'hello world', 'a to see b');
    await Promise.all([a.whenSaved(), b.whenSaved()]);
    assert.equal(a.unsavedCount, 0);
    assert.equal(b.unsavedCount, 0);
  });

  it('relays Y.XmlFragment edits both ways', async () => {
    const docId = newDocId();
    const a = t.provider(docId);
    const b = t.provider(docId);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('from a')]);
    a.doc.getXmlFragment('prosemirror').insert(0, [paragraph]);
    await waitFor(() => b.doc.getXmlFragment('prosemirror').length === 1, 'b to get the paragraph');
    const heading = new Y.XmlElement('heading');
    heading.setAttribute('level', '1');
    b.doc.getXmlFragment('prosemirror').insert(0, [heading]);
    await waitFor(() => a.doc.getXmlFragment('prosemirror').length === 2, 'a to get the heading');
    assert.equal(a.doc.getXmlFragment('prosemirror').toString(), b.doc.getXmlFragment('prosemirror').toString());
    assert.match(a.doc.getXmlFragment('prosemirror').toString(), /<heading level="1"><\/heading><paragraph>from a<\/paragraph>/);
  });

  it('serves a late joiner the whole document, from memory and after a restart', async () => {
    const docId = newDocId();
    const a = t.provider(docId);
    await a.whenSynced();
    a.doc.getText('t').insert(0, 'persisted');
    await a.whenSaved();
    const late = t.provider(docId);
    await late.whenSynced();
    assert.equal(late.doc.getText('t').toString(), 'persisted');
    a.destroy();
    late.destroy();
    await waitFor(() => !t.server.isLoaded(docId), 'the room to unload');
    const fresh = t.provider(docId);
    await fresh.whenSynced();
    assert.equal(fresh.doc.getText('t').toString(), 'persisted');
  });
});
