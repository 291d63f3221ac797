/**
 * The bench process's handle on a client worker (client-worker.ts): starts it, sends it requests
 * and waits for the answers. One request at a time per pool.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { instrumentArgs } from './peers/child-server.js';
import type { WorkerEnvelope, WorkerReply, WorkerRequest } from './worker-protocol.js';

const workerScript = fileURLToPath(new URL('./client-worker.ts', import.meta.url));

export class ClientPool {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: WorkerReply) => void>();
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: WorkerEnvelope<WorkerReply>) => {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message.body);
    });
    child.once('exit', (code) => {
      this.exited = true;
      for (const resolve of this.pending.values()) resolve({ type: 'error', message: `The client worker exited with code ${code}.` });
      this.pending.clear();
    });
  }

  /** The worker's process id (to read its CPU time). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts a worker and resolves once it is ready for requests. */
  static async start(): Promise<ClientPool> {
    // QUIRE_BENCH_PROFILE and QUIRE_BENCH_SEGMENTS measure the client worker too, as they do the servers.
    const child = fork(workerScript, [], { execArgv: [...instrumentArgs(), '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pool = new ClientPool(child);
    await new Promise<void>((resolve, reject) => {
      pool.pending.set(0, (reply) => (reply.type === 'error' ? reject(new Error(reply.message)) : resolve()));
    });
    return pool;
  }

  /** Sends a request; rejects when the worker answers with an error. */
  async request<T extends WorkerReply['type']>(body: WorkerRequest, expect: T): Promise<Extract<WorkerReply, { type: T }>> {
    if (this.exited) throw new Error('The client worker has exited.');
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, body } satisfies WorkerEnvelope<WorkerRequest>);
    });
    if (reply.type === 'error') throw new Error(`Client worker: ${reply.message}`);
    if (reply.type !== expect) throw new Error(`Client worker answered ${reply.type} to ${body.type}.`);
    return reply as Extract<WorkerReply, { type: T }>;
  }

  /** Closes every client and ends the worker process. */
  async stop(): Promise<void> {
    if (this.exited) return;
    await this.request({ type: 'close' }, 'closed').catch(() => undefined);
    const exit = once(this.child, 'exit');
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  }
}
