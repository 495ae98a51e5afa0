/**
 * The core vocabulary of complyd. Data flows one way:
 * ClusterTarget -> (collect) -> Snapshot -> (evaluate) -> Finding[] -> (store) -> (report).
 * Nothing in this file does I/O.
 */
import type { Disposition } from './exception.js';
import type { NamespaceSelection } from './namespace-scope.js';
import type { AdmissionEvidence, ClusterPosture } from './admission.js';
import type { NetworkAnalysis } from './network.js';

/** A cluster to scan, as configured. */
export interface ClusterTarget {
  readonly name: string;
  /** Absolute path of the kubeconfig file. */
  readonly kubeconfig: string;
  /** Context inside the kubeconfig; the file's current-context when absent. */
  readonly context?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Where this target sits in the config file, for error messages (`clusters[2]`). */
  readonly configPath: string;
  /** The namespaces whose findings are kept (configuration `namespaces`, or the command line's); absent: all. */
  readonly namespaces?: NamespaceSelection;
}

/**
 * The resource lists the collector reads. The names are the plural REST resource names,
 * so a gap (`secrets: forbidden`) reads the way `kubectl` users expect.
 */
export const RESOURCE_KINDS = [
  'namespaces',
  'pods',
  'deployments',
  'statefulsets',
  'daemonsets',
  'replicasets',
  'jobs',
  'cronjobs',
  'services',
  'ingresses',
  'networkpolicies',
  'serviceaccounts',
  'roles',
  'clusterroles',
  'rolebindings',
  'clusterrolebindings',
  'nodes',
  'secrets',
  'replicationcontrollers',
  'limitranges',
  // Key names and value sizes only: values are dropped as each list page is read.
  'configmaps',
  // Cilium's own policies (CRDs): an empty list where Cilium is not installed.
  'ciliumnetworkpolicies',
  'ciliumclusterwidenetworkpolicies',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Evidence a control can need: a resource list, control-plane flags, or kubelet configs. */
export type EvidenceKind = ResourceKind | 'controlPlane' | 'kubelets' | 'kubeProxyConfig' | 'serverVersion';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind: string; name: string; uid?: string; controller?: boolean }>;
  creationTimestamp?: string;
}

/**
 * A Kubernetes object as kept in a snapshot: the API shape (apiVersion, kind, metadata,
 * spec, ...) minus what no control reads (managedFields, most of status, Secret data).
 */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  /** Only for Cilium policies: a list of rules besides (or instead of) `spec`. */
  specs?: unknown[];
  /** Only for RBAC objects. */
  rules?: unknown[];
  subjects?: unknown[];
  roleRef?: Record<string, unknown>;
  aggregationRule?: Record<string, unknown>;
  /** Secrets keep their type, never their data. */
  type?: string;
  /** Only for ConfigMaps: what their data and binaryData hold, never the values. */
  dataKeys?: ConfigMapKey[];
  /** ConfigMap keys beyond the bound of kept ones (MAX_CONFIGMAP_KEYS), with how many of them look sensitive. */
  dataKeysOmitted?: { count: number; sensitive: number };
  automountServiceAccountToken?: boolean;
}

/**
 * One ConfigMap key as a snapshot keeps it: the collector reduces each ConfigMap to these as
 * it reads it, so a value never reaches a snapshot, the store, a log or a report.
 */
export interface ConfigMapKey {
  /** `data` or `binaryData`. */
  field: 'data' | 'binaryData';
  /** The key, cut to MAX_CONFIGMAP_KEY_CHARS (a valid key is at most 253). */
  key: string;
  /** Characters of a `data` value; bytes of a `binaryData` value (after base64). */
  length: number;
  /** The key's name says its value is a secret (core/secret-names.ts). */
  sensitive: boolean;
}

/** ConfigMap keys kept per ConfigMap at most (sensitive ones first); the rest are counted. */
export const MAX_CONFIGMAP_KEYS = 256;
export const MAX_CONFIGMAP_KEY_CHARS = 253;

