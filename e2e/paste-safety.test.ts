/**
 * Hostile HTML pasted into the editor runs nothing and stores no unsafe link, and a peer writing
 * a `javascript:` link straight into the Yjs document gets it rendered inert.
 *
 * The pages run with `bypassCSP`: the server's Content-Security-Policy would stop inline handlers
 * on its own, which would hide an editor that lets them through. Here the editor's own filtering
 * is tested; the CSP header is checked separately below as the second line of defence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import * as Y from 'yjs';
import { getLinks } from '../test/support/e2e/api.js';
import { PAGE_TIMEOUT_MS, shownText, waitForSaved } from '../test/support/e2e/editor-page.js';
import { fragmentText } from '../test/support/e2e/node-peer.js';
import type { QuireWindow } from '../test/support/e2e/page-types.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { waitFor } from '../test/support/wait.js';
import { FRAGMENT_NAME } from '../document/fragment.js';

const e2e = useBrowserAndServer();

const HOSTILE_HTML = [
  '<p>Pasted paragraph with <strong>bold</strong> words.</p>',
  '<script>window.__pwned = "script"</script>',
  '<img src="x-does-not-exist.png" onerror="window.__pwned = \'img-onerror\'">',
  '<p><a href="javascript:window.__pwned=\'link\'">click me</a> and <a href="https://example.com/">a safe link</a></p>',
  '<p><a href="  JaVaScRiPt:window.__pwned=\'mixed-case\'">mixed case</a></p>',
  '<p><a href="java&#10;script:window.__pwned=\'newline\'">split scheme</a></p>',
  '<p><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data link</a></p>',
  '<iframe srcdoc="&lt;script&gt;parent.__pwned=\'iframe\'&lt;/script&gt;"></iframe>',
  '<svg><script>window.__pwned = "svg"</script><a href="javascript:window.__pwned=\'svg-link\'">svg text</a></svg>',
  '<p onclick="window.__pwned=\'onclick\'" onmouseover="window.__pwned=\'onmouseover\'">hover target</p>',
  '<details open ontoggle="window.__pwned=\'ontoggle\'"><summary>summary</summary></details>',
].join('');

/** Hrefs a peer writes into the document; none may reach the DOM as a working link. */
const PEER_HREFS = [
  'javascript:window.__pwned="peer"',
  '  JAVASCRIPT:window.__pwned="peer-upper"',
  'java\nscript:window.__pwned="peer-newline"',
  '\u0001javascript:window.__pwned="peer-control"',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
];

interface Watch {
  readonly dialogs: string[];
}

async function watchDialogs(context: BrowserContext, watch: Watch): Promise<void> {
  context.on('page', (page) =>
    page.on('dialog', (dialog) => {
      watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    }),
  );
}

/** Pastes `html` into the editor the way the browser delivers a paste: a ClipboardEvent with data. */
async function pasteHtml(page: Page, html: string): Promise<void> {
  await page.locator('#editor .ProseMirror').click();
  await page.evaluate((markup) => {
    const target = document.querySelector('#editor .ProseMirror');
    if (target === null) throw new Error('no editor to paste into');
    const data = new DataTransfer();
    data.setData('text/html', markup);
    data.setData('text/plain', 'plain fallback');
    target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, html);
}

/**
 * Resolves after the page has had an image fail to load: any `onerror` the paste let into the
 * page would have fired by then too.
 */
async function letImageErrorsFire(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const probe = new Image();
        probe.onerror = () => resolve();
        probe.onload = () => resolve();
        probe.src = `/missing-probe-${Date.now()}.png`;
      }),
  );
}

/** Everything unsafe found in the editor's DOM, described; empty when it is clean. */
async function unsafeDom(page: Page): Promise<string[]> {
  return page.locator('#editor').evaluate((root) => {
    const found: string[] = [];
    for (const element of Array.from(root.querySelectorAll('*'))) {
      const tag = element.tagName.toLowerCase();
      if (['script', 'iframe', 'object', 'embed', 'svg', 'img', 'details'].includes(tag)) found.push(`<${tag}>`);
      for (const attribute of Array.from(element.attributes)) {
        if (attribute.name.toLowerCase().startsWith('on')) found.push(`${tag}[${attribute.name}]`);
      }
      if (element instanceof HTMLAnchorElement && element.hasAttribute('href')) {
        if (!['http:', 'https:', 'mailto:'].includes(element.protocol)) found.push(`a[href=${element.getAttribute('href')}]`);
      }
    }
    return found;
  });
}

/** Every link href and attribute value stored in the page's Yjs document. */
async function storedValues(page: Page): Promise<string[]> {
  // The function runs in the page, so the fragment's name travels as its argument.
  return page.evaluate((fragmentName) => {
    const quire = (window as unknown as QuireWindow).quire;
    if (quire === undefined) throw new Error('window.quire is missing');
    const values: string[] = [];
    const visit = (node: unknown): void => {
      const candidate = node as {
        toDelta?: () => Array<{ attributes?: Record<string, unknown> }>;
        getAttributes?: () => Record<string, unknown>;
        toArray?: () => unknown[];
      };
      if (typeof candidate.toDelta === 'function') {
        for (const op of candidate.toDelta()) values.push(JSON.stringify(op.attributes ?? {}));
        return;
      }
      if (typeof candidate.getAttributes === 'function') values.push(JSON.stringify(candidate.getAttributes()));
      if (typeof candidate.toArray === 'function') candidate.toArray().forEach(visit);
    };
    visit(quire.ydoc.getXmlFragment(fragmentName));
    return values;
  }, FRAGMENT_NAME);
}

