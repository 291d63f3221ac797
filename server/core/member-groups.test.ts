/**
 * MemberGroups: members grouped by transport and link name as they come and go; a relay's sender
 * is left out of its own group only; a list being walked is not changed under the walk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection, Transport } from './connection.js';
import { Member } from './member.js';
import { MemberGroups } from './member-groups.js';
import type { Room } from './room.js';

const socketIo = { name: 'socket.io' } as unknown as Transport;
const webSocket = { name: 'websocket' } as unknown as Transport;

function connection(id: string, transport: Transport): Connection {
  return { id, transport } as unknown as Connection;
}

function member(of: Connection, link: string): Member {
  return new Member(of, null as unknown as Room, link, 'edit', null, `session-${of.id}`, 'someone');
}

/** What forEachGroup hands out, as ids: transport name, link name, connections, the one left out. */
function walk(groups: MemberGroups, except: Member | null): { recipients: number; seen: string[] } {
  const seen: string[] = [];
  const recipients = groups.forEachGroup(except, (transport, name, connections, leaveOut) => {
    seen.push(`${(transport as unknown as { name: string }).name} ${name}: ${connections.map((c) => c.id).join(',')}${leaveOut === undefined ? '' : ` -${leaveOut.id}`}`);
  });
  return { recipients, seen: seen.sort() };
}

describe('MemberGroups', () => {
  it('groups members by transport and link name, and leaves the sender out of its own group only', () => {
    const groups = new MemberGroups();
    const a = connection('a', webSocket);
    const b = connection('b', webSocket);
    const c = connection('c', socketIo);
    const aByDoc = member(a, 'doc');
    groups.add(aByDoc);
    groups.add(member(b, 'doc'));
    groups.add(member(c, 'doc'));
    // One connection joined the same document under a view link too: it still gets its own change there.
    groups.add(member(a, 'view-key'));
    assert.deepEqual(walk(groups, aByDoc), {
      recipients: 3,
      seen: ['socket.io doc: c', 'websocket doc: a,b -a', 'websocket view-key: a'],
    });
    assert.deepEqual(walk(groups, null).recipients, 4);
  });

  it('forgets members that left, and leaves out no one for a sender no longer in the room', () => {
    const groups = new MemberGroups();
    const a = connection('a', webSocket);
    const b = connection('b', webSocket);
    const left = member(a, 'doc');
    groups.add(left);
    groups.add(member(b, 'doc'));
    groups.remove(left);
    assert.deepEqual(walk(groups, left), { recipients: 1, seen: ['websocket doc: b'] });
    groups.remove(member(b, 'doc'));
    assert.deepEqual(walk(groups, null), { recipients: 0, seen: [] });
  });

  it('does not change a list while it is walked: a member removed by a send is still in that walk', () => {
    const groups = new MemberGroups();
    const members = ['a', 'b', 'c'].map((id) => member(connection(id, webSocket), 'doc'));
    for (const each of members) groups.add(each);
    const reached: string[] = [];
    groups.forEachGroup(null, (_transport, _name, connections) => {
      for (const each of connections) {
        reached.push(each.id);
        // Writing to "a" found it a slow reader and closed it, which removed its member.
        if (each.id === 'a') groups.remove(members[0]!);
      }
    });
    assert.deepEqual(reached, ['a', 'b', 'c']);
    assert.deepEqual(walk(groups, null).seen, ['websocket doc: b,c']);
  });
});
