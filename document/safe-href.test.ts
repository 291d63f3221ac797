import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hrefFromUserInput, MAX_HREF_LENGTH, safeHref } from './safe-href.js';

describe('safeHref', () => {
  it('keeps absolute http, https and mailto links, normalised', () => {
    assert.equal(safeHref('https://example.com/a?b=c#d'), 'https://example.com/a?b=c#d');
    assert.equal(safeHref('http://example.com'), 'http://example.com/');
    assert.equal(safeHref('  HTTPS://Example.COM/Path  '), 'https://example.com/Path');
    assert.equal(safeHref('mailto:someone@example.com'), 'mailto:someone@example.com');
  });

  it('refuses script and other dangerous schemes, however they are disguised', () => {
    const hostile = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      '\u0000javascript:alert(1)',
      '\u0001javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      'java\rscript:alert(1)',
      'javascript\t:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html,<script>alert(1)</script>',
      'DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'file:///etc/passwd',
      'blob:https://example.com/uuid',
      'ftp://example.com/file',
      'about:blank',
      '&#106;avascript:alert(1)',
      'javascript&colon;alert(1)',
    ];
    for (const url of hostile) assert.equal(safeHref(url), null, JSON.stringify(url));
  });

  it('refuses relative references, since there is no base to trust', () => {
    for (const url of ['/d/abc', 'page.html', '#top', '?q=1', '//example.com/x', 'example.com']) {
      assert.equal(safeHref(url), null, url);
    }
  });

  it('refuses links that carry credentials, which disguise the real host', () => {
    assert.equal(safeHref('https://bank.example@evil.example/'), null);
    assert.equal(safeHref('https://user:pass@example.com/'), null);
  });

  it('refuses empty, over-long and non-string input', () => {
    assert.equal(safeHref(''), null);
    assert.equal(safeHref('   '), null);
    assert.equal(safeHref('https://example.com/' + 'a'.repeat(MAX_HREF_LENGTH)), null);
    for (const value of [null, undefined, 42, {}, ['https://example.com'], { toString: () => 'https://example.com' }]) {
      assert.equal(safeHref(value), null, String(value));
    }
  });

  it('returns a string that parses to the same safe scheme again (what is checked is what is rendered)', () => {
    for (const url of ['https://example.com/a b', 'http://exa\tmple.com/', 'mailto:a@b.c?subject=hi there']) {
      const href = safeHref(url);
      assert.ok(href !== null, url);
      assert.equal(safeHref(href), href);
      assert.ok(['http:', 'https:', 'mailto:'].includes(new URL(href).protocol));
    }
  });
});

describe('hrefFromUserInput', () => {
  it('adds https:// to a bare address and mailto: to an email address', () => {
    assert.equal(hrefFromUserInput('example.com/handbook'), 'https://example.com/handbook');
    assert.equal(hrefFromUserInput('localhost:3000/d/x'), 'https://localhost:3000/d/x');
    assert.equal(hrefFromUserInput('someone@example.com'), 'mailto:someone@example.com');
    assert.equal(hrefFromUserInput('//example.com'), 'https://example.com/');
    assert.equal(hrefFromUserInput(' http://example.com '), 'http://example.com/');
  });

  it('never turns an unsafe scheme into a link', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,x', 'vbscript:x', '', '   ', 'https://a@b.example']) {
      assert.equal(hrefFromUserInput(text), null, text);
    }
  });
});
