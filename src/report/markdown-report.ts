import { byText, enginesLine, namespaceCoverage, orderedControls, percent, postureSummary, STATE_LABEL } from './enforcement-text.js';
import { SEVERITIES } from '../core/types.js';
import type { StatusCounts } from '../core/status.js';
import { TLS_UNVERIFIED_NOTE, type RunReport } from './model.js';
import { resourceLabel } from './resource-path.js';
import { profileLine } from './profile-text.js';

export interface MarkdownOptions {
  /** Findings listed per control before "N more". @default 20 */
  maxFindingsPerControl?: number;
}

/**
 * Text safe in a table cell and in running text: HTML and Markdown specials that would change
 * the layout are escaped, and line breaks become <br> so a cell stays on its row.
 */
export function mdCell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`|*_[\]])/g, '\\$1')
    .replace(/\r\n|\r|\n/g, '<br>');
}

const pct = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`);
const row = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const countCells = (c: StatusCounts) => [c.pass, c.fail, c.unknown, c.error, c.manual, c['not-applicable']];
const COUNT_HEAD = ['Pass', 'Fail', 'Unknown', 'Error', 'Manual', 'N/A'];

const score = (v: number | null) => (v === null ? 'n/a' : v.toFixed(1));
const dispositionCells = (d: RunReport['fleet']['dispositions']) => `${d.open} / ${d.excepted} / ${d.expired}`;

/** `fail`, or `fail (excepted: ID)` / `fail (expired: ID)`: the status stays a failure. */
function statusText(f: RunReport['controls'][number]['findings'][number]): string {
  if (f.status !== 'fail' || !f.disposition || f.disposition === 'open') return f.status;
  return `fail (${f.disposition}${f.exceptionId ? `: ${mdCell(f.exceptionId)}` : ''})`;
}

/** As `trend` shows it: the profile's name, `(none)` for a cluster in no profile, `-` for a scan recorded before profiles. */
function clusterProfile(c: RunReport['clusters'][number]): string {
  if (c.profile !== undefined) return c.profile;
  return c.frameworks ? '(none)' : '-';
}

