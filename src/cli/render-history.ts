/** Terminal renderings of the history answers (the JSON output is the objects themselves). */
import type { ResourceRef } from '../core/types.js';
import type { ChainReport, RunDiff, StoredWorkloadRisk } from '../store/run-types.js';
import type { RemediationReport, RunHistoryEntry, Trend } from '../history/history.js';
import type { RemediationStat } from '../history/remediation.js';
import { AGE_BUCKETS } from '../history/remediation.js';
import { table } from './format.js';

const score = (s: number | null | undefined) => (s === null || s === undefined ? '-' : s.toFixed(1));
const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const days = (d: number) => (Number.isNaN(d) ? '-' : d < 1 ? `${(d * 24).toFixed(1)}h` : `${d.toFixed(1)}d`);
const risk = (r: number | null | undefined) => (r === null || r === undefined ? '-' : r.toFixed(1));

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A one-line picture of a series, scaled to its own range (scores move by tenths, a 0..100
 * scale would draw a flat line). Null: a space. A constant series is drawn mid-height.
 */
export function sparkline(values: ReadonlyArray<number | null>, width = 60): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return '';
  const lo = Math.min(...known);
  const span = Math.max(...known) - lo;
  const step = Math.max(1, Math.ceil(values.length / width));
  let out = '';
  for (let i = 0; i < values.length; i += step) {
    const slice = values.slice(i, i + step).filter((v): v is number => v !== null);
    if (slice.length === 0) {
      out += ' ';
      continue;
    }
    const v = slice.reduce((a, b) => a + b, 0) / slice.length;
    const level = span === 0 ? 3 : Math.min(BARS.length - 1, Math.floor(((v - lo) / span) * BARS.length));
    out += BARS[level];
  }
  return out;
}

export function renderHistory(entries: readonly RunHistoryEntry[]): string {
  if (entries.length === 0) return 'no run in the store yet: run `complyd scan` first';
  return table(
    ['RUN', 'STARTED', 'STATUS', 'TRIGGER', 'CLUSTERS', 'SCORE', 'PASS', 'FAIL', 'UNKNOWN', 'MANUAL', 'RISK'],
    entries.map((e) => [e.run.id.slice(0, 8), day(e.run.startedAt), e.run.status, e.run.trigger, `${e.assessed}/${e.run.clusterCount}`, score(e.score), e.counts.pass, e.counts.fail, e.counts.unknown, e.counts.manual, risk(e.risk)]),
  );
}

/** `configured`: the clusters of the configuration, to name those with no assessed scan in the window. */
const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : `${v.toFixed(1)}%`);

/** Enforcement coverage per run (ADR 0020); nothing when no run in the window recorded a posture. */
function enforcementLines(points: Trend['enforcement']): string[] {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return [];
  return [
    '',
    `Enforcement coverage at admission (controls enforced / considered): ${pct(first.coverage)} -> ${pct(last.coverage)}   ${sparkline(points.map((p) => p.coverage))}`,
    table(['RUN', 'STARTED', 'CLUSTERS', 'ENFORCED', 'CONSIDERED', 'COVERAGE', 'DRIFT'], points.map((p) => [p.runId.slice(0, 8), day(p.at), p.clusters, p.enforced, p.considered, pct(p.coverage), p.drift])),
  ];
}

