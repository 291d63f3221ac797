/**
 * What an attack test watches while the attack runs against a server process: honest people
 * typing in the attacked document and in another one, `/healthz` answered every 100 ms (timed on
 * a worker thread, see health-probe.ts), and the server's memory (RSS). `finish()` stops the
 * typing and checks what the attack must not cause: nobody honest saw an error or a disconnect,
 * every edit was saved and reached the others, both documents reload from storage exactly as the
 * people hold them, the server answered health checks throughout, and its memory stayed within
 * the stated budget.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as Y from 'yjs';
import { DocProvider } from '../../client/provider.js';
import type { QuireErrorPayload } from '../../shared/errors.js';
import { snapshotOf } from './doc-state.js';
import { HealthProbe } from './health-probe.js';
import { createDocument } from './http.js';
import type { ServerProcess } from './server-process.js';
import { waitFor, withTimeout } from './wait.js';

export interface AttackReport {
  /** Slowest /healthz answer during the attack, ms. */
  readonly healthMaxMs: number;
  /** Health checks that failed or took over 2 s. */
  readonly healthFailures: number;
  readonly rssStartMb: number;
  readonly rssPeakMb: number;
  readonly edits: number;
}

interface Person {
  readonly name: string;
  readonly provider: DocProvider;
  readonly errors: QuireErrorPayload[];
  disconnects: number;
}

/** The server's resident memory now, in MiB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match === null ? 0 : Number(match[1]) / 1024;
}

export class AttackWatch {
  private readonly people: Person[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private rssPeak = 0;
  private edits = 0;
  private readonly rssStart: number;
  private readonly sampling: ReturnType<typeof setInterval>;
  private readonly probe: HealthProbe;

  private constructor(
    private readonly server: ServerProcess,
    /** The document the attacker goes for. */
    readonly victimDoc: string,
    /** A document the attacker leaves alone. */
    readonly otherDoc: string,
  ) {
    this.rssStart = rssMb(server.pid!);
    this.rssPeak = this.rssStart;
    this.probe = HealthProbe.start(server.url);
    this.sampling = setInterval(() => {
      if (this.server.pid !== undefined && this.server.alive) this.rssPeak = Math.max(this.rssPeak, rssMb(this.server.pid));
    }, 100);
  }

  /**
   * Two people in each of two new documents, typing a word every 150 ms. Everything it starts is
   * stopped after the test `t`, whether it passed or not. `prepareVictim` fills the attacked
   * document first, before the watching starts.
   */
  static async start(t: { after(fn: () => unknown): void }, server: ServerProcess, prepareVictim?: (victimDoc: string) => Promise<void>): Promise<AttackWatch> {
    const [victimDoc, otherDoc] = await Promise.all([createDocument(server.url), createDocument(server.url)]);
    // Filling the victim document is not part of the attack: it happens before anything is watched.
    if (prepareVictim !== undefined) await prepareVictim(victimDoc);
    const watch = new AttackWatch(server, victimDoc, otherDoc);
    t.after(() => watch.dispose());
    for (const [name, docName] of [['ann', victimDoc], ['bob', victimDoc], ['cat', otherDoc], ['dan', otherDoc]] as const) {
      const provider = new DocProvider(server.url, docName, new Y.Doc(), { transports: ['websocket'], reconnectDelayMs: 100, reconnectDelayMaxMs: 500 });
      const person: Person = { name, provider, errors: [], disconnects: 0 };
      provider.on('error', (error) => person.errors.push(error));
      watch.people.push(person);
    }
    await withTimeout('the honest people to sync', Promise.all(watch.people.map((p) => p.provider.whenSynced())), 15_000);
    for (const person of watch.people) {
      person.provider.on('status', (status) => {
        if (status === 'disconnected') person.disconnects++;
      });
      let n = 0;
      watch.timers.push(
        setInterval(() => {
          const text = person.provider.doc.getText('t');
          text.insert(text.length, `${person.name}${n++} `);
          watch.edits++;
        }, 150),
      );
    }
    return watch;
  }

  /** Stops typing and probing, and destroys the providers. Safe to call more than once. */
  async dispose(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    clearInterval(this.sampling);
    await this.probe.stop();
    for (const person of this.people) person.provider.destroy();
  }

  /** Stops typing and probing, and asserts that the honest people noticed nothing. */
  async finish(budget: { readonly rssGrowthMb: number; readonly healthWithinMs?: number }): Promise<AttackReport> {
    for (const timer of this.timers) clearInterval(timer);
    clearInterval(this.sampling);
    const health = await this.probe.stop();
    const report: AttackReport = {
      healthMaxMs: Math.round(health.maxMs),
      healthFailures: health.failures,
      rssStartMb: Math.round(this.rssStart),
      rssPeakMb: Math.round(this.rssPeak),
      edits: this.edits,
    };
    try {
      assert.ok(this.server.alive, `the server died:\n${this.server.log.slice(-2000)}`);
      await withTimeout('every honest edit to be saved', Promise.all(this.people.map((p) => p.provider.whenSaved())), 15_000);
      for (const person of this.people) {
        assert.deepEqual(person.errors, [], `${person.name} saw errors`);
        assert.equal(person.disconnects, 0, `${person.name} was disconnected`);
      }
      const pairs: Array<[Person, Person]> = [[this.people[0]!, this.people[1]!], [this.people[2]!, this.people[3]!]];
      for (const [a, b] of pairs) {
        await waitFor(`${a.name} and ${b.name} to converge`, () => snapshotOf(a.provider.doc) === snapshotOf(b.provider.doc), 10_000);
      }
      for (const [person, docName] of [[this.people[0]!, this.victimDoc], [this.people[2]!, this.otherDoc]] as const) {
        const fresh = new DocProvider(this.server.url, docName, new Y.Doc(), { transports: ['websocket'] });
        try {
          await withTimeout(`a newcomer to sync ${docName}`, fresh.whenSynced(), 10_000);
          assert.equal(snapshotOf(fresh.doc), snapshotOf(person.provider.doc), `a newcomer gets another document than ${person.name} holds`);
        } finally {
          fresh.destroy();
        }
      }
      assert.equal(report.healthFailures, 0, 'health checks failed during the attack');
      assert.ok(report.healthMaxMs <= (budget.healthWithinMs ?? 1500), `/healthz took ${report.healthMaxMs} ms during the attack`);
      assert.ok(report.rssPeakMb - report.rssStartMb <= budget.rssGrowthMb, `memory grew by ${report.rssPeakMb - report.rssStartMb} MiB (budget ${budget.rssGrowthMb} MiB)`);
    } finally {
      await this.dispose();
    }
    return report;
  }
}
