/**
 * `scan --severity`: the run is recorded whole (every severity, so the history and the scores
 * stay those of the full catalog); only the summary printed is cut down. Its counts are read
 * back from the run's per-control results, which carry each control's severity.
 */
import type { Severity } from '../core/types.js';
import type { ControlResult } from '../store/run-store.js';
import type { ClusterSummary, FleetScanResult } from '../scan/scan-fleet.js';

export function summaryForSeverities(result: FleetScanResult, results: readonly ControlResult[], severities: ReadonlySet<Severity>): FleetScanResult {
  const byCluster = new Map<string, Record<string, number>>();
  for (const r of results) {
    if (!severities.has(r.severity)) continue;
    const counts = byCluster.get(r.cluster) ?? {};
    for (const [status, n] of Object.entries(r.counts)) if (n > 0) counts[status] = (counts[status] ?? 0) + n;
    byCluster.set(r.cluster, counts);
  }
  const clusters: ClusterSummary[] = result.clusters.map((c) => (c.status === 'failed' ? c : { ...c, findingCounts: byCluster.get(c.cluster) ?? {} }));
  return { ...result, clusters };
}
