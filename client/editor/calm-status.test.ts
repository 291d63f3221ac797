import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CalmStatus, SAVING_DELAY_MS, type Timers } from './calm-status.js';
import { statusLine, type StatusInput, type StatusLine } from './status-text.js';

const base: StatusInput = { status: 'synced', role: 'edit', unsavedCount: 0, everSynced: true, unreachable: false, fatal: false };
const at = (change: Partial<StatusInput>): StatusLine => statusLine({ ...base, ...change });

/** Timers that run only when the test says time has passed. */
class FakeTimers implements Timers {
  now = 0;
  private queue: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.queue.push({ at: this.now + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    this.now += ms;
    const due = this.queue.filter((t) => t.at <= this.now);
    this.queue = this.queue.filter((t) => t.at > this.now);
    for (const t of due) t.callback();
  }
}

function setup(): { calm: CalmStatus; timers: FakeTimers; shown: string[]; announced: string[] } {
  const timers = new FakeTimers();
  const shown: string[] = [];
  const announced: string[] = [];
  const calm = new CalmStatus({ show: (line) => shown.push(line.text), announce: (text) => announced.push(text) }, timers);
  return { calm, timers, shown, announced };
}

describe('CalmStatus', () => {
  it('never shows "Saving…" for saves quicker than the delay, and announces nothing', () => {
    const { calm, timers, shown, announced } = setup();
    calm.update(at({ status: 'connecting', everSynced: false }));
    calm.update(at({}));
    for (let i = 1; i <= 20; i++) {
      calm.update(at({ unsavedCount: i % 3 }));
      timers.advance(SAVING_DELAY_MS / 5);
      calm.update(at({}));
      timers.advance(SAVING_DELAY_MS);
    }
    assert.deepEqual([...new Set(shown)], ['Connecting…', 'All changes saved']);
    assert.deepEqual(announced, [], 'settling into the first state is not announced');
  });

  it('keeps "All changes saved" while saves overlap but each is confirmed quickly', () => {
    const { calm, timers, shown } = setup();
    calm.update(at({}));
    // Every keystroke's save is confirmed 300 ms after it, the next keystroke comes 200 ms after
    // it: something is always waiting, for 4 s, but never more than 300 ms without progress.
    calm.update(at({ unsavedCount: 1 }));
    for (let i = 0; i < 20; i++) {
      timers.advance(200);
      calm.update(at({ unsavedCount: 2 }));
      timers.advance(100);
      calm.progress();
      calm.update(at({ unsavedCount: 1 }));
    }
    calm.update(at({}));
    assert.deepEqual([...new Set(shown)], ['All changes saved']);
    // Progress does not hold "Saving…" back for ever: a save stuck after it still shows.
    calm.update(at({ unsavedCount: 2 }));
    timers.advance(200);
    calm.progress();
    calm.update(at({ unsavedCount: 1 }));
    timers.advance(SAVING_DELAY_MS - 1);
    assert.equal(calm.current?.text, 'All changes saved');
    timers.advance(1);
    assert.equal(calm.current?.text, 'Saving…');
  });

  it('shows and announces "Saving…" once a save takes longer than the delay, then "All changes saved"', () => {
    const { calm, timers, shown, announced } = setup();
    calm.update(at({}));
    calm.update(at({ unsavedCount: 1 }));
    timers.advance(SAVING_DELAY_MS - 1);
    assert.equal(calm.current?.text, 'All changes saved');
    calm.update(at({ unsavedCount: 2 }));
    timers.advance(1);
    assert.equal(calm.current?.text, 'Saving…');
    calm.update(at({ unsavedCount: 3 }));
    calm.update(at({}));
    assert.deepEqual(shown, ['All changes saved', 'Saving…', 'Saving…', 'All changes saved']);
    assert.deepEqual(announced, ['Saving…', 'All changes saved']);
  });

  it('announces changes of state but not new counts, and shows other states at once', () => {
    const { calm, shown, announced } = setup();
    calm.update(at({}));
    calm.update(at({ status: 'disconnected', unsavedCount: 1 }));
    calm.update(at({ status: 'disconnected', unsavedCount: 2 }));
    calm.update(at({ status: 'connected', unsavedCount: 2 }));
    assert.deepEqual(shown, ['All changes saved', 'Offline — 1 change kept on this device', 'Offline — 2 changes kept on this device', 'Saving…']);
    assert.deepEqual(announced, ['Offline — your changes are kept on this device', 'Saving…']);
  });
});
