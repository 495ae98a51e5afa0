/**
 * What pdf-ops.ts relies on beyond pdfkit's documented API (ADR 0008). pdfkit is pinned to one
 * version in package.json; this test fails first when an upgrade moves any of it, so the fast
 * text writer is adapted before a report is wrong.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { registerFonts } from '../../src/report/pdf-fonts.js';
import { FONT } from '../../src/report/pdf-layout.js';
import { PdfOps } from '../../src/report/pdf-ops.js';

interface Internals {
  _font: { id: unknown; ref: unknown; encode: (text: string) => [unknown, unknown] };
  page: { fonts: unknown };
}

describe('pdfkit internals used by the direct text writer', () => {
  it('pdfkit is pinned exactly, and the installed version is the pinned one', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const installed = (createRequire(import.meta.url)('pdfkit/package.json') as { version: string }).version;
    expect(pkg.dependencies['pdfkit']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(pkg.dependencies['pdfkit']);
  });

  it('the current font is doc._font with an id, ref() and encode() giving glyph ids as hex; the page keeps its fonts in page.fonts', () => {
    const doc = new PDFDocument({ autoFirstPage: true });
    registerFonts(doc);
    doc.font(FONT.regular);
    const d = doc as unknown as Internals;
    expect(typeof d._font.id).toBe('string');
    expect(typeof d._font.ref).toBe('function');
    const [hex] = d._font.encode('A');
    expect(Array.isArray(hex)).toBe(true);
    expect((hex as string[]).join('')).toMatch(/^[0-9a-f]{4}$/);
    expect(typeof d.page.fonts).toBe('object');
    doc.end();
  });

  it('marked content is written through doc.addContent, so a batch of direct operators keeps it in order', () => {
    const doc = new PDFDocument({ autoFirstPage: true, tagged: true });
    registerFonts(doc);
    const ops = new PdfOps(doc);
    const seen: string[] = [];
    const write = doc.addContent.bind(doc);
    doc.addContent = (data: string) => {
      seen.push(String(data));
      return write(data);
    };
    ops.batch(() => {
      doc.markStructureContent('P');
      ops.text(FONT.regular, 10, '#000000', [{ text: 'x', x: 10, baseline: 20 }]);
      doc.endMarkedContent();
    });
    expect(seen).toHaveLength(1);
    // One write, in drawing order: begin marked content, the text, end.
    expect(seen[0]).toMatch(/^\/P <<\s*\/MCID 0\s*>> BDC\nq .* Tj\nET Q\nEMC$/s);
    doc.end();
  });
});
