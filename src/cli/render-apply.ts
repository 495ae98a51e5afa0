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

const OUTCOME_ORDER: readonly ApplyOutcome[] = ['created', 'configured', 'unchanged', 'conflict', 'forbidden', 'error'];

function outcomeCounts(r: ClusterApplyResult): Partial<Record<ApplyOutcome, number>> {
  const by: Partial<Record<ApplyOutcome, number>> = {};
  for (const o of r.objects) by[o.outcome] = (by[o.outcome] ?? 0) + 1;
  return by;
}

function counts(r: ClusterApplyResult): string {
  const by = outcomeCounts(r);
  return OUTCOME_ORDER.filter((k) => by[k] !== undefined).map((k) => `${by[k]} ${k}`).join(', ') || 'nothing to do';
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

/** A cluster's state after `policy apply`, as `-o json` names it. */
export type ClusterApplyStatus = 'applied' | 'partly-applied' | 'not-applied' | 'dry-run-ok' | 'would-fail' | 'unreachable';

function statusOf(d: ClusterApplyResult, applied: ReadonlyMap<string, ClusterApplyResult> | undefined): ClusterApplyStatus {
  const a = applied?.get(d.cluster);
  const r = a ?? d;
  if (r.unreachable !== undefined) return 'unreachable';
  if (!clusterFailed(r)) return applied ? 'applied' : 'dry-run-ok';
  return a ? 'partly-applied' : applied ? 'not-applied' : 'would-fail';
}

function objectsJson(r: ClusterApplyResult): unknown[] {
  return r.objects.map((o) => ({ kind: o.kind, name: o.name, outcome: o.outcome, ...(o.message !== undefined ? { message: o.message } : {}), diff: o.diff }));
}

/**
 * `policy apply -o json`: per cluster its status, the dry run's objects (outcome and diff) and,
 * when the apply ran there, the apply's; the same facts as the text, for machines.
 */
export function renderApplyJson(
  dryRun: readonly ClusterApplyResult[],
  applied: ReadonlyMap<string, ClusterApplyResult> | undefined,
  meta: { readonly profile: string; readonly action: string },
): string {
  const clusters = dryRun.map((d) => {
    const a = applied?.get(d.cluster);
    return {
      cluster: d.cluster,
      status: statusOf(d, applied),
      ...((a ?? d).unreachable !== undefined ? { unreachable: (a ?? d).unreachable } : {}),
      counts: outcomeCounts(a ?? d),
      dryRun: { objects: objectsJson(d) },
      ...(a ? { apply: { objects: objectsJson(a) } } : {}),
    };
  });
  return `${JSON.stringify({ profile: meta.profile, action: meta.action, dryRunOnly: applied === undefined, clusters }, null, 2)}\n`;
}
