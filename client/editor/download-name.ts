/**
 * File names for downloads, made from the document's title. DOM-free.
 */

/** The formats the document API exports, with their file extensions. */
export const EXPORT_FORMATS = {
  md: { extension: 'md', label: 'Markdown (.md)' },
  html: { extension: 'html', label: 'Web page (.html)' },
  yjs: { extension: 'yjs', label: 'Yjs document (.yjs)' },
} as const;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** Longest base name kept (before the extension); longer titles are cut at a word boundary. */
export const MAX_FILE_BASE_LENGTH = 80;

/**
 * A file name for a document titled `title` in `format`: characters no file system accepts (and
 * control characters) become spaces, whitespace collapses, leading dots go (no hidden files),
 * and an empty result is "Untitled". `note` (a few words, such as "(this page's copy)") follows
 * the title, which is shortened to leave room for it. Always ends in the format's extension.
 */
export function downloadFileName(title: string, format: ExportFormat, note = ''): string {
  const room = MAX_FILE_BASE_LENGTH - (note === '' ? 0 : note.length + 1);
  let base = title
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  if (base.length > room) {
    const cut = base.slice(0, room);
    const space = cut.lastIndexOf(' ');
    base = (space > room / 2 ? cut.slice(0, space) : cut).trim();
  }
  // A title's closing full stop does not stand before the extension, nor before the note.
  base = base.replace(/[.\s]+$/, '') || 'Untitled';
  return `${note === '' ? base : `${base} ${note}`}.${EXPORT_FORMATS[format].extension}`;
}
