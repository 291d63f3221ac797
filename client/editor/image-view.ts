/**
 * How the editor shows an image node: the picture from this page's local copy while it is being
 * uploaded (with a progress line), else from the blob route under the name this page knows the
 * document by (a view page uses its view key, never the document id). A picture another device
 * has not finished uploading shows a placeholder and is asked for again a little later.
 *
 * Selected in an editable document, the image shows a field for its alt text (the text read to
 * people who cannot see it); Enter or leaving the field stores it.
 */
import type { Node as PmNode } from 'prosemirror-model';
import type { EditorView, NodeView } from 'prosemirror-view';
import { blobPath } from './image-copy.js';
import type { ImageUploads, UploadState } from './image-uploads.js';

export interface ImageViewContext {
  /** The name this page joined the document by: its id, or `v.<token>`. */
  readonly docName: string;
  readonly uploads: ImageUploads;
  readonly isEditable: () => boolean;
}

/** A missing picture is asked for again after this, then twice as long each time, up to a minute. */
const RETRY_MISSING_FIRST_MS = 3_000;
const RETRY_MISSING_MAX_MS = 60_000;

/** The sentence the progress line shows for an upload state; '' for none. */
export function uploadText(state: UploadState | undefined): string {
  if (state === undefined || state.kind === 'done') return '';
  if (state.kind === 'uploading') return `Uploading… ${Math.round(state.fraction * 100)}%`;
  if (state.kind === 'waiting') return 'Waiting for the connection; the picture is kept on this device.';
  return state.message;
}

export class ImageView implements NodeView {
  readonly dom: HTMLElement;
  private readonly img: HTMLImageElement;
  private readonly status: HTMLElement;
  private readonly altInput: HTMLInputElement;
  private readonly unsubscribe: () => void;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private retryDelay = RETRY_MISSING_FIRST_MS;

  constructor(
    private node: PmNode,
    private readonly view: EditorView,
    private readonly getPos: () => number | undefined,
    private readonly context: ImageViewContext,
  ) {
    this.dom = document.createElement('span');
    this.dom.className = 'image';
    this.img = document.createElement('img');
    this.img.draggable = false;
    this.img.addEventListener('error', () => this.missing());
    this.img.addEventListener('load', () => {
      this.dom.classList.remove('is-missing');
      this.render();
    });
    this.status = document.createElement('span');
    this.status.className = 'image-status';
    this.status.setAttribute('role', 'status');
    this.altInput = document.createElement('input');
    this.altInput.className = 'image-alt';
    this.altInput.type = 'text';
    this.altInput.placeholder = 'Describe the picture';
    this.altInput.setAttribute('aria-label', 'Alt text');
    this.altInput.hidden = true;
    this.altInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.saveAlt();
        this.view.focus();
      } else if (event.key === 'Escape') {
        this.altInput.value = String(this.node.attrs['alt'] ?? '');
        this.view.focus();
      }
    });
    this.altInput.addEventListener('change', () => this.saveAlt());
    this.dom.append(this.img, this.status, this.altInput);
    this.unsubscribe = context.uploads.subscribe((id) => {
      if (id === this.src) this.render();
    });
    this.render();
  }

  private get src(): string {
    return String(this.node.attrs['src']);
  }

  private render(): void {
    const url = this.context.uploads.localUrl(this.src) ?? blobPath(this.context.docName, this.src);
    // A retry adds `?retry=…` to the same address; only another address is a new picture.
    if ((this.img.getAttribute('src') ?? '').split('?')[0] !== url) this.img.src = url;
    this.img.alt = String(this.node.attrs['alt'] ?? '');
    const title = this.node.attrs['title'];
    if (typeof title === 'string' && title !== '') this.img.title = title;
    else this.img.removeAttribute('title');
    const state = this.context.uploads.state(this.src);
    this.status.textContent = uploadText(state);
    this.dom.dataset['upload'] = state?.kind ?? 'none';
    if (document.activeElement !== this.altInput) this.altInput.value = this.img.alt;
  }

  /** The picture did not load: another device may still be uploading it, so ask again later. */
  private missing(): void {
    if (this.context.uploads.localUrl(this.src) !== null) return;
    this.dom.classList.add('is-missing');
    if (this.status.textContent === '') this.status.textContent = 'This picture is not on the server yet.';
    if (this.retry !== null) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.view.isDestroyed) return;
      // The picture may have reached this page meanwhile (brought over from a copy): its `blob:`
      // address with `?retry` after it would name nothing, so it is shown from the page instead.
      if (this.context.uploads.localUrl(this.src) !== null) return this.render();
      this.img.src = `${this.img.src.split('?')[0]}?retry=${Date.now()}`;
    }, this.retryDelay);
    this.retryDelay = Math.min(RETRY_MISSING_MAX_MS, this.retryDelay * 2);
  }

  private saveAlt(): void {
    const pos = this.getPos();
    const alt = this.altInput.value.trim().slice(0, 1000);
    if (pos === undefined || alt === this.node.attrs['alt'] || !this.context.isEditable()) return;
    this.view.dispatch(this.view.state.tr.setNodeMarkup(pos, undefined, { ...this.node.attrs, alt }));
  }

  update(node: PmNode): boolean {
    if (node.type !== this.node.type) return false;
    this.node = node;
    this.render();
    return true;
  }

  selectNode(): void {
    this.dom.classList.add('ProseMirror-selectednode');
    this.altInput.hidden = !this.context.isEditable();
  }

  deselectNode(): void {
    this.dom.classList.remove('ProseMirror-selectednode');
    this.altInput.hidden = true;
  }

  /** The alt field's own events (typing, clicks) are its own, not the editor's. */
  stopEvent(event: Event): boolean {
    return event.target === this.altInput;
  }

  ignoreMutation(): boolean {
    return true;
  }

  destroy(): void {
    this.unsubscribe();
    if (this.retry !== null) clearTimeout(this.retry);
  }
}
