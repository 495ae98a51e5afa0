/**
 * Content-stream operators written directly, for the drawing a long report repeats tens of
 * thousands of times (table text, row stripes, rules).
 *
 * Why: pdfkit's `text()` runs its option handling and then writes about eight operators per
 * line, each becoming its own Buffer; on a 1,700-page findings list that allocation, not the
 * PDF, was most of the render time. Here one call writes all lines of a cell as one string
 * (a table row as one, see `batch`), and characters are encoded once per font through pdfkit's
 * own font subset, so subsetting and the ToUnicode map stay pdfkit's.
 *
 * Every operator sequence is wrapped in q/Q, so pdfkit's own graphics state (fill colour,
 * line width, current font) is the same afterwards as before.
 *
 * pdfkit internals used (ADR 0008; pdfkit's version is pinned and test/report/pdf-internals
 * fails when they move): `doc._font` (the current font: `id`, `ref()`, `encode()`) and
 * `doc.page.fonts` (the page's font resources).
 */

/** The parts of pdfkit's embedded font we use: its resource id, page reference and encoder. */
interface PdfkitFont {
  id: string;
  ref(): unknown;
  encode(text: string): [string[], unknown[]];
}

interface PdfkitInternals {
  _font: PdfkitFont;
  page: { fonts: Record<string, unknown> };
}

/** A font and its encoded characters. */
interface FontState {
  font: PdfkitFont;
  glyphs: Map<string, string>;
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

/**
 * Hex glyph ids as the bytes of a PDF literal string (pdfkit writes content as latin1, one
 * byte per character). Parentheses and the backslash are escaped; so are CR and LF, which a
 * reader would otherwise normalise as line ends inside the string.
 */
function literalBytes(hex: string): string {
  let out = '';
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const b = parseInt(hex.slice(i, i + 2), 16);
    out += b === 0x28 || b === 0x29 || b === 0x5c ? `\\${String.fromCharCode(b)}` : b === 0x0a ? '\\n' : b === 0x0d ? '\\r' : String.fromCharCode(b);
  }
  return out;
}

export class PdfOps {
  private readonly fonts = new Map<string, FontState>();

  constructor(private readonly doc: PDFKit.PDFDocument) {}

  /** Operators collected by `batch`, written as one piece when it ends. */
  private pending: string[] | undefined;

  private emit(ops: string): void {
    if (this.pending) this.pending.push(ops);
    else this.doc.addContent(ops);
  }

  /**
   * Write what `draw` draws at once (a table row: its stripe, cells, rule and their marked
   * content). What pdfkit writes meanwhile through `doc.addContent` (marked-content operators)
   * joins the batch in order; nothing inside may start a page.
   */
  batch(draw: () => void): void {
    if (this.pending) return draw();
    const pending: string[] = (this.pending = []);
    const doc = this.doc;
    const write = doc.addContent;
    doc.addContent = (data: string) => {
      pending.push(data);
      return doc;
    };
    try {
      draw();
    } finally {
      doc.addContent = write;
      this.pending = undefined;
      if (pending.length) write.call(doc, pending.join('\n'));
    }
  }

  private font(name: string): FontState {
    let f = this.fonts.get(name);
    if (!f) {
      const d = this.doc as unknown as PdfkitInternals;
      const previous = d._font;
      this.doc.font(name);
      f = { font: d._font, glyphs: new Map() };
      d._font = previous;
      this.fonts.set(name, f);
    }
    return f;
  }

  /**
   * The Tj operand of a text: the glyph ids in pdfkit's subset of the font (two bytes each),
   * character by character, as a literal string: half the bytes of hex, so half the work for
   * zlib. Each character is encoded by pdfkit once (which also enters it in the subset and the
   * ToUnicode map). No kerning: the text is then exactly as wide as the layout measured it.
   */
  private shown(f: FontState, text: string): string {
    let bytes = '';
    for (const ch of text) {
      let g = f.glyphs.get(ch);
      if (g === undefined) {
        g = literalBytes(f.font.encode(ch)[0].join(''));
        f.glyphs.set(ch, g);
      }
      bytes += g;
    }
    return `(${bytes}) Tj`;
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
    this.emit(`${ops}\nET Q`);
  }

  /** A filled rectangle. */
  rect(x: number, y: number, w: number, h: number, color: string): void {
    this.emit(`q ${rgb(color)} rg ${n2(x)} ${n2(y)} ${n2(w)} ${n2(h)} re f Q`);
  }

  /** A horizontal line. */
  hline(x1: number, x2: number, y: number, color: string, width: number): void {
    this.emit(`q ${n2(width)} w ${rgb(color)} RG ${n2(x1)} ${n2(y)} m ${n2(x2)} ${n2(y)} l S Q`);
  }
}