export function renderMarkdown(report: RunReport, options: MarkdownOptions = {}): string {
  const cap = options.maxFindingsPerControl ?? 20;
  const { run, fleet } = report;
  const out: string[] = [];
  out.push('# complyd compliance report', '');
  out.push(
    `Run ${mdCell(run.id)} (${mdCell(run.status)}, ${mdCell(run.trigger)}), started ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}. ` +
      `Catalog ${mdCell(report.catalogVersion)}, complyd ${mdCell(report.complydVersion)}${report.framework ? `, framework ${mdCell(report.framework)} only` : ''}. Generated ${report.generatedAt}.`,
    '',
  );
  if (report.profile) out.push(`Profile ${mdCell(profileLine(report.profile))}: only its clusters are in this report.`, '');
  if (report.selection) out.push(`**Partial report**: only the controls selected (${mdCell(report.selection)}) are shown; every count and score below is of those controls only.`, '');

  out.push(
    '## Fleet',
    '',
    table(
      ['Clusters', 'Assessed', ...COUNT_HEAD, 'Pass rate', 'Score', 'Score with exceptions', 'Failing: open / excepted / expired'],
      [[fleet.clusters, fleet.assessed, ...countCells(fleet.counts), pct(fleet.passRate), score(fleet.score), score(fleet.scoreWithExceptions), dispositionCells(fleet.dispositions)]],
    ),
    '',
  );
  out.push(
    'Pass rate = pass / (pass + fail); unknown and manual checks are not counted as passed. Score is the severity-weighted compliance score as measured; ' +
      'score with exceptions leaves out the failures accepted by an exception in force (they are still failures, listed below as excepted).',
    '',
  );

  out.push(
    '## Clusters',
    '',
    table(
      ['Cluster', 'Profile', 'Evaluated with', 'Status', 'Provider', 'Version', 'Objects', ...COUNT_HEAD, 'Pass rate', 'Snapshot'],
      report.clusters.map((c) => [
        mdCell(c.name),
        mdCell(clusterProfile(c)),
        mdCell(c.frameworks?.join(', ') ?? '-'),
        mdCell(c.status),
        mdCell(c.provider ?? ''),
        mdCell(c.serverVersion ?? ''),
        c.objectTotal,
        ...countCells(c.counts),
        pct(c.passRate),
        c.snapshotHash ? mdCell(c.snapshotHash.slice(0, 12)) : '',
      ]),
    ),
    '',
  );
  const unverified = report.clusters.filter((c) => c.tlsVerified === false);
  if (unverified.length > 0) out.push(...unverified.map((c) => `- **Cluster ${mdCell(c.name)}**: ${mdCell(TLS_UNVERIFIED_NOTE)}.`), '');
  out.push(...enforcementMarkdown(report));

  const failedIn = (c: RunReport['controls'][number]) => c.results.reduce((n, r) => n + r.counts.fail, 0);
  const failing = report.controls
    .filter((c) => failedIn(c) > 0)
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || failedIn(b) - failedIn(a) || a.id.localeCompare(b.id));
  out.push('## Failing controls', '');
  if (failing.length === 0) out.push('No control fails.', '');
  else
    out.push(
      table(
        ['Severity', 'Control', 'Title', 'Clusters', 'Failed resources'],
        failing.map((c) => [
          c.severity,
          mdCell(c.id),
          mdCell(c.title),
          mdCell(c.results.filter((r) => r.counts.fail > 0).map((r) => r.cluster).join(', ')),
          failedIn(c),
        ]),
      ),
      '',
    );

  const notAssessed = report.clusters.filter((c) => c.status === 'failed');
  const gaps = report.clusters.flatMap((c) => c.gaps.map((g) => ({ cluster: c.name, ...g })));
  out.push('## Gaps', '');
  if (notAssessed.length === 0 && gaps.length === 0) out.push('Every cluster was assessed and every piece of evidence was read.', '');
  else {
    for (const c of notAssessed) out.push(`- Cluster ${mdCell(c.name)} was not assessed: ${mdCell(c.error ?? 'unknown error')}`);
    for (const g of gaps) out.push(`- Cluster ${mdCell(g.cluster)}: evidence ${mdCell(g.evidence)} could not be read (${mdCell(g.reason)}): ${mdCell(g.message)}`);
    out.push('');
  }

  out.push(...networkMarkdown(report));

  const register = report.period.exceptions;
  out.push('## Exceptions', '');
  if (register.length === 0) out.push('No exception applies to this run.', '');
  else
    out.push(
      table(
        ['Exception', 'State', 'Controls', 'Scope', 'Owner', 'Reason', 'Ticket', 'Expires', 'Matched'],
        register.map((e) => [
          mdCell(e.id),
          e.expired ? `**${e.state}**` : e.state,
          mdCell(e.controls.join(', ')),
          mdCell(e.scope),
          mdCell(e.owner),
          mdCell(e.reason),
          mdCell(e.ticket ?? ''),
          mdCell(e.expires?.slice(0, 10) ?? ''),
          e.lapsed > 0 ? `${e.matched} (+${e.lapsed} lapsed)` : e.matched,
        ]),
      ),
      '',
    );

  out.push('## Findings', '');
  // A control's findings are built each time they are read (report/model.ts): read once here.
  let listed = 0;
  for (const c of report.controls) {
    const findings = c.findings;
    if (findings.length === 0) continue;
    listed += 1;
    out.push(`### ${mdCell(c.id)}: ${mdCell(c.title)} (${c.severity})`, '');
    const shown = findings.slice(0, cap);
    out.push(
      table(
        ['Cluster', 'Status', 'Resource', 'Evidence path', 'Observed', 'Expected / message'],
        shown.map((f) => [
          mdCell(f.cluster),
          statusText(f),
          mdCell(resourceLabel(f.resource)),
          mdCell(f.evidence?.path ?? ''),
          mdCell(f.evidence?.observed ?? ''),
          mdCell([f.evidence?.expected, f.message].filter(Boolean).join('; ')),
        ]),
      ),
      '',
    );
    const more = findings.length - shown.length;
    if (more > 0) out.push(`… and ${more} more (the JSON and CSV reports list them all).`, '');
  }
  if (listed === 0) out.push('No findings.', '');
  return `${out.join('\n').trimEnd()}\n`;
}

