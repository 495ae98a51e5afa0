import PDFDocument from 'pdfkit';
import { FONT, Layout } from '../../src/report/pdf-layout.js';
import { registerFonts } from '../../src/report/pdf-fonts.js';
import { loadTemplate } from '../../src/report/pdf-template.js';
import { readPdf, squash } from './pdf-text.js';

function layout(): Layout {
  const doc = new PDFDocument({ size: 'A4', autoFirstPage: true });
  registerFonts(doc);
  return new Layout(doc, loadTemplate());
}

describe('PDF line wrapping', () => {
  const L = layout();
  const s = L.style(FONT.regular, 7.5);

  it('keeps every line within the width, and every character, breaking long words after punctuation', () => {
    const path = 'spec.template.spec.containers[app].securityContext.allowPrivilegeEscalation';
    for (const width of [40, 60, 80, 110]) {
      const lines = L.wrap(path, s, width);
      expect(lines.join('')).toBe(path);
      for (const line of lines) expect(L.textWidth(line, s)).toBeLessThanOrEqual(width + 0.01);
    }
    // At a width that fits "spec.template.spec." the first break comes after a dot, not mid-word.
    expect(L.wrap(path, s, L.textWidth('spec.template.spec.cont', s))[0]).toBe('spec.template.spec.');
  });

  it('never leaves one or two characters alone on the last line of a broken word', () => {
    const word = 'allowPrivilegeEscalation';
    // Widths at which a plain cut would leave 1 or 2 characters over.
    const widths = [1, 2].map((n) => L.textWidth(word.slice(0, -n), s) + 0.01);
    for (const width of widths) {
      const lines = L.wrap(word, s, width);
      expect(lines.join('')).toBe(word);
      expect(lines.length).toBe(2);
      expect(lines[1]?.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('wraps words at spaces and keeps explicit line breaks', () => {
    const lines = L.wrap('the service account can read Secrets\nNote: every namespace', s, L.textWidth('the service account can', s) + 0.01);
    expect(lines).toEqual(['the service account can', 'read Secrets', 'Note: every namespace']);
  });
});

describe('PDF text written as content-stream operators', () => {
  it('reads back every character, whatever glyph ids its subset gives them (ids whose bytes are ( ) or \\ included)', async () => {
    const doc = new PDFDocument({ size: 'A4', autoFirstPage: true, info: { CreationDate: new Date('2026-01-01T00:00:00Z') } });
    registerFonts(doc);
    const L = new Layout(doc, loadTemplate());
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
    doc.on('data', (c: Buffer) => chunks.push(c));
    // Over 120 distinct characters: the subset numbers glyphs in order of first use, so ids 40,
    // 41 and 92 (parentheses and backslash as bytes, which must be escaped) are all taken.
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    const latin = 'àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ';
    const lines = [ascii.slice(0, 48), ascii.slice(48), latin, 'unknown (forbidden) \\ back-slash'];
    L.drawLines(lines, L.style(FONT.regular, 9), L.left, L.top, L.width);
    L.drawLines(['bold ( ) \\ text'], L.style(FONT.bold, 9), L.left, L.top + 60, L.width);
    doc.end();
    const pdf = await readPdf(await done);
    const text = pdf.pages[0]?.text ?? '';
    for (const line of [...lines, 'bold ( ) \\ text']) expect(text).toContain(squash(line));
  });
});

describe('PDF tables at the foot of a page', () => {
  it('never leave the header alone: it moves with the first row when that row does not fit under it', async () => {
    const doc = new PDFDocument({ size: 'A4', autoFirstPage: true, info: { CreationDate: new Date('2026-01-01T00:00:00Z') } });
    registerFonts(doc);
    const L = new Layout(doc, loadTemplate());
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
    doc.on('data', (c: Buffer) => chunks.push(c));
    const lh = L.lineHeight(L.style(FONT.regular, 7.5));
    const tall = Array.from({ length: 8 }, (_, i) => `line${i}`).join('\n');
    // The same table started at every height from 2 to 12 lines above the foot of a page.
    const offsets = Array.from({ length: 21 }, (_, i) => 2 + i / 2);
    for (const [n, lines] of offsets.entries()) {
      L.newPage();
      L.y = L.bottom - lines * lh;
      // Long enough not to be kept together on one page (that rule moves small tables whole).
      const rows = Array.from({ length: 12 }, (_, r) => [tall.replace(/line/g, r === 0 ? `row${n}x` : `other${r}-`), 'x']);
      L.table([{ header: `Header${n}x`, width: 1 }, { header: 'Other', width: 1 }], rows);
    }
    doc.end();
    const pdf = await readPdf(await done);
    for (const n of offsets.keys()) {
      const withHeader = pdf.pages.filter((p) => p.text.includes(`Header${n}x`));
      expect(withHeader.length).toBeGreaterThan(0);
      // The header is repeated on the pages the table continues to: each has rows under it.
      for (const page of withHeader) expect([n, /row\d+x|other\d+-/.test(page.text.slice(page.text.indexOf(`Header${n}x`)))]).toEqual([n, true]);
    }
  });
});
