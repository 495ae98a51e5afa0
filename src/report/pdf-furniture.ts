/** The running header and footer of every page, drawn once the pages are laid out; artifacts for screen readers. */
import { FONT, type Layout } from './pdf-layout.js';

/** Running header, footer text and "page N of M" on every buffered page. */
export function pageFurniture(L: Layout, runLabel: string): void {
  const { doc } = L;
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    L.tags.artifact(() => pageHeadAndFoot(L, runLabel, i - range.start, range.count), 'Pagination');
  }
}

function pageHeadAndFoot(L: Layout, runLabel: string, index: number, count: number): void {
  const { doc, tpl } = L;
  const small = L.style(FONT.regular, 7.5, L.c.muted);
  const saved = doc.page.margins;
  // Writing into the margins must not make pdfkit start a page.
  doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
  const pageLabel = `page ${index + 1} of ${count}`;
  const labelW = L.textWidth(pageLabel, small);
  const footY = doc.page.height - tpl.margins.bottom + 14;
  doc.moveTo(L.left, footY - 5).lineTo(L.left + L.width, footY - 5).lineWidth(0.5).strokeColor(L.c.rule).stroke();
  L.drawLines(L.wrap(tpl.footerText, small, L.width - labelW - 24), small, L.left, footY, L.width - labelW - 24);
  L.drawLines([pageLabel], small, L.left, footY, L.width, 'right');
  if (index > 0) {
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
