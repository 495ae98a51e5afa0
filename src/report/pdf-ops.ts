/**
 * Content-stream operators written directly, for the drawing a long report repeats tens of
 * thousands of times (table text, row stripes, rules).
 *
 * Why: pdfkit's `text()` runs its option handling and then writes about eight operators per
 * line, each becoming its own Buffer; on a 1,700-page findings list that allocation, not the
 * PDF, was most of the render time. Here one call writes all lines of a cell as one string,
 * and each text's glyph encoding (pdfkit's font subset, so the ToUnicode map and subsetting
 * stay pdfkit's) is computed once per font and kept.
 *
 * Every operator sequence is wrapped in q/Q, so pdfkit's own graphics state (fill colour,
 * line width, current font) is the same afterwards as before.
 */

/** The parts of pdfkit's embedded font we use: its resource id, page reference and encoder. */
interface PdfkitFont {
  id: string;
  ref(): unknown;
  encode(text: string): [string[], Array<{ xAdvance: number; advanceWidth: number; xOffset: number; yOffset: number }>];
}

interface PdfkitInternals {
  _font: PdfkitFont;
  page: { fonts: Record<string, unknown> };
}

const n2 = (n: number) => String(Math.round(n * 100) / 100);

const rgbCache = new Map<string, string>();
/** `#rrggbb` (or `#rgb`) as PDF colour operands. */
export function rgb(hex: string): string {
  let v = rgbCache.get(hex);
  if (v === undefined) {
    const h = hex.replace('#', '');
    const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
    const parts = [0, 2, 4].map((i) => Math.round((parseInt(full.slice(i, i + 2), 16) / 255) * 10_000) / 10_000);
    if (full.length !== 6 || parts.some(Number.isNaN)) throw new Error(`not a #rrggbb colour: ${hex}`);
    v = parts.join(' ');
    rgbCache.set(hex, v);
  }
  return v;
}

export class PdfOps {
  private readonly fonts = new Map<string, { font: PdfkitFont; shown: Map<string, string> }>();

  constructor(private readonly doc: PDFKit.PDFDocument) {}

  private font(name: string): { font: PdfkitFont; shown: Map<string, string> } {
    let f = this.fonts.get(name);
    if (!f) {
      const d = this.doc as unknown as PdfkitInternals;
      const previous = d._font;
      this.doc.font(name);
      f = { font: d._font, shown: new Map() };
      d._font = previous;
      this.fonts.set(name, f);
    }
    return f;
  }

  /** The TJ operand of a text: glyph ids of pdfkit's subset, with kerning as pdfkit writes it. */
  private shown(f: { font: PdfkitFont; shown: Map<string, string> }, text: string): string {
    let tj = f.shown.get(text);
    if (tj === undefined) {
      const [glyphs, positions] = f.font.encode(text);
      const parts: string[] = [];
      let run = '';
      for (let i = 0; i < glyphs.length; i++) {
        run += glyphs[i];
        const p = positions[i];
        const adjust = p ? p.xAdvance - p.advanceWidth : 0;
        if (adjust !== 0) {
          parts.push(`<${run}> ${n2(-adjust)}`);
          run = '';
        }
      }
      if (run) parts.push(`<${run}>`);
      tj = `[${parts.join(' ')}] TJ`;
      f.shown.set(text, tj);
    }
    return tj;
  }

  /**
   * Show lines of one font, size and colour. `baseline` is the y of each line's baseline, in
   * pdfkit's top-down page coordinates.
   */
  text(fontName: string, size: number, color: string, lines: ReadonlyArray<{ text: string; x: number; baseline: number }>): void {
    if (lines.length === 0) return;
    const f = this.font(fontName);
    const page = (this.doc as unknown as PdfkitInternals).page;
    page.fonts[f.font.id] ??= f.font.ref();
    // The page's matrix is flipped (y grows downwards); the text matrix flips the glyphs back.
    let ops = `q ${rgb(color)} rg BT /${f.font.id} ${n2(size)} Tf`;
    for (const l of lines) ops += `\n1 0 0 -1 ${n2(l.x)} ${n2(l.baseline)} Tm ${this.shown(f, l.text)}`;
    this.doc.addContent(`${ops}\nET Q`);
  }

  /** A filled rectangle. */
  rect(x: number, y: number, w: number, h: number, color: string): void {
    this.doc.addContent(`q ${rgb(color)} rg ${n2(x)} ${n2(y)} ${n2(w)} ${n2(h)} re f Q`);
  }

  /** A horizontal line. */
  hline(x1: number, x2: number, y: number, color: string, width: number): void {
    this.doc.addContent(`q ${n2(width)} w ${rgb(color)} RG ${n2(x1)} ${n2(y)} m ${n2(x2)} ${n2(y)} l S Q`);
  }
}
