/**
 * The facts alert events are computed from, read from the store: the new run's clusters, and
 * each cluster's latest earlier scan that assessed it (looked for among a bounded number of
 * earlier runs).
 */
import type { ClusterResult, HistoryReader, Run, StoredFinding } from '../store/run-store.js';
import { complianceScore } from '../score/compliance.js';
import type { ClusterFacts, CriticalFailure } from './events.js';

/** Earlier runs searched for a cluster's previous assessed scan. */
const LOOKBACK_RUNS = 64;

export interface RunFacts {
  run: Run;
  clusters: ClusterFacts[];
  previous: Map<string, ClusterFacts>;
  previousRunAt?: string;
}

function resourceName(f: StoredFinding): string {
  const r = f.resource;
  return `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.container ? `[${r.container}]` : ''}`;
}

async function clusterFacts(history: HistoryReader, run: Run, result: ClusterResult): Promise<ClusterFacts> {
  const drift = result.posture ? { drift: result.posture.controls.filter((c) => c.drift && c.expected !== undefined).map((c) => ({ controlId: c.controlId, expected: c.expected ?? '', state: c.state })) } : {};
  const base = { cluster: result.cluster, runId: run.id, startedAt: run.startedAt, status: result.status, ...(result.error !== undefined ? { error: result.error } : {}), ...drift };
  if (result.status === 'failed') return { ...base, score: null, critical: [] };
  const controls = await history.controlResults(run.id, result.cluster);
  const score = complianceScore(controls).score;
  // Only the critical controls that failed: a large cluster's other findings are not read.
  const critical: CriticalFailure[] = [];
  for (const c of controls) {
    if (c.severity !== 'critical' || c.counts.fail === 0) continue;
    const found = await history.findings(run.id, { cluster: result.cluster, controlId: c.controlId, status: 'fail', withoutEvidence: true });
    for (const f of found) critical.push({ fingerprint: f.fingerprint, controlId: f.controlId, resource: resourceName(f), excepted: f.disposition?.kind === 'excepted' });
  }
  return { ...base, score, critical };
}

export async function gatherRunFacts(history: HistoryReader, runId: string): Promise<RunFacts | undefined> {
  const run = await history.getRun(runId);
  if (!run) return undefined;
  const results = await history.clusterResults(run.id);
  const clusters: ClusterFacts[] = [];
  for (const r of results) clusters.push(await clusterFacts(history, run, r));
  const earlier = (await history.listRuns(LOOKBACK_RUNS)).filter((r) => r.seq < run.seq).sort((a, b) => b.seq - a.seq);
  const previous = new Map<string, ClusterFacts>();
  const wanted = new Set(clusters.map((c) => c.cluster));
  for (const before of earlier) {
    if (wanted.size === 0) break;
    for (const r of await history.clusterResults(before.id)) {
      if (!wanted.has(r.cluster) || r.status === 'failed') continue;
      wanted.delete(r.cluster);
      previous.set(r.cluster, await clusterFacts(history, before, r));
    }
  }
  const last = earlier[0];
  return { run, clusters, previous, ...(last ? { previousRunAt: last.startedAt } : {}) };
}
