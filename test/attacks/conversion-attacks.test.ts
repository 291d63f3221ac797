/**
 * Attacks through imports and exports, against a real server process: a 4 MiB HTML page of
 * `<p>x</p>` (it used to block the event loop for 33 s, dropping every socket), 0.86 MiB of
 * Markdown paragraphs (6.7 s), and exporting a large document (30 s). Conversions now run in a
 * worker thread with a time limit: the server keeps answering and every honest person carries
 * on; what is too costly is refused with a typed error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttackWatch } from '../support/attack-watch.js';
import { http, jsonOf } from '../support/http.js';
import { useServerProcess } from '../support/server-process.js';

async function post(url: string, type: string, body: string): Promise<{ status: number; code: string | null; id: string | null }> {
  const result = await http(`${url}/api/docs`, { method: 'POST', headers: { 'content-type': type }, body });
  const json = jsonOf(result) as { id?: string; error?: { code?: string } };
  return { status: result.status, code: json.error?.code ?? null, id: json.id ?? null };
}

describe('attacks through imports and exports', () => {
  const server = useServerProcess({ env: { CONVERSION_TIMEOUT_MS: '4000' } });

  it('huge imports convert off the event loop or are refused, and a large export does not freeze the server', { timeout: 120_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    const html = await post(server().url, 'text/html', '<p>x</p>'.repeat((4 * 1024 * 1024) / 8 - 64));
    t.diagnostic(`4 MiB of HTML paragraphs: ${html.status} ${html.code ?? ''}`);
    assert.ok(html.status === 201 || ['too-costly', 'doc-too-large'].includes(html.code ?? ''), JSON.stringify(html));

    const markdown = await post(server().url, 'text/markdown', 'x\n\n'.repeat(300_000));
    t.diagnostic(`0.86 MiB of Markdown paragraphs: ${markdown.status} ${markdown.code ?? ''}`);
    assert.ok(markdown.status === 201 || ['too-costly', 'doc-too-large'].includes(markdown.code ?? ''), JSON.stringify(markdown));

    // A large document that is accepted: 40,000 short paragraphs (120,000 structs).
    const large = await post(server().url, 'text/markdown', 'word\n\n'.repeat(40_000));
    assert.equal(large.status, 201, JSON.stringify(large));
    for (const format of ['html', 'md', 'json']) {
      const exported = await http(`${server().url}/api/docs/${large.id}/export?format=${format}`);
      const body = exported.status === 200 ? null : (jsonOf(exported) as { error: { code: string } }).error.code;
      t.diagnostic(`export of 40,000 paragraphs as ${format}: ${exported.status} ${body ?? `${exported.body.length} bytes`}`);
      assert.ok(exported.status === 200 || body === 'too-costly', `export as ${format}: ${exported.status} ${body}`);
    }
    // The README's resource model: a conversion worker of at most 256 MiB of heap (its resident
    // size is somewhat more), and the 120,000-struct document itself.
    const report = await watch.finish({ rssGrowthMb: 600 });
    t.diagnostic(JSON.stringify(report));
  });

  it('refuses simple cross-site requests that would create documents', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const refused = await http(`${server().url}/api/docs`, { method: 'POST', headers: { 'content-type': type }, body: 'markdown=hello' });
      assert.equal(refused.status, 415, `${type}: ${refused.text}`);
    }
    const crossSite = await http(`${server().url}/api/docs`, {
      method: 'POST',
      headers: { 'content-type': 'text/markdown', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: '# from elsewhere',
    });
    assert.equal(crossSite.status, 403, crossSite.text);
    assert.equal((jsonOf(crossSite) as { error: { code: string } }).error.code, 'forbidden');
  });
});
