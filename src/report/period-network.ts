/**
 * The report's connectivity: each assessed cluster's as its scan in the run stored it, and what
 * changed since the period's start (ADR 0017). From the store only, like the rest of the report.
 */
import { diffConnections, newExposure } from '../core/network.js';
import type { HistoryReader } from '../store/run-store.js';
import type { ClusterNetwork } from './model.js';
import type { PeriodNetwork } from './period.js';

/** The period section lists this many new exposure lines per cluster (and counts them all). */
export const NEW_EXPOSURE_SHOWN = 50;

export async function periodNetwork(store: HistoryReader, runId: string, clusters: readonly string[], from: Date): Promise<{ clusters: ClusterNetwork[]; changes?: PeriodNetwork[] }> {
  const out: ClusterNetwork[] = [];
  const changes: PeriodNetwork[] = [];
  for (const cluster of clusters) {
    const now = await store.network(cluster, runId);
    if (!now?.analysis) continue;
    const base = await store.networkSince(cluster, from, now.at);
    if (!base?.analysis || base.runId === now.runId) {
      out.push({ cluster, analysis: now.analysis });
      continue;
    }
    const diff = diffConnections(base.analysis.connections, now.analysis.connections);
    out.push({ cluster, analysis: now.analysis, changes: diff, since: base.at });
    const exposure = newExposure(base.analysis.exposure, now.analysis.exposure);
    if (diff.added.length + diff.removed.length + diff.changed.length + exposure.length === 0) continue;
    changes.push({
      cluster,
      since: base.at,
      added: diff.added.length,
      removed: diff.removed.length,
      changed: diff.changed.length,
      newExposure: exposure.slice(0, NEW_EXPOSURE_SHOWN),
      newExposureCount: exposure.length,
    });
  }
  return { clusters: out, ...(changes.length > 0 ? { changes } : {}) };
}
