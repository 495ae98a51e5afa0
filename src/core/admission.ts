/**
 * A check of one object that a Kubernetes admission policy can enforce: CEL validations over
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

import type { LabelSelector } from './label-selector.js';

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
