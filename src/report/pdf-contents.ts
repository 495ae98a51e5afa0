/**
 * The table of contents and the bookmarks (outline). A heading registered here gets a
 * bookmark (level 2 under the latest level 1, e.g. each cluster under "3 Per cluster"), a
 * named destination, and a line in the table of contents that links to it. The contents pages
 * are reserved after the cover, since page numbers are only known once everything is laid
 * out, and filled in at the end (pages are buffered).
 */
import { FONT } from './pdf-fonts.js';
import type { Layout } from './pdf-layout.js';

interface Entry {
  title: string;
  level: 1 | 2;
  dest: string;
  page: number;
}

const LINE = 15;

export class Contents {
  private readonly entries: Entry[] = [];
  private top: PDFKit.PDFOutline | undefined;
  private pages: number[] = [];
  private startY = 0;
  private el: PDFKit.PDFStructureElement | undefined;

  constructor(private readonly L: Layout) {}

  /** The latest level-1 bookmark (the outline's root before the first). */
  get current(): PDFKit.PDFOutline {
    return this.top ?? this.L.doc.outline;
  }

  /** Reserve the contents pages for `expected` entries at most, right after what is drawn so far. */
  reserve(expected: number): void {
    const { L } = this;
    L.newPage();
    L.heading('Contents', 1, (y) => {
      L.doc.outline.addItem('Contents');
      L.doc.addNamedDestination('contents', 'XYZ', L.left, y, null);
    });
    L.ensure(LINE);
    this.startY = L.y;
    this.el = L.tags.element('TOC');
    this.pages = [this.pageIndex()];
    let room = Math.floor((L.bottom - this.startY) / LINE);
    while (room < expected) {
      L.newPage();
      this.pages.push(this.pageIndex());
      room += Math.floor((L.bottom - L.top) / LINE);
    }
  }

  /** The onDraw of a heading in the contents: bookmark, destination, contents line. */
  entry(title: string, level: 1 | 2 = 1): (y: number) => void {
    return (y) => {
      const dest = `section-${this.entries.length + 1}`;
      const item = (level === 1 ? this.L.doc.outline : this.current).addItem(title);
      if (level === 1) this.top = item;
      this.L.doc.addNamedDestination(dest, 'XYZ', this.L.left, y, null);
      this.entries.push({ title, level, dest, page: this.pageIndex() });
    };
  }

  /** Draw the contents lines, each a link to its heading, on the reserved pages. */
  render(): void {
    const { L } = this;
    const el = this.el;
    if (!el) return;
    let slot = 0;
    let y = this.startY;
    for (const e of this.entries) {
      if (y + LINE > L.bottom) {
        slot++;
        y = L.top;
      }
      const page = this.pages[slot];
      if (page === undefined) break;
      L.doc.switchToPage(page);
      const indent = e.level === 1 ? 0 : 14;
      const style = L.style(e.level === 1 ? FONT.bold : FONT.regular, e.level === 1 ? 10 : 9);
      const number = String(e.page + 1);
      const numberW = L.textWidth(number, style);
      const titleW = L.width - indent - numberW - 12;
      L.tags.leaf(
        'TOCI',
        () => {
          L.drawLines(L.wrap(e.title, style, titleW).slice(0, 1), style, L.left + indent, y, titleW);
          L.drawLines([number], style, L.left, y, L.width, 'right');
        },
        el,
      );
      L.doc.goTo(L.left + indent, y - 2, L.width - indent, LINE, e.dest);
      y += LINE;
    }
    el.end();
  }

  private pageIndex(): number {
    const range = this.L.doc.bufferedPageRange();
    return range.start + range.count - 1;
  }
}
