/**
 * Prometheus metrics of one server instance, in its own registry (so several servers can run in
 * one process, as tests do). Exposed at /metrics in the text format.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class QuireMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'quire_connections', help: 'Open collaboration connections.', registers: [this.registry] });
  readonly roomsLoaded = new Gauge({ name: 'quire_rooms_loaded', help: 'Documents loaded in memory.', registers: [this.registry] });
  readonly updatesReceived = new Counter({ name: 'quire_updates_received_total', help: 'Document changes (updates and sync step 2) accepted from clients.', registers: [this.registry] });
  readonly updateBytesReceived = new Counter({ name: 'quire_update_bytes_received_total', help: 'Bytes of accepted document changes.', registers: [this.registry] });
  readonly updatesRelayed = new Counter({ name: 'quire_updates_relayed_total', help: 'Document changes delivered to other connections (one per recipient).', registers: [this.registry] });
  readonly bytesRelayed = new Counter({ name: 'quire_relayed_bytes_total', help: 'Bytes of document changes delivered to other connections.', registers: [this.registry] });
  readonly storeWriteSeconds = new Histogram({
    name: 'quire_store_write_seconds',
    help: 'Duration of storage batch writes.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly storeWriteFailures = new Counter({ name: 'quire_store_write_failures_total', help: 'Storage batch writes that failed (and are retried).', registers: [this.registry] });
  readonly compactions = new Counter({ name: 'quire_compactions_total', help: 'Storage compactions completed.', registers: [this.registry] });
  readonly roomLoadSeconds = new Histogram({
    name: 'quire_room_load_seconds',
    help: 'Time to load a document from storage.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly busReceivedMessages = new Gauge({ name: 'quire_bus_received_messages', help: 'Messages received from the cluster room bus since start.', registers: [this.registry] });
  readonly errors = new Counter({ name: 'quire_errors_total', help: 'Errors by code: refusals sent to clients and internal failures.', labelNames: ['code'] as const, registers: [this.registry] });

  constructor() {
    // Event-loop lag, memory, CPU and handles of the process.
    collectDefaultMetrics({ register: this.registry, prefix: 'quire_process_', eventLoopMonitoringPrecision: 20 });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.registry.clear();
  }
}
