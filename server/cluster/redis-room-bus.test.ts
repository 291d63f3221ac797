/**
 * RedisRoomBus against the real Redis on 127.0.0.1:6379. Every bus of a run uses a channel prefix
 * of its own, so parallel runs never hear each other. Outages go through a TCP proxy that a test
 * cuts, never by touching the shared Redis server.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { newDocId } from '../../shared/doc-id.js';
import { TcpCutProxy } from '../../test/support/cluster/tcp-cut-proxy.js';
import { BUS_SYNC_REPLY, BUS_UPDATE, encodeBusFrame } from './bus-frame.js';
import { RedisRoomBus } from './redis-room-bus.js';
import type { RoomBusHandlers } from '../core/room-bus.js';
import { sleep, waitFor } from '../../test/support/wait.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const PREFIX = `quire-test-${randomBytes(6).toString('hex')}:`;

/** A node's copy of one document, wired to the bus like RoomRegistry wires a room. */
class Replica {
  readonly doc = new Y.Doc();
  readonly awareness = new Awareness(new Y.Doc());
  updates = 0;
  catchUps = 0;
  awarenessUpdates = 0;
  syncRequests = 0;
  readonly handlers: RoomBusHandlers = {
    update: (update) => {
      this.updates++;
      Y.applyUpdate(this.doc, update, 'bus');
    },
    catchUp: (update) => {
      this.catchUps++;
      Y.applyUpdate(this.doc, update, 'bus');
    },
    awareness: (update) => {
      this.awarenessUpdates++;
      applyAwarenessUpdate(this.awareness, update, 'bus');
    },
    syncRequest: (stateVector) => {
      this.syncRequests++;
      return Y.encodeStateAsUpdate(this.doc, stateVector);
    },
    stateVector: () => Y.encodeStateVector(this.doc),
  };

  /** Publishes every local change of the doc on `bus`, as a room does for client changes. */
  publishTo(bus: RedisRoomBus, docName: string): void {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'bus') bus.publishUpdate(docName, update);
    });
  }

  get text(): string {
    return this.doc.getText('t').toString();
  }

  destroy(): void {
    this.awareness.doc.destroy();
    this.awareness.destroy();
    this.doc.destroy();
  }
}

const opened: RedisRoomBus[] = [];
const replicas: Replica[] = [];
const closers: Array<() => Promise<void>> = [];

async function openBus(options: Parameters<typeof RedisRoomBus.open>[1] = {}, url = REDIS_URL): Promise<RedisRoomBus> {
  const bus = await RedisRoomBus.open(url, { channelPrefix: PREFIX, ...options });
  opened.push(bus);
  return bus;
}

function replica(): Replica {
  const r = new Replica();
  replicas.push(r);
  return r;
}

after(async () => {
  await Promise.all(opened.map((bus) => bus.close()));
  for (const close of closers) await close();
  for (const r of replicas) r.destroy();
});

