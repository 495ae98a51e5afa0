/** Read a PDF back with pdfjs-dist: text per page (in drawing order) and where each piece sits. */

export interface TextBox {
  str: string;
  /** Left edge and top edge, in points from the page's top-left corner. */
  x: number;
  top: number;
  width: number;
  height: number;
}

export interface PdfPage {
  /** The page's text items joined by single spaces, whitespace collapsed. */
  text: string;
  boxes: TextBox[];
  width: number;
  height: number;
}

export interface ReadPdf {
  pages: PdfPage[];
  info: Record<string, unknown>;
}

export const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

export async function readPdf(buf: Buffer): Promise<ReadPdf> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(buf), verbosity: 0, disableFontFace: true, useSystemFonts: false }).promise;
  try {
    const pages: PdfPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const [, , width, height] = page.view as [number, number, number, number];
      const content = await page.getTextContent();
      const boxes: TextBox[] = [];
      const strs: string[] = [];
      for (const item of content.items) {
        if (!('str' in item)) continue;
        strs.push(item.str);
        if (item.str.trim() === '') continue;
        const [, , , , e, f] = item.transform as number[];
        boxes.push({ str: item.str, x: e ?? 0, top: height - (f ?? 0) - item.height * 0.75, width: item.width, height: item.height });
      }
      pages.push({ text: squash(strs.join(' ')), boxes, width, height });
    }
    const meta = await doc.getMetadata();
    return { pages, info: meta.info as Record<string, unknown> };
  } finally {
    await doc.destroy();
  }
}

/** Pairs of text boxes on one page whose rectangles intersect (beyond a rounding tolerance). */
export function overlaps(page: PdfPage, tolerance = 0.5): Array<[TextBox, TextBox]> {
  const out: Array<[TextBox, TextBox]> = [];
  const bs = page.boxes;
  for (let i = 0; i < bs.length; i++) {
    for (let j = i + 1; j < bs.length; j++) {
      const a = bs[i]!;
      const b = bs[j]!;
      const dx = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const dy = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
      if (dx > tolerance && dy > tolerance) out.push([a, b]);
    }
  }
  return out;
}

/**
 * The text of one table column across all pages, top to bottom: the boxes below the column's
 * header cell (found by its text) and left of the next header cell (or the page edge), above the page footer.
 */
export function columnText(pdf: ReadPdf, header: string, nextHeader: string | undefined, footerTop: (page: PdfPage) => number): string {
  const parts: string[] = [];
  for (const page of pdf.pages) {
    const head = page.boxes.find((b) => b.str === header);
    if (!head) continue;
    const next = nextHeader === undefined ? { x: page.width } : page.boxes.find((b) => b.str === nextHeader && Math.abs(b.top - head.top) < 1);
    if (!next) continue;
    const inColumn = page.boxes
      .filter((b) => b.x >= head.x - 1 && b.x < next.x - 1 && b.top > head.top + 1 && b.top < footerTop(page))
      .sort((a, b) => a.top - b.top || a.x - b.x);
    parts.push(...inColumn.map((b) => b.str));
  }
  return parts.join(' ');
}

/** The text of every page but the table of contents, whose lines repeat the headings. */
export function textAfterContents(pdf: ReadPdf): string {
  return pdf.pages
    .filter((p) => !/(^| )Contents Executive summary \d+ /.test(p.text))
    .map((p) => p.text)
    .join(' ');
}
