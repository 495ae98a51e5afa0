/**
 * The PDF report for auditors: cover, executive summary, fleet summary, what could not be
 * assessed, per cluster, network exposure (when the run holds connectivity), control details,
 * exceptions register, methodology and integrity. Sections live in pdf-period.ts,
 * pdf-clusters.ts, pdf-network.ts and pdf-controls.ts; layout machinery in
 * pdf-layout.ts; charts (Vega-Lite, drawn as vectors) in charts.ts.
 */
import PDFDocument from 'pdfkit';
import type { RunReport } from './model.js';
import { drawSvg, lineChartSvg, DEFAULT_PALETTE } from './charts.js';
import { FONT, Layout } from './pdf-layout.js';
import { pageFurniture } from './pdf-furniture.js';
import { loadTemplate, type PdfTemplate } from './pdf-template.js';
import { registerFonts } from './pdf-fonts.js';
import { fmtDuration, fmtTime, STATUS_COLUMNS, STATUS_LABEL, STATUS_MEANING } from './pdf-cells.js';
import { clusterTrendGrid, perCluster, fleetSummary, notAssessed } from './pdf-clusters.js';
import { controlDetails } from './pdf-controls.js';
import { networkSection } from './pdf-network.js';
import { exceptionsRegister, executiveSummary, integrityAppendix, methodology, type ChartHook } from './pdf-period.js';
import { profileLine } from './profile-text.js';

export { loadTemplate, type PdfTemplate } from './pdf-template.js';
export { pdfSafe } from './pdf-layout.js';
export { resourceLabel } from './resource-path.js';

export interface RenderPdfOptions {
  /** Defaults to `loadTemplate()`. */
  template?: PdfTemplate;
  /** PDF creation/modification date; with it, the same report always gives the same bytes. */
  creationDate?: Date;
  /** Findings listed per control in the control details before "N more"; see PDF_FINDINGS_PER_CONTROL. */
  maxFindingsPerControl?: number;
}

/**
 * The PDF keeps every page in memory until its contents and footers are numbered, so its size
 * and memory grow with the rows it lists: listing every failing resource of a 200,000-pod
 * cluster would take gigabytes for a document no one reads through. Each control lists its
 * first findings (failing first) and says how many more the CSV and JSON reports hold (ADR 0013).
 */
export const PDF_FINDINGS_PER_CONTROL = 500;

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
    // Tagged PDF: headings, paragraphs, tables and figures in reading order (pdf-tags.ts).
    tagged: true,
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

  registerFonts(doc);
  const L = new Layout(doc, tpl);
  const chart = chartHook(tpl);
  cover(L, report);
  // Executive summary, sections 1 to 7, a line per cluster, and the network section with a line per cluster.
  const networks = report.network?.length ?? 0;
  L.contents.reserve(8 + report.clusters.length + (networks > 0 ? 1 + networks : 0));
  await executiveSummary(L, report, chart);
  fleetSummary(L, report);
  await clusterTrendGrid(L, report, tpl.palette ?? DEFAULT_PALETTE);
  notAssessed(L, report);
  perCluster(L, report);
  networkSection(L, report);
  controlDetails(L, report, opts.maxFindingsPerControl ?? PDF_FINDINGS_PER_CONTROL);
  exceptionsRegister(L, report);
  methodology(L, report);
  integrityAppendix(L, report);
  L.ensure(0);
  L.contents.render();
  pageFurniture(L, `run ${report.run.id}`);
  L.tags.end();

  doc.end();
  return done;
}