describe('RedisRoomBus', () => {
  it('carries updates and awareness between the nodes that hold a document, never back to the sender', async () => {
    const [a, b] = await Promise.all([openBus(), openBus()]);
    assert.ok(a.healthy && b.healthy);
    const docName = newDocId();
    const ra = replica();
    const rb = replica();
    await a.subscribe(docName, ra.handlers);
    await b.subscribe(docName, rb.handlers);
    ra.publishTo(a, docName);
    rb.publishTo(b, docName);

    ra.doc.getText('t').insert(0, 'from a');
    await waitFor('b to apply a\'s update', async () => rb.text === 'from a');
    rb.doc.getText('t').insert(0, 'b, then ');
    await waitFor('a to apply b\'s update', async () => ra.text === 'b, then from a');

    const presence = new Awareness(new Y.Doc());
    presence.setLocalState({ name: 'Ada' });
    a.publishAwareness(docName, encodeAwarenessUpdate(presence, [presence.clientID]));
    await waitFor('b to see the presence', async () => rb.awareness.getStates().has(presence.clientID));
    assert.deepEqual(rb.awareness.getStates().get(presence.clientID), { name: 'Ada' });
    presence.doc.destroy();
    presence.destroy();

    // Each bus heard its own frames echoed (it is subscribed) but handed none to its handlers.
    await waitFor('the echoes to arrive', async () => a.receivedMessages >= 3 && b.receivedMessages >= 3);
    assert.equal(ra.updates, 1, 'a applied only b\'s update');
    assert.equal(rb.updates, 1, 'b applied only a\'s update');
    assert.equal(ra.awarenessUpdates, 0, 'a did not apply its own awareness');
    assert.equal(rb.awarenessUpdates, 1);
  });

  it('answers a sync request both ways, so a late holder and the others end equal', async () => {
    const [a, b, c] = await Promise.all([openBus(), openBus(), openBus()]);
    const docName = newDocId();
    const ra = replica();
    const rb = replica();
    const rc = replica();
    await a.subscribe(docName, ra.handlers);
    await b.subscribe(docName, rb.handlers);
    // Changes nobody published: each holder has something the others lack, deletions included.
    ra.doc.getText('t').insert(0, 'alpha ');
    rb.doc.getText('t').insert(0, 'beta gamma ');
    rb.doc.getText('t').delete(5, 6);
    rc.doc.getText('t').insert(0, 'delta');
    rc.doc.getText('t').delete(0, 1);
    await c.subscribe(docName, rc.handlers);
    c.requestSync(docName);
    await waitFor('a and b to answer c', async () => ra.syncRequests >= 1 && rb.syncRequests >= 1);
    await waitFor('c to receive a\'s and b\'s state', async () => rc.text.length === 'alpha beta elta'.length);
    // a and b learn c's changes from c's answer to their replies, not from each other.
    await waitFor('a and b to receive c\'s state', async () => ra.text.includes('elta') && rb.text.includes('elta'));
    for (const r of [ra, rb]) assert.ok(!r.text.includes('delta'), 'the deletion reached every holder');

    a.requestSync(docName);
    b.requestSync(docName);
    await waitFor(
      'all three to converge',
      async () => ra.text === rb.text && rb.text === rc.text && Buffer.from(Y.encodeStateVector(ra.doc)).equals(Buffer.from(Y.encodeStateVector(rc.doc))),
    );
    assert.equal(ra.text.length, 'alpha beta elta'.length);
    assert.ok(!ra.text.includes('gamma'));
    // Catch-up arrives through the catchUp handler (the receiver stores it), never as a plain update.
    assert.ok(ra.catchUps > 0 && rb.catchUps > 0 && rc.catchUps > 0);
    assert.equal(ra.updates + rb.updates + rc.updates, 0);
  });

  it('delivers nothing of a document to a node that does not hold it, and nothing after unsubscribe', async () => {
    const [a, b, idle] = await Promise.all([openBus(), openBus(), openBus()]);
    const docName = newDocId();
    const other = newDocId();
    const ra = replica();
    const rb = replica();
    const ri = replica();
    await a.subscribe(docName, ra.handlers);
    await b.subscribe(docName, rb.handlers);
    await idle.subscribe(other, ri.handlers);
    ra.publishTo(a, docName);
    for (let i = 0; i < 20; i++) ra.doc.getText('t').insert(0, `${i} `);
    a.publishAwareness(docName, new Uint8Array([0]));
    a.requestSync(docName);
    await waitFor('b to receive the traffic', async () => rb.text === ra.text && rb.awarenessUpdates === 1);
    assert.equal(idle.receivedMessages, 0);
    assert.equal(idle.receivedBytes, 0);
    assert.equal(ri.updates + ri.syncRequests, 0);

    await b.unsubscribe(docName);
    const before = b.receivedMessages;
    ra.doc.getText('t').insert(0, 'after ');
    // a hears its own echo once it went through Redis; b, being unsubscribed, must not.
    const echoes = a.receivedMessages;
    await waitFor('a to hear its echo', async () => a.receivedMessages > echoes);
    await sleep(50);
    assert.equal(b.receivedMessages, before);
    assert.ok(!rb.text.startsWith('after'));
    assert.equal(idle.receivedMessages, 0);
  });

  it('acts on a sync reply only when addressed to it, and survives malformed frames and failing handlers', async () => {
    const bus = await openBus({ nodeId: 'receiver' });
    const raw = new Redis(REDIS_URL, { lazyConnect: true });
    closers.push(async () => void (await raw.quit()));
    await raw.connect();
    const docName = newDocId();
    const r = replica();
    const poison = new Uint8Array([0xff, 0xff]);
    await bus.subscribe(docName, {
      ...r.handlers,
      update: (update) => {
        if (Buffer.from(update).equals(Buffer.from(poison))) throw new Error('this update cannot be applied');
        r.handlers.update(update);
      },
    });
    const channel = `${PREFIX}doc:${docName}`;
    const source = new Y.Doc();
    source.getText('t').insert(0, 'addressed');
    const update = Y.encodeStateAsUpdate(source);
    source.destroy();
    const reply = (target: string) =>
      Buffer.from(encodeBusFrame({ kind: BUS_SYNC_REPLY, sender: 'elsewhere', target, stateVector: new Uint8Array(0), payload: update }));

    await raw.publish(channel, reply('somebody-else'));
    await raw.publish(channel, Buffer.from([99, 1, 2, 3]));
    await raw.publish(channel, Buffer.from([]));
    await raw.publish(channel, Buffer.from(encodeBusFrame({ kind: BUS_UPDATE, sender: 'elsewhere', payload: poison })));
    await raw.publish(channel, reply('receiver'));
    await waitFor('all five frames to arrive', () => bus.receivedMessages === 5);
    await waitFor('the addressed reply to be applied', () => r.text === 'addressed');
    assert.equal(r.catchUps, 1, 'only the reply addressed to this node was applied, as catch-up');
    assert.equal(r.updates, 0);
    assert.equal(bus.droppedMessages, 3, 'two malformed frames and the update whose handler threw');
    assert.ok(bus.healthy);
  });

  it('goes unhealthy while Redis is cut off, then resubscribes and resynchronises both ways', async () => {
    const proxy = await TcpCutProxy.start({ host: '127.0.0.1', port: 6379 });
    closers.push(() => proxy.close());
    const health: boolean[] = [];
    const cutOff = await openBus({ onHealthChange: (healthy) => health.push(healthy) }, `redis://127.0.0.1:${proxy.port}`);
    const peer = await openBus();
    const docName = newDocId();
    const rc = replica();
    const rp = replica();
    await cutOff.subscribe(docName, rc.handlers);
    await peer.subscribe(docName, rp.handlers);
    rc.publishTo(cutOff, docName);
    rp.publishTo(peer, docName);
    rp.doc.getText('t').insert(0, 'shared base');
    await waitFor('the base to arrive', async () => rc.text === 'shared base');

    proxy.cut();
    await waitFor('the cut-off bus to notice', async () => !cutOff.healthy);
    assert.deepEqual(health, [false]);
    // While cut: both sides change the document; their frames are lost.
    rp.doc.getText('t').delete(0, 7); // "base"
    rp.doc.getText('t').insert(4, ' peer');
    const dropped = cutOff.droppedMessages;
    rc.doc.getText('t').insert(0, 'cut ');
    // A failed publish is counted at once; 5 s leaves room for a busy machine and is still far
    // short of how long a queued publish would wait for Redis before failing.
    await waitFor('the publish to fail rather than wait in a queue', () => cutOff.droppedMessages === dropped + 1, 5000);
    const another = newDocId();
    await assert.rejects(cutOff.subscribe(another, replica().handlers), /Redis is unavailable/);
    await sleep(300);
    assert.ok(!cutOff.healthy, 'still unhealthy while cut');
    assert.ok(!rp.text.includes('cut') && rc.text.includes('shared'), 'nothing crossed the cut');

    proxy.restore();
    await waitFor('the bus to reconnect', async () => cutOff.healthy, 10_000);
    assert.deepEqual(health, [false, true]);
    await waitFor('both sides to converge after the outage', async () => rc.text === rp.text, 10_000);
    assert.equal(rc.text, 'cut base peer');
    // The subscription made while Redis was away is live now, and so is the old one.
    rp.doc.getText('t').insert(0, '> ');
    await waitFor('live traffic to flow again', async () => rc.text === '> cut base peer');
    assert.equal(cutOff.subscribedDocuments, 2);
  });

  it('recovers when Redis kills its connections (CLIENT KILL of this bus\'s own clients)', async () => {
    const health: boolean[] = [];
    const killed = await openBus({ nodeId: `victim-${randomBytes(4).toString('hex')}`, onHealthChange: (healthy) => health.push(healthy) });
    const peer = await openBus();
    const admin = new Redis(REDIS_URL, { lazyConnect: true });
    closers.push(async () => void (await admin.quit()));
    await admin.connect();
    const docName = newDocId();
    const rk = replica();
    const rp = replica();
    await killed.subscribe(docName, rk.handlers);
    await peer.subscribe(docName, rp.handlers);
    rp.publishTo(peer, docName);

    const clients = String(await admin.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(`name=quire-bus-pub:${killed.nodeId} `) || line.includes(`name=quire-bus-sub:${killed.nodeId} `))
      .map((line) => /(?:^| )id=(\d+)/.exec(line)?.[1]);
    assert.equal(clients.length, 2, 'both connections are named after the node');
    // Both in one transaction, so Redis closes them together: killed one after the other, the
    // first could reconnect (ioredis retries after 100 ms) before the second kill, and the bus
    // would rightly report false,true,false,true.
    const kills = await admin.multi(clients.map((id) => ['client', 'KILL', 'ID', String(id)])).exec();
    assert.deepEqual(kills, [[null, 1], [null, 1]], 'each kill closed one connection');
    await waitFor('the bus to notice the kill and come back', () => health.join() === 'false,true', 10_000);
    assert.ok(killed.healthy);
    rp.doc.getText('t').insert(0, 'after the kill');
    await waitFor('traffic to reach the resubscribed bus', async () => rk.text === 'after the kill', 10_000);
  });

  it('rejects open() quickly and without the password when Redis cannot be reached or the URL is wrong', async () => {
    // A port nobody listens on.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const address = probe.address();
    const closedPort = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assert.rejects(RedisRoomBus.open(`redis://quire:s3cret-pw@127.0.0.1:${closedPort}`), (error: Error) => {
      assert.match(error.message, new RegExp(`^Cannot connect to Redis at 127\\.0\\.0\\.1:${closedPort}: connect ECONNREFUSED`));
      assert.ok(!error.message.includes('s3cret-pw'), error.message);
      return true;
    });

    // A server that accepts and never answers: open() gives up after its timeout.
    const silent = new Set<Socket>();
    const mute = createServer((socket) => silent.add(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', () => resolve()));
    const mutePort = (mute.address() as { port: number }).port;
    const started = Date.now();
    await assert.rejects(RedisRoomBus.open(`redis://:s3cret-pw@127.0.0.1:${mutePort}`, { connectTimeoutMs: 1500 }), (error: Error) => {
      assert.match(error.message, /Cannot connect to Redis at 127\.0\.0\.1:\d+/);
      assert.ok(!error.message.includes('s3cret-pw'), error.message);
      return true;
    });
    assert.ok(Date.now() - started < 5000, 'open() gave up in time');
    for (const socket of silent) socket.destroy();
    await new Promise<void>((resolve) => mute.close(() => resolve()));

    await assert.rejects(RedisRoomBus.open('not a url :s3cret-pw'), (error: Error) => error instanceof RangeError && !error.message.includes('s3cret'));
    await assert.rejects(RedisRoomBus.open('http://127.0.0.1:6379'), /must start with redis:\/\/ or rediss:\/\//);
  });

  it('is quiet and unhealthy after close()', async () => {
    const bus = await RedisRoomBus.open(REDIS_URL, { channelPrefix: PREFIX });
    const docName = newDocId();
    await bus.subscribe(docName, replica().handlers);
    await bus.close();
    assert.equal(bus.healthy, false);
    bus.publishUpdate(docName, new Uint8Array([0, 0]));
    assert.equal(bus.droppedMessages, 1);
    await assert.rejects(bus.subscribe(docName, replica().handlers), /closed/);
    await bus.close();
  });
});
