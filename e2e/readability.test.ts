/**
 * Contrast people can read, in light and dark mode: the toolbar's icons and glyphs against the
 * toolbar, and the name labels of other people's carets against their colour.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PEOPLE_COLORS } from '../client/editor/identity.js';
import { createDoc } from '../test/support/e2e/api.js';
import { contrastRatio, shownColors, shownColorsOfAll } from '../test/support/e2e/colors.js';
import { PAGE_TIMEOUT_MS, waitForText } from '../test/support/e2e/editor-page.js';
import { placePeerCaret } from '../test/support/e2e/node-peer.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { waitFor } from '../test/support/wait.js';

const e2e = useBrowserAndServer();

/** WCAG 1.4.3 for text (the B, I, H1 glyphs) and 1.4.11 for icons; disabled controls still get 3:1 here. */
const TEXT_CONTRAST = 4.5;
const ICON_CONTRAST = 3;

describe('contrast', () => {
  it('every toolbar button is readable in light and dark mode, enabled or not', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      // A heading: some buttons (lists) are disabled there, others pressed.
      const doc = await createDoc(server.url, '# Heading\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      await waitForText([alice.page], 'Heading');
      await alice.page.locator('#editor h1').click();
      for (const colorScheme of ['light', 'dark'] as const) {
        await alice.page.emulateMedia({ colorScheme });
        // The buttons ease into their new colours; measure where they end.
        await alice.page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished)));
        const weak: string[] = [];
        let disabled = 0;
        for (const { command, enabled, ink, background } of await shownColorsOfAll(alice.page.locator('#toolbar button'))) {
          const ratio = contrastRatio(ink, background);
          if (!enabled) disabled++;
          const needed = enabled ? TEXT_CONTRAST : ICON_CONTRAST;
          if (ratio < needed) weak.push(`${command} ${enabled ? 'enabled' : 'disabled'} ${ratio.toFixed(2)}:1`);
        }
        assert.ok(disabled > 0, 'the check should cover disabled buttons too');
        assert.deepEqual(weak, [], `${colorScheme} mode: toolbar buttons below ${TEXT_CONTRAST}:1 (enabled) or ${ICON_CONTRAST}:1 (disabled)`);
      }
    });
  });

  it('caret labels pick black or white text, whichever reads better on the person\'s colour', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, 'Somebody is typing here.\n');
      const alice = await scenario.open(doc.editPath, 'Alice', { contextOptions: { colorScheme: 'dark' } });
      await waitForText([alice.page], 'Somebody is typing here.');
      const bob = await scenario.peer(doc.id);
      const weak: string[] = [];
      // The palette, plus light colours a person on another client may have picked.
      for (const color of [...PEOPLE_COLORS, '#ffd43b', '#74c0fc', '#ffffff', '#000000', '#868e96']) {
        placePeerCaret(bob, { name: 'Bob', color }, 0, 4);
        const label = alice.page.locator('.remote-cursor-label', { hasText: 'Bob' });
        await waitFor(`the label in ${color}`, async () => {
          const background = await label.evaluate((element) => getComputedStyle(element).backgroundColor).catch(() => '');
          const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
          return background === `rgb(${r}, ${g}, ${b})`;
        }, { timeoutMs: PAGE_TIMEOUT_MS });
        const { ink, background } = await shownColors(label);
        const ratio = contrastRatio(ink, background);
        if (ratio < TEXT_CONTRAST) weak.push(`${color}: ${ratio.toFixed(2)}:1`);
      }
      assert.deepEqual(weak, [], `caret labels below ${TEXT_CONTRAST}:1`);
    });
  });
});
