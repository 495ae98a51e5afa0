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
