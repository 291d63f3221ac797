/**
 * The room bus connects the nodes of a cluster. Every node holding a document in memory applies
 * every change of it, whichever node received it from a client. A node only subscribes to the
 * documents it holds, so it receives no traffic for the others.
 *
 * Catch-up: when a node starts holding a document, and again whenever the bus reconnects after an
 * outage, it publishes its state vector (a sync request); every other holder answers with what the
 * requester lacks. That also covers changes other nodes hold in memory but have not stored yet.
 */

export interface RoomBusHandlers {
  /** A change another node received from a client. */
  readonly update: (update: Uint8Array) => void;
  readonly awareness: (update: Uint8Array) => void;
  /**
   * What another node sent in answer to a sync request (either direction). Unlike `update`, it may
   * not be durable anywhere yet: the node that received it from a client may die before storing
   * it. So the receiver stores whatever of it is new to it. Absent: treated like `update`.
   */
  readonly catchUp?: (update: Uint8Array) => void;
  /** Another node's state vector: return what it lacks (a Yjs update), or null for nothing. */
  readonly syncRequest: (stateVector: Uint8Array) => Uint8Array | null;
  /** The local state vector, sent with this node's own sync requests. */
  readonly stateVector: () => Uint8Array;
}

export interface RoomBus {
  /** Starts receiving a document's traffic; resolves once subscribed. */
  subscribe(docName: string, handlers: RoomBusHandlers): Promise<void>;
  /** Publishes this node's state vector for a document it holds; the other holders answer. */
  requestSync(docName: string): void;
  unsubscribe(docName: string): Promise<void>;
  publishUpdate(docName: string, update: Uint8Array): void;
  publishAwareness(docName: string, update: Uint8Array): void;
  /** False while the bus is cut off from the other nodes. */
  readonly healthy: boolean;
  /** Messages (of any document) this node has received from the bus so far. */
  readonly receivedMessages: number;
  close(): Promise<void>;
}

/** The bus of a single process: there is nobody to talk to. */
export class LocalRoomBus implements RoomBus {
  readonly healthy = true;
  readonly receivedMessages = 0;
  async subscribe(): Promise<void> {}
  async unsubscribe(): Promise<void> {}
  requestSync(): void {}
  publishUpdate(): void {}
  publishAwareness(): void {}
  async close(): Promise<void> {}
}