const EXPOSURE_SIDE = { ingress: 'open to', service: 'from outside via', egress: 'can reach' } as const;

/** Each cluster's connectivity in figures, and the network exposure opened in the period (ADR 0017). */
function networkMarkdown(report: RunReport): string[] {
  if (!report.network) return [];
  const out = ['## Network exposure', ''];
  out.push(
    table(
      ['Cluster', 'Workloads', 'Policies', 'Connections', 'Open to the entire cluster', 'Since', 'Added', 'Removed', 'Changed'],
      report.network.map((n) => [
        mdCell(n.cluster),
        n.analysis.workloads,
        n.analysis.policies,
        n.analysis.connections.length,
        new Set((n.analysis.exposure?.ingress ?? []).filter((e) => e.peer === 'entire-cluster').map((e) => e.workload)).size,
        n.since?.slice(0, 10) ?? '',
        n.changes?.added.length ?? '',
        n.changes?.removed.length ?? '',
        n.changes?.changed.length ?? '',
      ]),
    ),
    '',
  );
  const opened = (report.period.network ?? []).filter((c) => c.newExposure.length > 0);
  if (opened.length === 0) {
    out.push('No new network exposure in the period.', '');
    return out;
  }
  out.push('### New network exposure in the period', '');
  out.push(
    table(
      ['Cluster', 'Workload', 'Exposure', 'Peer', 'Connections'],
      opened.flatMap((c) => c.newExposure.map((e) => [mdCell(c.cluster), mdCell(e.workload), EXPOSURE_SIDE[e.direction], mdCell(e.peer), mdCell(e.conn)])),
    ),
    '',
  );
  for (const c of opened) if (c.newExposureCount > c.newExposure.length) out.push(`${mdCell(c.cluster)}: … and ${c.newExposureCount - c.newExposure.length} more (the JSON report has the connectivity).`, '');
  return out;
}

/** Enforcement at admission: the fleet's coverage, each cluster's controls, other engines and PolicyReports (ADR 0020). */
function enforcementMarkdown(report: RunReport): string[] {
  const e = report.enforcement;
  if (!e) return [];
  const out = ['## Enforcement at admission', ''];
  out.push(
    `Coverage ${percent(e.coverage)}: ${e.enforced} of ${e.considered} control checks denied at admission in every non-system namespace, over ${e.clusters} cluster(s); ${e.drift} drift(s) from what the profiles expect.`,
    '',
  );
  for (const c of report.clusters) {
    const p = c.posture;
    if (!p) continue;
    out.push(`### ${mdCell(c.name)}`, '', `${mdCell(postureSummary(p))}. Other engines (named, not judged): ${mdCell(enginesLine(p))}.`, '');
    out.push(
      table(
        ['Control', 'State', 'By', 'Namespaces denying', 'Expected', 'Drift'],
        orderedControls(p).map((x) => [mdCell(x.controlId), mdCell(STATE_LABEL[x.state]), mdCell(byText(x)), namespaceCoverage(x), x.expected ?? '', x.drift ? `**drift**: ${mdCell(x.reason ?? '')}` : mdCell(x.reason ?? '')]),
      ),
      '',
    );
  }
  if (e.policyReports.length > 0) {
    out.push('### PolicyReports found in the clusters', '', 'As their producers judged them; complyd does not re-judge them.', '');
    out.push(table(['Cluster', 'Source', 'Reports', 'Namespaces', 'Pass', 'Fail', 'Warn', 'Error', 'Skip'], e.policyReports.map((r) => [mdCell(r.cluster), mdCell(r.source), r.reports, r.namespaces, r.summary.pass, r.summary.fail, r.summary.warn, r.summary.error, r.summary.skip])), '');
  }
  return out;
}
