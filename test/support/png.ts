/**
 * Real PNG files for tests, made in memory: a picture of `width` × `height` pixels, either one
 * colour with a darker diagonal band (small, compresses well), a bar chart, or noise from a seed
 * (about width × height × 3 bytes, for size limits). Browsers decode them like any PNG.
 */
import { crc32, deflateSync } from 'node:zlib';
import { prng } from './seeded.js';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export interface PngOptions {
  readonly width: number;
  readonly height: number;
  /** The picture's colour, `[r, g, b]`. Default a calm blue. */
  readonly color?: readonly [number, number, number];
  /** Fill with noise from this seed instead (incompressible). */
  readonly noiseSeed?: number;
  /** Draw a bar chart instead: bar heights from 0 to 1, in the colour on a light background. */
  readonly bars?: readonly number[];
}

/** The colour of pixel (x, y) of a bar chart of `bars` in `color`. */
function barPixel(bars: readonly number[], color: readonly [number, number, number], x: number, y: number, width: number, height: number): readonly number[] {
  const slot = width / bars.length;
  const index = Math.floor(x / slot);
  const inBar = x - index * slot > slot * 0.18 && x - index * slot < slot * 0.82;
  const top = height * (1 - (bars[index] ?? 0) * 0.9);
  if (inBar && y >= top) return color;
  return y === height - 1 ? [160, 166, 176] : [246, 247, 250];
}

export function makePng({ width, height, color = [76, 110, 245], noiseSeed, bars }: PngOptions): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter set, no interlace
  const random = noiseSeed === undefined ? null : prng(noiseSeed);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const band = Math.abs(x - (y * width) / height) < width / 8 ? 0.6 : 1;
      const bar = bars === undefined ? null : barPixel(bars, color, x, y, width, height);
      for (let c = 0; c < 3; c++) rows[row + 1 + x * 3 + c] = random ? Math.floor(random() * 256) : bar ? bar[c]! : Math.round(color[c]! * band);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
