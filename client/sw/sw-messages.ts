/** Messages between the pages and the service worker. */

/** A page that finished loading tells a waiting new version to take over. */
export const SKIP_WAITING_MESSAGE = 'quire:skip-waiting';
