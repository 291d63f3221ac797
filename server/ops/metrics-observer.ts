/**
 * The built-in observer that keeps the Prometheus metrics (QuireMetrics) up to date.
 */
import type { QuireObserver } from '../core/hooks.js';
import type { QuireMetrics } from './metrics.js';

export function metricsObserver(metrics: QuireMetrics): QuireObserver {
  return {
    connectionOpened: () => metrics.connections.inc(),
    connectionClosed: () => metrics.connections.dec(),
    clientRefused: ({ code }) => metrics.errors.inc({ code }),
    roomLoaded: ({ seconds }) => {
      metrics.roomLoadSeconds.observe(seconds);
      metrics.roomsLoaded.inc();
    },
    roomUnloaded: () => metrics.roomsLoaded.dec(),
    changeAccepted: ({ bytes }) => {
      metrics.updatesReceived.inc();
      metrics.updateBytesReceived.inc(bytes);
    },
    changeRelayed: ({ recipients, bytes }) => {
      metrics.updatesRelayed.inc(recipients);
      metrics.bytesRelayed.inc(recipients * bytes);
    },
    changesStored: ({ seconds }) => metrics.storeWriteSeconds.observe(seconds),
    storeWriteFailed: () => {
      metrics.storeWriteFailures.inc();
      metrics.errors.inc({ code: 'storage-unavailable' });
    },
    compacted: () => metrics.compactions.inc(),
    internalError: () => metrics.errors.inc({ code: 'internal' }),
  };
}
