/**
 * The Download menu of the editor page: the document as Markdown, as a web page, or as the raw
 * Yjs file, from the document API (`GET /api/docs/<docName>/export?format=…`, where docName is
 * the name the page joined with, so a view-only page exports through its view key), saved under
 * a name made from the title; and Print, which prints the document alone (see the print styles).
 */
import { saveBlob } from './dom.js';
import { downloadFileName, EXPORT_FORMATS, type ExportFormat } from './download-name.js';
import { icon } from './icons.js';
import { PopupMenu, type MenuEntry } from './menu.js';
import { bearerHeaders } from './share-tools.js';

export interface DownloadMenuOptions {
  readonly docName: string;
  /** A signed token the page was opened with (sent as a bearer), or null. */
  readonly token?: string | null;
  /** The document's title now ('' when it has none). */
  readonly title: () => string;
  /** Tells the person that a download failed, in a sentence. */
  readonly fail: (message: string) => void;
}

export class DownloadMenu {
  private readonly menu: PopupMenu;

  constructor(
    button: HTMLButtonElement,
    private readonly options: DownloadMenuOptions,
  ) {
    button.prepend(icon('download'));
    button.setAttribute('aria-haspopup', 'menu');
    button.setAttribute('aria-expanded', 'false');
    this.menu = new PopupMenu({ id: 'download-menu', label: 'Download', entries: () => this.entries() });
    button.addEventListener('click', () => this.menu.toggle(button));
  }

  private entries(): MenuEntry[] {
    const formats = Object.entries(EXPORT_FORMATS) as [ExportFormat, (typeof EXPORT_FORMATS)[ExportFormat]][];
    return [
      ...formats.map(([format, { label }]) => ({
        command: `download-${format}`,
        label,
        face: { icon: 'download' as const },
        run: () => void this.download(format),
      })),
      { command: 'print', label: 'Print…', face: { icon: 'print' as const }, separatorBefore: true, run: () => window.print() },
    ];
  }

  /** Fetches the export and saves it; a failure is reported, never thrown. */
  async download(format: ExportFormat): Promise<void> {
    const url = `/api/docs/${encodeURIComponent(this.options.docName)}/export?format=${format}`;
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: bearerHeaders(this.options.token ?? null) });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null;
        const message = typeof body?.error?.message === 'string' ? body.error.message : `The server answered ${response.status}.`;
        this.options.fail(`The download failed: ${message}`);
        return;
      }
      saveBlob(await response.blob(), downloadFileName(this.options.title(), format));
    } catch {
      this.options.fail('The download failed: the server cannot be reached. Check your connection and try again.');
    }
  }
}