export function renderTrend(t: Trend, configured: readonly string[] = []): string {
  const group = t.profile ? `profile ${t.profile.name} (${t.profile.selector}: ${t.profile.frameworks.join(', ')})` : 'fleet';
  const scope = `${t.cluster ? `cluster ${t.cluster}` : group}${t.framework ? `, framework ${t.framework}` : ''}`;
  const lines = [`Compliance score, ${scope}, ${day(t.from)} to ${day(t.to)} UTC (${t.score.length} runs)`];
  if (t.score.length === 0) return `${lines[0]}\nno assessed scan in this window`;
  const first = t.score[0];
  const last = t.score[t.score.length - 1];
  const change = first?.score != null && last?.score != null ? ` (${last.score - first.score >= 0 ? '+' : ''}${(last.score - first.score).toFixed(1)})` : '';
  lines.push(`  score  ${score(first?.score)} -> ${score(last?.score)}${change}   ${sparkline(t.score.map((p) => p.score))}`);
  const r0 = t.risk[0];
  const r1 = t.risk[t.risk.length - 1];
  if (r0 && r1) lines.push(`  risk   ${risk(r0.risk)} -> ${risk(r1.risk)}`);
  const riskByRun = new Map(t.risk.map((r) => [r.runId, r.risk]));
  lines.push('', table(['RUN', 'STARTED', 'SCORE', 'PASS', 'FAIL', 'UNKNOWN', 'MANUAL', 'RISK'], t.score.map((p) => [p.runId.slice(0, 8), day(p.at), score(p.score), p.counts.pass, p.counts.fail, p.counts.unknown, p.counts.manual, risk(riskByRun.get(p.runId))])));
  if (t.clusters.length > 0) {
    lines.push('', 'Per cluster (first -> last in the window):');
    lines.push(
      table(
        ['CLUSTER', 'PROFILE', 'FRAMEWORKS', 'SCANS', 'SCORE', 'RISK', 'TREND'],
        t.clusters.map((c) => [
          c.cluster,
          c.frameworks ? (c.profile ?? '(none)') : '-',
          c.frameworks ? c.frameworks.join(',') : '-',
          c.score.length,
          `${score(c.score[0]?.score)} -> ${score(c.score[c.score.length - 1]?.score)}`,
          `${risk(c.risk[0]?.risk)} -> ${risk(c.risk[c.risk.length - 1]?.risk)}`,
          sparkline(c.score.map((p) => p.score), 30),
        ]),
      ),
    );
  }
  lines.push(...enforcementLines(t.enforcement));
  const missing = t.cluster ? [] : configured.filter((name) => !t.clusters.some((c) => c.cluster === name));
  if (missing.length > 0) lines.push(`Not assessed in this window: ${missing.join(', ')} (unreachable or not scanned; \`complyd history\` shows each run)`);
  lines.push('', t.regressions.length > 0 ? 'Top regressions (failing resources, first -> last scan of each cluster):' : 'No control regressed in this window.');
  if (t.regressions.length > 0) lines.push(table(['CONTROL', 'SEVERITY', 'BEFORE', 'AFTER', 'CHANGE'], t.regressions.map((r) => [r.controlId, r.severity, r.before, r.after, `+${r.delta}`])));
  return lines.join('\n');
}

function statRows(stats: readonly RemediationStat[]): string[][] {
  return stats.map((s) => [s.key, String(s.resolved), String(s.fixed), String(s.resourceGone), days(s.meanDays), days(s.medianDays), days(s.maxDays)]);
}

const STAT_HEAD = ['RESOLVED', 'FIXED', 'GONE', 'MEAN', 'MEDIAN', 'MAX'];

export function renderRemediation(r: RemediationReport, controlLimit = 15): string {
  const scope = `${r.cluster ? `cluster ${r.cluster}` : 'fleet'}${r.framework ? `, framework ${r.framework}` : ''}`;
  const lines = [`Time to remediate failing findings, ${scope}, resolved ${day(r.from)} to ${day(r.to)} UTC`];
  lines.push(
    r.all.resolved === 0
      ? '  nothing was resolved in this window'
      : `  ${r.all.resolved} resolved (${r.all.fixed} fixed, ${r.all.resourceGone} by deleting the resource): mean ${days(r.all.meanDays)}, median ${days(r.all.medianDays)}, max ${days(r.all.maxDays)}`,
  );
  if (r.all.resolved > 0) {
    lines.push('', table(['SEVERITY', ...STAT_HEAD], statRows(r.bySeverity)));
    lines.push('', table(['CLUSTER', ...STAT_HEAD], statRows(r.byCluster)));
    const shown = r.byControl.slice(0, controlLimit);
    lines.push('', table(['CONTROL', ...STAT_HEAD], statRows(shown)));
    if (r.byControl.length > shown.length) lines.push(`  ... ${r.byControl.length - shown.length} more controls (--output json lists all)`);
  }
  const open = Object.values(r.open.total).reduce((a, b) => a + b, 0);
  lines.push('', `Open failing findings by age (days since first seen): ${open}${r.open.oldestDays !== null ? `, oldest ${days(r.open.oldestDays)}` : ''}`);
  const rows = (Object.entries(r.open.bySeverity) as Array<[string, Record<string, number>]>).filter(([, b]) => AGE_BUCKETS.some((k) => (b[k] ?? 0) > 0)).map(([sev, b]) => [sev, ...AGE_BUCKETS.map((k) => b[k] ?? 0)]);
  rows.push(['total', ...AGE_BUCKETS.map((k) => r.open.total[k])]);
  lines.push(table(['SEVERITY', ...AGE_BUCKETS.map((k) => `${k} d`)], rows));
  return lines.join('\n');
}

