/**
 * What colours a page really shows, for contrast checks: an element's text colour composited with
 * its opacity (and its ancestors') over the first opaque background behind it, and WCAG 2 contrast.
 */
import type { Locator } from 'playwright-core';

export type Rgb = readonly [number, number, number];

/** WCAG 2 relative luminance of an sRGB colour with 0–255 channels. */
export function luminance([r, g, b]: Rgb): number {
  const channel = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG 2 contrast ratio of two colours, from 1 to 21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** What is read of one element in the page. */
interface RawColors {
  readonly command: string;
  readonly enabled: boolean;
  readonly ink: number[];
  readonly opacity: number;
  readonly background: number[];
}

export interface ShownColors {
  /** The element's `data-command`, or ''. */
  readonly command: string;
  /** False for a disabled button. */
  readonly enabled: boolean;
  readonly ink: Rgb;
  readonly background: Rgb;
}

/**
 * The colours every visible element of `locator` shows, in one round trip: its text colour as the
 * eye gets it (the `color` property faded by the element's and its ancestors' opacity over the
 * nearest opaque background) and that background (assumed opaque once found).
 */
export async function shownColorsOfAll(locator: Locator): Promise<ShownColors[]> {
  const raws: RawColors[] = await locator.evaluateAll((elements) => {
    const parse = (value: string): number[] => {
      const numbers = (value.match(/[\d.]+/g) ?? []).map(Number);
      if (value.startsWith('color(srgb')) return [numbers[0]! * 255, numbers[1]! * 255, numbers[2]! * 255, numbers[3] ?? 1];
      return [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0, numbers[3] ?? 1];
    };
    return elements
      .filter((element) => element.getClientRects().length > 0)
      .map((element) => {
        let opacity = 1;
        let background: number[] | null = null;
        for (let node: Element | null = element; node !== null; node = node.parentElement) {
          const style = getComputedStyle(node);
          opacity *= Number(style.opacity);
          if (background === null) {
            const bg = parse(style.backgroundColor);
            if (bg[3]! > 0.5) background = bg;
          }
        }
        const ink = parse(getComputedStyle(element).color);
        return {
          command: (element as HTMLElement).dataset['command'] ?? '',
          enabled: !(element as HTMLButtonElement).disabled,
          ink,
          opacity: opacity * ink[3]!,
          background: background ?? [255, 255, 255, 1],
        };
      });
  });
  return raws.map((raw) => {
    const channel = (i: number): number => raw.ink[i]! * raw.opacity + raw.background[i]! * (1 - raw.opacity);
    return {
      command: raw.command,
      enabled: raw.enabled,
      ink: [channel(0), channel(1), channel(2)],
      background: [raw.background[0]!, raw.background[1]!, raw.background[2]!],
    };
  });
}

/** `shownColorsOfAll` of the one element `locator` points at. */
export async function shownColors(locator: Locator): Promise<ShownColors> {
  const [colors] = await shownColorsOfAll(locator);
  if (colors === undefined) throw new Error('The element is not visible, so it shows no colours.');
  return colors;
}