/** Score trends drawn by Vega-Lite, scaled to the text width, kept on one page. */
function chartHook(tpl: PdfTemplate): ChartHook {
  return {
    async trend(L, series, height, title) {
      const svg = await lineChartSvg({
        series: series.map((s) => ({ name: s.name, points: s.points.map((p) => ({ at: p.at, value: p.score })) })),
        width: L.width - 40,
        height,
        palette: tpl.palette ?? DEFAULT_PALETTE,
        textColor: tpl.colours.text,
      });
      const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
      const h = m ? (Number(m[2]) * L.width) / Number(m[1]) : height;
      const caption = L.style(FONT.bold, 9, tpl.colours.muted);
      L.ensure(h + L.lineHeight(caption) + 8);
      L.drawLines([title], caption, L.left, L.y, L.width);
      L.y += L.lineHeight(caption) + 2;
      L.y += L.figure(`${title}: ${trendDescription(series)}`, () => drawSvg(L.doc, svg, L.left, L.y, L.width)) + 6;
    },
  };
}

function cover(L: Layout, report: RunReport): void {
  const { doc, tpl } = L;
  const titleStyle = L.style(FONT.bold, 24, '#ffffff');
  const orgStyle = L.style(FONT.regular, 13, '#ffffff');
  const titleLines = L.wrap(tpl.title, titleStyle, L.width - (tpl.logoSvg ? 80 : 0));
  const orgLines = L.wrap(tpl.organisation, orgStyle, L.width - (tpl.logoSvg ? 80 : 0));
  const titleY = 62;
  const orgY = titleY + titleLines.length * L.lineHeight(titleStyle) + 6;
  const band = Math.max(170, orgY + orgLines.length * L.lineHeight(orgStyle) + 40);
  L.tags.artifact(() => doc.rect(0, 0, doc.page.width, band).fill(L.c.primary));
  if (tpl.logoSvg) L.figure(`${tpl.organisation} logo`, () => drawSvg(doc, tpl.logoSvg ?? '', doc.page.width - L.tpl.margins.right - 64, 40, 64));
  L.drawLines(titleLines, titleStyle, L.left, titleY, L.width - (tpl.logoSvg ? 80 : 0));
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
    ...(report.profile ? [['Profile', profileLine(report.profile)] as [string, string]] : []),
    ['Frameworks', report.framework ?? (report.profile ? report.profile.frameworks.join(', ') : 'all: CIS Kubernetes Benchmark v1.12, Pod Security Standards, NSA/CISA hardening')],
    ...(report.selection ? [['Controls', `partial report: only ${report.selection}; every count and score covers those controls only`] as [string, string]] : []),
    ['Period covered', `${report.period.from.slice(0, 10)} to ${report.period.to.slice(0, 10)} (${report.period.runs} run(s))`],
  ]);

  L.heading('How to read this report', 2);
  L.paragraph(
    'Every figure is computed from stored findings of this run and of the runs before it in the period; every cluster carries the SHA-256 of the snapshot its findings were computed from and its entry in a hash chain (see Integrity). A result is one control judged against one resource. Its status is one of:',
    L.style(FONT.regular, 9),
  );
  const s = L.style(FONT.regular, 9);
  const lh = L.lineHeight(s);
  for (const status of STATUS_COLUMNS) {
    const lines = L.wrap(STATUS_MEANING[status], s, L.width - 100);
    L.ensure(lines.length * lh + 3);
    L.tags.artifact(() => doc.rect(L.left, L.y + 1.5, 8, 8).fill(L.c.status[status]));
    L.drawLines([STATUS_LABEL[status]], L.style(FONT.bold, 9, L.c.status[status]), L.left + 14, L.y, 86);
    L.drawLines(lines, s, L.left + 100, L.y, L.width - 100);
    L.y += lines.length * lh + 3;
  }
  L.space(4);
  L.paragraph('The compliance score weighs passes and failures by severity; the pass rate is pass / (pass + fail). Unknown and manual results are never counted as passed (see Methodology).', L.style(FONT.bold, 9));
}


/** What a score trend shows, for readers who cannot see it: each series' first and last score. */
function trendDescription(series: ReadonlyArray<{ name: string; points: ReadonlyArray<{ score: number | null }> }>): string {
  const score = (v: number | null | undefined) => (v === null || v === undefined ? 'none' : v.toFixed(1));
  return series.map((s) => `${s.name} from ${score(s.points[0]?.score)} to ${score(s.points[s.points.length - 1]?.score)}`).join('; ');
}
