/**
 * What each workload of a connectivity analysis is open to, and what it can reach: the view
 * the risk score and the PDF share. Read from the formatted lines of core/network, so a
 * stored analysis gives the same answer as a fresh one.
 */
import type { NetworkAnalysis } from './network.js';

export const INGRESS_CONTROLLER_PEER = '{ingress-controller}';
export const ENTIRE_CLUSTER_PEER = 'entire-cluster';
const EXTERNAL = '[External]';
export const REACH_SAMPLE = 3;

export const isExternalPeer = (name: string): boolean => name.endsWith(EXTERNAL);
/** A workload line end (`ns/name[Kind]`), not an address range nor the ingress controller. */
export const isWorkloadPeer = (name: string): boolean => !isExternalPeer(name) && name !== INGRESS_CONTROLLER_PEER;

export interface WorkloadExposure {
  /** `ns/name[Kind]`. */
  readonly workload: string;
  /** From the internet, through a Service of type LoadBalancer/NodePort or an Ingress, where the policies let it in: one text each. */
  readonly internet: readonly string[];
  /** The connections every pod of the cluster may open to it, when it is open to the entire cluster. */
  readonly cluster?: string;
  /** Address ranges outside the cluster admitted in, with their connections. */
  readonly external: readonly string[];
  /** How many workloads it has connections to (a connection line is one pair). */
  readonly reachCount: number;
  /** The first of them by name, at most REACH_SAMPLE: a cluster without policies has n² lines, not kept per workload. */
  readonly reachSample: readonly string[];
}

/** How exposed a workload is, for ordering: the internet, then the whole cluster, then ranges, then reach. */
export function exposureRank(e: WorkloadExposure): number {
  return (e.internet.length > 0 ? 4 : 0) + (e.cluster !== undefined ? 2 : 0) + (e.external.length > 0 ? 1 : 0);
}

export const isExposed = (e: WorkloadExposure): boolean => exposureRank(e) > 0;

/** Every workload of the analysis with what it is open to and reaches, most exposed first. */
export function workloadExposures(a: NetworkAnalysis): WorkloadExposure[] {
  const byName = new Map<string, { internet: string[]; cluster?: string; external: string[]; reachCount: number; reachSample: string[] }>();
  const entry = (w: string) => {
    let e = byName.get(w);
    if (!e) byName.set(w, (e = { internet: [], external: [], reachCount: 0, reachSample: [] }));
    return e;
  };
  // Lines come sorted by source: the source's entry is looked up once per run of its lines.
  let last: { name: string; e: ReturnType<typeof entry> } | undefined;
  for (const l of a.connections) {
    const srcWorkload = isWorkloadPeer(l.src);
    const dstWorkload = isWorkloadPeer(l.dst);
    if (dstWorkload) entry(l.dst);
    if (srcWorkload) {
      if (last?.name !== l.src) last = { name: l.src, e: entry(l.src) };
      if (!dstWorkload) continue;
      const e = last.e;
      e.reachCount++;
      if (e.reachSample.length < REACH_SAMPLE || l.dst < (e.reachSample[REACH_SAMPLE - 1] ?? '')) e.reachSample = [...e.reachSample, l.dst].sort().slice(0, REACH_SAMPLE);
    } else if (!dstWorkload) continue;
    else if (l.src === INGRESS_CONTROLLER_PEER) entry(l.dst).internet.push(`an Ingress (the ingress controller may connect on ${l.conn})`);
    else entry(l.dst).external.push(`${l.src.slice(0, -EXTERNAL.length)} on ${l.conn}`);
  }
  for (const s of a.exposure?.services ?? []) entry(s.workload).internet.push(`${s.peer} on ${s.conn}`);
  for (const l of a.exposure?.ingress ?? []) if (l.peer === ENTIRE_CLUSTER_PEER) entry(l.workload).cluster = l.conn;
  const out = [...byName].map(([workload, e]): WorkloadExposure => ({
    workload,
    internet: e.internet,
    ...(e.cluster !== undefined ? { cluster: e.cluster } : {}),
    external: e.external,
    reachCount: e.reachCount,
    reachSample: e.reachSample,
  }));
  return out.sort((x, y) => exposureRank(y) - exposureRank(x) || y.reachCount - x.reachCount || (x.workload < y.workload ? -1 : x.workload > y.workload ? 1 : 0));
}
