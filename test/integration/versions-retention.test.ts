/**
 * Retention thinning on a real server with a clock the test moves: everything for a day, the
 * newest per hour for a week, the newest per day after that, named versions for ever.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DocProvider } from '../../client/provider.js';
import { appendParagraph, listVersions } from '../support/history.js';
import { useTestServer, type TestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('retention thinning', () => {
  let now = Date.UTC(2026, 0, 20, 12, 0, 0);
  const server = useTestServer({ versions: { quietMs: 50, maxIntervalMs: 60_000 }, clock: { now: () => now } });

  /** Edits the document and waits for the automatic version that follows. */
  async function autoVersion(t: TestServer, docName: string, editor: DocProvider, text: string): Promise<string> {
    const before = new Set((await listVersions(t.url, docName)).map((version) => version.id));
    appendParagraph(editor.doc, text);
    await editor.whenSaved();
    const created = await waitFor(`the version after "${text}"`, async () => (await listVersions(t.url, docName)).find((version) => !before.has(version.id)));
    assert.equal(Date.parse(created.createdAt), now, 'versions are dated by the server’s clock');
    return created.id;
  }

  it('thins old automatic versions each time a version is taken, and keeps named ones', async () => {
    const t = server();
    const docName = await t.createDoc();
    const store = t.server.store;
    const seed = async (id: string, age: number, kind: 'auto' | 'named' = 'auto') =>
      store.saveVersion({ id, docName, createdAt: now - age, kind, label: kind === 'named' ? id : null, authors: [] }, new Uint8Array([0, 0]));
    // Ten days ago, one calendar day (UTC 02:00–04:00): three automatic versions and a named one.
    await seed('ten-days-a', 10 * DAY + 10 * HOUR);
    await seed('ten-days-b', 10 * DAY + 9 * HOUR);
    await seed('ten-days-c', 10 * DAY + 8 * HOUR);
    await seed('ten-days-named', 10 * DAY + 9.5 * HOUR, 'named');
    // Two days ago, one hour (11:00–11:59): two automatic versions.
    await seed('two-days-a', 2 * DAY + 50 * MINUTE);
    await seed('two-days-b', 2 * DAY + 45 * MINUTE);

    const editor = t.provider(docName);
    await editor.whenSynced();
    const first = await autoVersion(t, docName, editor, 'today');
    assert.deepEqual(
      (await listVersions(t.url, docName)).map((version) => version.id),
      [first, 'two-days-b', 'ten-days-c', 'ten-days-named'],
    );

    now += 10 * MINUTE;
    const second = await autoVersion(t, docName, editor, 'ten minutes later');
    assert.equal((await listVersions(t.url, docName)).length, 5, 'within a day everything is kept');

    // Two days on, the two versions of that hour (12:00 and 12:10) are thinned to the newest.
    now += 2 * DAY;
    const third = await autoVersion(t, docName, editor, 'two days later');
    assert.deepEqual(
      (await listVersions(t.url, docName)).map((version) => version.id),
      [third, second, 'two-days-b', 'ten-days-c', 'ten-days-named'],
    );
    assert.ok(!(await listVersions(t.url, docName)).some((version) => version.id === first));
  });
});
