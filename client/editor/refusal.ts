/**
 * The page shown instead of the editor when a document cannot be opened: an address that is no
 * document link, a document that does not exist or was deleted, a link that was revoked or has
 * expired, or a server that refuses access. Each says what happened in a sentence a person
 * understands, and leads home.
 */
import { byId } from './dom.js';

/** Why a page cannot show its document. */
export type RefusalReason = 'invalid' | 'not-found' | 'link-revoked' | 'link-expired' | 'doc-deleted' | 'forbidden' | 'copy-unsaveable';

interface RefusalText {
  readonly title: string;
  readonly text: string;
}

const TEXTS: Record<RefusalReason, RefusalText> = {
  invalid: {
    title: 'This is not a document link',
    text: 'This address does not lead to a Quire document. Check the link you were given: part of it may be missing or mistyped.',
  },
  'not-found': {
    title: 'No document here',
    text: 'There is no document at this address. Check that the link is complete and exactly as you were given it. New documents are started from the home page.',
  },
  'link-revoked': {
    title: 'This link was revoked',
    text: 'This link no longer opens the document: whoever shared it has replaced or withdrawn it. Ask them for the current link.',
  },
  'link-expired': {
    title: 'This link has expired',
    text: 'This link was valid for a limited time only, and that time is over. Ask whoever shared it for a new one.',
  },
  'doc-deleted': {
    title: 'This document was deleted',
    text: 'The document is no longer on this server, and this browser no longer keeps a copy of it.',
  },
  forbidden: {
    title: 'You do not have access',
    text: 'This server does not let you open this document. If you think you should have access, ask whoever shared the link with you.',
  },
  'copy-unsaveable': {
    title: 'This page could not save its copy',
    text: 'The server could not take a change made on this page, so this copy of the document no longer fits the one on the server (this is rare). The server’s document was not changed by it, and this browser has emptied its own copy. What was typed here since the last “All changes saved” is not on the server: download this page’s copy to keep it, then reload the page to go on from the server’s version.',
  },
};

/** The refusal a server error code stands for, or null when the page can go on. */
export function refusalFor(code: string): RefusalReason | null {
  switch (code) {
    case 'invalid-doc-name':
      return 'invalid';
    case 'not-found':
    case 'link-revoked':
    case 'link-expired':
    case 'doc-deleted':
    case 'forbidden':
      return code;
    case 'change-not-applied':
      return 'copy-unsaveable';
    default:
      return null;
  }
}

/**
 * Whether this browser should throw away its copy of the document: it is gone, or this link no
 * longer grants it. (`forbidden` may be passing, a sign-in that lapsed, so the copy is kept.)
 */
export function forgetsDocument(reason: RefusalReason): boolean {
  return reason === 'not-found' || reason === 'link-revoked' || reason === 'link-expired' || reason === 'doc-deleted';
}

/**
 * Whether this browser should empty its copy of the document while keeping the document among
 * the person's: its copy no longer fits the server's, and would send the change the server could
 * not apply again from every page that loads it.
 */
export function emptiesLocalCopy(reason: RefusalReason): boolean {
  return reason === 'copy-unsaveable';
}

/** The words of the page for `reason`. */
export function refusalText(reason: RefusalReason): RefusalText {
  return TEXTS[reason];
}

/**
 * Replaces the page's content with the refusal page for `reason`: the editor, the toolbar and
 * every document control are hidden, and the tab is named after what happened.
 */
export function showRefusal(reason: RefusalReason): void {
  const { title, text } = TEXTS[reason];
  document.title = `${title} — Quire`;
  document.body.classList.add('is-refused');
  document.body.classList.remove('is-loading');
  byId('refusal-title').textContent = title;
  byId('refusal-text').textContent = text;
  byId('refusal').hidden = false;
  // Screen readers start at what happened; Tab then reaches the way home.
  byId('refusal-title').focus({ preventScroll: true });
}
