/**
 * Adding pictures to the document: pasted or dropped files, and files chosen with the toolbar's
 * Picture button. Each file is checked by its bytes (readPicture), handed to the uploads, and
 * an image node naming it enters the document at once, selected, so that its alt text field is
 * there to fill in.
 *
 * Pasted HTML has its foreign `<img>`s reduced to their alt text before the editor parses it
 * (document/foreign-images.ts): the editor never loads a picture from another site. A pasted
 * address of a picture is text like any other (a link where it is one), never fetched.
 */
import { NodeSelection, Plugin, type Command, type EditorState } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { settleForeignImages } from '../../document/foreign-images.js';
import { nodes } from '../../document/schema.js';
import { copiedPictureSources, copyPastedPictures, pictureClipboardSerializer } from './image-copy.js';
import { IMAGE_ACCEPT, readPicture, type ImageUploads } from './image-uploads.js';

export interface PictureOptions {
  /** The name this page joined the document by: its id, or `v.<token>`. */
  readonly docName: string;
  readonly uploads: ImageUploads;
  readonly isEditable: () => boolean;
  /** Says why a file was not added. */
  readonly refuse: (message: string) => void;
}

/** Whether a picture can go where the selection is (not in code). */
export function canInsertPicture(state: EditorState): boolean {
  const { $from } = state.selection;
  if ($from.parent.type.spec.code || !$from.parent.inlineContent) return false;
  return $from.parent.canReplaceWith($from.index(), $from.index(), nodes.image);
}

/** Adds `files` as pictures at `pos` (default: the selection), one after another. */
export async function insertPictures(view: EditorView, files: readonly Blob[], options: PictureOptions, pos?: number): Promise<void> {
  for (const file of files) {
    const picture = await readPicture(file);
    if ('refusal' in picture) {
      options.refuse(picture.refusal);
      continue;
    }
    if (view.isDestroyed || !options.isEditable()) return;
    await options.uploads.add(picture.id, picture.blob);
    const image = nodes.image.create({ src: picture.id, alt: '' });
    const tr = view.state.tr;
    if (pos !== undefined && pos >= 0 && pos <= tr.doc.content.size) {
      tr.insert(pos, image);
      tr.setSelection(NodeSelection.create(tr.doc, pos));
      pos += image.nodeSize;
    } else {
      if (!canInsertPicture(view.state)) return options.refuse('A picture cannot go into a code block; put the caret in text first.');
      tr.replaceSelectionWith(image, false);
      const start = tr.selection.from - image.nodeSize;
      if (tr.doc.nodeAt(start)?.type === nodes.image) tr.setSelection(NodeSelection.create(tr.doc, start));
    }
    view.dispatch(tr.scrollIntoView());
  }
}

/**
 * Takes the images of blob `id` out of the document: the server refused the picture, so no page
 * could ever show it. Not an undo step of its own.
 */
export function removePictures(view: EditorView, id: string): void {
  if (view.isDestroyed) return;
  const tr = view.state.tr;
  view.state.doc.descendants((node, pos) => {
    if (node.type === nodes.image && node.attrs['src'] === id) tr.delete(tr.mapping.map(pos), tr.mapping.map(pos + node.nodeSize));
  });
  if (tr.docChanged) view.dispatch(tr.setMeta('addToHistory', false));
}

function filesOf(data: DataTransfer | null): File[] {
  return data === null ? [] : Array.from(data.files);
}

/**
 * Pasted and dropped files become pictures; pasted HTML loses its foreign pictures, and pictures
 * copied from another Quire document are brought over (image-copy.ts).
 */
export function picturePlugin(options: PictureOptions): Plugin {
  // Set by transformPastedHTML and used by transformPasted, which ProseMirror calls next for the same paste.
  let copiedSources = new Map<string, string>();
  return new Plugin({
    props: {
      clipboardSerializer: pictureClipboardSerializer(options.docName),
      handlePaste(view, event) {
        const files = filesOf(event.clipboardData);
        if (files.length === 0 || !options.isEditable()) return false;
        void insertPictures(view, files, options);
        return true;
      },
      handleDrop(view, event, _slice, moved) {
        const files = moved ? [] : filesOf(event.dataTransfer);
        if (files.length === 0 || !options.isEditable()) return false;
        event.preventDefault();
        const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
        const $pos = at === null ? null : view.state.doc.resolve(at.pos);
        const fits = $pos !== null && $pos.parent.inlineContent && !$pos.parent.type.spec.code;
        void insertPictures(view, files, options, fits ? $pos.pos : undefined);
        return true;
      },
      transformPastedHTML(html) {
        const parsed = new DOMParser().parseFromString(html, 'text/html');
        settleForeignImages(parsed.body);
        copiedSources = copiedPictureSources(parsed.body);
        return parsed.body.innerHTML;
      },
      transformPasted(slice) {
        if (copiedSources.size > 0 && options.isEditable()) copyPastedPictures(slice, copiedSources, options.docName, options.uploads);
        copiedSources = new Map();
        return slice;
      },
    },
  });
}

/** The toolbar's Picture command: opens the file chooser; chosen files are added at the selection. */
export function pickPictureCommand(getView: () => EditorView | null, options: PictureOptions): Command {
  return (state, dispatch) => {
    if (!options.isEditable() || !canInsertPicture(state)) return false;
    if (!dispatch) return true;
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = IMAGE_ACCEPT;
    input.multiple = true;
    input.hidden = true;
    input.addEventListener('change', () => {
      const view = getView();
      if (view !== null && input.files !== null) void insertPictures(view, Array.from(input.files), options);
      input.remove();
    });
    document.body.append(input);
    input.click();
    return true;
  };
}
