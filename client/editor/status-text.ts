/**
 * The words of the editor's status line, as a pure function of what the provider reports, so the
 * rules can be read and tested in one place. DOM-free.
 */

export type ConnectionStatus = 'connecting' | 'connected' | 'synced' | 'disconnected';

export interface StatusInput {
  /** The provider's connection status. */
  readonly status: ConnectionStatus;
  /** The role granted by the server, or what the page was opened as before it joined. */
  readonly role: 'owner' | 'edit' | 'view' | null;
  /** Local changes the server has not yet confirmed as saved. */
  readonly unsavedCount: number;
  /**
   * Whether the server confirmed it durably holds everything in the local document (not only
   * this page's own changes: also what came from the offline copy). Default: no change unsaved.
   */
  readonly saved?: boolean;
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

/** Which state the line describes; a change of kind is what is worth announcing. */
export type StatusKind = 'connecting' | 'saving' | 'saved' | 'offline' | 'reconnecting' | 'view' | 'disconnected';

export interface StatusLine {
  readonly text: string;
  readonly tone: StatusTone;
  readonly kind: StatusKind;
  /** What a screen reader is told when the line enters this kind (no counts, so it stays stable). */
  readonly announcement: string;
}

function line(kind: StatusKind, text: string, tone: StatusTone, announcement = text): StatusLine {
  return { kind, text, tone, announcement };
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
  const saved = (input.saved ?? true) && unsavedCount === 0;
  if (fatal) return line('disconnected', 'Disconnected', 'error');
  const online = status === 'synced' || status === 'connected';
  const reconnecting = line('reconnecting', 'Reconnecting…', 'offline');
  if (role === 'view') {
    if (online || (!everSynced && !unreachable)) return line('view', 'View only', 'view');
    return reconnecting;
  }
  const saving = line('saving', 'Saving…', 'pending');
  if (status === 'synced') return saved ? line('saved', 'All changes saved', 'saved') : saving;
  if (status === 'connected' && unsavedCount > 0) return saving;
  if (!online && unsavedCount > 0) {
    const changes = unsavedCount === 1 ? '1 change' : `${unsavedCount} changes`;
    return line('offline', `Offline — ${changes} kept on this device`, 'offline', 'Offline — your changes are kept on this device');
  }
  if (!everSynced && !unreachable) return line('connecting', 'Connecting…', 'pending');
  return reconnecting;
}
