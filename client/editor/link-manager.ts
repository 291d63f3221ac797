/**
 * The links part of the share dialog: the owner link with a warning to keep it private, the
 * document's links with their role, label, expiry and last use (revocable by the owner), the links
 * this browser kept, and a form that creates a link. Talks to `GET|POST /api/docs/:name/links` and
 * `DELETE /api/docs/:name/links/:id` with the page's own link in the path.
 */
import type { Role } from '../../shared/events.js';
import { byId } from './dom.js';
import { icon } from './icons.js';
import type { KeyValueStorage } from './identity.js';
import { forgetKeptLink, keepLinks, keptLinks, type KeptLink } from './kept-links.js';
import { bearerHeaders, copyWithFeedback, fetchJson } from './share-tools.js';

interface ServerLink {
  readonly id: string;
  readonly role: Role;
  readonly label: string | null;
  readonly url: string | null;
  readonly createdAt: string | null;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
}

const ROLE_NAMES: Record<Role, string> = { owner: 'Owner link', edit: 'Edit link', view: 'View link' };

function when(iso: string | null, none: string): string {
  return iso === null ? none : new Date(iso).toLocaleString();
}

export class LinkManager {
  private role: Role | null = null;
  private readonly list = byId('link-list', HTMLUListElement);
  private readonly form = byId('new-link-form', HTMLFormElement);
  private readonly roleSelect = byId('new-link-role', HTMLSelectElement);
  private readonly labelInput = byId('new-link-label', HTMLInputElement);
  private readonly expiryInput = byId('new-link-expiry', HTMLInputElement);

