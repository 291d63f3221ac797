import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusLine, type StatusInput } from './status-text.js';

const base: StatusInput = { status: 'synced', role: 'edit', unsavedCount: 0, everSynced: true, unreachable: false, fatal: false };
const text = (change: Partial<StatusInput>): string => statusLine({ ...base, ...change }).text;

describe('statusLine', () => {
  it('says Connecting… before the first handshake', () => {
    assert.equal(text({ status: 'connecting', role: null, everSynced: false }), 'Connecting…');
    assert.equal(text({ status: 'connected', everSynced: false }), 'Connecting…');
  });

  it('says Reconnecting… when a page that never synced cannot reach the server', () => {
    assert.equal(text({ status: 'connecting', role: null, everSynced: false, unreachable: true }), 'Reconnecting…');
  });

  it('says All changes saved when synced with nothing outstanding, and Saving… otherwise', () => {
    assert.equal(text({}), 'All changes saved');
    assert.equal(text({ unsavedCount: 3 }), 'Saving…');
    assert.equal(text({ status: 'connected', unsavedCount: 1 }), 'Saving…');
  });

  it('counts the changes kept on this device while offline', () => {
    assert.equal(text({ status: 'disconnected', unsavedCount: 4 }), 'Offline — 4 changes kept on this device');
    assert.equal(text({ status: 'connecting', unsavedCount: 1 }), 'Offline — 1 change kept on this device');
    assert.equal(text({ status: 'connecting', unsavedCount: 2, everSynced: false }), 'Offline — 2 changes kept on this device');
  });

  it('says Reconnecting… when the connection is lost with nothing waiting', () => {
    assert.equal(text({ status: 'disconnected' }), 'Reconnecting…');
    assert.equal(text({ status: 'connecting' }), 'Reconnecting…');
    assert.equal(text({ status: 'connected' }), 'Reconnecting…');
  });

  it('says View only for a viewer, also before the first handshake', () => {
    assert.equal(text({ role: 'view' }), 'View only');
    assert.equal(text({ role: 'view', status: 'connecting', everSynced: false }), 'View only');
    assert.equal(text({ role: 'view', status: 'disconnected' }), 'Reconnecting…');
  });

  it('says Disconnected once the server refused the page for good, whatever else holds', () => {
    assert.equal(text({ fatal: true, role: 'view', status: 'disconnected' }), 'Disconnected');
    assert.equal(text({ fatal: true, unsavedCount: 2 }), 'Disconnected');
    assert.equal(statusLine({ ...base, fatal: true }).tone, 'error');
  });
});

describe('statusLine kinds', () => {
  it('names the state, and announces offline without the count (so each new change is not read out)', () => {
    const offline3 = statusLine({ ...base, status: 'disconnected', unsavedCount: 3 });
    const offline4 = statusLine({ ...base, status: 'disconnected', unsavedCount: 4 });
    assert.equal(offline3.kind, 'offline');
    assert.equal(offline3.announcement, offline4.announcement);
    assert.notEqual(offline3.text, offline4.text);
    assert.equal(statusLine({ ...base, unsavedCount: 1 }).kind, 'saving');
    assert.equal(statusLine(base).kind, 'saved');
  });
});
