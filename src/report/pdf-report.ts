import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { z } from 'zod';
import type { ResourceRef, Severity, Status } from '../core/types.js';
import { SEVERITIES, STATUSES } from '../core/types.js';
import { packageRoot } from '../core/version.js';
import type { StatusCounts } from '../evaluate/evaluate.js';
import type { ClusterSection, ControlSection, ReportFinding, RunReport } from './model.js';

/* ------------------------------------------------------------------------------------------ */
/* Template                                                                                   */
/* ------------------------------------------------------------------------------------------ */

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'use a hex colour such as #1f3a5f');

const templateSchema = z
  .object({
    /** Shown on the cover, in the running header and as the PDF author. */
    organisation: z.string().min(1).max(120),
    title: z.string().min(1).max(120),
    pageSize: z.enum(['A4', 'A3', 'LETTER', 'LEGAL']),
    /** Points (1/72 inch). Top and bottom hold the running header and footer. */
    margins: z
      .object({
        top: z.number().min(50).max(144),
        bottom: z.number().min(50).max(144),
        left: z.number().min(24).max(144),
        right: z.number().min(24).max(144),
      })
      .strict(),
    footerText: z.string().max(200),
    colours: z
      .object({
        primary: colour,
        text: colour,
        muted: colour,
        rule: colour,
        tableHeader: colour,
        tableStripe: colour,
        status: z.object({ pass: colour, fail: colour, unknown: colour, manual: colour, 'not-applicable': colour, error: colour }).strict(),
        severity: z.object({ critical: colour, high: colour, medium: colour, low: colour, info: colour }).strict(),
      })
      .strict(),
  })
  .strict();

/** How a PDF report looks: `templates/<name>/template.json` (see templates/README.md). */
export type PdfTemplate = z.infer<typeof templateSchema>;

/**
 * Read `template.json` from a template directory (default: `templates/default` in the package).
 * Throws with the file name and the offending fields when the file is missing or invalid.
 */
export function loadTemplate(dir?: string): PdfTemplate {
  const file = join(dir ?? join(packageRoot(), 'templates', 'default'), 'template.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read PDF template ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid PDF template ${file}: ${why}`);
  }
  return parsed.data;
}

/* ------------------------------------------------------------------------------------------ */
/* Text helpers                                                                               */
/* ------------------------------------------------------------------------------------------ */

const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique', mono: 'Courier' } as const;
type FontName = (typeof FONT)[keyof typeof FONT];
/** Ascenders of the built-in fonts (from their AFM files), to align baselines across fonts. */
const ASCENDER: Record<FontName, number> = { Helvetica: 718, 'Helvetica-Bold': 718, 'Helvetica-Oblique': 718, Courier: 629 };

/** Code points above 0xFF that the built-in fonts (WinAnsiEncoding) can show. */
const WIN_ANSI_EXTRA = new Set([
  0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d,
  0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);
const TRANSLITERATE: Record<string, string> = { '≥': '>=', '≤': '<=', '≠': '!=', '→': '->', '←': '<-', '✓': 'v', '✗': 'x', '\u00ad': '' };

/**
 * Make text showable with the built-in fonts: tabs become spaces, control characters go, and
 * characters outside WinAnsi are transliterated or replaced by `?` (never silently dropped).
 */
export function pdfSafe(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n').normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    if (ch === '\n') out += ch;
    else if (ch === '\t') out += ' ';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    else if (cp <= 0xff || WIN_ANSI_EXTRA.has(cp)) out += ch;
    else if (TRANSLITERATE[ch] !== undefined) out += TRANSLITERATE[ch];
    else {
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += [...base].every((c) => (c.codePointAt(0) ?? 0x100) <= 0xff) && base !== '' ? base : '?';
    }
  }
  return out;
}

const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtRate = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);

