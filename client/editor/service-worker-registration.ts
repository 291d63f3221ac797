/**
 * Registers Quire's service worker (client/sw/service-worker.ts, built as /sw.js), which keeps the
 * app shell on this device so that pages open offline. A new version, once installed, is told to
 * take over as soon as this page has loaded: the page keeps the code it already loaded, and the
 * next load gets the new version whole (see the service worker's comment).
 */
import { SKIP_WAITING_MESSAGE } from '../sw/sw-messages.js';

export const SERVICE_WORKER_URL = '/sw.js';

/** Starts the registration; never throws (a browser without service workers just works online). */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const takeOver = (worker: ServiceWorker | null): void => {
    // Only an update waits; the very first install activates by itself.
    if (worker !== null && navigator.serviceWorker.controller !== null) worker.postMessage(SKIP_WAITING_MESSAGE);
  };
  navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: '/' }).then(
    (registration) => {
      takeOver(registration.waiting);
      registration.addEventListener('updatefound', () => {
        const installing = registration.installing;
        installing?.addEventListener('statechange', () => {
          if (installing.state === 'installed') takeOver(installing);
        });
      });
    },
    (error: unknown) => {
      // Offline use is lost, nothing else: say so where a developer looks.
      console.warn('Quire could not register its service worker; pages will not open offline.', error);
    },
  );
}
