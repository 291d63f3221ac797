/**
 * Pictures of a document over real HTTP against a real server (LevelDB in a temp dir, then
 * PostgreSQL): upload with an edit link, read with the edit id and the view key, the headers that
 * keep a picture inert, and every refusal (types checked by their bytes, SVG, size per picture and
 * per document, view links, other sites), with the server answering throughout.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { assertApiError, createDocument, http, jsonOf, type HttpResult } from '../support/http.js';
import { makePng } from '../support/png.js';
import { markdownToPm, pmToYUpdate } from '../../document/doc-format.js';
import { PostgresDocStore } from '../../storage/postgres-doc-store.js';
import { DATABASE_URL, dropSchema } from '../support/cluster/cluster.js';
import { useTestServer, type TestServer } from '../support/test-server.js';

const MAX_IMAGE_BYTES = 64 * 1024;
const MAX_IMAGE_BYTES_PER_DOC = 160 * 1024;

/** The whole suite against the server `server` returns. */
function blobSuite(server: () => TestServer): void {
  function upload(docName: string, bytes: Uint8Array, type: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    return http(`${server().url}/api/docs/${docName}/blobs`, {
      method: 'POST',
      headers: { 'content-type': type, ...headers },
      body: new Uint8Array(bytes),
    });
  }

  async function viewKey(docName: string): Promise<string> {
    const links = jsonOf(await http(`${server().url}/api/docs/${docName}/links`)) as { viewUrl: string };
    return `v.${links.viewUrl.split('/').pop()}`;
  }

  const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64url');

  describe('uploading and reading pictures', () => {
    it('stores a PNG under the hash of its bytes and serves it to the edit id and the view key, inert', async () => {
      const doc = await createDocument(server().url);
      const png = makePng({ width: 40, height: 30 });
      const created = await upload(doc, png, 'image/png');
      assert.equal(created.status, 201, created.text);
      const body = jsonOf(created) as { id: string; url: string };
      assert.equal(body.id, sha256(png));
      assert.equal(body.url, `${server().url}/api/docs/${doc}/blobs/${body.id}`);

      for (const name of [doc, await viewKey(doc)]) {
        const read = await http(`${server().url}/api/docs/${name}/blobs/${body.id}`);
        assert.equal(read.status, 200, read.text);
        assert.deepEqual(new Uint8Array(read.body), new Uint8Array(png));
        assert.equal(read.headers.get('content-type'), 'image/png');
        assert.equal(read.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(read.headers.get('content-security-policy'), "default-src 'none'; img-src 'self'; sandbox");
        assert.equal(read.headers.get('content-disposition'), 'inline');
      }

      // The same picture again (a retried upload) is the same blob, stored once.
      const again = await upload(doc, png, 'image/png');
      assert.equal(again.status, 201, again.text);
      assert.equal((jsonOf(again) as { id: string }).id, body.id);
      assert.deepEqual((await server().server.store.listBlobs(doc)).map((blob) => [blob.id, blob.contentType, blob.sizeBytes]), [[body.id, 'image/png', png.length]]);
    });

    it('accepts JPEG, GIF and WebP by their bytes', async () => {
      const doc = await createDocument(server().url);
      const samples: Array<[string, Uint8Array]> = [
        ['image/jpeg', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0])],
        ['image/gif', new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;')],
        ['image/webp', new TextEncoder().encode('RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00')],
      ];
      for (const [type, bytes] of samples) {
        const created = await upload(doc, bytes, type);
        assert.equal(created.status, 201, `${type}: ${created.text}`);
        const read = await http((jsonOf(created) as { url: string }).url);
        assert.equal(read.headers.get('content-type'), type);
      }
    });

    it('answers not found for a picture the document does not have, or an id that cannot be one', async () => {
      const doc = await createDocument(server().url);
      assertApiError(await http(`${server().url}/api/docs/${doc}/blobs/${sha256(Buffer.from('nothing'))}`), 404, 'not-found');
      assertApiError(await http(`${server().url}/api/docs/${doc}/blobs/..%2F..%2Fx`), 404, 'not-found');
      // A picture of another document is not this document's.
      const other = await createDocument(server().url);
      const id = (jsonOf(await upload(other, makePng({ width: 5, height: 5 }), 'image/png')) as { id: string }).id;
      assertApiError(await http(`${server().url}/api/docs/${doc}/blobs/${id}`), 404, 'not-found');
    });
  });

  describe('refused uploads', () => {
    it('refuses SVG, unknown types, and bytes that are not what their Content-Type says', async () => {
      const doc = await createDocument(server().url);
      const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>');
      assertApiError(await upload(doc, svg, 'image/svg+xml'), 415, 'unsupported-image');
      assertApiError(await upload(doc, svg, 'image/png'), 415, 'unsupported-image');
      assertApiError(await upload(doc, new TextEncoder().encode('<html><script>alert(1)</script>'), 'image/gif'), 415, 'unsupported-image');
      assertApiError(await upload(doc, makePng({ width: 4, height: 4 }), 'image/jpeg'), 415, 'unsupported-image');
      assertApiError(await upload(doc, makePng({ width: 4, height: 4 }), 'application/octet-stream'), 415, 'unsupported-image');
      assertApiError(await upload(doc, new Uint8Array(), 'image/png'), 400, 'bad-request');
      assert.deepEqual(await server().server.store.listBlobs(doc), []);
    });

    it('refuses a picture over MAX_IMAGE_BYTES, and pictures past the document\'s budget', async () => {
      const doc = await createDocument(server().url);
      const big = makePng({ width: 150, height: 150, noiseSeed: 1 });
      assert.ok(big.length > MAX_IMAGE_BYTES);
      assertApiError(await upload(doc, big, 'image/png'), 413, 'image-too-large');

      // Each about 48 KiB: three fit in 160 KiB, the fourth does not.
      const pictures = [2, 3, 4, 5].map((seed) => makePng({ width: 128, height: 128, noiseSeed: seed }));
      for (const picture of pictures.slice(0, 3)) assert.equal((await upload(doc, picture, 'image/png')).status, 201);
      assertApiError(await upload(doc, pictures[3]!, 'image/png'), 413, 'image-too-large');
      // A picture it already holds is no new bytes; another document has a budget of its own.
      assert.equal((await upload(doc, pictures[0]!, 'image/png')).status, 201);
      assert.equal((await upload(await createDocument(server().url), pictures[3]!, 'image/png')).status, 201);
      assert.equal((await http(`${server().url}/healthz`)).status, 200);
    });

    it('needs an edit link, a document that exists, and a request from this site', async () => {
      const doc = await createDocument(server().url);
      const png = makePng({ width: 6, height: 6 });
      assertApiError(await upload(await viewKey(doc), png, 'image/png'), 403, 'read-only');
      assertApiError(await upload('x'.repeat(22), png, 'image/png'), 404, 'not-found');
      assertApiError(await upload('no', png, 'image/png'), 400, 'invalid-doc-name');
      assertApiError(await upload(doc, png, 'image/png', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), 403, 'forbidden');
      assert.deepEqual(await server().server.store.listBlobs(doc), []);
    });
  });

  describe('pictures in exports', () => {
    it('exports pictures with absolute addresses under the name the export was asked for', async () => {
      const doc = await createDocument(server().url);
      const png = makePng({ width: 8, height: 8 });
      const { id } = jsonOf(await upload(doc, png, 'image/png')) as { id: string };
      const own = `${server().url}/api/docs/${doc}/blobs/`;
      await server().server.store.append([{ docName: doc, update: pmToYUpdate(markdownToPm(`A ![Chart "one"](${own}${id} "Sales") b`, { blobUrlPrefix: own })) }]);

      const key = await viewKey(doc);
      for (const name of [doc, key]) {
        const markdown = await http(`${server().url}/api/docs/${name}/export?format=md`);
        assert.equal(markdown.text.trim(), `A ![Chart "one"](${server().url}/api/docs/${name}/blobs/${id} "Sales") b`);
        const html = await http(`${server().url}/api/docs/${name}/export?format=html`);
        assert.ok(html.text.includes(`src="${server().url}/api/docs/${name}/blobs/${id}"`), html.text);
        assert.equal(html.headers.get('content-security-policy'), `default-src 'none'; style-src 'unsafe-inline'; img-src data: ${server().url}`);
        if (name === key) assert.ok(!markdown.text.includes(doc) && !html.text.includes(doc), 'a view link\'s export never shows the document id');
      }

      // Imported into a new document, which holds no pictures, the picture stays a link.
      const exported = (await http(`${server().url}/api/docs/${doc}/export?format=md`)).text;
      const created = jsonOf(await http(`${server().url}/api/docs`, { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: exported })) as { id: string };
      const json = (await http(`${server().url}/api/docs/${created.id}/export?format=json`)).text;
      assert.ok(!json.includes('"image"'), json);
      assert.ok(json.includes(`"href":"${own}${id}"`), json);
    });
  });
}

const limits = { maxImageBytes: MAX_IMAGE_BYTES, maxImageBytesPerDoc: MAX_IMAGE_BYTES_PER_DOC };

describe('pictures on LevelDB', () => {
  blobSuite(useTestServer({ limits }));
});

describe('pictures on PostgreSQL', () => {
  const schema = `quire_blobs_${process.pid}_${Date.now()}`;
  after(() => dropSchema(schema));
  blobSuite(useTestServer(async () => ({ limits, store: await PostgresDocStore.open(DATABASE_URL, { schema, maxConnections: 4 }) })));
});
