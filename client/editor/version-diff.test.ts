import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffBlocks, diffWords, type DiffBlock } from './version-diff.js';

const p = (text: string, kind = 'paragraph'): DiffBlock<string> => ({ kind, text, source: text });

describe('diffWords', () => {
  it('marks words the version has and the document lacks as inserted, and the reverse as deleted', () => {
    assert.deepEqual(diffWords('the quick brown fox', 'the slow brown fox jumps'), [
      { op: 'same', text: 'the ' },
      { op: 'deleted', text: 'slow' },
      { op: 'inserted', text: 'quick' },
      { op: 'same', text: ' brown fox' },
      { op: 'deleted', text: ' jumps' },
    ]);
    assert.deepEqual(diffWords('same', 'same'), [{ op: 'same', text: 'same' }]);
    assert.deepEqual(diffWords('', 'gone'), [{ op: 'deleted', text: 'gone' }]);
  });
});

describe('diffBlocks', () => {
  it('keeps matching blocks, pairs changed ones of the same kind, and marks the rest', () => {
    const version = [p('Title', 'heading:1'), p('old words here'), p('kept'), p('only in the version')];
    const current = [p('Title', 'heading:1'), p('new words here'), p('kept'), p('only now', 'code_block')];
    const changes = diffBlocks(version, current);
    assert.deepEqual(
      changes.map((change) => (change.op === 'changed' ? `changed:${change.version.text}` : `${change.op}:${change.block.text}`)),
      ['same:Title', 'changed:old words here', 'same:kept', 'deleted:only now', 'inserted:only in the version'],
    );
    const changed = changes[1];
    assert.ok(changed?.op === 'changed');
    assert.deepEqual(changed.words, [
      { op: 'deleted', text: 'new' },
      { op: 'inserted', text: 'old' },
      { op: 'same', text: ' words here' },
    ]);
  });

  it('says nothing changed for equal documents', () => {
    const blocks = [p('a'), p('b', 'heading:2')];
    assert.ok(diffBlocks(blocks, blocks).every((change) => change.op === 'same'));
  });
});
