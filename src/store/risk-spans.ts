/**
 * Workload risk kept as spans (migration 003): a row holds one workload's risk for as long
 * as it does not change, so an unchanged scan writes nothing here. Risk is derived from the
 * findings and the snapshot (whose hash is in the chain); it is not itself chained.
 */
import type { Knex } from 'knex';
import type { RiskFactor, WorkloadRisk } from '../core/types.js';
import { ASSESSED, idChunks, type Db } from './history-rows.js';
import { RUN_CLUSTERS } from './run-rows.js';
import type { SqlDialect } from './dialect.js';
import { assessedScans } from './history-reads.js';
import type { ClusterRiskPoint, StoredWorkloadRisk } from './run-types.js';

export const RISK_SPANS = 'risk_spans';
const COLUMNS = ['id', 'cluster', 'workload', 'kind', 'namespace', 'name', 'risk', 'severity', 'exposure', 'failing', 'factors', 'from_seq', 'to_seq'];

interface RiskSpanRow {
  id: number | string;
  cluster: string;
  workload: string;
  kind: string;
  namespace: string | null;
  name: string;
  risk: number | string;
  severity: number | string;
  exposure: number | string;
  failing: number | string;
  factors: string;
  from_seq: number | string;
  to_seq: number | string | null;
}

export const workloadKey = (r: WorkloadRisk['resource']): string => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** What makes two spans the same: every figure and every reason. */
function signature(r: WorkloadRisk): string {
  return JSON.stringify([r.risk, r.severity, r.exposure, r.failing, r.factors]);
}

function toRisk(row: RiskSpanRow): StoredWorkloadRisk {
  return {
    cluster: row.cluster,
    resource: { kind: row.kind, ...(row.namespace !== null ? { namespace: row.namespace } : {}), name: row.name },
    risk: Number(row.risk),
    severity: Number(row.severity),
    exposure: Number(row.exposure),
    failing: Number(row.failing),
    factors: JSON.parse(row.factors) as RiskFactor[],
  };
}

/** Close the spans that changed or went away, insert the new ones. Pure. */
export function planRiskSpans(open: ReadonlyArray<{ id: number; risk: WorkloadRisk }>, current: readonly WorkloadRisk[]): { close: number[]; insert: WorkloadRisk[] } {
  const openByKey = new Map(open.map((o) => [workloadKey(o.risk.resource), o]));
  const kept = new Set<number>();
  const insert: WorkloadRisk[] = [];
  for (const r of current) {
    const o = openByKey.get(workloadKey(r.resource));
    if (o && signature(o.risk) === signature(r)) kept.add(o.id);
    else insert.push(r);
  }
  return { close: open.filter((o) => !kept.has(o.id)).map((o) => o.id), insert };
}

/** Inside recordCluster's transaction, for an assessed scan. */
export async function applyRiskSpans(trx: Knex.Transaction, dialect: SqlDialect, cluster: string, risks: readonly WorkloadRisk[], seq: number): Promise<void> {
  const open = ((await trx(RISK_SPANS).select(COLUMNS).where({ cluster }).whereNull('to_seq')) as RiskSpanRow[]).map((row) => ({ id: Number(row.id), risk: toRisk(row) }));
  const plan = planRiskSpans(open, risks);
  for (const ids of idChunks(plan.close)) await trx(RISK_SPANS).whereIn('id', ids).update({ to_seq: seq });
  await dialect.insertRows(
    trx,
    RISK_SPANS,
    COLUMNS.length,
    plan.insert.map((r) => ({
      cluster,
      workload: workloadKey(r.resource),
      kind: r.resource.kind,
      namespace: r.resource.namespace ?? null,
      name: r.resource.name,
      risk: r.risk,
      severity: r.severity,
      exposure: r.exposure,
      failing: r.failing,
      factors: JSON.stringify(r.factors),
      from_seq: seq,
      to_seq: null,
    })),
  );
}

