/**
 * The fonts of the PDF: DejaVu Sans (regular, bold, oblique) and DejaVu Sans Mono, embedded
 * (subset) in every report, so it looks the same everywhere and text is Unicode, searchable
 * and selectable. The files come from the `dejavu-fonts-ttf` package (free licence, see its
 * LICENSE); nothing is read from the machine's own fonts.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

export const FONT = { regular: 'complyd-sans', bold: 'complyd-sans-bold', italic: 'complyd-sans-oblique', mono: 'complyd-mono' } as const;
export type FontName = (typeof FONT)[keyof typeof FONT];

const FILES: Record<FontName, string> = {
  'complyd-sans': 'DejaVuSans.ttf',
  'complyd-sans-bold': 'DejaVuSans-Bold.ttf',
  'complyd-sans-oblique': 'DejaVuSans-Oblique.ttf',
  'complyd-mono': 'DejaVuSansMono.ttf',
};

/** The SVG font families of charts mapped to ours. */
export function fontForFamily(family: string, bold: boolean): FontName {
  if (/mono|courier/i.test(family)) return FONT.mono;
  return bold ? FONT.bold : FONT.regular;
}

let dir: string | undefined;
function fontDir(): string {
  dir ??= join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return dir;
}

export function fontFile(name: FontName): string {
  return join(fontDir(), FILES[name]);
}

export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const name of Object.values(FONT)) doc.registerFont(name, fontFile(name));
}

interface FontMetrics {
  /** Ascender in 1/1000 of the size, to line baselines up across fonts. */
  ascender: number;
  covers: Set<number>;
  /**
   * Width of a text at size 1: the sum of its characters' advances, without kerning, as
   * pdf-ops.ts draws it (so wrapped lines are exactly as wide as measured); many times faster
   * than shaping every new word.
   */
  width(text: string): number;
}

const metrics = new Map<FontName, FontMetrics>();

export function fontMetrics(name: FontName): FontMetrics {
  let m = metrics.get(name);
  if (!m) {
    const font = fontkit.openSync(fontFile(name)) as fontkit.Font;
    const advances = new Map<number, number>();
    const advance = (cp: number): number => {
      let a = advances.get(cp);
      if (a === undefined) advances.set(cp, (a = font.glyphForCodePoint(cp).advanceWidth / font.unitsPerEm));
      return a;
    };
    const width = (text: string): number => {
      let w = 0;
      for (let i = 0; i < text.length; i++) {
        const cp = text.codePointAt(i) ?? 0;
        if (cp > 0xffff) i++;
        w += advance(cp);
      }
      return w;
    };
    m = { ascender: (font.ascent / font.unitsPerEm) * 1000, covers: new Set(font.characterSet), width };
    metrics.set(name, m);
  }
  return m;
}