export type Provider = 'eks' | 'gke' | 'aks' | 'openshift' | 'k3s' | 'rke2' | 'kubeadm' | 'kind' | 'unknown';

/** A static control-plane pod (seen through its mirror pod) and the flags of its containers. */
export interface ControlPlaneComponent {
  /** kube-apiserver, kube-controller-manager, kube-scheduler, etcd. */
  component: string;
  namespace: string;
  pod: string;
  node?: string;
  containers: Array<{
    name: string;
    /** Raw command + args, as the pod spec has them. */
    argv: string[];
    env: Record<string, string>;
  }>;
}

/** What a kubelet's /configz said, or nothing when it could not be read (see gaps). */
export interface KubeletEvidence {
  node: string;
  config?: Record<string, unknown>;
}

export type GapReason =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'timeout'
  | 'unreachable'
  | 'tls'
  | 'expired'
  | 'malformed'
  | 'server-error'
  /** 429 Too Many Requests, still after the retries. */
  | 'throttled'
  /** A configured bound (collect.maxResponseSize, collect.maxPages) was reached; the list is not kept. */
  | 'limit'
  /** The answer is not what a Kubernetes API server sends (HTML, another content type, another kind). */
  | 'protocol'
  /** Read with TLS verification off (`insecure-skip-tls-verify`): the server's identity was not checked. */
  | 'tls-unverified'
  | 'error';

/** Something the collector could not read, and why. Missing evidence is never a pass. */
export interface Gap {
  /** An EvidenceKind, or a finer address such as `kubelets/node-1`. */
  evidence: string;
  reason: GapReason;
  message: string;
}

export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
  platform?: string;
}

/** One ConfigMap key holding a KubeProxyConfiguration (only such keys are ever kept). */
export interface KubeProxyConfigFile {
  namespace: string;
  configMap: string;
  key: string;
  /** The file's text, as in the ConfigMap. */
  text: string;
}

export interface Snapshot {
  cluster: string;
  labels: Readonly<Record<string, string>>;
  collectedAt: string;
  serverVersion?: ServerVersion;
  provider: Provider;
  objects: Partial<Record<ResourceKind, KubeObject[]>>;
  controlPlane: ControlPlaneComponent[];
  kubelets: KubeletEvidence[];
  /**
   * kube-proxy configuration files kept in kube-system ConfigMaps (kubeadm: `kube-proxy`, key
   * `config.conf`; EKS: `kube-proxy-config`, key `config`). Absent when not collected.
   */
  kubeProxyConfigs?: KubeProxyConfigFile[];
  /** ValidatingAdmissionPolicies, bindings, other engines, PolicyReports; absent when not collected (manifests, older snapshots). */
  admission?: AdmissionEvidence;
  gaps: Gap[];
  /**
   * False when the cluster was read with TLS verification off (the kubeconfig's
   * `insecure-skip-tls-verify: true`); absent when verified, so snapshot hashes stay as they were.
   */
  tlsVerified?: false;
  /** 'cluster' for a live scan, 'manifests' for offline evaluation of files. */
  source: 'cluster' | 'manifests';
}

export type Status = 'pass' | 'fail' | 'manual' | 'not-applicable' | 'unknown' | 'error';
export const STATUSES: readonly Status[] = ['pass', 'fail', 'manual', 'not-applicable', 'unknown', 'error'];

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** What a finding is about. `kind` is the API kind (Deployment, Pod, Node, Cluster...). */
export interface ResourceRef {
  kind: string;
  namespace?: string;
  name: string;
  container?: string;
  /** The object's apiVersion and uid, where the verdict was given on an object read: reported, never part of a finding's identity. */
  apiVersion?: string;
  uid?: string;
}

/** Where an object of offline evaluation was read: its file, the document in it, and the line where the parser knows it. */
export interface SourceLocation {
  file: string;
  /** 1-based document number in the file. */
  document: number;
  /** 1-based line where the document (or the List holding the object) starts. */
  line?: number;
}

