/**
 * The Hocuspocus server the bench runs as a child process: `@hocuspocus/server` 3.4.4 with its
 * defaults, quiet, on HOST/PORT (PORT=0 picks a free port). Prints `listening on http://HOST:PORT`
 * like Quire's server does.
 *
 * With BENCH_BLOB_DIR set it loads documents the way @hocuspocus/extension-database's `fetch`
 * does: one stored blob (the full document state) per document, applied in `onLoadDocument`;
 * here the blob is the file `<dir>/<documentName>.bin`. Nothing is stored back: the bench only
 * measures loading. Without it the server keeps documents in memory only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Server } from '@hocuspocus/server';
import * as Y from 'yjs';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number.parseInt(process.env.PORT ?? '0', 10);
const blobDir = process.env.BENCH_BLOB_DIR;

async function readBlob(documentName: string): Promise<Uint8Array | null> {
  if (blobDir === undefined || !/^[A-Za-z0-9_-]+$/.test(documentName)) return null;
  try {
    return new Uint8Array(await readFile(join(blobDir, `${documentName}.bin`)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

const server = new Server({
  port,
  address: host,
  quiet: true,
  async onLoadDocument({ documentName, document }) {
    const blob = await readBlob(documentName);
    if (blob !== null) Y.applyUpdate(document, blob);
  },
});

await server.listen();
console.log(`listening on http://${host}:${server.address.port}`);
