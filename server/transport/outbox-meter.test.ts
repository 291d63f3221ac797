/**
 * OutboxMeter against the events Engine.IO emits (packetCreate, flush, the transport's drain,
 * upgrade), and the account several meters of one address keep together.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { OutboxAccount, OutboxMeter, type EngineSocket } from './outbox-meter.js';

class FakeEngine extends EventEmitter implements EngineSocket {
  transport = new EventEmitter();
  send(bytes: number): void {
    this.emit('packetCreate', { data: new Uint8Array(bytes) });
  }
  flushAll(packets: number[]): void {
    this.emit('flush', packets.map((bytes) => ({ data: new Uint8Array(bytes) })));
  }
}

describe('OutboxMeter', () => {
  it('counts bytes queued and in flight until the transport drains them', () => {
    const engine = new FakeEngine();
    const meter = new OutboxMeter(engine);
    engine.send(100);
    engine.send(50);
    assert.equal(meter.pending, 150);
    engine.flushAll([100, 50]);
    assert.equal(meter.pending, 150, 'handed to the transport, not yet written');
    engine.send(10);
    engine.transport.emit('drain');
    assert.equal(meter.pending, 10);
  });

  it('adds the meters of one address up in their account, and takes a detached meter out', () => {
    const account = new OutboxAccount();
    const [a, b] = [new FakeEngine(), new FakeEngine()];
    const meterA = new OutboxMeter(a, account);
    const meterB = new OutboxMeter(b, account);
    a.send(300);
    b.send(200);
    assert.equal(account.pending, 500);
    b.flushAll([200]);
    b.transport.emit('drain');
    assert.equal(account.pending, 300);
    assert.equal(meterB.pending, 0);
    a.flushAll([300]);
    a.send(40);
    meterA.detach();
    meterA.detach();
    assert.equal(account.pending, 0, 'a detached meter holds nothing of the account, however often it is detached');
    a.send(1000);
    assert.equal(account.pending, 0, 'a detached meter no longer listens');
  });

  it('follows the connection to its new transport after an upgrade', () => {
    const engine = new FakeEngine();
    const account = new OutboxAccount();
    const meter = new OutboxMeter(engine, account);
    engine.send(70);
    engine.flushAll([70]);
    const polling = engine.transport;
    engine.transport = new EventEmitter();
    engine.emit('upgrade');
    polling.emit('drain');
    assert.equal(meter.pending, 70, 'the old transport no longer counts');
    engine.transport.emit('drain');
    assert.equal(meter.pending, 0);
    assert.equal(account.pending, 0);
  });
});
