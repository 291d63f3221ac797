/**
 * What every transport of a node is built with: the collaboration it feeds, and the limits it
 * enforces on its connections, shared per address with the other transports (address-book.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { QuireError, QuireErrorPayload } from '../../shared/errors.js';
import type { Collaboration } from '../core/collaboration.js';
import type { QuireObserver } from '../core/hooks.js';
import type { AddressBook } from './address-book.js';

export interface TransportOptions {
  readonly collaboration: Collaboration;
  /** Largest message accepted at all; a larger one closes the connection. */
  readonly maxMessageBytes: number;
  /** Decides whether a handshake may connect (origin check). */
  readonly allowRequest?: (request: IncomingMessage) => QuireError | null;
  readonly observer: Required<Pick<QuireObserver, 'connectionOpened' | 'connectionClosed' | 'clientRefused'>>;
  /** Most connections open at once from one client address, over all transports. */
  readonly maxConnectionsPerAddress: number;
  /** Most bytes queued for one connection that it has not read; past it, it is closed. */
  readonly maxQueuedBytesPerConnection: number;
  /** Most bytes queued for all connections of one address together, over all transports. */
  readonly maxQueuedBytesPerAddress: number;
  /** Read the client's address from X-Forwarded-For (behind one reverse proxy). */
  readonly trustProxy: boolean;
  /** The open connections of each address, shared by the transports. */
  readonly addresses: AddressBook;
}

/** A transport that can kick its own connections carrying a tag (see Transport.kickTagged). */
export interface LocalKicker {
  kickLocal(tag: string, error: QuireErrorPayload & { readonly docName: string }): void;
}
