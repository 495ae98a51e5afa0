/**
 * The PDF report for auditors: its sections (cover, fleet summary, what could not be assessed,
 * failing controls, control details, integrity). Layout machinery is in `pdf-layout.ts`.
 */
import PDFDocument from 'pdfkit';
import type { ResourceRef, Severity, Status } from '../core/types.js';
import { SEVERITIES, STATUSES } from '../core/types.js';
import type { StatusCounts } from '../evaluate/evaluate.js';
import type { ClusterSection, ControlSection, ReportFinding, RunReport } from './model.js';
import { callout, FONT, Layout, pageFurniture, type Cell } from './pdf-layout.js';
import { loadTemplate, type PdfTemplate } from './pdf-template.js';

export { loadTemplate, type PdfTemplate } from './pdf-template.js';
export { pdfSafe } from './pdf-layout.js';

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
  pageFurniture(L, `run ${report.run.id}`);

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