/** Workload risks as they stood at a run, per cluster assessed in it; highest first. */
export async function risksAtRun(db: Db, runId: string, cluster?: string): Promise<StoredWorkloadRisk[]> {
  const q = db(`${RUN_CLUSTERS} as rc`)
    .join(`${RISK_SPANS} as s`, (j) => {
      j.on('s.cluster', '=', 'rc.cluster').andOn('s.from_seq', '<=', 'rc.seq');
    })
    .select(COLUMNS.map((c) => `s.${c}`))
    .where('rc.run_id', runId)
    .whereIn('rc.status', ASSESSED)
    .where('rc.risk_recorded', 1)
    .where((w) => {
      void w.whereNull('s.to_seq').orWhere('s.to_seq', '>', db.ref('rc.seq'));
    });
  if (cluster !== undefined) void q.andWhere('rc.cluster', cluster);
  const rows = (await q) as RiskSpanRow[];
  return rows.map(toRisk).sort((a, b) => b.risk - a.risk || (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0) || (workloadKey(a.resource) < workloadKey(b.resource) ? -1 : 1));
}

/**
 * Total risk (Σ workload risk) and number of risky workloads of every assessed cluster scan
 * of the runs started in [from, to], in order. Scans recorded without risk (before migration
 * 003) are left out, so a series never shows a false zero.
 */
export async function riskSeries(db: Db, cluster: string | undefined, from: Date, to: Date): Promise<ClusterRiskPoint[]> {
  const pq = assessedScans(db, cluster, from, to).where('rc.risk_recorded', 1);
  const points = (await pq) as Array<{ run_id: string; run_seq: number | string; run_started_at: string; cluster: string; seq: number | string }>;
  if (points.length === 0) return [];
  const seqs = points.map((p) => Number(p.seq));
  const sq = db(RISK_SPANS)
    .select('cluster', 'risk', 'from_seq', 'to_seq')
    .andWhere('from_seq', '<=', Math.max(...seqs))
    .andWhere((w) => {
      void w.whereNull('to_seq').orWhere('to_seq', '>', Math.min(...seqs));
    });
  if (cluster !== undefined) void sq.andWhere({ cluster });
  const spans = (await sq) as Array<{ cluster: string; risk: number | string; from_seq: number | string; to_seq: number | string | null }>;

  // Per cluster, a sweep over span starts and ends: the running sums are the totals at each point.
  const events = new Map<string, Array<{ at: number; risk: number; workloads: number }>>();
  for (const s of spans) {
    const list = events.get(s.cluster) ?? [];
    if (list.length === 0) events.set(s.cluster, list);
    list.push({ at: Number(s.from_seq), risk: Number(s.risk), workloads: 1 });
    if (s.to_seq !== null) list.push({ at: Number(s.to_seq), risk: -Number(s.risk), workloads: -1 });
  }
  for (const list of events.values()) list.sort((a, b) => a.at - b.at);
  const sweep = new Map<string, { next: number; risk: number; workloads: number }>();
  const out: ClusterRiskPoint[] = [];
  for (const p of points) {
    const seq = Number(p.seq);
    let st = sweep.get(p.cluster);
    if (!st) sweep.set(p.cluster, (st = { next: 0, risk: 0, workloads: 0 }));
    const list = events.get(p.cluster) ?? [];
    for (; st.next < list.length && (list[st.next]?.at ?? Infinity) <= seq; st.next += 1) {
      const e = list[st.next];
      if (!e) continue;
      st.risk += e.risk;
      st.workloads += e.workloads;
    }
    // Rounded: a running float sum drifts by ulps; risks are sums of small weights.
    out.push({ runId: p.run_id, runSeq: Number(p.run_seq), runStartedAt: p.run_started_at, cluster: p.cluster, seq, risk: Math.round(st.risk * 1000) / 1000, workloads: st.workloads });
  }
  return out;
}
