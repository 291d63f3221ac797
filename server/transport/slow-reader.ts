/**
 * Slow readers: a connection that leaves more than its share unread (or whose address does, over
 * every transport) is closed with `slow-reader`, so that a client that never reads cannot make
 * the server hold its output. Both transports call this after queueing output.
 */
import { QuireError } from '../../shared/errors.js';
import type { TransportOptions } from './transport-options.js';

/** What closeIfSlowReader needs of a connection. */
export interface OutboxHolder {
  readonly id: string;
  readonly remoteAddress: string;
  /** Closes at once, dropping what the client has not read. */
  drop(): void;
}

type OutboxOptions = Pick<TransportOptions, 'maxQueuedBytesPerConnection' | 'maxQueuedBytesPerAddress' | 'addresses' | 'observer'>;

/**
 * Closes `connection` when the `pending` bytes it left unread, or those of its whole address
 * (counted afresh), are over the limits; tells the observer why. Returns whether it closed it.
 */
export function closeIfSlowReader(connection: OutboxHolder, pending: number, options: OutboxOptions): boolean {
  const total = options.addresses.freshOutbox(connection.remoteAddress);
  if (pending <= options.maxQueuedBytesPerConnection && total <= options.maxQueuedBytesPerAddress) return false;
  const error = new QuireError(
    'slow-reader',
    `This connection left ${pending} bytes unread (its address ${total}); at most ${options.maxQueuedBytesPerConnection} (${options.maxQueuedBytesPerAddress} per address) may wait. It was closed.`,
  );
  options.observer.clientRefused({ connectionId: connection.id, code: error.code, message: error.message });
  connection.drop();
  return true;
}
