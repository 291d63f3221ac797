/**
 * The words of the editor's status line, as a pure function of what the provider reports, so the
 * rules can be read and tested in one place. DOM-free.
 */

export type ConnectionStatus = 'connecting' | 'connected' | 'synced' | 'disconnected';

export interface StatusInput {
  /** The provider's connection status. */
  readonly status: ConnectionStatus;
  /** The role granted by the server, or what the page was opened as before it joined. */
  readonly role: 'edit' | 'view' | null;
  /** Local changes the server has not yet confirmed as saved. */
  readonly unsavedCount: number;
  /** Whether this page has completed at least one handshake with the server. */
  readonly everSynced: boolean;
  /**
   * Whether an attempt to reach the server has already failed, or the browser reports no
   * network: a page opened offline is reconnecting, not connecting.
   */
  readonly unreachable: boolean;
  /** Whether the server refused this page for good (revoked link, unknown document…). */
  readonly fatal: boolean;
}

/** Visual tone of the status line, used as a CSS hook. */
export type StatusTone = 'pending' | 'saved' | 'offline' | 'view' | 'error';

export interface StatusLine {
  readonly text: string;
  readonly tone: StatusTone;
}

/**
 * What the status line says:
 * - `View only` for a viewer that is connected (or still connecting for the first time);
 * - `Connecting…` until the first handshake completes, unless reaching the server already failed;
 * - `Saving…` while connected with changes not yet confirmed;
 * - `All changes saved` when connected and everything is confirmed;
 * - `Offline — N changes kept on this device` (`1 change` for one) when disconnected with N
 *   unconfirmed changes;
 * - `Reconnecting…` when the connection was lost and nothing is waiting to be sent;
 * - `Disconnected` when the server refused the page for good (the notice says why).
 */
export function statusLine(input: StatusInput): StatusLine {
  const { status, role, unsavedCount, everSynced, unreachable, fatal } = input;
  if (fatal) return { text: 'Disconnected', tone: 'error' };
  const online = status === 'synced' || status === 'connected';
  if (role === 'view') {
    if (online || (!everSynced && !unreachable)) return { text: 'View only', tone: 'view' };
    return { text: 'Reconnecting…', tone: 'offline' };
  }
  if (status === 'synced') {
    return unsavedCount > 0 ? { text: 'Saving…', tone: 'pending' } : { text: 'All changes saved', tone: 'saved' };
  }
  if (status === 'connected' && unsavedCount > 0) return { text: 'Saving…', tone: 'pending' };
  if (!online && unsavedCount > 0) {
    const changes = unsavedCount === 1 ? '1 change' : `${unsavedCount} changes`;
    return { text: `Offline — ${changes} kept on this device`, tone: 'offline' };
  }
  if (!everSynced && !unreachable) return { text: 'Connecting…', tone: 'pending' };
  return { text: 'Reconnecting…', tone: 'offline' };
}
