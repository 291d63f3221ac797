/**
 * The open connections of each client address, over every transport: the per-address connection
 * cap and the per-address outbox cap count Socket.IO and WebSocket connections together, so a
 * client cannot double its share by using both.
 */
import { OutboxAccount } from './outbox-meter.js';

/** A connection as the address book knows it. */
export interface AddressMember {
  readonly remoteAddress: string;
  /**
   * Brings the member's share of the address's outbox account up to date, for members whose
   * count is sampled rather than kept current by events (WebSocket connections).
   */
  refreshOutbox?(): void;
}

export interface AddressEntry {
  readonly connections: Set<AddressMember>;
  /** Bytes all of them have left unread. */
  readonly outbox: OutboxAccount;
}

export class AddressBook {
  private readonly byAddress = new Map<string, AddressEntry>();

  /** Connections open from `address` now. */
  count(address: string): number {
    return this.byAddress.get(address)?.connections.size ?? 0;
  }

  /**
   * The entry of `address`, made when it has none: add the new connection to its `connections`
   * (an entry left without connections is dropped at the next `remove`).
   */
  entryFor(address: string): AddressEntry {
    let entry = this.byAddress.get(address);
    if (entry === undefined) this.byAddress.set(address, (entry = { connections: new Set(), outbox: new OutboxAccount() }));
    return entry;
  }

  remove(address: string, member: AddressMember): void {
    const entry = this.byAddress.get(address);
    if (entry === undefined) return;
    entry.connections.delete(member);
    if (entry.connections.size === 0) this.byAddress.delete(address);
  }

  /** The bytes the address's connections leave unread, with every sampled count taken afresh. */
  freshOutbox(address: string): number {
    const entry = this.byAddress.get(address);
    if (entry === undefined) return 0;
    for (const member of entry.connections) member.refreshOutbox?.();
    return entry.outbox.pending;
  }
}
