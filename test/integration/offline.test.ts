/**
 * Offline editing: providers that edit while cut off from the server (by disconnecting, or
 * because the server is down) exchange everything when they are back, in both directions, and
 * what they made offline is durable once `whenSaved()` resolves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import type { DocProvider } from '../../client/provider.js';
import { docState, type DocShape } from '../support/doc-state.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';
import { FRAGMENT_NAME } from '../../document/fragment.js';

const SHAPE: DocShape = { texts: ['text'], fragments: [FRAGMENT_NAME] };

function addParagraph(doc: Y.Doc, content: string): void {
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText(content)]);
  const fragment = doc.getXmlFragment(FRAGMENT_NAME);
  fragment.insert(fragment.length, [paragraph]);
}

const sameState = (a: DocProvider, b: DocProvider): boolean => JSON.stringify(docState(a.doc, SHAPE)) === JSON.stringify(docState(b.doc, SHAPE));

describe('offline edits', () => {
  const t = useTestServer({}, { assertTimersSettled: true });

  /** A provider joining now must be served exactly `expected`. */
  async function assertServedState(docName: string, expected: ReturnType<typeof docState>, label: string): Promise<void> {
    const fresh = t().provider(docName);
    await fresh.whenSynced();
    assert.deepEqual(docState(fresh.doc, SHAPE), expected, label);
    fresh.destroy();
  }

  it('merges edits two providers made while disconnected, both ways, and stores them', async () => {
    const docName = await t().createDoc();
    const a = t().provider(docName);
    const b = t().provider(docName);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.doc.getText('text').insert(0, 'shared ');
    await waitFor('b to see the shared start', () => b.doc.getText('text').toString() === 'shared ');

    a.disconnect();
    b.disconnect();
    // Concurrent edits at the same spot, and structure on both sides.
    a.doc.getText('text').insert(7, 'from-a');
    b.doc.getText('text').insert(7, 'from-b');
    b.doc.getText('text').format(0, 6, { bold: true });
    addParagraph(a.doc, 'paragraph a');
    addParagraph(b.doc, 'paragraph b');
    assert.equal(a.unsavedCount > 0 && b.unsavedCount > 0, true, 'offline edits count as unsaved');
    assert.notDeepEqual(docState(a.doc, SHAPE), docState(b.doc, SHAPE));

    a.connect();
    b.connect();
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    await waitFor('a and b to converge', () => sameState(a, b));
    const expected = docState(a.doc, SHAPE);
    assert.deepEqual(docState(b.doc, SHAPE), expected);
    assert.deepEqual(Y.encodeStateVector(a.doc), Y.encodeStateVector(b.doc));
    const text = a.doc.getText('text').toString();
    assert.ok(text.startsWith('shared ') && text.includes('from-a') && text.includes('from-b'), `both edits are in "${text}"`);
    assert.deepEqual(a.doc.getText('text').toDelta()[0], { insert: 'shared', attributes: { bold: true } });
    const xml = a.doc.getXmlFragment(FRAGMENT_NAME).toString();
    assert.ok(xml.includes('<paragraph>paragraph a</paragraph>') && xml.includes('<paragraph>paragraph b</paragraph>'), xml);

    await Promise.all([a.whenSaved(), b.whenSaved()]);
    assert.equal(a.unsavedCount + b.unsavedCount, 0);
    await assertServedState(docName, expected, 'a newcomer sees both offline edits');
    a.destroy();
    b.destroy();
    await t().restart();
    await assertServedState(docName, expected, 'after a restart, a newcomer sees both offline edits');
  });

  it('syncs edits made while the server was down once it is back', async () => {
    const docName = await t().createDoc();
    const a = t().provider(docName);
    const b = t().provider(docName);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.doc.getText('text').insert(0, 'before ');
    await a.whenSaved();

    await t().stop();
    await waitFor('both providers to notice the server is gone', () => a.status !== 'synced' && b.status !== 'synced');
    for (let i = 0; i < 50; i++) {
      a.doc.getText('text').insert(a.doc.getText('text').length, `a${i} `);
      b.doc.getText('text').insert(0, `b${i} `);
    }
    addParagraph(b.doc, 'written while the server was down');
    const bothSynced = Promise.all([a.whenSynced(), b.whenSynced()]);
    await t().restart();
    await bothSynced;
    await waitFor('a and b to converge after the server came back', () => sameState(a, b), 10_000);
    const text = a.doc.getText('text').toString();
    for (let i = 0; i < 50; i++) assert.ok(text.includes(`a${i} `) && text.includes(`b${i} `), `edit ${i} of both is in the text`);
    assert.ok(text.includes('before '));
    await Promise.all([a.whenSaved(), b.whenSaved()]);
    const expected = docState(a.doc, SHAPE);
    a.destroy();
    b.destroy();
    await t().restart();
    await assertServedState(docName, expected, 'after another restart, a newcomer sees every edit');
  });

  it('brings a provider that was offline for long up to date and delivers its edits', async () => {
    const docName = await t().createDoc();
    const online = t().provider(docName);
    const away = t().provider(docName);
    await Promise.all([online.whenSynced(), away.whenSynced()]);
    away.disconnect();
    for (let i = 0; i < 200; i++) {
      online.doc.getText('text').insert(0, `on${i};`);
      away.doc.getText('text').insert(away.doc.getText('text').length, `off${i};`);
      if (i % 20 === 0) {
        addParagraph(online.doc, `online ${i}`);
        addParagraph(away.doc, `away ${i}`);
      }
    }
    await online.whenSaved();
    assert.equal(away.unsavedCount, 200 + 10);
    away.connect();
    await away.whenSynced();
    await waitFor('the returning provider and the online one to converge', () => sameState(online, away));
    await away.whenSaved();
    assert.equal(away.unsavedCount, 0);
    const text = online.doc.getText('text').toString();
    assert.ok(text.includes('on199;') && text.includes('off199;') && text.includes('on0;') && text.includes('off0;'), text.slice(0, 80));
    assert.equal(online.doc.getXmlFragment(FRAGMENT_NAME).length, 20);
    await assertServedState(docName, docState(online.doc, SHAPE), 'a newcomer sees both sides');
  });
});
