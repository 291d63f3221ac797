import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downloadFileName, MAX_FILE_BASE_LENGTH } from './download-name.js';

describe('downloadFileName', () => {
  it('names the file after the title, with the format\'s extension', () => {
    assert.equal(downloadFileName('Launch plan', 'md'), 'Launch plan.md');
    assert.equal(downloadFileName('Launch plan', 'html'), 'Launch plan.html');
    assert.equal(downloadFileName('Launch plan', 'yjs'), 'Launch plan.yjs');
  });

  it('replaces what file systems refuse and keeps the rest of the title', () => {
    assert.equal(downloadFileName('Q3: plan / draft? <v2> "final"*', 'md'), 'Q3 plan draft v2 final.md');
    assert.equal(downloadFileName('a\\b|c\u0000d\te\nf', 'md'), 'a b c d e f.md');
    assert.equal(downloadFileName('Café — notes 📝', 'md'), 'Café — notes 📝.md');
  });

  it('makes no hidden files, no names ending in dots, and no empty names', () => {
    assert.equal(downloadFileName('..secret', 'md'), 'secret.md');
    assert.equal(downloadFileName('Notes...', 'md'), 'Notes.md');
    assert.equal(downloadFileName('', 'html'), 'Untitled.html');
    assert.equal(downloadFileName(' / ? ', 'yjs'), 'Untitled.yjs');
  });

  it('shortens long titles at a word boundary', () => {
    const name = downloadFileName('word '.repeat(40), 'md');
    assert.ok(name.length <= MAX_FILE_BASE_LENGTH + 3, name);
    assert.match(name, /^(word )*word\.md$/);
  });

  it('puts a note after the title, and shortens the title to keep it', () => {
    assert.equal(downloadFileName('Launch plan.', 'html', "(this page's copy)"), "Launch plan (this page's copy).html");
    assert.equal(downloadFileName('', 'html', "(this page's copy)"), "Untitled (this page's copy).html");
    for (const title of ['A fairly long meeting notes title for the quarterly planning review', 'word '.repeat(40), 'x'.repeat(200)]) {
      const name = downloadFileName(title, 'html', "(this page's copy)");
      assert.ok(name.endsWith(" (this page's copy).html"), name);
      assert.ok(name.length <= MAX_FILE_BASE_LENGTH + '.html'.length, name);
      assert.notEqual(name, downloadFileName(title, 'html'), 'the same name as the export of the server\'s version');
    }
  });
});