/** Why a result is what it is: the field read, what was there, what was wanted. */
export interface Evidence {
  path: string;
  observed: string;
  expected: string;
}

/** What a control's evaluate returns for one resource. */
export interface Verdict {
  status: Status;
  resource: ResourceRef;
  evidence?: Evidence;
  /** Free text for statuses without a field, e.g. why something is unknown. */
  message?: string;
  /**
   * What tells this verdict apart from the control's other verdicts on the same resource
   * (see core/fingerprint.ts). A control may propose one; evaluate keeps it only on the
   * second and later verdicts of a resource, so a verdict alone on its resource keeps the
   * fingerprint it always had.
   */
  discriminator?: string;
}

/** A verdict placed in its cluster and control: the unit that is stored and reported. */
export interface Finding extends Verdict {
  cluster: string;
  controlId: string;
  severity: Severity;
  /** Only on a `fail` that an exception matched (see core/exception.ts); the status stays `fail`. */
  disposition?: Disposition;
}

/** How many passes one control, or one namespace at one severity, had. */
export interface PassCount {
  /** The control id, or the namespace. */
  key: string;
  severity: Severity;
  count: number;
}

/**
 * The passes of a scan without a Finding each: what the store needs of them is their counts
 * and, to close an open episode a pass observes as fixed, their match keys.
 */
export interface Passes {
  readonly size: number;
  /** Set when one control's passes came with several severities. */
  readonly severityConflict: string | undefined;
  byControl(): PassCount[];
  byNamespace(): PassCount[];
  forEachKey(fn: (key: string, controlId: string, severity: Severity, resourcePart: string) => void): void;
}

export type ClusterScanStatus = 'complete' | 'partial' | 'failed';

/** One cluster's part of a run: what was collected and what was judged. */
export interface ClusterScan {
  cluster: string;
  labels: Readonly<Record<string, string>>;
  /** complete: every evidence read; partial: some gaps; failed: nothing could be assessed. */
  status: ClusterScanStatus;
  startedAt: string;
  finishedAt: string;
  provider?: Provider;
  serverVersion?: string;
  /** Objects read, per resource kind. */
  objectCounts: Partial<Record<ResourceKind, number>>;
  /** SHA-256 of the canonical snapshot JSON, so a report figure traces to its evidence. */
  snapshotHash?: string;
  gaps: Gap[];
  /** Why the cluster failed as a whole (kubeconfig unreadable, API unreachable...). */
  error?: string;
  /** The scan's verdicts; when `passes` is given, its passes are there and not here. */
  findings: Finding[];
  /** Passes kept compactly (core/passes.ts): counted, with only their identity kept. */
  passes?: Passes;
  /**
   * The namespaces its findings were cut to; absent: all. The store leaves the open findings
   * of the other namespaces as they were (not observed), never resolved.
   */
  namespaces?: NamespaceSelection;
  /** Risk of each workload with a failing finding (absent for a failed scan, or when not computed). */
  risks?: WorkloadRisk[];
  /** Enforcement at admission, per control (absent for a failed scan, or when not assessed). */
  posture?: ClusterPosture;
  /** Who can reach whom, with the exposure (absent for a failed scan); the store keeps it per run. */
  network?: NetworkAnalysis;
  /** Why an assessed scan has no `network` (evidence it needs is missing). */
  networkNote?: string;
}

/** What adds to a workload's exposure (see src/score/risk.ts for the formula). */
export type RiskFactorName = 'privilege' | 'reachability' | 'lateral' | 'blast-radius' | 'rbac-secrets' | 'rbac-escalation';

export interface RiskFactor {
  factor: RiskFactorName;
  contribution: number;
  reason: string;
}

/** risk = severity × exposure, with every contribution kept so a user can see why. */
export interface WorkloadRisk {
  resource: ResourceRef;
  /** Σ severity weights of its failing findings. */
  severity: number;
  failing: number;
  factors: RiskFactor[];
  /** 1 + Σ factor contributions. */
  exposure: number;
  risk: number;
}
