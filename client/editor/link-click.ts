/**
 * Opening links from the document. While editing, a plain click places the caret (as in every
 * editor) and Ctrl/Cmd-click opens the link; in view-only mode a plain click opens it. Links
 * always open in a new tab without access to this page, and only if their href is safe.
 */
import { Plugin } from 'prosemirror-state';
import { safeHref } from '../../document/safe-href.js';

/** Handles clicks on links; `isReadOnly` tells whether a plain click should follow them. */
export function linkClickPlugin(isReadOnly: () => boolean): Plugin {
  return new Plugin({
    props: {
      handleDOMEvents: {
        click(_view, event) {
          if (!(event.target instanceof Element)) return false;
          const anchor = event.target.closest('a');
          if (!anchor) return false;
          event.preventDefault();
          const follow = isReadOnly() || event.metaKey || event.ctrlKey;
          const href = safeHref(anchor.getAttribute('href'));
          if (follow && href !== null) window.open(href, '_blank', 'noopener,noreferrer');
          return follow;
        },
      },
    },
  });
}
