/**
 * The result of the network connectivity analysis (evaluate/network) as the rest of complyd
 * sees it: the store keeps it per run and cluster, the report draws it, the CLI diffs it.
 * Lines are already formatted (`ns/name[Kind]`, `TCP 80,8080-8090`), so a stored analysis
 * reads back without the model that produced it.
 */

export interface ConnectionLine {
  readonly src: string;
  readonly dst: string;
  readonly conn: string;
}

export interface ExposureLine {
  /** The workload exposed. */
  readonly workload: string;
  /** What it is open to (ingress) or can reach (egress): entire-cluster, a range, a representative peer, a Service. */
  readonly peer: string;
  readonly conn: string;
}

export interface Exposure {
  readonly egress: readonly ExposureLine[];
  readonly ingress: readonly ExposureLine[];
  /** Workloads no policy isolates, in a direction: `ns/name[Kind] is not protected on Ingress`. */
  readonly unprotected: readonly string[];
  /** Workloads reachable from outside the cluster through a Service of type LoadBalancer or NodePort. */
  readonly services: readonly ExposureLine[];
}

export interface NetworkAnalysis {
  readonly connections: readonly ConnectionLine[];
  readonly exposure?: Exposure;
  readonly workloads: number;
  readonly policies: number;
  /** Pods judged as one: the number of distinct (namespace, labels, ports). */
  readonly classes: number;
  readonly problems: readonly string[];
  /**
   * Set when the workload-to-workload lines hit this cap: the pairs past it were not computed,
   * so `connections` is a part of them (lines with external ranges and the ingress controller,
   * and the exposure, are whole).
   */
  readonly pairsCapped?: number;
}

export interface ChangedConnection {
  readonly src: string;
  readonly dst: string;
  readonly before: string;
  readonly after: string;
}

/** What changed between two analyses, line by line. */
export interface ConnectionDiff {
  readonly added: readonly ConnectionLine[];
  readonly removed: readonly ConnectionLine[];
  readonly changed: readonly ChangedConnection[];
}

const pairKey = (c: ConnectionLine): string => `${c.src}\0${c.dst}`;

/**
 * What changed between two analyses, line by line: a pair of endpoints whose connection
 * appeared, disappeared, or allows other protocols or ports than before. Pure, so the store's
 * readers (report, CLI) diff stored analyses as `network diff` diffs inputs.
 */
export function diffConnections(before: readonly ConnectionLine[], after: readonly ConnectionLine[]): ConnectionDiff {
  const was = new Map(before.map((c) => [pairKey(c), c]));
  const now = new Map(after.map((c) => [pairKey(c), c]));
  const added: ConnectionLine[] = [];
  const changed: ChangedConnection[] = [];
  for (const [k, c] of now) {
    const old = was.get(k);
    if (!old) added.push(c);
    else if (old.conn !== c.conn) changed.push({ src: c.src, dst: c.dst, before: old.conn, after: c.conn });
  }
  const removed = [...was].filter(([k]) => !now.has(k)).map(([, c]) => c);
  return { added, removed, changed };
}

export const isEmptyDiff = (d: ConnectionDiff): boolean => d.added.length + d.removed.length + d.changed.length === 0;

/** An exposure line with the side it is on, as a period lists what is new. */
export interface DirectedExposure extends ExposureLine {
  readonly direction: 'ingress' | 'egress' | 'service';
}

const exposureKey = (e: DirectedExposure): string => `${e.direction}\0${e.workload}\0${e.peer}\0${e.conn}`;

function directed(e: Exposure | undefined): DirectedExposure[] {
  if (!e) return [];
  return [
    ...e.ingress.map((l) => ({ ...l, direction: 'ingress' as const })),
    ...e.services.map((l) => ({ ...l, direction: 'service' as const })),
    ...e.egress.map((l) => ({ ...l, direction: 'egress' as const })),
  ];
}

/** Exposure lines of `after` that `before` did not have (a wider port list counts as new). */
export function newExposure(before: Exposure | undefined, after: Exposure | undefined): DirectedExposure[] {
  const had = new Set(directed(before).map(exposureKey));
  return directed(after).filter((e) => !had.has(exposureKey(e)));
}

/**
 * The analysis as canonical JSON: keys in one order, so equal analyses are equal bytes and the
 * store keeps one copy of an unchanged cluster's connectivity (addressed by its SHA-256).
 */
export function canonicalNetworkJson(a: NetworkAnalysis): string {
  const line = (l: ConnectionLine) => ({ src: l.src, dst: l.dst, conn: l.conn });
  const exp = (l: ExposureLine) => ({ workload: l.workload, peer: l.peer, conn: l.conn });
  const e = a.exposure;
  return JSON.stringify({
    connections: a.connections.map(line),
    ...(e ? { exposure: { egress: e.egress.map(exp), ingress: e.ingress.map(exp), unprotected: [...e.unprotected], services: e.services.map(exp) } } : {}),
    workloads: a.workloads,
    policies: a.policies,
    classes: a.classes,
    problems: [...a.problems],
  });
}

/** `ns/name[Kind]` → its namespace and name; anything else (external ranges, the ingress controller) → undefined. */
function workloadParts(peer: string): { namespace: string; name: string } | undefined {
  const m = /^([^/[\]]+)\/([^/[\]]+)\[[A-Za-z]+\]$/.exec(peer);
  return m?.[1] !== undefined && m[2] !== undefined ? { namespace: m[1], name: m[2] } : undefined;
}

/**
 * The analysis cut to one workload, as the analysis cuts it with `focusWorkload` (by name or
 * namespace/name; `ingress-controller` for the ingress controller), for analyses read back
 * from the store where the model is gone.
 */
export function focusNetwork(a: NetworkAnalysis, focus: string): NetworkAnalysis {
  const isFocus = (peer: string): boolean => {
    if (focus === 'ingress-controller' && peer === '{ingress-controller}') return true;
    const w = workloadParts(peer);
    return w !== undefined && (w.name === focus || `${w.namespace}/${w.name}` === focus);
  };
  const keepLine = (l: ConnectionLine): boolean => isFocus(l.src) || isFocus(l.dst);
  const keepExposure = (l: ExposureLine): boolean => isFocus(l.workload);
  const e = a.exposure;
  return {
    ...a,
    connections: a.connections.filter(keepLine),
    ...(e
      ? {
          exposure: {
            egress: e.egress.filter(keepExposure),
            ingress: e.ingress.filter(keepExposure),
            unprotected: e.unprotected.filter((u) => isFocus(u.split(' ')[0] ?? '')),
            services: e.services.filter(keepExposure),
          },
        }
      : {}),
  };
}
