/**
 * Generic PDF layout on the embedded fonts (pdf-fonts.ts): a cursor over buffered pages, own line
 * wrapping, headings kept with what follows them, tables that paginate themselves (repeating
 * their header), and the running header and footer drawn on every page at the end.
 */
import type { PdfTemplate } from './pdf-template.js';
import { FONT, fontMetrics, type FontName } from './pdf-fonts.js';
import { PdfOps } from './pdf-ops.js';
import { PdfTags } from './pdf-tags.js';
import { Contents } from './pdf-contents.js';

export { FONT, type FontName } from './pdf-fonts.js';

const TRANSLITERATE: Record<string, string> = { '\u00ad': '' };

/**
 * Make text showable with the embedded fonts: tabs become spaces, control characters go, and
 * characters the font has no glyph for are replaced by their unaccented base letter or by
 * `?` (never silently dropped).
 */
const safeCache = new Map<string, string>();
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function pdfSafe(text: string): string {
  // Printable ASCII, most of any report, is always showable.
  if (PRINTABLE_ASCII.test(text)) return text;
  const hit = safeCache.get(text);
  if (hit !== undefined) return hit;
  const out = toShowable(text);
  // Report texts repeat (paths, expected values, resource kinds): remember the short ones.
  if (text.length <= 200) {
    if (safeCache.size > 100_000) safeCache.clear();
    safeCache.set(text, out);
  }
  return out;
}

function toShowable(text: string): string {
  const covers = fontMetrics(FONT.regular).covers;
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n').normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    if (ch === '\n') out += ch;
    else if (ch === '\t') out += ' ';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    else if (TRANSLITERATE[ch] !== undefined) out += TRANSLITERATE[ch];
    else if (covers.has(cp)) out += ch;
    else {
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += base !== '' && [...base].every((c) => covers.has(c.codePointAt(0) ?? 0)) ? base : '?';
    }
  }
  return out;
}

export interface Style {
  font: FontName;
  size: number;
  color: string;
}

export interface Cell {
  text: string;
  color?: string;
  font?: FontName;
}

interface PendingHeading {
  lines: string[];
  style: Style;
  level: 1 | 2 | 3;
  onDraw?: (y: number) => void;
}

interface Column {
  header: string;
  /** Relative width; the columns share the content width in these proportions. */
  width: number;
  align?: 'left' | 'right';
}

interface TableOptions {
  /** Shown above the header on the pages the table continues on. */
  caption?: string;
  size?: number;
}

const LEADING = 1.25;
/** Tables of more cells than this are tagged as paragraphs, a page at a time (see table()). */
const LONG_TABLE_CELLS = 250;
const CELL_PAD_X = 3.5;
const CELL_PAD_Y = 2.5;

