/**
 * The version history panel of the editor page: the document's versions (time, kind, label, who
 * changed it), a read-only preview of the chosen one with what differs from the document now
 * marked (history-preview.ts), Restore, and naming the current version. A modal dialog: Tab stays
 * inside, Escape closes it, and focus goes back to the History button. Talks to
 * `/api/docs/:doc/versions` (history-api.ts on the server); view links never see it.
 */
import { bearerHeaders, fetchJson } from './share-tools.js';
import type { Node as PmNode } from 'prosemirror-model';
import { schema } from '../../document/schema.js';
import { icon } from './icons.js';
import { renderVersionPreview } from './history-preview.js';

export interface VersionEntry {
  readonly id: string;
  readonly createdAt: string;
  readonly label: string | null;
  readonly kind: 'auto' | 'named' | 'before-restore';
  readonly authors: readonly string[];
  readonly sizeBytes: number;
}

export interface HistoryPanelOptions {
  /** The name the page joined with: the API accepts it like the socket does. */
  readonly docName: string;
  /** The document as the editor shows it now. */
  readonly currentDoc: () => PmNode;
  /** A signed token the page was opened with (sent as the bearer), or null. */
  readonly signedToken: string | null;
}

const KIND_NAMES: Record<VersionEntry['kind'], string> = {
  auto: 'Saved automatically',
  named: 'Named version',
  'before-restore': 'Before a restore',
};

/** A request to the history API, with the page's signed token if it has one; a body is sent as JSON. */
function requestJson(url: string, token: string | null, init: { method?: string; body?: string } = {}): Promise<unknown> {
  const headers = { ...bearerHeaders(token), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) };
  return fetchJson(url, { ...init, headers });
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** "Today 14:05", "Yesterday 09:12" or "3 Nov 2026, 17:40", in the reader's locale. */
function when(iso: string): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return `Today ${time}`;
  if (date.toDateString() === yesterday.toDateString()) return `Yesterday ${time}`;
  return `${date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })}, ${time}`;
}

export class HistoryPanel {
  readonly button: HTMLButtonElement;
  private readonly dialog: HTMLDialogElement;
  private readonly list: HTMLOListElement;
  private readonly preview: HTMLElement;
  private readonly previewTitle: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly restoreButton: HTMLButtonElement;
  private readonly nameInput: HTMLInputElement;
  private readonly message: HTMLElement;
  private versions: VersionEntry[] = [];
  private selected: string | null = null;
  private busy = false;

