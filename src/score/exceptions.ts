/**
 * Scores with accepted exceptions, beside the scores as measured. An excepted failure is left
 * out of the decided checks (neither passed nor failed): accepted is not compliant, so it never
 * counts as a pass. An expired exception accepts nothing. Time to remediate is not affected:
 * an excepted failure stays open until it is fixed.
 */
import type { Finding, ResourceRef, Severity } from '../core/types.js';
import { complianceScore, type ControlCounts } from './compliance.js';
import { SEVERITY_WEIGHT } from './weights.js';

type Found = Pick<Finding, 'cluster' | 'controlId' | 'status' | 'severity' | 'resource' | 'disposition'>;

const isAccepted = (f: Found): boolean => f.status === 'fail' && f.disposition?.kind === 'excepted';
const controlKey = (cluster: string, controlId: string): string => `${cluster}\u001f${controlId}`;
const workloadKey = (cluster: string, r: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>): string => `${cluster}\u001f${r.kind}\u001f${r.namespace ?? ''}\u001f${r.name}`;

/** Failures accepted by an exception in force, per cluster and control. */
export function acceptedByControl(findings: Iterable<Found>): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of findings) if (isAccepted(f)) out.set(controlKey(f.cluster, f.controlId), (out.get(controlKey(f.cluster, f.controlId)) ?? 0) + 1);
  return out;
}

/** The compliance score of `rows` with the accepted failures left out of the decided checks. */
export function scoreWithExceptions(rows: Iterable<ControlCounts & { cluster: string }>, accepted: ReadonlyMap<string, number>): number | null {
  const adjusted: ControlCounts[] = [];
  for (const r of rows) {
    const n = Math.min(accepted.get(controlKey(r.cluster, r.controlId)) ?? 0, r.counts.fail);
    adjusted.push(n === 0 ? r : { ...r, counts: { ...r.counts, fail: r.counts.fail - n } });
  }
  return complianceScore(adjusted).score;
}

interface RiskRow {
  cluster: string;
  resource: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>;
  severity: number;
  exposure: number;
}

/**
 * Each cluster's risk with the accepted failures taken out of their workloads' severity
 * (risk = severity × exposure, and exposure does not depend on which findings fail).
 */
export function riskWithExceptions(risks: Iterable<RiskRow>, findings: Iterable<Found>): Map<string, number> {
  const acceptedWeight = new Map<string, number>();
  for (const f of findings) {
    if (!isAccepted(f)) continue;
    const key = workloadKey(f.cluster, f.resource);
    acceptedWeight.set(key, (acceptedWeight.get(key) ?? 0) + SEVERITY_WEIGHT[f.severity as Severity]);
  }
  const out = new Map<string, number>();
  for (const r of risks) {
    const severity = Math.max(0, r.severity - (acceptedWeight.get(workloadKey(r.cluster, r.resource)) ?? 0));
    // Rounded like the stored risks: sums of small weights drift by ulps.
    out.set(r.cluster, Math.round(((out.get(r.cluster) ?? 0) + severity * r.exposure) * 1000) / 1000);
  }
  return out;
}