export class Layout {
  readonly left: number;
  readonly width: number;
  readonly top: number;
  readonly bottom: number;
  y: number;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    readonly tpl: PdfTemplate,
  ) {
    const { margins } = tpl;
    this.left = margins.left;
    this.width = doc.page.width - margins.left - margins.right;
    this.top = margins.top;
    this.bottom = doc.page.height - margins.bottom;
    this.y = this.top;
    this.ops = new PdfOps(doc);
    this.tags = new PdfTags(doc);
    this.contents = new Contents(this);
  }

  /** Bookmarks and the table of contents. */
  readonly contents: Contents;

  /** Direct content-stream drawing for what repeats (text, stripes, rules). */
  readonly ops: PdfOps;
  /** The logical structure: text drawn outside any element becomes a paragraph of its own. */
  readonly tags: PdfTags;

  get c() {
    return this.tpl.colours;
  }

  style(font: FontName, size: number, color = this.c.text): Style {
    return { font, size, color };
  }

  lineHeight(s: Style): number {
    return s.size * LEADING;
  }

  textWidth(text: string, s: Style): number {
    return this.measure(pdfSafe(text), s);
  }

  /**
   * Widths at size 1 per font and piece of text, kept: a long findings table repeats the same
   * words thousands of times.
   */
  private readonly widths = new Map<string, Map<string, number>>();

  private measure(text: string, s: Style): number {
    let perFont = this.widths.get(s.font);
    if (!perFont) this.widths.set(s.font, (perFont = new Map()));
    let w = perFont.get(text);
    if (w === undefined) {
      w = fontMetrics(s.font).width(text);
      perFont.set(text, w);
    }
    return w * s.size;
  }

  /** Wrap text into lines no wider than `width`; words longer than a line break inside. */
  wrap(text: string, s: Style, width: number): string[] {
    const w = (t: string) => this.measure(t, s);
    const space = w(' ');
    const lines: string[] = [];
    for (const para of pdfSafe(text).split('\n')) {
      let line = '';
      let lineWidth = 0;
      for (const word of para.split(/ +/)) {
        if (word === '') continue;
        const ww = w(word);
        // Words are measured alone and joined by spaces: no kerning across a space, as in text.
        if (line && lineWidth + space + ww <= width) {
          line = `${line} ${word}`;
          lineWidth += space + ww;
          continue;
        }
        if (line) lines.push(line);
        if (ww <= width) {
          line = word;
          lineWidth = ww;
          continue;
        }
        const pieces = breakWord(word, width, w);
        lines.push(...pieces.slice(0, -1));
        line = pieces[pieces.length - 1] ?? '';
        lineWidth = w(line);
      }
      lines.push(line);
    }
    return lines;
  }

  /** Draw already wrapped lines; never triggers pdfkit's own page breaking. */
  drawLines(lines: readonly string[], s: Style, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'left'): void {
    const lh = this.lineHeight(s);
    // The baselines of all fonts line up at the regular font's ascender below y.
    const baseline = y + (fontMetrics(FONT.regular).ascender / 1000) * s.size;
    const shown: Array<{ text: string; x: number; baseline: number }> = [];
    lines.forEach((raw, i) => {
      const line = pdfSafe(raw);
      if (line === '') return;
      const dx = align === 'left' ? 0 : align === 'right' ? width - this.measure(line, s) : (width - this.measure(line, s)) / 2;
      shown.push({ text: line, x: x + dx, baseline: baseline + i * lh });
    });
    if (shown.length === 0) return;
    this.tags.leaf('P', () => this.ops.text(s.font, s.size, s.color, shown));
  }

  newPage(): void {
    this.doc.addPage();
    this.y = this.top;
  }

  /**
   * Make room for `h` points of content, starting a new page if needed. Headings waiting to
   * be drawn go first and move to the next page with the content, so none is left alone at
   * the bottom of a page.
   */
  ensure(h: number): void {
    const pending = this.pending.splice(0);
    const headH = pending.reduce((a, p) => a + this.headingHeight(p), 0);
    if (this.y + headH + h > this.bottom + 0.01) this.newPage();
    for (const p of pending) this.drawHeading(p);
  }

  space(h: number): void {
    this.y += h;
  }

  /** A paragraph that may continue on the next page, line by line. */
  paragraph(text: string, s: Style, opts: { indent?: number; after?: number } = {}): void {
    const indent = opts.indent ?? 0;
    const lh = this.lineHeight(s);
    const p = this.tags.element('P');
    for (const line of this.wrap(text, s, this.width - indent)) {
      this.ensure(lh);
      this.tags.mark(p, 'P', () => this.drawLines([line], s, this.left + indent, this.y, this.width - indent));
      this.y += lh;
    }
    p.end();
    this.y += opts.after ?? 4;
  }

  private pending: PendingHeading[] = [];

  /**
   * A heading, drawn with the first content that follows it (see `ensure`). `onDraw` runs on
   * the page it lands on (for outline entries).
   */
  heading(text: string, level: 1 | 2 | 3, onDraw?: (y: number) => void): void {
    const style = level === 1 ? this.style(FONT.bold, 16, this.c.primary) : level === 2 ? this.style(FONT.bold, 12, this.c.primary) : this.style(FONT.bold, 9.5, this.c.text);
    this.pending.push({ lines: this.wrap(text, style, this.width), style, level, ...(onDraw ? { onDraw } : {}) });
  }

  private headingHeight(p: PendingHeading): number {
    const before = p.level === 1 ? 14 : p.level === 2 ? 10 : 6;
    return before + p.lines.length * this.lineHeight(p.style) + (p.level === 1 ? 10 : 4);
  }

  private drawHeading(p: PendingHeading): void {
    if (this.y > this.top) this.y += p.level === 1 ? 14 : p.level === 2 ? 10 : 6;
    p.onDraw?.(this.y);
    this.tags.leaf(`H${p.level}`, () => this.drawLines(p.lines, p.style, this.left, this.y, this.width));
    this.y += p.lines.length * this.lineHeight(p.style);
    if (p.level === 1) {
      this.tags.artifact(() => this.doc.moveTo(this.left, this.y + 2).lineTo(this.left + this.width, this.y + 2).lineWidth(1).strokeColor(this.c.primary).stroke());
      this.y += 10;
    } else {
      this.y += 4;
    }
  }

  /** Label/value pairs without rules, wrapping values; keeps each pair on one page. */
  keyValues(pairs: ReadonlyArray<[string, string | Cell]>, opts: { labelWidth?: number; size?: number } = {}): void {
    const size = opts.size ?? 9;
    const labelW = opts.labelWidth ?? 120;
    const ls = this.style(FONT.bold, size, this.c.muted);
    for (const [label, value] of pairs) {
      const cell = typeof value === 'string' ? { text: value } : value;
      const vs = this.style(cell.font ?? FONT.regular, size, cell.color ?? this.c.text);
      const lines = this.wrap(cell.text, vs, this.width - labelW);
      const labelLines = this.wrap(label, ls, labelW - 8);
      const h = Math.max(lines.length, labelLines.length) * this.lineHeight(vs) + 3;
      this.ensure(h);
      // Label and value read as one paragraph.
      const p = this.tags.element('P');
      this.tags.mark(p, 'P', () => this.drawLines(labelLines, ls, this.left, this.y, labelW - 8));
      this.tags.mark(p, 'P', () => this.drawLines(lines, vs, this.left + labelW, this.y, this.width - labelW));
      p.end();
      this.y += h;
    }
    this.y += 4;
  }

  /**
   * A table that paginates itself: row heights come from the wrapped cell text, the header
   * row is repeated on every page the table reaches, and a row taller than a page is split
   * between lines (never cut).
   */
  table(columns: readonly Column[], rows: ReadonlyArray<ReadonlyArray<string | Cell>>, opts: TableOptions = {}): void {
    const size = opts.size ?? 7.5;
    const total = columns.reduce((a, c) => a + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const body = this.style(FONT.regular, size);
    const head = this.style(FONT.bold, size, this.c.primary);
    const lh = this.lineHeight(body);

    const headerLines = columns.map((c, i) => this.wrap(c.header, head, (widths[i] ?? 0) - 2 * CELL_PAD_X));
    const headerH = Math.max(...headerLines.map((l) => l.length)) * lh + 2 * CELL_PAD_Y;
    const captionStyle = this.style(FONT.italic, size, this.c.muted);
    const captionLines = opts.caption ? this.wrap(`${opts.caption} (continued)`, captionStyle, this.width) : [];
    const captionH = captionLines.length ? captionLines.length * this.lineHeight(captionStyle) + 2 : 0;

    const T = this.tags;
    // A long listing is tagged page by page as paragraphs, not cell by cell: a structure
    // object per cell made the report of 50 clusters 6 times larger (ADR 0008).
    const long = rows.length * columns.length > LONG_TABLE_CELLS;
    const container = T.element(long ? 'Div' : 'Table');
    let headerTagged = false;
    const drawHeader = () => {
      const first = !headerTagged;
      headerTagged = true;
      const cell = (i: number) => this.drawLines(headerLines[i] ?? [], head, (xs[i] ?? 0) + CELL_PAD_X, this.y + CELL_PAD_Y, (widths[i] ?? 0) - 2 * CELL_PAD_X, columns[i]?.align ?? 'left');
      const cells = () => headerLines.forEach((_, i) => cell(i));
      const draw = () => {
        T.artifact(() => this.ops.rect(this.left, this.y, this.width, headerH, this.c.tableHeader));
        if (!first) cells();
        else if (long) T.leaf('P', cells, container);
        else {
          const tr = T.element('TR', container);
          headerLines.forEach((_, i) => T.leaf('TH', () => cell(i), tr));
          tr.end();
        }
        this.y += headerH;
        this.rule(this.c.primary, 0.6);
      };
      // The header row is tagged where it first appears; its repetitions are artifacts.
      if (first) this.ops.batch(draw);
      else T.artifact(() => this.ops.batch(draw));
    };
    const continuePage = () => {
      this.newPage();
      if (captionLines.length) {
        T.artifact(() => this.drawLines(captionLines, captionStyle, this.left, this.y, this.width));
        this.y += captionH;
      }
      drawHeader();
    };

    const prepared = rows.map((row) =>
      columns.map((col, i) => {
        const raw = row[i] ?? '';
        const cell: Cell = typeof raw === 'string' ? { text: raw } : raw;
        const style = this.style(cell.font ?? FONT.regular, size, cell.color ?? this.c.text);
        return { style, lines: this.wrap(cell.text, style, (widths[i] ?? 0) - 2 * CELL_PAD_X), align: col.align ?? 'left' };
      }),
    );

    const rowLines = prepared.map((cells) => Math.max(1, ...cells.map((c) => c.lines.length)));
    const pageRoom = this.bottom - this.top - captionH - headerH;
    // An empty table still shows its header and a "none" row.
    const tableH = headerH + (rowLines.length ? rowLines : [1]).reduce((a, n) => a + n * lh + 2 * CELL_PAD_Y, 0);
    // Room for the first row as the row loop will place it (whole unless tall, else at least
    // four of its lines): a header never stays alone at the foot of a page.
    const firstLines = rowLines[0] ?? 1;
    const firstRowH = (firstLines * lh + 2 * CELL_PAD_Y <= pageRoom / 4 ? firstLines : Math.min(firstLines, 4)) * lh + 2 * CELL_PAD_Y;
    // A small table moves to the next page whole rather than leaving a row or two behind.
    const keepTogether = tableH <= pageRoom / 3;
    this.ensure(keepTogether ? tableH : headerH + firstRowH);
    drawHeader();
    if (prepared.length === 0) {
      const row = T.element('TR', container);
      T.leaf('TD', () => this.drawLines(['none'], captionStyle, this.left + CELL_PAD_X, this.y + CELL_PAD_Y, this.width), row);
      row.end();
      this.y += lh + 2 * CELL_PAD_Y;
      this.rule(this.c.rule, 0.4);
    }

    let pageText: { el: PDFKit.PDFStructureElement; page: number } | undefined;
    const rowTags = (): { row: PDFKit.PDFStructureElement; cells: Array<PDFKit.PDFStructureElement | undefined> } | undefined => {
      if (long) return undefined;
      const row = T.element('TR', container);
      return { row, cells: columns.map(() => T.element('TD', row)) };
    };
    /** The paragraph of a long listing on the current page. */
    const pageParagraph = () => {
      const page = this.doc.bufferedPageRange().count;
      if (pageText?.page !== page) {
        pageText?.el.end();
        pageText = { el: T.element('P', container), page };
      }
      return pageText.el;
    };
    prepared.forEach((cells, r) => {
      const tags = rowTags();
      const nLines = rowLines[r] ?? 1;
      const rowH = nLines * lh + 2 * CELL_PAD_Y;
      const linesLeft = Math.floor((this.bottom - this.y - 2 * CELL_PAD_Y) / lh);
      // A row moves to the next page whole, unless it is tall and a good part of it fits here.
      const split = rowH > pageRoom || (rowH > pageRoom / 4 && linesLeft >= 4);
      if (this.y + rowH > this.bottom && !split) continuePage();
      // Draw the row, in slices when it is taller than what is left of the page.
      let from = 0;
      while (from < nLines) {
        let fit = Math.floor((this.bottom - this.y - 2 * CELL_PAD_Y) / lh);
        if (fit < Math.min(2, nLines - from)) {
          continuePage();
          fit = Math.floor((this.bottom - this.y - 2 * CELL_PAD_Y) / lh);
        }
        const to = Math.min(nLines, from + Math.max(1, fit));
        const h = (to - from) * lh + 2 * CELL_PAD_Y;
        const drawSlice = () => {
          if (r % 2 === 1) T.artifact(() => this.ops.rect(this.left, this.y, this.width, h, this.c.tableStripe));
          cells.forEach((cell, i) => {
            const shown = cell.lines.slice(from, to);
            const draw = () => this.drawLines(shown, cell.style, (xs[i] ?? 0) + CELL_PAD_X, this.y + CELL_PAD_Y, (widths[i] ?? 0) - 2 * CELL_PAD_X, cell.align);
            const td = tags?.cells[i];
            if (td && shown.some((l) => l !== '')) T.mark(td, 'TD', draw);
            else draw();
          });
          // Mark the rest of a split row, so it is not read as a row of its own.
          if (from > 0 && (cells[0]?.lines.length ?? 0) <= from)
            T.artifact(() => this.drawLines(['(cont.)'], captionStyle, this.left + CELL_PAD_X, this.y + CELL_PAD_Y, (widths[0] ?? 0) - 2 * CELL_PAD_X));
          this.y += h;
          this.rule(this.c.rule, 0.4);
        };
        this.ops.batch(() => (long ? T.mark(pageParagraph(), 'P', drawSlice) : drawSlice()));
        from = to;
      }
      for (const td of tags?.cells ?? []) td?.end();
      tags?.row.end();
    });
    pageText?.el.end();
    container.end();
    this.y += 8;
  }

  /** A chart or picture, read out by its description; returns what `draw` returns (its height). */
  figure(alt: string, draw: () => number): number {
    let h = 0;
    this.tags.leaf('Figure', () => (h = draw()), this.tags.root, { alt });
    return h;
  }

  rule(color: string, width: number): void {
    this.tags.artifact(() => this.ops.hline(this.left, this.left + this.width, this.y, color, width));
  }
}

