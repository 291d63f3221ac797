/** Limits both sides know. The server's values are configurable; these are the defaults. */
export interface Limits {
  /** Largest single Yjs update or sync message a client may send, in bytes. */
  readonly maxUpdateBytes: number;
  /** Largest encoded document state the server accepts an update into, in bytes. */
  readonly maxDocBytes: number;
  /** Largest awareness update message, in bytes. */
  readonly maxAwarenessBytes: number;
  /** Largest JSON state of one awareness client, in characters. */
  readonly maxAwarenessStateChars: number;
  /** How many awareness client ids one connection may control in one document. */
  readonly maxAwarenessClientsPerConnection: number;
  /** How many documents one connection may have joined at once. */
  readonly maxDocsPerConnection: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxUpdateBytes: 1024 * 1024,
  maxDocBytes: 32 * 1024 * 1024,
  maxAwarenessBytes: 16 * 1024,
  maxAwarenessStateChars: 8 * 1024,
  maxAwarenessClientsPerConnection: 4,
  maxDocsPerConnection: 64,
});
