/**
 * A room's members grouped the way a relay goes out: by transport, then by the link name they
 * joined under (a message is framed once per group). Kept up to date as members come and go, so
 * that a relay writes its first frame without first walking every member to group them (about
 * 20–40 µs for 20–200 members after the process slept, on the bench machine). A group's list is
 * replaced, never changed in place: a send that closes a connection and removes its member while
 * the list is being walked leaves that walk as it was.
 */
import { recipientCount, type Connection, type Transport } from './connection.js';
import type { Member } from './member.js';

export class MemberGroups {
  private readonly groups = new Map<Transport, Map<string, readonly Connection[]>>();

  add(member: Member): void {
    const { transport } = member.connection;
    let byName = this.groups.get(transport);
    if (byName === undefined) this.groups.set(transport, (byName = new Map()));
    byName.set(member.link, [...(byName.get(member.link) ?? []), member.connection]);
  }

  remove(member: Member): void {
    const { transport } = member.connection;
    const byName = this.groups.get(transport);
    const list = byName?.get(member.link);
    if (byName === undefined || list === undefined) return;
    const rest = list.filter((connection) => connection !== member.connection);
    if (rest.length > 0) byName.set(member.link, rest);
    else byName.delete(member.link);
    if (byName.size === 0) this.groups.delete(transport);
  }

  clear(): void {
    this.groups.clear();
  }

  /**
   * Calls `send` once per group, with the connection of `except` (a member) when it is in that
   * group, to be left out; returns how many connections the groups hold beside it.
   */
  forEachGroup(except: Member | null, send: (transport: Transport, name: string, connections: readonly Connection[], leaveOut: Connection | undefined) => void): number {
    let recipients = 0;
    for (const [transport, byName] of this.groups) {
      for (const [name, connections] of byName) {
        const leaveOut =
          except !== null && except.link === name && except.connection.transport === transport && connections.includes(except.connection) ? except.connection : undefined;
        recipients += recipientCount(connections, leaveOut);
        send(transport, name, connections, leaveOut);
      }
    }
    return recipients;
  }
}