function fmtTime(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function fmtDuration(from: string, to: string | undefined): string {
  if (!to) return 'not finished';
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

export function resourceLabel(r: ResourceRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.container ? ` [${r.container}]` : ''}`;
}

const STATUS_LABEL: Record<Status, string> = {
  pass: 'pass',
  fail: 'fail',
  unknown: 'unknown',
  manual: 'manual',
  'not-applicable': 'not-applicable',
  error: 'error',
};

const STATUS_MEANING: Record<Status, string> = {
  pass: 'the control was checked against the collected evidence and is met.',
  fail: 'the control was checked and is not met by the resource named.',
  unknown: 'the evidence the control needs could not be read (for example a 403 on secrets). Never counted as passed.',
  manual: 'the control cannot be checked automatically; a person has to review it. Never counted as passed.',
  'not-applicable': 'the control does not apply to this resource or cluster.',
  error: 'the control itself could not be evaluated (a fault in complyd or in the data).',
};

/** Order in which status columns are shown everywhere. */
const STATUS_COLUMNS: readonly Status[] = ['pass', 'fail', 'unknown', 'manual', 'not-applicable', 'error'];

/* ------------------------------------------------------------------------------------------ */
/* Layout: a cursor over buffered pages, own line wrapping, tables that paginate themselves     */
/* ------------------------------------------------------------------------------------------ */

interface Style {
  font: FontName;
  size: number;
  color: string;
}

interface Cell {
  text: string;
  color?: string;
  font?: FontName;
}

interface PendingHeading {
  lines: string[];
  style: Style;
  level: 1 | 2 | 3;
  onDraw?: () => void;
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
const CELL_PAD_X = 3.5;
const CELL_PAD_Y = 2.5;

class Layout {
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
  }

  get c() {
    return this.tpl.colours;
  }

  style(font: FontName, size: number, color = this.c.text): Style {
    return { font, size, color };
  }

  private use(s: Style): void {
    this.doc.font(s.font).fontSize(s.size).fillColor(s.color);
  }

  lineHeight(s: Style): number {
    return s.size * LEADING;
  }

  textWidth(text: string, s: Style): number {
    this.doc.font(s.font).fontSize(s.size);
    return this.doc.widthOfString(pdfSafe(text));
  }

  /** Wrap text into lines no wider than `width`; words longer than a line break inside. */
  wrap(text: string, s: Style, width: number): string[] {
    this.doc.font(s.font).fontSize(s.size);
    const w = (t: string) => this.doc.widthOfString(t);
    const lines: string[] = [];
    for (const para of pdfSafe(text).split('\n')) {
      let line = '';
      for (const word of para.split(/ +/)) {
        if (word === '') continue;
        const candidate = line ? `${line} ${word}` : word;
        if (w(candidate) <= width) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        line = '';
        if (w(word) <= width) {
          line = word;
          continue;
        }
        const pieces = breakWord(word, width, w);
        lines.push(...pieces.slice(0, -1));
        line = pieces[pieces.length - 1] ?? '';
      }
      lines.push(line);
    }
    return lines;
  }

  /** Draw already wrapped lines; never triggers pdfkit's own page breaking. */
  drawLines(lines: readonly string[], s: Style, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'left'): void {
    this.use(s);
    const lh = this.lineHeight(s);
    // pdfkit puts the top of the ascender at y; line the baselines of all fonts up instead.
    y += ((ASCENDER.Helvetica - ASCENDER[s.font]) / 1000) * s.size;
    lines.forEach((raw, i) => {
      const line = pdfSafe(raw);
      if (line === '') return;
      const lw = this.doc.widthOfString(line);
      const dx = align === 'right' ? width - lw : align === 'center' ? (width - lw) / 2 : 0;
      this.doc.text(line, x + dx, y + i * lh, { lineBreak: false });
    });
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
    for (const line of this.wrap(text, s, this.width - indent)) {
      this.ensure(lh);
      this.drawLines([line], s, this.left + indent, this.y, this.width - indent);
      this.y += lh;
    }
    this.y += opts.after ?? 4;
  }

  private pending: PendingHeading[] = [];

  /**
   * A heading, drawn with the first content that follows it (see `ensure`). `onDraw` runs on
   * the page it lands on (for outline entries).
   */
  heading(text: string, level: 1 | 2 | 3, onDraw?: () => void): void {
    const style = level === 1 ? this.style(FONT.bold, 16, this.c.primary) : level === 2 ? this.style(FONT.bold, 12, this.c.primary) : this.style(FONT.bold, 9.5, this.c.text);
    this.pending.push({ lines: this.wrap(text, style, this.width), style, level, ...(onDraw ? { onDraw } : {}) });
  }

  private headingHeight(p: PendingHeading): number {
    const before = p.level === 1 ? 14 : p.level === 2 ? 10 : 6;
    return before + p.lines.length * this.lineHeight(p.style) + (p.level === 1 ? 10 : 4);
  }

  private drawHeading(p: PendingHeading): void {
    if (this.y > this.top) this.y += p.level === 1 ? 14 : p.level === 2 ? 10 : 6;
    p.onDraw?.();
    this.drawLines(p.lines, p.style, this.left, this.y, this.width);
    this.y += p.lines.length * this.lineHeight(p.style);
    if (p.level === 1) {
      this.doc.moveTo(this.left, this.y + 2).lineTo(this.left + this.width, this.y + 2).lineWidth(1).strokeColor(this.c.primary).stroke();
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
      this.drawLines(labelLines, ls, this.left, this.y, labelW - 8);
      this.drawLines(lines, vs, this.left + labelW, this.y, this.width - labelW);
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

    const drawHeader = () => {
      this.doc.rect(this.left, this.y, this.width, headerH).fill(this.c.tableHeader);
      headerLines.forEach((lines, i) =>
        this.drawLines(lines, head, (xs[i] ?? 0) + CELL_PAD_X, this.y + CELL_PAD_Y, (widths[i] ?? 0) - 2 * CELL_PAD_X, columns[i]?.align ?? 'left'),
      );
      this.y += headerH;
      this.rule(this.c.primary, 0.6);
    };
    const continuePage = () => {
      this.newPage();
      if (captionLines.length) {
        this.drawLines(captionLines, captionStyle, this.left, this.y, this.width);
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
    const firstRowH = Math.min(rowLines[0] ?? 1, 3) * lh + 2 * CELL_PAD_Y;
    // A small table moves to the next page whole rather than leaving a row or two behind.
    const keepTogether = tableH <= pageRoom / 3;
    this.ensure(keepTogether ? tableH : headerH + firstRowH);
    drawHeader();
    if (prepared.length === 0) {
      this.drawLines(['none'], captionStyle, this.left + CELL_PAD_X, this.y + CELL_PAD_Y, this.width);
      this.y += lh + 2 * CELL_PAD_Y;
      this.rule(this.c.rule, 0.4);
    }

    prepared.forEach((cells, r) => {
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
        if (r % 2 === 1) this.doc.rect(this.left, this.y, this.width, h).fill(this.c.tableStripe);
        cells.forEach((cell, i) =>
          this.drawLines(cell.lines.slice(from, to), cell.style, (xs[i] ?? 0) + CELL_PAD_X, this.y + CELL_PAD_Y, (widths[i] ?? 0) - 2 * CELL_PAD_X, cell.align),
        );
        // Mark the rest of a split row, so it is not read as a row of its own.
        if (from > 0 && (cells[0]?.lines.length ?? 0) <= from)
          this.drawLines(['(cont.)'], captionStyle, this.left + CELL_PAD_X, this.y + CELL_PAD_Y, (widths[0] ?? 0) - 2 * CELL_PAD_X);
        this.y += h;
        this.rule(this.c.rule, 0.4);
        from = to;
      }
    });
    this.y += 8;
  }

  rule(color: string, width: number): void {
    this.doc.moveTo(this.left, this.y).lineTo(this.left + this.width, this.y).lineWidth(width).strokeColor(color).stroke();
  }
}

/** Split a word wider than `width`, preferably after punctuation such as `.` `/` `-`. */
function breakWord(word: string, width: number, w: (t: string) => number): string[] {
  const pieces: string[] = [];
  let chunk = '';
  for (const ch of word) {
    if (chunk === '' || w(chunk + ch) <= width) {
      chunk += ch;
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
  }
  pieces.push(chunk);
  return pieces;
}

/* ------------------------------------------------------------------------------------------ */
/* The report                                                                                 */
/* ------------------------------------------------------------------------------------------ */

export interface RenderPdfOptions {
  /** Defaults to `loadTemplate()`. */
  template?: PdfTemplate;
  /** PDF creation/modification date; with it, the same report always gives the same bytes. */
  creationDate?: Date;
}

/** Render a run report as a PDF for auditors. */
export async function renderPdf(report: RunReport, opts: RenderPdfOptions = {}): Promise<Buffer> {
  const tpl = opts.template ?? loadTemplate();
  const created = opts.creationDate ?? new Date();
  const doc = new PDFDocument({
    size: tpl.pageSize,
    margins: tpl.margins,
    bufferPages: true,
    autoFirstPage: true,
    displayTitle: true,
    lang: 'en',
    // Info, and thereby the trailer ID pdfkit derives from it, depends only on the input.
    info: {
      Title: `${tpl.title}: run ${report.run.id}`,
      Author: tpl.organisation,
      Subject: `Compliance run ${report.run.id} (${report.run.status}), generated ${report.generatedAt}`,
      Creator: `complyd ${report.complydVersion}`,
      Producer: 'complyd (PDFKit)',
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const L = new Layout(doc, tpl);
  cover(L, report);
  fleetSummary(L, report);
  notAssessed(L, report);
  failingPerCluster(L, report);
  controlDetails(L, report);
  integrity(L, report);
  L.ensure(0);
  pageFurniture(L, report);

  doc.end();
  return done;
}

function statusCell(L: Layout, status: Status, text: string = STATUS_LABEL[status]): Cell {
  return { text, color: L.c.status[status], font: FONT.bold };
}

function clusterStatusCell(L: Layout, status: string): Cell {
  const s: Status = status === 'complete' ? 'pass' : status === 'partial' ? 'unknown' : status === 'failed' ? 'error' : 'unknown';
  return { text: status, color: L.c.status[s], font: FONT.bold };
}

function severityCell(L: Layout, severity: Severity): Cell {
  return { text: severity, color: L.c.severity[severity] ?? L.c.text, font: FONT.bold };
}

function cover(L: Layout, report: RunReport): void {
  const { doc, tpl } = L;
  const titleStyle = L.style(FONT.bold, 24, '#ffffff');
  const orgStyle = L.style(FONT.regular, 13, '#ffffff');
  const titleLines = L.wrap(tpl.title, titleStyle, L.width);
  const orgLines = L.wrap(tpl.organisation, orgStyle, L.width);
  const titleY = 62;
  const orgY = titleY + titleLines.length * L.lineHeight(titleStyle) + 6;
  const band = Math.max(170, orgY + orgLines.length * L.lineHeight(orgStyle) + 40);
  doc.rect(0, 0, doc.page.width, band).fill(L.c.primary);
  L.drawLines(titleLines, titleStyle, L.left, titleY, L.width);
  L.drawLines(orgLines, orgStyle, L.left, orgY, L.width);
  L.y = band + 30;

  L.heading('Run', 2);
  const r = report.run;
  L.keyValues([
    ['Run ID', { text: r.id, font: FONT.mono }],
    ['Run status', { text: r.status, font: FONT.bold }],
    ['Trigger', r.trigger],
    ['Started', fmtTime(r.startedAt)],
    ['Finished', fmtTime(r.finishedAt)],
    ['Duration', fmtDuration(r.startedAt, r.finishedAt)],
    ['Report generated at', fmtTime(report.generatedAt)],
    ['complyd version', report.complydVersion],
    ['Catalog version', report.catalogVersion],
    ['Scope', report.clusters.length ? `${report.clusters.length} cluster(s): ${report.clusters.map((c) => c.name).join(', ')}` : 'no clusters'],
  ]);

  L.heading('How to read this report', 2);
  L.paragraph(
    'Every figure is a count of stored findings of this run; every cluster carries the SHA-256 of the snapshot its findings were computed from (see Integrity). A result is one control judged against one resource. Its status is one of:',
    L.style(FONT.regular, 9),
  );
  const s = L.style(FONT.regular, 9);
  const lh = L.lineHeight(s);
  for (const status of STATUS_COLUMNS) {
    const lines = L.wrap(STATUS_MEANING[status], s, L.width - 100);
    L.ensure(lines.length * lh + 3);
    doc.rect(L.left, L.y + 1.5, 8, 8).fill(L.c.status[status]);
    L.drawLines([STATUS_LABEL[status]], L.style(FONT.bold, 9, L.c.status[status]), L.left + 14, L.y, 86);
    L.drawLines(lines, s, L.left + 100, L.y, L.width - 100);
    L.y += lines.length * lh + 3;
  }
  L.space(4);
  L.paragraph('The pass rate is pass / (pass + fail). Unknown and manual results are never counted as passed.', L.style(FONT.bold, 9));
}

function countsRow(L: Layout, c: StatusCounts): Cell[] {
  return STATUS_COLUMNS.map((s) => ({ text: fmtInt(c[s]), color: c[s] > 0 ? L.c.status[s] : L.c.muted, font: c[s] > 0 ? FONT.bold : FONT.regular }));
}

function fleetSummary(L: Layout, report: RunReport): void {
  L.newPage();
  L.heading('1 Fleet summary', 1, () => L.doc.outline.addItem('1 Fleet summary'));
  const f = report.fleet;
  const c = f.counts;
  const body = L.style(FONT.regular, 9.5);
  L.keyValues(
    [
      ['Clusters assessed', `${fmtInt(f.assessed)} of ${fmtInt(f.clusters)}`],
      ['Results', fmtInt(STATUSES.reduce((a, s) => a + c[s], 0))],
      ['Pass rate', { text: `${fmtRate(f.passRate)}  (pass / (pass + fail) = ${fmtInt(c.pass)} / ${fmtInt(c.pass + c.fail)})`, font: FONT.bold }],
    ],
    { size: 9.5, labelWidth: 130 },
  );
  L.table(
    STATUS_COLUMNS.map((s) => ({ header: STATUS_LABEL[s], width: 1, align: 'right' as const })),
    [countsRow(L, c)],
    { size: 9 },
  );
  L.paragraph(
    'Unknown and manual results are never counted as passed: the pass rate only divides passes by the checks that were decided (pass + fail). Not-applicable and error results are not counted either way.',
    body,
  );
  const warn: string[] = [];
  const failed = report.clusters.filter((x) => x.status === 'failed').length;
  const gaps = report.clusters.reduce((a, x) => a + x.gaps.length, 0);
  if (failed > 0) warn.push(`${failed} cluster(s) could not be assessed at all`);
  if (gaps > 0) warn.push(`${gaps} piece(s) of evidence could not be read`);
  if (c.unknown + c.error > 0) warn.push(`${fmtInt(c.unknown + c.error)} result(s) are unknown or errors`);
  if (warn.length > 0) callout(L, `Incomplete assessment: ${warn.join('; ')}. See section 2, "What could not be assessed".`, L.c.status.unknown);

  L.heading('Clusters', 2);
  L.table(
    [
      { header: 'Cluster', width: 17 },
      { header: 'Status', width: 10 },
      { header: 'Provider', width: 9 },
      { header: 'Version', width: 12 },
      { header: 'Objects read', width: 10, align: 'right' },
      { header: 'Pass', width: 8, align: 'right' },
      { header: 'Fail', width: 8, align: 'right' },
      { header: 'Unknown', width: 9, align: 'right' },
      { header: 'Pass rate', width: 9, align: 'right' },
    ],
    report.clusters.map((x) => [
      { text: x.name, font: FONT.bold },
      clusterStatusCell(L, x.status),
      x.provider ?? '-',
      x.serverVersion ?? '-',
      fmtInt(x.objectTotal),
      { text: fmtInt(x.counts.pass), color: L.c.status.pass },
      { text: fmtInt(x.counts.fail), color: x.counts.fail > 0 ? L.c.status.fail : L.c.text },
      { text: fmtInt(x.counts.unknown), color: x.counts.unknown > 0 ? L.c.status.unknown : L.c.text },
      fmtRate(x.passRate),
    ]),
    { size: 8.5, caption: 'Clusters' },
  );
  if (report.clusters.some((x) => x.counts.manual + x.counts['not-applicable'] + x.counts.error > 0)) {
    L.heading('All statuses per cluster', 3);
    L.table(
      [{ header: 'Cluster', width: 17 }, ...STATUS_COLUMNS.map((s) => ({ header: STATUS_LABEL[s], width: 10, align: 'right' as const }))],
      report.clusters.map((x) => [{ text: x.name, font: FONT.bold }, ...countsRow(L, x.counts)]),
      { size: 8.5, caption: 'All statuses per cluster' },
    );
  }
}

function callout(L: Layout, text: string, color: string): void {
  const s = L.style(FONT.bold, 9, L.c.text);
  const lines = L.wrap(text, s, L.width - 16);
  const h = lines.length * L.lineHeight(s) + 10;
  L.ensure(h);
  L.doc.rect(L.left, L.y, 3, h).fill(color);
  L.drawLines(lines, s, L.left + 12, L.y + 5, L.width - 16);
  L.y += h + 8;
}

function notAssessed(L: Layout, report: RunReport): void {
  L.heading('2 What could not be assessed', 1, () => L.doc.outline.addItem('2 What could not be assessed'));
  const body = L.style(FONT.regular, 9.5);
  L.paragraph(
    'Evidence that could not be read is never treated as compliant. Every control that needs evidence listed here reports unknown for that cluster (not pass), and a cluster that failed as a whole has no results at all.',
    body,
  );
  const failed = report.clusters.filter((c) => c.status === 'failed');
  L.heading('Clusters that could not be assessed', 2);
  if (failed.length === 0) L.paragraph('None: every cluster in scope was assessed.', body);
  else
    L.table(
      [
        { header: 'Cluster', width: 20 },
        { header: 'Error', width: 80 },
      ],
      failed.map((c) => [{ text: c.name, font: FONT.bold }, { text: c.error ?? 'no error recorded', color: L.c.status.error }]),
      { size: 8.5, caption: 'Clusters that could not be assessed' },
    );

  const gaps = report.clusters.flatMap((c) => c.gaps.map((g) => ({ cluster: c.name, ...g })));
  L.heading('Evidence that could not be read (gaps)', 2);
  if (gaps.length === 0) L.paragraph('None: every piece of evidence was read on every assessed cluster.', body);
  else
    L.table(
      [
        { header: 'Cluster', width: 15 },
        { header: 'Evidence', width: 15 },
        { header: 'Reason', width: 12 },
        { header: 'Message', width: 58 },
      ],
      gaps.map((g) => [{ text: g.cluster, font: FONT.bold }, { text: g.evidence, font: FONT.bold }, { text: g.reason, color: L.c.status.unknown, font: FONT.bold }, g.message]),
      { size: 8, caption: 'Evidence that could not be read' },
    );
}

function failingPerCluster(L: Layout, report: RunReport): void {
  L.heading('3 Failing controls per cluster', 1, () => L.doc.outline.addItem('3 Failing controls per cluster'));
  const body = L.style(FONT.regular, 9.5);
  if (report.clusters.length === 0) L.paragraph('No clusters in scope.', body);
  for (const c of report.clusters) {
    L.heading(c.status === 'failed' ? `${c.name}  (failed: not assessed)` : `${c.name}  (${c.status}, ${c.failingControls.length} failing control(s))`, 2);
    if (c.status === 'failed') L.paragraph(`Not assessed: ${c.error ?? 'no error recorded'}`, L.style(FONT.regular, 9.5, L.c.status.error));
    else if (c.failingControls.length === 0) L.paragraph('No failing controls.', body);
    else
      L.table(
        [
          { header: 'Control', width: 22 },
          { header: 'Title', width: 52 },
          { header: 'Severity', width: 12 },
          { header: 'Failed', width: 10, align: 'right' },
        ],
        c.failingControls.map((f) => [{ text: f.controlId, font: FONT.bold }, f.title, severityCell(L, f.severity), { text: fmtInt(f.failed), color: L.c.status.fail, font: FONT.bold }]),
        { size: 8.5, caption: `Failing controls on ${c.name}` },
      );
  }
}

function refsText(c: ControlSection): string {
  const parts: string[] = [];
  if (c.refs.cis) parts.push(`CIS ${c.refs.cis}`);
  if (c.refs.pss) parts.push(`PSS ${c.refs.pss}`);
  if (c.refs.nsa) parts.push(`NSA ${c.refs.nsa}`);
  if (c.refs.kubescape?.length) parts.push(`kubescape ${c.refs.kubescape.join(', ')}`);
  return parts.length ? parts.join('  |  ') : 'none';
}

function findingRow(L: Layout, f: ReportFinding): Cell[] {
  const detail = f.evidence?.expected && f.message ? `${f.evidence.expected}\nNote: ${f.message}` : (f.evidence?.expected ?? f.message ?? '');
  return [
    { text: f.cluster },
    { text: resourceLabel(f.resource) },
    statusCell(L, f.status),
    { text: f.evidence?.path ?? '-' },
    { text: f.evidence?.observed ?? '-' },
    { text: detail || '-' },
  ];
}

function controlDetails(L: Layout, report: RunReport): void {
  const shown = report.controls.map((c) => ({ c, findings: c.findings.filter((f) => f.status !== 'pass') })).filter((x) => x.findings.length > 0);
  const sevRank = (s: Severity) => SEVERITIES.indexOf(s);
  shown.sort((a, b) => sevRank(a.c.severity) - sevRank(b.c.severity) || a.c.id.localeCompare(b.c.id));

  L.newPage();
  let parent: PDFKit.PDFOutline = L.doc.outline;
  L.heading('4 Control details', 1, () => (parent = L.doc.outline.addItem('4 Control details')));
  const body = L.style(FONT.regular, 9);
  L.paragraph(
    `Controls with at least one result other than pass (${shown.length} of ${report.controls.length}), most severe first. Controls that passed everywhere are only counted in the summary.`,
    body,
  );
  for (const [i, { c, findings }] of shown.entries()) {
    if (i > 0) {
      L.ensure(160);
      if (L.y > L.top) {
        L.space(6);
        L.rule(L.c.rule, 0.8);
        L.space(4);
      }
    } else L.ensure(160);
    L.heading(`${c.id}: ${c.title}`, 2, () => parent.addItem(`${c.id}: ${c.title}`));
    L.keyValues(
      [
        ['Severity', severityCell(L, c.severity)],
        ['Section', c.section || '-'],
        ['Frameworks', c.frameworks.length ? c.frameworks.join(', ') : '-'],
        ['References', refsText(c)],
        ['Checked', c.automated ? 'automatically' : 'manually (needs a person)'],
      ],
      { size: 8.5, labelWidth: 90 },
    );
    L.heading('Rationale', 3);
    L.paragraph(c.rationale || '-', body);
    L.heading('Remediation', 3);
    L.paragraph(c.remediation || '-', body);
    L.heading('Results per cluster', 3);
    L.table(
      [{ header: 'Cluster', width: 22 }, { header: 'Result', width: 14 }, ...STATUS_COLUMNS.map((s) => ({ header: STATUS_LABEL[s], width: 10.6, align: 'right' as const }))],
      c.results.map((r) => [{ text: r.cluster, font: FONT.bold }, statusCell(L, r.status), ...countsRow(L, r.counts)]),
      { size: 8, caption: `Results of ${c.id}` },
    );
    L.heading(`Findings (${fmtInt(findings.length)})`, 3);
    L.table(
      [
        { header: 'Cluster', width: 9 },
        { header: 'Resource', width: 22 },
        { header: 'Status', width: 9 },
        { header: 'Evidence path', width: 24 },
        { header: 'Observed', width: 14 },
        { header: 'Expected / message', width: 22 },
      ],
      findings.map((f) => findingRow(L, f)),
      { size: 7.5, caption: `Findings of ${c.id}: ${c.title}` },
    );
  }
  if (shown.length === 0) L.paragraph('Every control passed on every assessed cluster.', body);
}

function integrity(L: Layout, report: RunReport): void {
  L.ensure(200);
  L.heading('5 Integrity', 1, () => L.doc.outline.addItem('5 Integrity'));
  const body = L.style(FONT.regular, 9);
  L.paragraph(
    'Each figure in this report is computed from stored findings of the run below. The SHA-256 of a cluster is that of the canonical JSON of the snapshot its findings were evaluated from, so a figure can be traced to its evidence.',
    body,
  );
  L.keyValues([
    ['Run ID', { text: report.run.id, font: FONT.mono }],
    ['Report schema', report.schema],
    ['Catalog version', report.catalogVersion],
    ['complyd version', report.complydVersion],
  ]);
  L.table(
    [
      { header: 'Cluster', width: 20 },
      { header: 'Status', width: 11 },
      { header: 'Snapshot SHA-256', width: 69 },
    ],
    report.clusters.map((c: ClusterSection) => [
      { text: c.name, font: FONT.bold },
      clusterStatusCell(L, c.status),
      c.snapshotHash ? { text: c.snapshotHash, font: FONT.mono } : { text: 'none: no snapshot was taken', color: L.c.muted },
    ]),
    { size: 8, caption: 'Snapshot hashes' },
  );
}

/** Running header, footer text and "page N of M" on every buffered page. */
function pageFurniture(L: Layout, report: RunReport): void {
  const { doc, tpl } = L;
  const range = doc.bufferedPageRange();
  const small = L.style(FONT.regular, 7.5, L.c.muted);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const saved = doc.page.margins;
    // Writing into the margins must not make pdfkit start a page.
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    const pageLabel = `page ${i - range.start + 1} of ${range.count}`;
    const labelW = L.textWidth(pageLabel, small);
    const footY = doc.page.height - tpl.margins.bottom + 14;
    doc.moveTo(L.left, footY - 5).lineTo(L.left + L.width, footY - 5).lineWidth(0.5).strokeColor(L.c.rule).stroke();
    L.drawLines(L.wrap(tpl.footerText, small, L.width - labelW - 24), small, L.left, footY, L.width - labelW - 24);
    L.drawLines([pageLabel], small, L.left, footY, L.width, 'right');
    if (i > range.start) {
      const runLabel = `run ${report.run.id}`;
      const runW = L.textWidth(runLabel, small);
      const headLines = L.wrap(`${tpl.title}  |  ${tpl.organisation}`, small, L.width - runW - 24);
      const ruleY = tpl.margins.top - 14;
      const headY = ruleY - 4 - headLines.length * L.lineHeight(small);
      L.drawLines(headLines, small, L.left, headY, L.width - runW - 24);
      L.drawLines([runLabel], small, L.left, ruleY - 4 - L.lineHeight(small), L.width, 'right');
      doc.moveTo(L.left, ruleY).lineTo(L.left + L.width, ruleY).lineWidth(0.5).strokeColor(L.c.rule).stroke();
    }
    doc.page.margins = saved;
  }
}
