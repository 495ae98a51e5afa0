import { SEVERITIES } from '../core/types.js';
import type { StatusCounts } from '../core/status.js';
import { TLS_UNVERIFIED_NOTE, type RunReport } from './model.js';
import { resourceLabel } from './resource-path.js';

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

  out.push('## Fleet', '', table(['Clusters', 'Assessed', ...COUNT_HEAD, 'Pass rate'], [[fleet.clusters, fleet.assessed, ...countCells(fleet.counts), pct(fleet.passRate)]]), '');
  out.push('Pass rate = pass / (pass + fail); unknown and manual checks are not counted as passed.', '');

  out.push(
    '## Clusters',
    '',
    table(
      ['Cluster', 'Status', 'Provider', 'Version', 'Objects', ...COUNT_HEAD, 'Pass rate', 'Snapshot'],
      report.clusters.map((c) => [
        mdCell(c.name),
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

  out.push('## Findings', '');
  const withFindings = report.controls.filter((c) => c.findings.length > 0);
  if (withFindings.length === 0) out.push('No findings.', '');
  for (const c of withFindings) {
    out.push(`### ${mdCell(c.id)}: ${mdCell(c.title)} (${c.severity})`, '');
    const shown = c.findings.slice(0, cap);
    out.push(
      table(
        ['Cluster', 'Status', 'Resource', 'Evidence path', 'Observed', 'Expected / message'],
        shown.map((f) => [
          mdCell(f.cluster),
          f.status,
          mdCell(resourceLabel(f.resource)),
          mdCell(f.evidence?.path ?? ''),
          mdCell(f.evidence?.observed ?? ''),
          mdCell([f.evidence?.expected, f.message].filter(Boolean).join('; ')),
        ]),
      ),
      '',
    );
    const more = c.findings.length - shown.length;
    if (more > 0) out.push(`… and ${more} more (the JSON and CSV reports list them all).`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