async function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as QuireWindow).__pwned);
}

describe('hostile content', () => {
  it('pasted HTML runs nothing and stores no unsafe link', { timeout: 90_000 }, async () => {
    const { server } = e2e();
    const baseUrl = server.url;
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      const watch: Watch = { dialogs: [] };

      const page = await fetch(`${baseUrl}/d/${docName}`);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, `editor page CSP: ${csp}`);
      assert.match(csp, /object-src 'none'/);

      const alice = await scenario.open(`/d/${docName}`, 'Alice', {
        contextOptions: { bypassCSP: true },
        prepare: (context) => watchDialogs(context, watch),
      });
      await pasteHtml(alice.page, HOSTILE_HTML);

      // The paste did happen: its harmless parts are there, safe link included.
      const text = await waitFor('the pasted text to appear', async () => {
        const shown = await shownText(alice.page);
        return shown.includes('Pasted paragraph with bold words.') ? shown : false;
      });
      for (const part of ['click me', 'a safe link', 'mixed case', 'split scheme', 'data link', 'hover target']) {
        assert.ok(text.includes(part), `"${part}" is missing from the pasted text: ${JSON.stringify(text)}`);
      }
      assert.equal(await alice.page.locator('#editor a[href="https://example.com/"]').count(), 1, 'the safe link was dropped');

      await letImageErrorsFire(alice.page);
      await alice.page.locator('#editor').getByText('hover target').hover();
      await alice.page.locator('#editor').getByText('hover target').click();
      await alice.page.locator('#editor').getByText('click me').click();

      assert.equal(await pwned(alice.page), undefined);
      assert.deepEqual(watch.dialogs, []);
      assert.deepEqual(await unsafeDom(alice.page), []);
      for (const value of await storedValues(alice.page)) {
        assert.doesNotMatch(value, /javascript:|vbscript:|data:|on[a-z]+=|script/i, `stored in the Yjs document: ${value}`);
      }

      // The server's copy is as clean as the page's.
      await waitForSaved(alice.page);
      const peer = await scenario.peer(docName);
      assert.equal(fragmentText(peer.fragment), text);
      assert.doesNotMatch(peer.fragment.toString(), /javascript:|vbscript:|data:|onerror|onclick|<script/i);
    });
  });

  it('a javascript: link written into the Yjs document by a peer renders inert', { timeout: 90_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      const watch: Watch = { dialogs: [] };
      const options = { contextOptions: { bypassCSP: true }, prepare: (context: BrowserContext) => watchDialogs(context, watch) };
      const alice = await scenario.open(`/d/${docName}`, 'Alice', options);

      const peer = await scenario.peer(docName);
      peer.ydoc.transact(() => {
        const paragraph = new Y.XmlElement('paragraph');
        peer.fragment.insert(peer.fragment.length, [paragraph]);
        const text = new Y.XmlText();
        paragraph.insert(0, [text]);
        PEER_HREFS.forEach((href, index) => text.insert(text.length, `evil${index} `, { link: { href, title: null } }));
        text.insert(text.length, 'peer safe', { link: { href: 'https://example.org/', title: null } });
      });
      await peer.provider.whenSaved();
      const expected = fragmentText(peer.fragment);

      // A view-only page too: there links are not inside contenteditable, so a click would follow them.
      const links = await getLinks(scenario.server.url, docName);
      const viewer = await scenario.open(links.viewUrl, 'Viewer', { ...options, typeName: false });

      for (const person of [alice, viewer]) {
        await waitFor(`${person.name} to show the peer's paragraph`, async () => (await shownText(person.page)).endsWith(expected.split('\n').at(-1) ?? ''), {
          timeoutMs: PAGE_TIMEOUT_MS,
        });
        // Positive control: a safe link from the same peer does render as a link.
        assert.equal(await person.page.locator('#editor a[href="https://example.org/"]').count(), 1, `${person.name}: the safe peer link is missing`);
        assert.deepEqual(await unsafeDom(person.page), [], `${person.name}'s DOM`);
        // The peer's paragraph is the whole document: its links in order, the safe one last. (Found
        // by position, not text: another person's cursor widget may sit inside a link's text.)
        const anchors = person.page.locator('#editor .ProseMirror a');
        assert.equal(await anchors.count(), PEER_HREFS.length + 1, `${person.name}: one element per peer link`);
        const urlBefore = person.page.url();
        for (let index = 0; index < PEER_HREFS.length; index++) {
          const anchor = anchors.nth(index);
          assert.equal(await anchor.getAttribute('href'), null, `${person.name}: unsafe link ${index} kept an href`);
          await anchor.click({ timeout: PAGE_TIMEOUT_MS });
        }
        assert.equal(person.page.url(), urlBefore, `${person.name}'s page navigated after clicking an unsafe link`);
        assert.equal(await pwned(person.page), undefined, `${person.name}'s page ran a peer's javascript: link`);
      }
      assert.deepEqual(watch.dialogs, []);
    });
  });
});
