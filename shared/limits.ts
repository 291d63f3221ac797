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
  /** Structs plus deletion ranges one update may carry (the work applying it costs). */
  readonly maxStructsPerUpdate: number;
  /** Structs one document may hold in memory (each costs about 0.3–0.7 KiB of heap). */
  readonly maxStructsPerDoc: number;
  /** How deep elements may nest in a document. */
  readonly maxNestingDepth: number;
  /** Structs all documents loaded on one server may hold together (the server-wide memory budget). */
  readonly maxStructsInMemory: number;
  /** Largest picture one upload may carry, in bytes. */
  readonly maxImageBytes: number;
  /** Bytes of pictures one document may hold together. */
  readonly maxImageBytesPerDoc: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxUpdateBytes: 1024 * 1024,
  maxDocBytes: 32 * 1024 * 1024,
  maxAwarenessBytes: 16 * 1024,
  maxAwarenessStateChars: 8 * 1024,
  maxAwarenessClientsPerConnection: 4,
  maxDocsPerConnection: 64,
  maxStructsPerUpdate: 20_000,
  maxStructsPerDoc: 150_000,
  maxNestingDepth: 64,
  maxStructsInMemory: 1_000_000,
  maxImageBytes: 10 * 1024 * 1024,
  maxImageBytesPerDoc: 100 * 1024 * 1024,
});
