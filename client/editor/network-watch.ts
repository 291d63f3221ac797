/**
 * Tells the provider what the browser knows about the network. A connection can look open long
 * after the network went away (a Wi-Fi drop leaves the WebSocket half-open), and stays in its
 * backoff for seconds after the network came back: the browser's `offline` and `online` events
 * end both at once by dropping the connection and making a new one. (The provider's own ack
 * watchdog catches a dead connection the browser does not notice.)
 */
import type { DocProvider } from '../provider.js';

/** Starts watching; returns a function that stops. */
export function watchNetwork(provider: DocProvider): () => void {
  const reconnect = (): void => provider.reconnect();
  window.addEventListener('online', reconnect);
  window.addEventListener('offline', reconnect);
  return () => {
    window.removeEventListener('online', reconnect);
    window.removeEventListener('offline', reconnect);
  };
}
