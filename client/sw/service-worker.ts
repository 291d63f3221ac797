/**
 * Quire's service worker: the app shell (pages, scripts, styles, icons) is precached at install
 * with a revision per file, so that a document this device opened before opens without a network.
 * Every navigation to `/`, `/d/<id>` or `/v/<token>` is answered with the precached page of the
 * same version as the precached scripts, never a page of one version with scripts of another.
 *
 * Updates: a new version installs beside the running one (Workbox keys each file by its revision)
 * and waits. A page that has finished loading asks it to take over (`skip-waiting`, see
 * service-worker-registration.ts); pages already open keep the code they loaded, and the next
 * load gets the new version whole. Files of old revisions are removed once the new version is
 * active (and `cleanupOutdatedCaches` removes caches of older Workbox releases).
 *
 * Documents themselves are not cached here: they live in IndexedDB (y-indexeddb), and the API is
 * never cached (its answers carry links, which are secrets).
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { SKIP_WAITING_MESSAGE } from './sw-messages.js';

/** Replaced at build time (scripts/build-service-worker.mjs) by the shell's files and their revisions. */
declare const QUIRE_PRECACHE_MANIFEST: PrecacheEntry[];

/** The part of the service worker scope this file uses (the DOM typings do not describe workers). */
interface WorkerScope {
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}
const worker = globalThis as unknown as WorkerScope;

cleanupOutdatedCaches();
precacheAndRoute(QUIRE_PRECACHE_MANIFEST);

// The editor page for any document or view link; the page itself reads which from its address.
// (`/` itself is the precached /index.html: the precache route maps a directory to its index.)
registerRoute(new NavigationRoute(createHandlerBoundToURL('/editor.html'), { allowlist: [/^\/[dv](\/|$)/] }));

// The first install takes the open pages at once, so a document opened on the first visit is
// available offline without a reload.
clientsClaim();

worker.addEventListener('message', (event) => {
  if (event.data === SKIP_WAITING_MESSAGE) void worker.skipWaiting();
});