/** Split a word wider than `width`, preferably after punctuation such as `.` `/` `-`. */
function breakWord(word: string, width: number, w: (t: string) => number): string[] {
  const pieces: string[] = [];
  let chunk = '';
  let chunkWidth = 0;
  for (const ch of word) {
    // Summed per character (cached): exact but for kerning, which only narrows the text.
    const cw = w(ch);
    if (chunk === '' || chunkWidth + cw <= width) {
      chunk += ch;
      chunkWidth += cw;
      continue;
    }
    const cut = Math.max(...['.', '/', '-', '_', ':', ',', '=', ']', ')'].map((p) => chunk.lastIndexOf(p)));
    if (cut >= 2 && cut < chunk.length - 1) {
      pieces.push(chunk.slice(0, cut + 1));
      chunk = chunk.slice(cut + 1) + ch;
    } else {
      pieces.push(chunk);
      chunk = ch;
    }
    chunkWidth = w(chunk);
  }
  pieces.push(chunk);
  // Never leave one or two characters alone on the last line ("allowPrivilegeEscalatio" / "n").
  const prev = pieces[pieces.length - 2];
  if (prev !== undefined && chunk.length < 3 && prev.length > 6) {
    const moved = 3 - chunk.length;
    pieces[pieces.length - 2] = prev.slice(0, -moved);
    pieces[pieces.length - 1] = prev.slice(-moved) + chunk;
  }
  return pieces;
}

export function callout(L: Layout, text: string, color: string): void {
  const s = L.style(FONT.bold, 9, L.c.text);
  const lines = L.wrap(text, s, L.width - 16);
  const h = lines.length * L.lineHeight(s) + 10;
  L.ensure(h);
  L.tags.artifact(() => L.doc.rect(L.left, L.y, 3, h).fill(color));
  L.drawLines(lines, s, L.left + 12, L.y + 5, L.width - 16);
  L.y += h + 8;
}
