/**
 * The toolbar's and dialogs' icons: small line drawings on a 24×24 grid, built as SVG elements
 * (no markup strings, no inline styles) so they are safe under the page's CSP.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Each icon is a list of path strings; `~` before a path draws it faded, `*` filled. */
const ICONS = {
  undo: ['M9 6 4 11l5 5', 'M4 11h11a5 5 0 0 1 0 10h-3'],
  redo: ['M15 6l5 5-5 5', 'M20 11H9a5 5 0 0 0 0 10h3'],
  code: ['M9 7l-5 5 5 5', 'M15 7l5 5-5 5'],
  link: ['M9.5 14.5l5-5', 'M11 7.5l1.8-1.8a3.5 3.5 0 0 1 5 5L16 12.5', 'M13 16.5l-1.8 1.8a3.5 3.5 0 0 1-5-5L8 11.5'],
  'bullet-list': ['*M5 6.2a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 1 0 0-2.6z', '*M5 10.7a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 1 0 0-2.6z', '*M5 15.2a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 1 0 0-2.6z', 'M10 7.5h10', 'M10 12h10', 'M10 16.5h10'],
  'ordered-list': ['M4 5.5h1.5v4', 'M3.8 14a1.4 1.4 0 0 1 2.6.6c0 .9-2.6 2.4-2.6 3.4h2.8', 'M10 7.5h10', 'M10 12h10', 'M10 16.5h10'],
  blockquote: ['M5 6v12', 'M9.5 8h10', 'M9.5 12h10', 'M9.5 16h6'],
  'code-block': ['M4 5.5h16v13H4z', 'M10 10l-2 2 2 2', 'M14 10l2 2-2 2'],
  hr: ['M3.5 12h17', '~M7 7h10', '~M7 17h10'],
  share: ['M12 4v11', 'M8 8l4-4 4 4', 'M5 13v6h14v-6'],
  close: ['M6 6l12 12', 'M18 6 6 18'],
  copy: ['M9 9h10v10H9z', 'M15 9V5H5v10h4'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  refresh: ['M19 12a7 7 0 1 1-2.05-4.95', 'M19 4.5V9h-4.5'],
  pencil: ['M14.5 5.5l4 4', 'M5 19l1-4.5L15.8 4.7a1.4 1.4 0 0 1 2 0l1.5 1.5a1.4 1.4 0 0 1 0 2L9.5 18z'],
  eye: ['M2.5 12s3.5-6.5 9.5-6.5 9.5 6.5 9.5 6.5-3.5 6.5-9.5 6.5S2.5 12 2.5 12z', 'M12 9.2a2.8 2.8 0 1 0 0 5.6 2.8 2.8 0 1 0 0-5.6z'],
  warning: ['M12 4 2.8 19.5h18.4z', 'M12 10v4.5', '*M12 16.3a1 1 0 1 0 0 2 1 1 0 1 0 0-2z'],
  doc: ['M6 3.5h8l4 4v13H6z', 'M14 3.5v4h4', 'M9 12h6', 'M9 15.5h6'],
  plus: ['M12 5v14', 'M5 12h14'],
  table: ['M4 5h16v14H4z', 'M4 10h16', 'M4 14.5h16', 'M10 10v9', '~M4 5h16v5H4z'],
  image: ['M4 5h16v14H4z', 'M4 16l5-5 4 4 2.5-2.5L20 16', '*M15.5 7.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 1 0 0-3z'],
  more: ['*M6 10.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 1 0 0-3z', '*M12 10.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 1 0 0-3z', '*M18 10.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 1 0 0-3z'],
  download: ['M12 4v11', 'M8 11l4 4 4-4', 'M5 19h14'],
  print: ['M7 9V4h10v5', 'M7 17H4.5v-7a1 1 0 0 1 1-1h13a1 1 0 0 1 1 1v7H17', 'M7 14h10v6H7z'],
  external: ['M14 4h6v6', 'M20 4l-9 9', 'M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5'],
  unlink: ['M11 7.5l1.8-1.8a3.5 3.5 0 0 1 5 5L16 12.5', 'M13 16.5l-1.8 1.8a3.5 3.5 0 0 1-5-5L8 11.5', 'M4 4l16 16'],
  'row-above': ['M4 12h16v7H4z', 'M12 3.5v6', 'M9 6.5h6'],
  'row-below': ['M4 5h16v7H4z', 'M12 14.5v6', 'M9 17.5h6'],
  'column-left': ['M12 4h7v16h-7z', 'M3.5 12h6', 'M6.5 9v6'],
  'column-right': ['M5 4h7v16H5z', 'M14.5 12h6', 'M17.5 9v6'],
  'delete-row': ['M4 8h16v8H4z', 'M9.5 10.5l5 3', 'M14.5 10.5l-5 3'],
  'delete-column': ['M8 4h8v16H8z', 'M10.5 9.5l3 5', 'M13.5 9.5l-3 5'],
  'header-row': ['M4 5h16v14H4z', '*M4 5h16v5H4z', 'M10 10v9'],
  trash: ['M5 7h14', 'M10 7V5h4v2', 'M7 7l1 13h8l1-13', 'M10.5 11v5', 'M13.5 11v5'],
  history: ['M4.5 12a7.5 7.5 0 1 0 2.2-5.3', 'M4.5 4.5v3.5H8', 'M12 8v4.5l3 2'],
} as const satisfies Record<string, readonly string[]>;

export type IconName = keyof typeof ICONS;

/** A new SVG element drawing icon `name`, decorative (hidden from assistive technology). */
export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  for (const spec of ICONS[name]) {
    const path = document.createElementNS(SVG_NS, 'path');
    if (spec.startsWith('*')) {
      path.setAttribute('d', spec.slice(1));
      path.classList.add('icon-fill');
    } else if (spec.startsWith('~')) {
      path.setAttribute('d', spec.slice(1));
      path.classList.add('icon-faded');
    } else {
      path.setAttribute('d', spec);
    }
    svg.append(path);
  }
  return svg;
}
