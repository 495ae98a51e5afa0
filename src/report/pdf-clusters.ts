/** The PDF's fleet and cluster sections: fleet summary, what could not be assessed, per cluster. */
import { STATUSES } from '../core/types.js';
import { TLS_UNVERIFIED_NOTE, type RunReport } from './model.js';
import { callout, FONT, type Layout } from './pdf-layout.js';
import { clusterStatusCell, countsRow, fmtInt, fmtRate, fmtScore, severityCell, STATUS_COLUMNS, STATUS_LABEL } from './pdf-cells.js';
import { drawSvg, smallMultiplesSvg, svgSize } from './charts.js';
import { clusterEnforcement, fleetEnforcement } from './pdf-enforcement.js';

export function fleetSummary(L: Layout, report: RunReport): void {
  L.newPage();
  L.heading('1 Fleet summary', 1, L.contents.entry('1 Fleet summary'));
  const f = report.fleet;
  const c = f.counts;
  const body = L.style(FONT.regular, 9.5);
  L.keyValues(
    [
      ['Compliance score', { text: `${fmtScore(f.score)}  (severity-weighted; see Methodology)`, font: FONT.bold }],
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
      { header: 'Cluster', width: 15 },
      { header: 'Status', width: 10 },
      { header: 'Provider', width: 10.5 },
      { header: 'Version', width: 15 },
      { header: 'Objects', width: 9.5, align: 'right' },
      { header: 'Score', width: 8, align: 'right' },
      { header: 'Fail', width: 6.5, align: 'right' },
      { header: 'Unknown', width: 10.5, align: 'right' },
      { header: 'Pass rate', width: 10.5, align: 'right' },
    ],
    report.clusters.map((x) => [
      { text: x.name, font: FONT.bold },
      clusterStatusCell(L, x.status),
      x.provider ?? '-',
      x.serverVersion ?? '-',
      fmtInt(x.objectTotal),
      { text: fmtScore(x.score), font: FONT.bold },
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
  fleetEnforcement(L, report);
}


export function notAssessed(L: Layout, report: RunReport): void {
  L.heading('2 What could not be assessed', 1, L.contents.entry('2 What could not be assessed'));
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

/** Small multiples: each cluster's score over the period, one panel each, drawn by Vega-Lite. */
export async function clusterTrendGrid(L: Layout, report: RunReport, palette: readonly string[]): Promise<void> {
  const series = report.period.trend.clusters.filter((c) => c.points.length > 1);
  if (series.length === 0) return;
  const svg = await smallMultiplesSvg({
    series: series.map((c) => ({ name: c.cluster, points: c.points.map((p) => ({ at: p.at, value: p.score })) })),
    columns: 3,
    panelWidth: 122,
    panelHeight: 48,
    color: palette[0] ?? '#0072B2',
    textColor: L.c.text,
  });
  const size = svgSize(svg);
  const width = Math.min(L.width, size.width);
  L.heading(`Compliance score per cluster, ${report.period.from.slice(0, 10)} to ${report.period.to.slice(0, 10)}`, 2);
  L.ensure((size.height * width) / size.width + 6);
  const scores = series.map((c) => `${c.cluster} ${c.points[0]?.score?.toFixed(1) ?? 'none'} to ${c.points[c.points.length - 1]?.score?.toFixed(1) ?? 'none'}`).join('; ');
  L.y += L.figure(`Compliance score per cluster over the period: ${scores}`, () => drawSvg(L.doc, svg, L.left, L.y, width)) + 6;
}

function managedNote(c: RunReport['clusters'][number]): string {
  if (c.provider && ['eks', 'gke', 'aks', 'openshift'].includes(c.provider)) return 'managed control plane: its items are not-applicable';
  return '';
}

/** Score and its change, risk, provider, what was not read: the head of a cluster's section. */
function clusterFacts(L: Layout, report: RunReport, c: RunReport['clusters'][number]): void {
    const p = report.period.clusters.find((x) => x.cluster === c.name);
    const d = p && p.score !== null && p.first !== null ? p.score - p.first : undefined;
    const change = d === undefined ? '' : Math.abs(d) < 0.05 ? '  (no change over the period)' : `  (${d > 0 ? '+' : ''}${d.toFixed(1)} over the period)`;
    L.keyValues(
      [
        ['Compliance score', { text: `${fmtScore(c.score)}${change}`, font: FONT.bold }],
        ['Risk', p?.risk !== null && p?.risk !== undefined ? fmtInt(Math.round(p.risk)) : 'n/a'],
        ...(c.frameworks ? [['Evaluated with', `${c.frameworks.join(', ')}${c.profile ? ` (profile ${c.profile})` : ''}`] as [string, string]] : []),
        ['Provider, version', `${c.provider ?? 'unknown'}, ${c.serverVersion ?? 'unknown'}${managedNote(c) ? ` (${managedNote(c)})` : ''}`],
        ['Objects read', fmtInt(c.objectTotal)],
        ['Not assessed', c.gaps.length ? c.gaps.map((g) => `${g.evidence}: ${g.reason}`).join('; ') : 'nothing: every piece of evidence was read'],
        ...(c.tlsVerified === false ? [['TLS', { text: TLS_UNVERIFIED_NOTE, color: L.c.status.fail }] as [string, { text: string; color: string }]] : []),
      ],
      { size: 8.5, labelWidth: 110 },
    );
}

export function perCluster(L: Layout, report: RunReport): void {
  L.heading('3 Per cluster', 1, L.contents.entry('3 Per cluster'));
  const body = L.style(FONT.regular, 9.5);
  if (report.clusters.length === 0) L.paragraph('No clusters in scope.', body);
  for (const c of report.clusters) {
    L.heading(c.status === 'failed' ? `${c.name}  (failed: not assessed)` : `${c.name}  (${c.status}, ${c.failingControls.length} failing control(s))`, 2, L.contents.entry(c.name, 2));
    if (c.status === 'failed') {
      L.paragraph(`Not assessed: ${c.error ?? 'no error recorded'}`, L.style(FONT.regular, 9.5, L.c.status.error));
      continue;
    }
    clusterFacts(L, report, c);
    if (c.failingControls.length === 0) L.paragraph('No failing controls.', body);
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
    clusterEnforcement(L, c.name, c.posture);
  }
}

