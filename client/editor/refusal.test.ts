import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptiesLocalCopy, forgetsDocument, refusalFor, refusalText } from './refusal.js';

describe('refusals', () => {
  it('turns the server\'s final join errors into pages, and leaves the others to the notice bar', () => {
    assert.equal(refusalFor('not-found'), 'not-found');
    assert.equal(refusalFor('link-revoked'), 'link-revoked');
    assert.equal(refusalFor('link-expired'), 'link-expired');
    assert.equal(refusalFor('doc-deleted'), 'doc-deleted');
    assert.equal(refusalFor('forbidden'), 'forbidden');
    assert.equal(refusalFor('invalid-doc-name'), 'invalid');
    assert.equal(refusalFor('change-not-applied'), 'copy-unsaveable');
    for (const code of ['rate-limited', 'read-only', 'doc-too-large', 'server-shutdown', 'anything']) assert.equal(refusalFor(code), null, code);
  });

  it('forgets the local copy only when the document is gone or the link no longer grants it', () => {
    assert.deepEqual(
      (['not-found', 'link-revoked', 'link-expired', 'doc-deleted', 'forbidden', 'invalid'] as const).filter(forgetsDocument),
      ['not-found', 'link-revoked', 'link-expired', 'doc-deleted'],
    );
  });

  it("empties the browser's copy, but keeps the document among the person's, when the copy no longer fits the server's", () => {
    assert.equal(forgetsDocument('copy-unsaveable'), false);
    assert.deepEqual(
      (['not-found', 'link-revoked', 'link-expired', 'doc-deleted', 'forbidden', 'invalid', 'copy-unsaveable'] as const).filter(emptiesLocalCopy),
      ['copy-unsaveable'],
    );
  });

  it('says what happened in a sentence, under the titles people see', () => {
    assert.equal(refusalText('not-found').title, 'No document here');
    assert.equal(refusalText('link-revoked').title, 'This link was revoked');
    assert.equal(refusalText('link-expired').title, 'This link has expired');
    assert.equal(refusalText('doc-deleted').title, 'This document was deleted');
    assert.equal(refusalText('forbidden').title, 'You do not have access');
    assert.equal(refusalText('invalid').title, 'This is not a document link');
    assert.equal(refusalText('copy-unsaveable').title, 'This page could not save its copy');
    for (const reason of ['not-found', 'link-revoked', 'link-expired', 'doc-deleted', 'forbidden', 'invalid', 'copy-unsaveable'] as const) {
      assert.match(refusalText(reason).text, /^[A-Z].{30,}\.$/);
    }
  });
});