  constructor(private readonly options: HistoryPanelOptions) {
    this.button = element('button', 'icon-button header-icon-button');
    this.button.id = 'history-button';
    this.button.type = 'button';
    this.button.setAttribute('aria-label', 'Version history');
    this.button.setAttribute('aria-haspopup', 'dialog');
    this.button.dataset['tooltip'] = 'Version history';
    this.button.append(icon('history'));

    this.dialog = element('dialog', 'dialog history-dialog');
    this.dialog.id = 'history-dialog';
    this.dialog.setAttribute('aria-labelledby', 'history-title');
    const panel = element('div', 'dialog-panel history-panel');
    const header = element('div', 'dialog-header');
    const title = element('h2', 'dialog-title', 'Version history');
    title.id = 'history-title';
    const close = element('button', 'icon-button');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close');
    close.append(icon('close'));
    header.append(title, close);

    const body = element('div', 'history-body');
    const side = element('div', 'history-side');
    this.list = element('ol', 'history-list');
    this.list.setAttribute('aria-label', 'Versions, newest first');
    const nameForm = element('form', 'history-name');
    const nameLabel = element('label', 'share-label', 'Name the current version');
    nameLabel.htmlFor = 'history-name-input';
    this.nameInput = element('input', 'link-field');
    this.nameInput.id = 'history-name-input';
    this.nameInput.type = 'text';
    this.nameInput.maxLength = 200;
    this.nameInput.placeholder = 'e.g. Sent for review';
    this.nameInput.autocomplete = 'off';
    const nameButton = element('button', 'button', 'Save');
    nameButton.type = 'submit';
    const nameRow = element('div', 'history-name-row');
    nameRow.append(this.nameInput, nameButton);
    nameForm.append(nameLabel, nameRow);
    side.append(this.list, nameForm);

    const previewPane = element('section', 'history-preview');
    previewPane.setAttribute('aria-labelledby', 'history-preview-title');
    this.previewTitle = element('h3', 'history-preview-title', 'Choose a version to see it');
    this.previewTitle.id = 'history-preview-title';
    this.summary = element('p', 'history-legend');
    this.preview = element('div', 'history-preview-doc');
    this.preview.tabIndex = 0;
    this.preview.setAttribute('aria-label', 'Preview of the version');
    this.restoreButton = element('button', 'button button-primary', 'Restore this version');
    this.restoreButton.type = 'button';
    this.restoreButton.disabled = true;
    const actions = element('div', 'history-actions');
    actions.append(this.restoreButton);
    previewPane.append(this.previewTitle, this.summary, this.preview, actions);
    body.append(side, previewPane);

    this.message = element('p', 'share-message history-message');
    this.message.setAttribute('role', 'status');
    this.message.setAttribute('aria-live', 'polite');
    panel.append(header, body, this.message);
    this.dialog.append(panel);
    document.body.append(this.dialog);

    this.button.addEventListener('click', () => this.open());
    close.addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('click', (event) => {
      if (event.target === this.dialog) this.dialog.close();
    });
    // Escape closes a modal dialog by itself; focus then goes back to where it came from.
    this.dialog.addEventListener('close', () => this.button.focus());
    this.restoreButton.addEventListener('click', () => void this.restore());
    nameForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.name();
    });
  }

  /** Shows or hides the History button (view links have no history). */
  setAvailable(available: boolean): void {
    this.button.hidden = !available;
    if (!available && this.dialog.open) this.dialog.close();
  }

  open(): void {
    if (!this.dialog.open) this.dialog.showModal();
    void this.load();
  }

  private get base(): string {
    return `/api/docs/${encodeURIComponent(this.options.docName)}/versions`;
  }

  private async load(keepSelection = false): Promise<void> {
    this.say('Loading versions…');
    try {
      const reply = (await requestJson(this.base, this.options.signedToken)) as { versions?: VersionEntry[] };
      this.versions = reply.versions ?? [];
      if (!keepSelection || !this.versions.some((version) => version.id === this.selected)) this.selected = null;
      this.renderList();
      this.say(this.versions.length === 0 ? 'No versions yet. The server keeps one once editing pauses for a while, or name the current version.' : '');
      if (this.selected === null && this.versions[0] !== undefined) await this.select(this.versions[0].id, false);
    } catch (error) {
      this.say((error as Error).message, true);
    }
  }

  private renderList(): void {
    const items = this.versions.map((version) => {
      const item = element('li', 'history-entry');
      const button = element('button', 'history-item');
      button.type = 'button';
      button.dataset['version'] = version.id;
      button.setAttribute('aria-pressed', String(version.id === this.selected));
      const heading = element('span', 'history-item-time', when(version.createdAt));
      const label = element('span', 'history-item-label', version.label ?? KIND_NAMES[version.kind]);
      const detail = element('span', 'history-item-detail', [version.label === null ? null : KIND_NAMES[version.kind], version.authors.length > 0 ? `by ${version.authors.join(', ')}` : null].filter((part) => part !== null).join(' · '));
      button.append(heading, label, detail);
      button.addEventListener('click', () => void this.select(version.id, true));
      item.append(button);
      return item;
    });
    this.list.replaceChildren(...items);
  }

  private async select(versionId: string, userChose: boolean): Promise<void> {
    const version = this.versions.find((candidate) => candidate.id === versionId);
    if (version === undefined) return;
    this.selected = versionId;
    for (const button of this.list.querySelectorAll<HTMLButtonElement>('.history-item')) {
      button.setAttribute('aria-pressed', String(button.dataset['version'] === versionId));
    }
    this.previewTitle.textContent = `${version.label ?? KIND_NAMES[version.kind]} — ${when(version.createdAt)}`;
    this.restoreButton.disabled = true;
    try {
      const json = await requestJson(`${this.base}/${encodeURIComponent(versionId)}/export?format=json`, this.options.signedToken);
      if (this.selected !== versionId) return;
      const summary = renderVersionPreview(this.preview, schema.nodeFromJSON(json), this.options.currentDoc(), this.options.docName);
      this.summary.textContent =
        summary.inserted + summary.deleted === 0
          ? 'Same as the document now.'
          : 'Marked against the document now: green is in this version only (a restore brings it back), red is in the document now only (a restore removes it).';
      this.restoreButton.disabled = false;
      if (userChose) this.say('');
    } catch (error) {
      this.preview.replaceChildren();
      this.say((error as Error).message, true);
    }
  }

  private async restore(): Promise<void> {
    const versionId = this.selected;
    if (versionId === null || this.busy) return;
    this.busy = true;
    this.restoreButton.disabled = true;
    this.say('Restoring…');
    try {
      await requestJson(`${this.base}/${encodeURIComponent(versionId)}/restore`, this.options.signedToken, { method: 'POST' });
      await this.load(true);
      this.say('Restored. The document as it was just before is kept as a version, so this can be undone.');
    } catch (error) {
      this.say((error as Error).message, true);
    } finally {
      this.busy = false;
      this.restoreButton.disabled = this.selected === null;
    }
  }

  private async name(): Promise<void> {
    const label = this.nameInput.value.trim();
    if (label === '' || this.busy) {
      if (label === '') this.say('Type a name for the version first.', true);
      return;
    }
    this.busy = true;
    try {
      const version = (await requestJson(this.base, this.options.signedToken, { method: 'POST', body: JSON.stringify({ label }) })) as VersionEntry;
      this.nameInput.value = '';
      this.selected = version.id;
      await this.load(true);
      await this.select(version.id, false);
      this.say(`Saved as “${version.label ?? label}”.`);
    } catch (error) {
      this.say((error as Error).message, true);
    } finally {
      this.busy = false;
    }
  }

  private say(text: string, isError = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('is-error', isError);
  }
}
