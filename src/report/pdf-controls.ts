/** The PDF's control details: what each control checks, its results, every finding with its evidence. */
import type { Severity } from '../core/types.js';
import { SEVERITIES } from '../core/types.js';
import type { ControlSection, ReportFinding, RunReport } from './model.js';
import { FONT, type Cell, type Layout } from './pdf-layout.js';
import { countsRow, fmtInt, severityCell, statusCell, STATUS_COLUMNS, STATUS_LABEL } from './pdf-cells.js';
import { resourceLabel } from './resource-path.js';

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

const isManualReview = (f: ReportFinding) => f.status === 'manual' && f.resource.kind === 'Cluster';

export function controlDetails(L: Layout, report: RunReport, maxFindings: number): void {
  // A control's findings are built each time they are read (report/model.ts): chosen here by
  // whether any is not a pass, and read again, one control at a time, when it is drawn.
  const nonPass = (c: ControlSection) => c.findings.filter((f) => f.status !== 'pass');
  const shown = report.controls.filter((c) => c.findings.some((f) => f.status !== 'pass')).map((c) => ({ c }));
  const sevRank = (s: Severity) => SEVERITIES.indexOf(s);
  shown.sort((a, b) => sevRank(a.c.severity) - sevRank(b.c.severity) || a.c.id.localeCompare(b.c.id));

  L.newPage();
  L.heading('4 Control details', 1, L.contents.entry('4 Control details'));
  const body = L.style(FONT.regular, 9);
  L.paragraph(
    `Controls with at least one result other than pass (${shown.length} of ${report.controls.length}), most severe first. Controls that passed everywhere are only counted in the summary.`,
    body,
  );
  for (const [i, { c }] of shown.entries()) {
    const findings = nonPass(c);
    if (i > 0) {
      L.ensure(160);
      if (L.y > L.top) {
        L.space(6);
        L.rule(L.c.rule, 0.8);
        L.space(4);
      }
    } else L.ensure(160);
    L.heading(`${c.id}: ${c.title}`, 2, () => L.contents.current.addItem(`${c.id}: ${c.title}`));
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
      [{ header: 'Cluster', width: 20 }, { header: 'Result', width: 12 }, ...STATUS_COLUMNS.map((s) => ({ header: STATUS_LABEL[s], width: s === 'not-applicable' ? 16 : 10.4, align: 'right' as const }))],
      c.results.map((r) => [{ text: r.cluster, font: FONT.bold }, statusCell(L, r.status), ...countsRow(L, r.counts)]),
      { size: 8, caption: `Results of ${c.id}` },
    );
    // A manual item says the same thing for every cluster: its instruction is shown once.
    const manual = findings.filter(isManualReview);
    const listed = findings.filter((f) => !isManualReview(f));
    if (manual.length > 0) {
      L.heading(`Manual review needed on ${manual.length} cluster(s)`, 3);
      L.paragraph(manual.map((f) => f.cluster).join(', '), L.style(FONT.bold, 9));
      for (const text of [...new Set(manual.map((f) => f.message ?? ''))].filter(Boolean)) L.paragraph(`How to check: ${text}`, body);
    }
    if (listed.length > 0) {
      L.heading(`Findings (${fmtInt(listed.length)})`, 3);
      L.table(
        [
          { header: 'Cluster', width: 10 },
          { header: 'Resource', width: 18 },
          // Wide enough for "unknown" and "manual" on one line at 7.5 pt.
          { header: 'Status', width: 9.5 },
          // Field paths are long words (spec.template.spec.containers[app]...): the widest column.
          { header: 'Evidence path', width: 25 },
          { header: 'Observed', width: 17 },
          { header: 'Expected / message', width: 20.5 },
        ],
        listed.slice(0, maxFindings).map((f) => findingRow(L, f)),
        { size: 7.5, caption: `Findings of ${c.id}: ${c.title}` },
      );
      const more = listed.length - maxFindings;
      if (more > 0) L.paragraph(`The first ${fmtInt(maxFindings)} are listed, failing first; ${fmtInt(more)} more are in the CSV and JSON reports, which list every finding.`, body);
    }
  }
  if (shown.length === 0) L.paragraph('Every control passed on every assessed cluster.', body);
}

