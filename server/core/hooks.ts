/**
 * The one hook interface for applications that embed Quire: an `authorize` hook that may change
 * or refuse the role a request gets, and observers that are told what happened. Observers never
 * sit on the path to *saved*: they are called after the fact, and one that throws is reported and
 * ignored. Metrics and logging are two built-in observers (server/ops/).
 */
import type { ErrorCode } from '../../shared/errors.js';
import type { Role } from '../../shared/events.js';

/** What the `authorize` hook sees of a request for a document. */
export interface AuthorizeRequest {
  /** The document's id. */
  readonly docName: string;
  /** The role Quire's own rules grant (from the link the client used), before the hook. */
  readonly role: Role;
  /**
   * The token the client presented besides the link: the `join` token on a socket, the
   * `Authorization: Bearer` token or `?token=` on HTTP. Null when there is none.
   */
  readonly token: string | null;
  /** Headers of the HTTP request, or of the socket's handshake. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly via: 'socket' | 'http';
  /** The client's address as the server saw it. */
  readonly address: string;
}

/**
 * Decides the role of a request: return a role to grant it, `null` to refuse (`forbidden`), or
 * `undefined` to keep Quire's own decision. Called for every join and every document request of
 * the HTTP API; it may be asynchronous.
 */
export type AuthorizeHook = (request: AuthorizeRequest) => Role | null | undefined | Promise<Role | null | undefined>;

/** What happened, told after the fact. Every method is optional. */
export interface QuireObserver {
  connectionOpened?(event: { readonly connectionId: string; readonly address: string }): void;
  connectionClosed?(event: { readonly connectionId: string; readonly reason: string }): void;
  /** A client was sent a refusal (a typed error). */
  clientRefused?(event: { readonly connectionId: string; readonly docName?: string; readonly code: ErrorCode; readonly message: string }): void;
  roomLoaded?(event: { readonly docName: string; readonly seconds: number }): void;
  roomUnloaded?(event: { readonly docName: string }): void;
  /** A client's change (update or sync step 2) was accepted and is durable. */
  changeAccepted?(event: { readonly docName: string; readonly bytes: number }): void;
  /** A change was sent to `recipients` members of a room. */
  changeRelayed?(event: { readonly docName: string; readonly recipients: number; readonly bytes: number }): void;
  /** A batch of changes (of any documents) was written to storage. */
  changesStored?(event: { readonly entries: number; readonly bytes: number; readonly seconds: number }): void;
  /** Writing a batch failed; it is retried until it succeeds. */
  storeWriteFailed?(event: { readonly error: unknown; readonly attempt: number }): void;
  /**
   * `mergedOnEventLoop`: the merge ran on the event loop (a small, cheap document, or any document
   * when no conversion worker was free or the worker could not finish it) rather than in a worker.
   */
  compacted?(event: { readonly docName: string; readonly entriesMerged: number; readonly bytesBefore: number; readonly bytesAfter: number; readonly mergedOnEventLoop: boolean }): void;
  /** A document was deleted: moved to the trash, restorable until it is purged. */
  documentDeleted?(event: { readonly docName: string }): void;
  /** A document's every stored byte was removed; a tombstone keeps its id from coming back. */
  documentPurged?(event: { readonly docName: string }): void;
  viewLinkReplaced?(event: { readonly docName: string }): void;
  /** Something failed inside the server (not the client's fault). */
  internalError?(event: { readonly what: string; readonly docName?: string; readonly error: unknown }): void;
}

/** The hooks an embedder may give `createQuireServer`: `authorize` and any observer method. */
export interface QuireHooks extends QuireObserver {
  readonly authorize?: AuthorizeHook;
}

type ObserverMethod = keyof QuireObserver;
const OBSERVER_METHODS: readonly ObserverMethod[] = [
  'connectionOpened',
  'connectionClosed',
  'clientRefused',
  'roomLoaded',
  'roomUnloaded',
  'changeAccepted',
  'changeRelayed',
  'changesStored',
  'storeWriteFailed',
  'compacted',
  'documentDeleted',
  'documentPurged',
  'viewLinkReplaced',
  'internalError',
];

/**
 * One observer that tells every one of `observers`, in order. An observer that throws does not
 * stop the others; its error goes to `onObserverError`.
 */
export function combineObservers(observers: readonly QuireObserver[], onObserverError: (method: string, error: unknown) => void): Required<QuireObserver> {
  const combined: Partial<Record<ObserverMethod, (event: never) => void>> = {};
  for (const method of OBSERVER_METHODS) {
    const targets = observers.filter((observer) => typeof observer[method] === 'function');
    combined[method] = (event: never) => {
      for (const observer of targets) {
        try {
          (observer[method] as (event: never) => void).call(observer, event);
        } catch (error) {
          if (method === 'internalError') continue;
          onObserverError(method, error);
        }
      }
    };
  }
  return combined as Required<QuireObserver>;
}
