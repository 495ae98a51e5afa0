/** What `policy apply` prints: each cluster's diff (from the dry run), then one summary line per cluster. */
import type { ApplyOutcome, ClusterApplyResult } from '../collect/apply.js';
import { formatDiffLine } from '../collect/apply-diff.js';

/** Outcomes that leave a cluster not (fully) applied. */
export const FAILED_OUTCOMES: ReadonlySet<ApplyOutcome> = new Set(['conflict', 'forbidden', 'error']);

export function clusterFailed(r: ClusterApplyResult): boolean {
  return r.unreachable !== undefined || r.objects.some((o) => FAILED_OUTCOMES.has(o.outcome));
}

/** The dry run of one cluster: every object that would change, with its changed paths, and every failure. */
export function renderDryRun(r: ClusterApplyResult): string {
  const lines = [`cluster ${r.cluster} (dry run)`];
  if (r.unreachable !== undefined) lines.push(`  not reached: ${r.unreachable}`);
  for (const o of r.objects) {
    if (o.outcome === 'unchanged') continue;
    const verb = o.outcome === 'created' ? 'would be created' : o.outcome === 'configured' ? 'would be configured' : o.outcome;
    lines.push(`  ${o.kind} ${o.name}: ${verb}${o.message ? `: ${o.message}` : ''}`);
    for (const d of o.diff) lines.push(`    ${formatDiffLine(d)}`);
  }
  const unchanged = r.objects.filter((o) => o.outcome === 'unchanged').length;
  if (unchanged > 0) lines.push(`  ${unchanged} object${unchanged === 1 ? '' : 's'} unchanged`);
  return `${lines.join('\n')}\n`;
}

function counts(r: ClusterApplyResult): string {
  const by = new Map<ApplyOutcome, number>();
  for (const o of r.objects) by.set(o.outcome, (by.get(o.outcome) ?? 0) + 1);
  const order: ApplyOutcome[] = ['created', 'configured', 'unchanged', 'conflict', 'forbidden', 'error'];
  return order.filter((k) => by.has(k)).map((k) => `${by.get(k)} ${k}`).join(', ') || 'nothing to do';
}

/**
 * One line per cluster: applied (with its counts), or why not. `applied` holds the apply's
 * results; a cluster absent from it was left alone because its dry run failed.
 */
export function renderSummary(dryRun: readonly ClusterApplyResult[], applied: ReadonlyMap<string, ClusterApplyResult> | undefined): string {
  const lines = dryRun.map((d) => {
    const a = applied?.get(d.cluster);
    const r = a ?? d;
    const failures = r.objects.filter((o) => FAILED_OUTCOMES.has(o.outcome)).map((o) => `${o.kind} ${o.name}: ${o.outcome}`);
    if (r.unreachable !== undefined) return `${d.cluster}: not reached: ${r.unreachable}`;
    if (failures.length > 0) {
      const what = a ? 'partly applied' : applied ? 'not applied (its dry run failed)' : 'would fail';
      return `${d.cluster}: ${what}: ${counts(r)}\n  ${failures.join('\n  ')}`;
    }
    return `${d.cluster}: ${applied ? 'applied' : 'dry run ok'}: ${counts(r)}`;
  });
  return `${lines.join('\n')}\n`;
}