function where(e: { resource: ResourceRef }): string {
  const r = e.resource;
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.container ? ` [${r.container}]` : ''}`;
}

export function renderDiff(d: RunDiff, limit = 20): string {
  const lines = [`Changes from run ${d.fromRunId} to run ${d.toRunId}`];
  lines.push(
    table(
      ['CLUSTER', 'NEW', 'REOPENED', 'RESOLVED', 'STILL OPEN'],
      d.clusters.map((c) => [c.cluster, c.new.length, c.reopened.length, c.resolved.length, c.stillOpen.length]),
    ),
  );
  for (const s of d.skipped) lines.push(`  ${s.cluster}: not compared: ${s.reason}`);
  for (const c of d.clusters) {
    for (const [label, list] of [
      ['new', c.new],
      ['reopened', c.reopened],
      ['resolved', c.resolved],
    ] as const) {
      if (list.length === 0) continue;
      lines.push('', `${c.cluster}: ${label} (${list.length})`);
      for (const e of list.slice(0, limit)) {
        const how = label === 'resolved' ? '' : ` first seen ${day(e.firstSeen.at)}`;
        lines.push(`  ${e.status.padEnd(7)} ${e.controlId.padEnd(10)} ${e.severity.padEnd(8)} ${where(e)}${how}`);
      }
      if (list.length > limit) lines.push(`  ... ${list.length - limit} more (--output json lists all)`);
    }
  }
  return lines.join('\n');
}

export function renderVerify(r: ChainReport): string {
  const head = r.ok
    ? `hash chain intact: ${r.clusters} clusters, ${r.rows} scans, ${r.episodes} finding episodes checked`
    : `hash chain BROKEN: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} in ${r.clusters} clusters, ${r.rows} scans, ${r.episodes} finding episodes`;
  const lines = [head];
  if (r.legacyRows > 0) lines.push(`  ${r.legacyRows} scans recorded before the chain existed (migration 002) were not checked`);
  for (const p of r.problems) lines.push(`  ${p.kind}: ${p.row}: ${p.message}`);
  if (r.heads.length > 0) {
    lines.push('', 'Chain heads (keep them elsewhere to detect a later truncation):');
    lines.push(table(['CLUSTER', 'RUN', 'SEQ', 'CHAIN HASH'], r.heads.map((h) => [h.cluster, h.runId, h.seq, h.chainHash])));
  }
  return lines.join('\n');
}

export interface RiskTotals {
  clusters: Array<{ cluster: string; risk: number; workloads: number }>;
  namespaces: Array<{ cluster: string; namespace: string; risk: number; workloads: number }>;
}

/** Sums per cluster and per namespace (highest first): a namespace's risk is its workloads' sum. */
export function riskTotals(workloads: readonly StoredWorkloadRisk[]): RiskTotals {
  const clusters = new Map<string, { cluster: string; risk: number; workloads: number }>();
  const namespaces = new Map<string, { cluster: string; namespace: string; risk: number; workloads: number }>();
  for (const w of workloads) {
    const c = clusters.get(w.cluster) ?? { cluster: w.cluster, risk: 0, workloads: 0 };
    clusters.set(w.cluster, c);
    c.risk += w.risk;
    c.workloads += 1;
    const ns = w.resource.namespace ?? '(cluster-scoped)';
    const k = `${w.cluster}/${ns}`;
    const n = namespaces.get(k) ?? { cluster: w.cluster, namespace: ns, risk: 0, workloads: 0 };
    namespaces.set(k, n);
    n.risk += w.risk;
    n.workloads += 1;
  }
  const byRisk = <T extends { risk: number }>(a: T, b: T) => b.risk - a.risk;
  return { clusters: [...clusters.values()].sort(byRisk), namespaces: [...namespaces.values()].sort(byRisk) };
}

export function renderRisk(r: RiskTotals & { runId: string; workloads: readonly StoredWorkloadRisk[]; more: number }): string {
  if (r.workloads.length === 0) return `run ${r.runId}: no workload with a failing finding (or risk was not recorded for this run)`;
  const lines = [`Workload risk at run ${r.runId} (risk = severity x exposure; exposure = 1 + factors)`, ''];
  lines.push(table(['CLUSTER', 'RISK', 'WORKLOADS'], r.clusters.map((c) => [c.cluster, c.risk.toFixed(1), c.workloads])));
  lines.push('', table(['CLUSTER', 'NAMESPACE', 'RISK', 'WORKLOADS'], r.namespaces.slice(0, 10).map((n) => [n.cluster, n.namespace, n.risk.toFixed(1), n.workloads])));
  lines.push('');
  for (const w of r.workloads) {
    lines.push(`${w.risk.toFixed(1).padStart(7)}  ${w.cluster} ${where(w)}  = ${w.severity} (${w.failing} failing) x ${w.exposure}`);
    for (const f of w.factors) lines.push(`           +${f.contribution} ${f.factor}: ${f.reason}`);
  }
  if (r.more > 0) lines.push(`  ... ${r.more} more workloads (--limit, or --output json)`);
  return lines.join('\n');
}
