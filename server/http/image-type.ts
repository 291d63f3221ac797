/**
 * Whether an upload is a picture Quire accepts: its declared Content-Type one of the four picture
 * types (shared/image-types.ts) and its bytes, by their magic, that very type. A browser shown a
 * blob by its stored type must get what that type says. SVG is refused, because an SVG is a
 * document that can carry scripts and links.
 */
import { IMAGE_TYPES, sniffImageType } from '../../shared/image-types.js';

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Why `bytes`, declared as `declared`, are not a picture Quire accepts, in a sentence; null when
 * they are one (a PNG, JPEG, GIF or WebP whose bytes are what its Content-Type says).
 */
export function imageRefusal(declared: string, bytes: Uint8Array): string | null {
  if (declared === 'image/svg+xml') return 'SVG pictures are not accepted, because they can carry scripts; send it as PNG instead.';
  if (!(IMAGE_TYPES as readonly string[]).includes(declared)) {
    return `Pictures must be sent as ${IMAGE_TYPES.join(', ')} (the Content-Type); "${declared.slice(0, 60) || 'none'}" is not one.`;
  }
  const sniffed = sniffImageType(bytes);
  if (sniffed === null) return `These bytes are not a ${declared.slice(6).toUpperCase()} picture (nor any picture Quire accepts).`;
  if (sniffed !== declared) return `The picture was sent as ${declared} but its bytes are ${sniffed}.`;
  return null;
}
