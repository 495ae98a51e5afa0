/**
 * The PDF's logical structure (tagged PDF), so that screen readers read it in order, announce
 * headings, tables with their header cells, and figures by their description: a Document
 * element holding headings (H1-H3), paragraphs (P), tables (Table > TR > TH/TD) and figures.
 * Page furniture and decoration (rules, stripes, bands) are marked as artifacts.
 *
 * Only pdfkit's public marking API is used (`struct`, `markStructureContent`, `markContent`,
 * `endMarkedContent`); marked content around the direct operators of pdf-ops.ts goes through
 * `doc.addContent` like everything else, so it stays in drawing order inside a batch.
 */
export type StructType = 'H1' | 'H2' | 'H3' | 'P' | 'Div' | 'Table' | 'TR' | 'TH' | 'TD' | 'Figure' | 'TOC' | 'TOCI';

export class PdfTags {
  readonly root: PDFKit.PDFStructureElement;
  /** A marked sequence is open: content drawn now belongs to it (no nested marking). */
  private marking = false;

  constructor(private readonly doc: PDFKit.PDFDocument) {
    this.root = doc.struct('Document');
    doc.addStructure(this.root);
  }

  get open(): boolean {
    return this.marking;
  }

  /** A structure element under `parent` (the document by default); add content with `mark`. */
  element(type: StructType, parent: PDFKit.PDFStructureElement = this.root, options: PDFKit.Mixins.StructureElementOptions = {}): PDFKit.PDFStructureElement {
    const el = this.doc.struct(type, options);
    parent.add(el);
    return el;
  }

  /** What `draw` writes becomes content of `el` (one marked sequence on the current page). */
  mark(el: PDFKit.PDFStructureElement, type: StructType, draw: () => void): void {
    if (this.marking) return draw();
    this.marking = true;
    const content = this.doc.markStructureContent(type);
    try {
      draw();
    } finally {
      this.doc.endMarkedContent();
      this.marking = false;
    }
    el.add(content);
  }

  /** A complete element whose content is what `draw` writes. */
  leaf(type: StructType, draw: () => void, parent: PDFKit.PDFStructureElement = this.root, options: PDFKit.Mixins.StructureElementOptions = {}): void {
    if (this.marking) return draw();
    const el = this.element(type, parent, options);
    this.mark(el, type, draw);
    el.end();
  }

  /** Decoration or page furniture: not read out. */
  artifact(draw: () => void, type: 'Pagination' | 'Layout' = 'Layout'): void {
    if (this.marking) return draw();
    this.marking = true;
    this.doc.markContent('Artifact', { type });
    try {
      draw();
    } finally {
      this.doc.endMarkedContent();
      this.marking = false;
    }
  }

  /** Close the tree (before `doc.end()`). */
  end(): void {
    this.root.end();
  }
}
