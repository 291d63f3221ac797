/**
 * Replay of a real editing trace through a server: a writer applies the trace transaction by
 * transaction (one Y transaction, so one update, each) and a reader in the client worker receives
 * them. Timed from the first transaction until the reader's text equals the expected content.
 */
import type { ClientPool } from './client-pool.js';
import { newDocs, readerUrl, writerUrl, type PeerName, type ServerHandle } from './peers/bench-client.js';
import { createBenchClient } from './peers/clients.js';
import { monotonicMs } from './stats.js';
import { withTimeout } from '../test/support/wait.js';
import { applyTxnToText, TEXT_NAME, type EditingTrace } from './trace.js';

export interface ReplayCase {
  readonly trace: EditingTrace;
  readonly txnCount: number;
  /** The text after `txnCount` transactions. */
  readonly expected: string;
  /** Transactions per event-loop turn of the writer before it yields to I/O. */
  readonly chunk: number;
  readonly timeoutMs: number;
}

export interface ReplayResult {
  readonly trace: string;
  readonly txns: number;
  readonly seconds: number;
  readonly updatesPerSecond: number;
  readonly pass: boolean;
  readonly detail: string;
}

export async function measureTraceReplay(peer: PeerName, server: ServerHandle, pool: ClientPool, params: ReplayCase): Promise<ReplayResult> {
  const [docName] = (await newDocs(server, 1)) as [string];
  await pool.request({ type: 'open', peer, url: readerUrl(server), docNames: [docName], count: 1, concurrency: 1, timeoutMs: 30_000 }, 'opened');
  const writer = createBenchClient(peer, writerUrl(server), docName);
  try {
    writer.connect();
    await withTimeout(`the ${peer} writer to sync`, writer.whenSynced(), 30_000);
    await pool.request({ type: 'watch', target: { kind: 'text', expected: params.expected } }, 'watching');
    const text = writer.doc.getText(TEXT_NAME);
    const started = monotonicMs();
    if (params.trace.startContent.length > 0) writer.doc.transact(() => text.insert(0, params.trace.startContent));
    for (let done = 0; done < params.txnCount; ) {
      const end = Math.min(params.txnCount, done + params.chunk);
      for (; done < end; done++) {
        const txn = params.trace.txns[done];
        if (txn !== undefined) writer.doc.transact(() => applyTxnToText(text, txn));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const reply = await pool.request({ type: 'collect', timeoutMs: params.timeoutMs }, 'collected');
    const reachedAt = reply.reachedAt[0] ?? null;
    const seconds = ((reachedAt ?? monotonicMs()) - started) / 1000;
    return {
      trace: params.trace.name,
      txns: params.txnCount,
      seconds,
      updatesPerSecond: params.txnCount / seconds,
      pass: reachedAt !== null,
      detail: reachedAt !== null ? 'reader text equals the expected content' : `reader never matched: ${reply.detail}`,
    };
  } finally {
    writer.destroy();
    await pool.request({ type: 'close' }, 'closed');
  }
}
