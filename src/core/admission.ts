/**
 * The admission side of a cluster, as collected, and its enforcement posture, as judged
 * (score/posture.ts). Pure vocabulary: no I/O.
 */
import type { LabelSelector } from './label-selector.js';

/** A ValidatingAdmissionPolicyBinding's validationActions, as the API spells them. */
export const ADMISSION_ACTIONS = ['Deny', 'Warn', 'Audit'] as const;
export type AdmissionAction = (typeof ADMISSION_ACTIONS)[number];

/** Strength of an action: Deny stops the object, Warn tells the client, Audit only records. */
export function actionRank(a: AdmissionAction | undefined): number {
  return a === 'Deny' ? 3 : a === 'Warn' ? 2 : a === 'Audit' ? 1 : 0;
}

/** The label and annotation complyd puts on the policies it exports (the export's naming convention). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_COMPLYD = 'complyd';
export const CONTROL_ANNOTATION = 'complyd.io/control';

/** `complyd-<control id lowercased, anything but [a-z0-9-] as '-'>`: the name of a control's policy and binding. */
export function policyNameOf(controlId: string): string {
  return `complyd-${controlId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/** A ValidatingAdmissionPolicy, reduced to what posture reads. */
export interface AdmissionPolicyInfo {
  name: string;
  /** The control its `complyd.io/control` annotation names, on policies complyd manages. */
  control?: string;
  managedByComplyd: boolean;
  failurePolicy?: string;
}

/** A ValidatingAdmissionPolicyBinding, reduced to what posture reads. */
export interface AdmissionBindingInfo {
  name: string;
  policyName: string;
  actions: AdmissionAction[];
  control?: string;
  managedByComplyd: boolean;
  /** spec.matchResources.namespaceSelector; absent: every namespace. */
  namespaceSelector?: LabelSelector;
}

/** Another admission engine: installed (with how many of its policies), not installed (404), or unknown (403, errors). */
export type EnginePresence = { state: 'installed'; policies: number } | { state: 'not-installed' } | { state: 'unknown'; reason: string };

export const ENGINES = ['kyverno', 'gatekeeper'] as const;
export type EngineName = (typeof ENGINES)[number];

/** A PolicyReport summary: the counts of its results as the producer judged them. */
export interface PolicyReportSummary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

/** A PolicyReport or ClusterPolicyReport found in a cluster, kept under its source, never re-judged. */
export interface ExternalPolicyReport {
  /** The producer: results[].source, else the `app.kubernetes.io/managed-by` label, else `unknown`. */
  source: string;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  name: string;
  namespace?: string;
  summary: PolicyReportSummary;
}

/** What the collector read of a cluster's admission side; a list absent was not read (its gap says why). */
export interface AdmissionEvidence {
  policies?: AdmissionPolicyInfo[];
  bindings?: AdmissionBindingInfo[];
  engines: Record<EngineName, EnginePresence>;
  /** Absent: not read; empty: the CRD is not installed, or no report exists. */
  policyReports?: ExternalPolicyReport[];
}

export type EnforcementState = 'enforced' | 'warned' | 'audited' | 'not-enforced' | 'unknown';
export const ENFORCEMENT_STATES: readonly EnforcementState[] = ['enforced', 'warned', 'audited', 'not-enforced', 'unknown'];

/** What a profile expects at admission, per framework or control id (ADR 0020). */
export type ExpectedEnforcement = Readonly<Record<string, AdmissionAction>>;

/** One control's posture in one cluster. */
export interface ControlPosture {
  controlId: string;
  state: EnforcementState;
  /** What enforces it at its strongest: complyd's policy, Pod Security admission, or both. */
  by: Array<'policy' | 'pod-security'>;
  /** Non-system namespaces where it is denied, of all of them (a fraction: partial coverage). */
  namespaces: { denied: number; total: number };
  /** What the profile expects; absent: nothing expected. */
  expected?: AdmissionAction;
  /** Expected but weaker (or absent) in the cluster: a binding deleted, a namespace relabelled. */
  drift?: true;
  /** Why it is not what is expected or not known, in a sentence. */
  reason?: string;
}

export interface EngineNote {
  engine: EngineName;
  presence: EnginePresence;
}

/** A cluster's enforcement posture: per control, and the counts a report and a trend need. */
export interface ClusterPosture {
  controls: ControlPosture[];
  counts: Record<EnforcementState, number>;
  /** Controls expected by the profile, and of them those that drift. */
  expected: number;
  drift: number;
  /** Other engines, named and not judged. */
  engines: EngineNote[];
  /** PolicyReports found in the cluster, summed per source (absent: not read). */
  policyReports?: PolicyReportSource[];
}

/** The PolicyReports of one producer in one cluster: how many, and their results summed. */
export interface PolicyReportSource {
  source: string;
  reports: number;
  namespaces: number;
  summary: PolicyReportSummary;
}

/** Reports summed per source, in source order: what the history keeps (bounded by the number of producers). */
export function policyReportSources(reports: readonly ExternalPolicyReport[]): PolicyReportSource[] {
  const by = new Map<string, { reports: number; namespaces: Set<string>; summary: PolicyReportSummary }>();
  for (const r of reports) {
    let e = by.get(r.source);
    if (!e) by.set(r.source, (e = { reports: 0, namespaces: new Set(), summary: { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 } }));
    e.reports++;
    if (r.namespace) e.namespaces.add(r.namespace);
    for (const k of ['pass', 'fail', 'warn', 'error', 'skip'] as const) e.summary[k] += r.summary[k];
  }
  return [...by].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([source, e]) => ({ source, reports: e.reports, namespaces: e.namespaces.size, summary: e.summary }));
}

/** Enforced controls over the controls considered, 0..100, or undefined when none was. */
export function enforcementCoverage(p: Pick<ClusterPosture, 'counts'>): number | undefined {
  const total = Object.values(p.counts).reduce((a, b) => a + b, 0);
  return total === 0 ? undefined : (100 * p.counts.enforced) / total;
}

/**
 * Exported checks (controls/policy-export.ts): a check of one object that a Kubernetes admission policy can enforce: CEL validations over
 * `object` (and the policy's `variables`). A control that carries one is exportable as a
 * ValidatingAdmissionPolicy; the evaluator and the exported CEL must agree on every object.
 */
export interface AdmissionVariable {
  readonly name: string;
  readonly expression: string;
}

export interface AdmissionValidation {
  /** True admits the object, false rejects it. */
  readonly expression: string;
  readonly message?: string;
  readonly messageExpression?: string;
}

/** API groups, versions and plural resources of a kind, as a policy's matchConstraints name them. */
export interface AdmissionResource {
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly resource: string;
  readonly kind: string;
}

/** Pods and every workload kind with a pod template: what the pod-spec controls judge. */
export const POD_SPEC_RESOURCES: readonly AdmissionResource[] = [
  { apiGroup: '', apiVersion: 'v1', resource: 'pods', kind: 'Pod' },
  { apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', kind: 'Deployment' },
  { apiGroup: 'apps', apiVersion: 'v1', resource: 'statefulsets', kind: 'StatefulSet' },
  { apiGroup: 'apps', apiVersion: 'v1', resource: 'daemonsets', kind: 'DaemonSet' },
  { apiGroup: 'apps', apiVersion: 'v1', resource: 'replicasets', kind: 'ReplicaSet' },
  { apiGroup: 'batch', apiVersion: 'v1', resource: 'jobs', kind: 'Job' },
  { apiGroup: 'batch', apiVersion: 'v1', resource: 'cronjobs', kind: 'CronJob' },
  { apiGroup: '', apiVersion: 'v1', resource: 'replicationcontrollers', kind: 'ReplicationController' },
];

export interface AdmissionCheck {
  /** The kinds the check judges. */
  readonly resources: readonly AdmissionResource[];
  readonly variables: readonly AdmissionVariable[];
  readonly validations: readonly AdmissionValidation[];
  /** Optional CEL conditions an object must meet to be judged at all (a custom control's label selector...). */
  readonly matchConditions?: readonly { readonly name: string; readonly expression: string }[];
  /** Only objects of these namespaces (a binding's namespaceSelector on kubernetes.io/metadata.name). */
  readonly namespaces?: readonly string[];
  /** Never objects of these namespaces. */
  readonly excludeNamespaces?: readonly string[];
  /** Only objects whose labels match (a binding's objectSelector). */
  readonly objectSelector?: LabelSelector;
}