  constructor(
    private readonly pageName: string,
    private readonly storage: KeyValueStorage | null,
    /** Shows progress and errors in the dialog's message line. */
    private readonly say: (message: string, isError?: boolean) => void,
    /** The signed token the page was opened with (from an embedding application), or null. */
    private readonly signedToken: string | null,
  ) {
    const copyOwner = byId('copy-owner', HTMLButtonElement);
    copyOwner.prepend(icon('copy'));
    copyOwner.addEventListener('click', () => void copyWithFeedback(byId('owner-link', HTMLInputElement), copyOwner));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.create();
    });
  }

  /** The role the server granted this page: decides what of the links it shows. */
  setRole(role: Role): void {
    this.role = role;
    const owner = role === 'owner';
    // A page opened with a signed token has no owner link of its own to show.
    byId('owner-link-section').hidden = !(owner && this.signedToken === null);
    byId('owner-link', HTMLInputElement).value = new URL(`/d/${this.pageName}`, window.location.origin).href;
    byId('links-section').hidden = role === 'view';
    const editOption = this.roleSelect.querySelector<HTMLOptionElement>('option[value="edit"]');
    if (editOption) editOption.disabled = !owner;
    if (!owner) this.roleSelect.value = 'view';
  }

  /** Loads the document's links from the server and shows them. */
  async refresh(): Promise<void> {
    if (this.role === null || this.role === 'view') return;
    const reply = (await fetchJson(`/api/docs/${encodeURIComponent(this.pageName)}/links`, { headers: bearerHeaders(this.signedToken) })) as { links?: ServerLink[] };
    this.render(reply.links ?? []);
  }

  private render(links: readonly ServerLink[]): void {
    const kept = keptLinks(this.storage, this.pageName);
    const byId = new Map(kept.filter((link) => link.id !== undefined).map((link) => [link.id, link]));
    const items = links.map((link) => this.serverItem(link, link.url ?? byId.get(link.id)?.url ?? null));
    // Links made with the document: kept here, but the server's list cannot say which they are.
    for (const link of kept) if (link.id === undefined && link.role !== 'owner') items.push(this.keptItem(link));
    this.list.replaceChildren(...items);
  }

  private serverItem(link: ServerLink, url: string | null): HTMLLIElement {
    const item = this.item(link.label ?? ROLE_NAMES[link.role], url);
    item.dataset['linkId'] = link.id;
    item.dataset['role'] = link.role;
    const meta = document.createElement('p');
    meta.className = 'link-item-meta';
    const expired = link.expiresAt !== null && Date.parse(link.expiresAt) <= Date.now();
    meta.textContent = [
      `${link.role === 'view' ? 'Can view' : link.role === 'edit' ? 'Can edit' : 'Owner'}`,
      link.createdAt === null ? null : `made ${when(link.createdAt, '')}`,
      link.expiresAt === null ? 'never expires' : `${expired ? 'expired' : 'expires'} ${when(link.expiresAt, '')}`,
      `last used ${when(link.lastUsedAt, 'never')}`,
    ]
      .filter((part) => part !== null)
      .join(' · ');
    item.querySelector('.link-item-head')?.after(meta);
    if (this.role === 'owner') {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'button button-quiet revoke-link';
      revoke.textContent = 'Revoke';
      revoke.setAttribute('aria-label', `Revoke ${link.label ?? ROLE_NAMES[link.role]}`);
      revoke.addEventListener('click', () => void this.revoke(link.id));
      item.querySelector('.link-item-head')?.append(revoke);
    }
    return item;
  }

  private keptItem(link: KeptLink): HTMLLIElement {
    const item = this.item(`${link.name} (made with the document)`, link.url);
    item.dataset['role'] = link.role;
    return item;
  }

  private item(name: string, url: string | null): HTMLLIElement {
    const item = document.createElement('li');
    item.className = 'link-item';
    const head = document.createElement('div');
    head.className = 'link-item-head';
    const title = document.createElement('span');
    title.className = 'link-item-name';
    title.textContent = name;
    head.append(title);
    item.append(head);
    if (url !== null) {
      const row = document.createElement('div');
      row.className = 'link-row';
      const input = document.createElement('input');
      input.className = 'link-field';
      input.readOnly = true;
      input.value = url;
      input.setAttribute('aria-label', `Address of ${name}`);
      input.addEventListener('focus', () => input.select());
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.className = 'button copy-button';
      const label = document.createElement('span');
      label.className = 'button-label';
      label.textContent = 'Copy';
      copy.append(icon('copy'), label);
      copy.addEventListener('click', () => void copyWithFeedback(input, copy));
      row.append(input, copy);
      item.append(row);
    }
    return item;
  }

  private async create(): Promise<void> {
    const role = this.roleSelect.value === 'edit' ? 'edit' : 'view';
    const label = this.labelInput.value.trim();
    const expiry = this.expiryInput.value === '' ? null : new Date(this.expiryInput.value);
    if (expiry !== null && Number.isNaN(expiry.getTime())) return this.say('The expiry is not a date and time.', true);
    this.say('Creating a link…');
    try {
      const body = { role, ...(label === '' ? {} : { label }), ...(expiry === null ? {} : { expiresAt: expiry.toISOString() }) };
      const link = (await fetchJson(`/api/docs/${encodeURIComponent(this.pageName)}/links`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearerHeaders(this.signedToken) },
        body: JSON.stringify(body),
      })) as ServerLink;
      if (link.url !== null) keepLinks(this.storage, this.pageName, [{ name: link.label ?? ROLE_NAMES[link.role], role: link.role, url: link.url, id: link.id }]);
      this.labelInput.value = '';
      this.expiryInput.value = '';
      await this.refresh();
      this.say('Link created. Copy it now: its address is kept in this browser only.');
    } catch (error) {
      this.say((error as Error).message, true);
    }
  }

  private async revoke(id: string): Promise<void> {
    this.say('Revoking the link…');
    try {
      await fetchJson(`/api/docs/${encodeURIComponent(this.pageName)}/links/${encodeURIComponent(id)}`, { method: 'DELETE', headers: bearerHeaders(this.signedToken) });
      forgetKeptLink(this.storage, this.pageName, id);
      await this.refresh();
      this.say('Link revoked. Pages open on it were closed, and it no longer opens the document.');
    } catch (error) {
      this.say((error as Error).message, true);
    }
  }
}
