/**
 * The PDF travels well: bookmarks (one per cluster under "3 Per cluster"), a table of contents
 * whose lines link to their headings, and a tagged structure (headings, tables with header
 * cells, figures with a description) that screen readers follow. Read back with pdfjs.
 */
import { renderPdf } from '../../src/report/pdf-report.js';
import { sampleReport } from './fixtures.js';

interface OutlineItem {
  title: string;
  dest: unknown;
  items: OutlineItem[];
}

interface StructNode {
  role?: string;
  alt?: string;
  children?: Array<StructNode | { type: string }>;
}

interface Read {
  tagged: boolean;
  outline: OutlineItem[];
  /** Per page: the roles of its structure tree, in reading order, and its link targets. */
  pages: Array<{ roles: string[]; alts: string[]; links: string[]; text: string }>;
  /** Named destination -> page number (1-based). */
  dests: Map<string, number>;
}

async function read(buf: Buffer): Promise<Read> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(buf), verbosity: 0, disableFontFace: true, useSystemFonts: false }).promise;
  try {
    const pages: Read['pages'] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const roles: string[] = [];
      const alts: string[] = [];
      const walk = (node: StructNode) => {
        if (node.role) roles.push(node.role);
        if (node.alt) alts.push(node.alt);
        for (const c of node.children ?? []) if ('children' in c || 'role' in c) walk(c as StructNode);
      };
      walk((await page.getStructTree()) as StructNode);
      const links = ((await page.getAnnotations()) as Array<{ subtype: string; dest?: unknown }>).filter((a) => a.subtype === 'Link').map((a) => String(a.dest));
      const text = ((await page.getTextContent()).items as Array<{ str?: string }>).map((i) => i.str ?? '').join(' ');
      pages.push({ roles, alts, links, text });
    }
    const dests = new Map<string, number>();
    for (const [name, dest] of Object.entries((await doc.getDestinations()) as Record<string, [unknown]>)) dests.set(name, (await doc.getPageIndex(dest[0] as never)) + 1);
    const markInfo = (await doc.getMarkInfo()) as { Marked?: boolean } | null;
    return { tagged: markInfo?.Marked === true, outline: ((await doc.getOutline()) ?? []) as OutlineItem[], pages, dests };
  } finally {
    await doc.destroy();
  }
}

let pdf: Read;
const report = sampleReport();
beforeAll(async () => {
  pdf = await read(await renderPdf(report, { creationDate: new Date('2025-03-01T12:00:00.000Z') }));
}, 60_000);

describe('PDF navigation and structure', () => {
  it('has bookmarks for every section, each cluster under "3 Per cluster" and each detailed control under "4 Control details"', () => {
    const titles = pdf.outline.map((o) => o.title);
    expect(titles).toEqual(['Contents', 'Executive summary', '1 Fleet summary', '2 What could not be assessed', '3 Per cluster', '4 Control details', '5 Exceptions register', '6 Methodology', '7 Integrity']);
    const perCluster = pdf.outline.find((o) => o.title === '3 Per cluster');
    expect(perCluster?.items.map((i) => i.title)).toEqual(report.clusters.map((c) => c.name));
    expect(pdf.outline.find((o) => o.title === '4 Control details')?.items.map((i) => i.title.split(':')[0])).toEqual(expect.arrayContaining(['pss-b-privileged', 'cis-5.1.3-wildcards']));
  });

  it('has a table of contents on page 2 whose lines link to the page of their heading', () => {
    const contents = pdf.pages[1];
    expect(contents?.text).toMatch(/Contents\s+Executive summary\s+3\b/);
    // Executive summary, sections 1-7, one line per cluster.
    expect(contents?.links).toHaveLength(8 + report.clusters.length);
    for (const [i, dest] of (contents?.links ?? []).entries()) {
      const page = pdf.dests.get(dest);
      expect(page).toBeGreaterThan(2);
      // The printed page number is the page the link goes to, and the heading is on it.
      const line = i === 0 ? 'Executive summary' : i <= 3 ? ['1 Fleet summary', '2 What could not be assessed', '3 Per cluster'][i - 1] : undefined;
      if (line) {
        expect(contents?.text).toMatch(new RegExp(`${line}\\s+${page}\\b`));
        expect(pdf.pages[(page ?? 0) - 1]?.text).toContain(line);
      }
    }
    for (const c of report.clusters) expect(pdf.pages[(pdf.dests.get(`section-${5 + report.clusters.indexOf(c)}`) ?? 0) - 1]?.text).toContain(c.name);
  });

  it('is tagged: headings, tables with header cells, figures with a description, contents entries', () => {
    expect(pdf.tagged).toBe(true);
    const roles = pdf.pages.flatMap((p) => p.roles);
    // Div: the 300-row findings listing (more than 250 cells), tagged page by page as paragraphs.
    for (const role of ['Document', 'H1', 'H2', 'H3', 'P', 'Div', 'Table', 'TR', 'TH', 'TD', 'Figure', 'TOC', 'TOCI']) expect([role, roles.includes(role)]).toEqual([role, true]);
    // Every page's content is in the structure (page furniture is an artifact, not a paragraph).
    for (const [i, p] of pdf.pages.entries()) expect([i + 1, p.roles.length > 1]).toEqual([i + 1, true]);
    expect(pdf.pages.flatMap((p) => p.alts)).toEqual(expect.arrayContaining([expect.stringMatching(/^Fleet compliance score per run: Fleet from \d/)]));
    // A table's header row comes first.
    const fleet = pdf.pages[2]?.roles ?? [];
    expect(fleet.slice(fleet.indexOf('Table'), fleet.indexOf('Table') + 3)).toEqual(['Table', 'TR', 'TH']);
  });
});
