/**
 * Per-scan aggregates kept as spans: a row holds one set of counts for as long as it does not
 * change, so an unchanged scan writes no aggregate row at all. Pure; record.ts writes the plan.
 */
import type { Finding, Passes } from '../core/types.js';
import { emptyCounts, type StatusCounts } from '../core/status.js';
import { ALL_CONTROLS } from '../core/control.js';
import { STATUSES } from '../core/types.js';
import type { CountsEntry } from './chain.js';
import { StoreError } from './store-error.js';

export type SpanDim = 'control' | 'namespace';

/** `framework` aggregates live in their own table (score_spans); the others in count_spans. */
export interface Aggregate extends CountsEntry {
  dim: SpanDim | 'framework';
}

/** Which frameworks each control belongs to, as evaluated (control id → framework ids). */
export type FrameworkMembership = Readonly<Record<string, readonly string[]>>;

export interface OpenSpan extends Aggregate {
  id: number;
}

export interface SpanPlan {
  close: number[];
  insert: Aggregate[];
}

/**
 * Counts per control (key: control id; one severity per control) and per namespace and
 * severity (key: namespace; cluster-scoped resources are in the control counts only), of
 * `findings` and of the passes kept apart from them.
 */
export function aggregateScan(cluster: string, findings: readonly Finding[], passes?: Passes): { controls: Aggregate[]; namespaces: Aggregate[] } {
  const byControl = new Map<string, Aggregate>();
  const byNamespace = new Map<string, Aggregate>();
  for (const f of findings) {
    let control = byControl.get(f.controlId);
    if (!control) byControl.set(f.controlId, (control = { dim: 'control', key: f.controlId, severity: f.severity, counts: emptyCounts() }));
    else if (control.severity !== f.severity) {
      throw new StoreError(`control ${f.controlId} in cluster ${cluster} has findings of several severities: ${control.severity}, ${f.severity}`);
    }
    control.counts[f.status] += 1;
    const ns = f.resource.namespace;
    if (ns === undefined) continue;
    const k = `${ns}\u0000${f.severity}`;
    let entry = byNamespace.get(k);
    if (!entry) byNamespace.set(k, (entry = { dim: 'namespace', key: ns, severity: f.severity, counts: emptyCounts() }));
    entry.counts[f.status] += 1;
  }
  if (passes) {
    if (passes.severityConflict) throw new StoreError(`cluster ${cluster}: ${passes.severityConflict}`);
    for (const p of passes.byControl()) {
      let control = byControl.get(p.key);
      if (!control) byControl.set(p.key, (control = { dim: 'control', key: p.key, severity: p.severity, counts: emptyCounts() }));
      else if (control.severity !== p.severity) {
        throw new StoreError(`control ${p.key} in cluster ${cluster} has findings of several severities: ${control.severity}, ${p.severity}`);
      }
      control.counts.pass += p.count;
    }
    for (const p of passes.byNamespace()) {
      const k = `${p.key}\u0000${p.severity}`;
      let entry = byNamespace.get(k);
      if (!entry) byNamespace.set(k, (entry = { dim: 'namespace', key: p.key, severity: p.severity, counts: emptyCounts() }));
      entry.counts.pass += p.count;
    }
  }
  return { controls: [...byControl.values()], namespaces: [...byNamespace.values()] };
}

/**
 * Counts per framework and severity, summed from the control counts: under `*` every
 * control, under a framework id the controls that belonged to it. A compliance score is
 * a severity-weighted sum, so these sums give every framework's score exactly.
 */
export function aggregateFrameworks(controls: readonly Aggregate[], membership: FrameworkMembership): Aggregate[] {
  const out = new Map<string, Aggregate>();
  const add = (framework: string, c: Aggregate) => {
    const k = `${framework}\u0000${c.severity}`;
    let entry = out.get(k);
    if (!entry) out.set(k, (entry = { dim: 'framework', key: framework, severity: c.severity, counts: emptyCounts() }));
    for (const s of STATUSES) entry.counts[s] += c.counts[s];
  };
  for (const c of controls) {
    add(ALL_CONTROLS, c);
    for (const f of membership[c.key] ?? []) add(f, c);
  }
  return [...out.values()];
}

function spanKey(a: Aggregate): string {
  return `${a.dim}\u0000${a.key}\u0000${a.severity}`;
}

export function sameCounts(a: StatusCounts, b: StatusCounts): boolean {
  return STATUSES.every((s) => a[s] === b[s]);
}

/** Close the open spans whose counts changed or that are no longer reported; open spans for new counts. */
export function planSpans(open: readonly OpenSpan[], current: readonly Aggregate[]): SpanPlan {
  const openByKey = new Map(open.map((s) => [spanKey(s), s]));
  const plan: SpanPlan = { close: [], insert: [] };
  const kept = new Set<number>();
  for (const a of current) {
    const s = openByKey.get(spanKey(a));
    if (s && sameCounts(s.counts, a.counts)) kept.add(s.id);
    else plan.insert.push(a);
  }
  for (const s of open) if (!kept.has(s.id)) plan.close.push(s.id);
  return plan;
}
