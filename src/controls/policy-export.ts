import type { AdmissionCheck } from '../core/admission.js';
import type { Control } from '../core/control.js';
import type { Exception } from '../core/exception.js';
import type { LabelSelector, Labels } from '../core/label-selector.js';
import { compileException, type CompiledException } from '../evaluate/exceptions.js';

import { CONTROL_ANNOTATION, MANAGED_BY_COMPLYD, MANAGED_BY_LABEL, policyNameOf } from '../core/admission.js';
import { SYSTEM_NAMESPACES } from '../core/namespace-scope.js';
/**
 * Admission policies from the catalog: a ValidatingAdmissionPolicy and its binding for every
 * exportable control (declared as data or in CEL), for the clusters of one group. Pure: the
 * time and the exceptions are passed in. `complyd policy export` prints these; `policy apply`
 * pushes them, relying on the naming below (name, label, annotation) to find its own.
 *
 * Exceptions in force for every cluster of the group become matchConditions that leave their
 * objects out; an exception in force for some of the group's clusters only cannot be one
 * manifest's exclusion and is named in an annotation instead. `exportPerClusterGroup` splits
 * the clusters by the exceptions in force for them, so each such exception becomes an
 * exclusion in the manifests of the clusters it scopes, and only there (what `policy apply`
 * pushes).
 */

export const VALIDATION_ACTIONS = ['Deny', 'Warn', 'Audit'] as const;
export type ValidationAction = (typeof VALIDATION_ACTIONS)[number];
/** An exception that lapses within this is noted as expiring. */
export const EXPIRING_WITHIN_MS = 30 * 86_400_000;
/** The API server refuses more matchConditions than this. */
const MAX_MATCH_CONDITIONS = 64;

export interface PolicyExportInput {
  /** The group's controls; those without an admission check are not exported. */
  readonly controls: readonly Control<never>[];
  readonly action?: ValidationAction;
  /** Every declared exception; those in force at `now` for the group's controls become exclusions. */
  readonly exceptions?: readonly Exception[];
  /** The clusters the manifests are for (names and labels), to decide which exceptions hold for all of them. */
  readonly clusters?: readonly { readonly name: string; readonly labels: Labels }[];
  readonly now: Date;
  /** The profile the manifests are for, named in an annotation. */
  readonly profile?: string;
}

export interface PolicyManifest {
  readonly apiVersion: 'admissionregistration.k8s.io/v1';
  readonly kind: 'ValidatingAdmissionPolicy' | 'ValidatingAdmissionPolicyBinding';
  readonly metadata: { readonly name: string; readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/** The name of a control's policy and binding (the naming convention posture relies on: core/admission.ts). */
export const policyName = policyNameOf;

function literal(s: string): string {
  return JSON.stringify(s);
}

/** A `*` glob as a CEL test of `value`. */
function globCel(value: string, patterns: readonly string[]): string {
  const tests = patterns.map((p) => (p.includes('*') ? `${value}.matches(${literal(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)})` : `${value} == ${literal(p)}`));
  return tests.length === 1 ? (tests[0] as string) : `(${tests.join(' || ')})`;
}

/** A label selector over the object's labels, as CEL. */
function selectorCel(selector: LabelSelector): string {
  const labels = 'object.metadata.labels';
  const has = (k: string) => `(has(${labels}) && ${literal(k)} in ${labels})`;
  const terms = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `(${has(k)} && ${labels}[${literal(k)}] == ${literal(v)})`),
    ...(selector.matchExpressions ?? []).map((e) => {
      const among = `${labels}[${literal(e.key)}] in [${(e.values ?? []).map(literal).join(', ')}]`;
      if (e.operator === 'Exists') return has(e.key);
      if (e.operator === 'DoesNotExist') return `!${has(e.key)}`;
      return e.operator === 'In' ? `(${has(e.key)} && ${among})` : `(!${has(e.key)} || !(${among}))`;
    }),
  ];
  return terms.length > 0 ? terms.join(' && ') : 'true';
}

/** The objects an exception covers, as CEL (true: the object is excepted). */
function exceptionCel(e: Exception): string {
  const parts = [
    ...(e.scope.namespaces ? [`has(object.metadata.namespace) && ${globCel('object.metadata.namespace', e.scope.namespaces)}`] : []),
    ...(e.scope.kinds ? [`object.kind in [${e.scope.kinds.map(literal).join(', ')}]`] : []),
    ...(e.scope.names ? [`has(object.metadata.name) && ${globCel('object.metadata.name', e.scope.names)}`] : []),
    ...(e.scope.objectSelector ? [selectorCel(e.scope.objectSelector)] : []),
  ];
  return parts.length > 0 ? parts.map((p) => `(${p})`).join(' && ') : 'true';
}

/** A matchCondition name: a qualified name of at most 63 characters. */
function conditionName(exceptionId: string): string {
  return `complyd-exception-${exceptionId.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`.slice(0, 63).replace(/[^a-z0-9]+$/, '');
}

interface Exclusions {
  inForce: CompiledException[];
  partial: CompiledException[];
}

function exclusionsFor(controlId: string, exceptions: readonly CompiledException[], input: PolicyExportInput): Exclusions {
  const now = input.now.getTime();
  const clusters = input.clusters ?? [];
  const active = exceptions.filter((c) => c.createdMs <= now && now < c.expiresMs && c.appliesToControl(controlId));
  const covers = (c: CompiledException) => clusters.filter((t) => c.appliesToCluster({ cluster: t.name, clusterLabels: t.labels, objectLabels: () => undefined })).length;
  // With no clusters named, an exception scoped to clusters cannot be placed: it is partial.
  const everywhere = (c: CompiledException) => (clusters.length > 0 ? covers(c) === clusters.length : !c.exception.scope.clusters && !c.exception.scope.clusterSelector);
  return { inForce: active.filter(everywhere), partial: active.filter((c) => !everywhere(c) && (clusters.length === 0 || covers(c) > 0)) };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** System namespaces are never judged at admission: a wrong policy there breaks the cluster. */
function namespaceSelector(check: AdmissionCheck): Record<string, unknown> {
  const expressions: Array<Record<string, unknown>> = [
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...new Set([...SYSTEM_NAMESPACES, ...(check.excludeNamespaces ?? [])])] },
  ];
  if (check.namespaces) expressions.push({ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...check.namespaces] });
  return { matchExpressions: expressions };
}

function resourceRules(check: AdmissionCheck): Array<Record<string, unknown>> {
  const groups = [...new Set(check.resources.map((r) => r.apiGroup))];
  return groups.map((group) => {
    const of = check.resources.filter((r) => r.apiGroup === group);
    return { apiGroups: [group], apiVersions: [...new Set(of.map((r) => r.apiVersion))], operations: ['CREATE', 'UPDATE'], resources: of.map((r) => r.resource) };
  });
}

export function exportPolicies(input: PolicyExportInput): PolicyManifest[] {
  const action = input.action ?? 'Deny';
  const exceptions = (input.exceptions ?? []).map(compileException);
  const now = input.now.getTime();
  return input.controls.flatMap((control) => {
    const check = control.admission;
    if (!check) return [];
    const name = policyName(control.id);
    const { inForce, partial } = exclusionsFor(control.id, exceptions, input);
    const placed = inForce.slice(0, MAX_MATCH_CONDITIONS - (check.matchConditions?.length ?? 0));
    const unplaced = [...inForce.slice(placed.length), ...partial];
    const expiring = placed.filter((c) => c.expiresMs - now <= EXPIRING_WITHIN_MS);
    const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_COMPLYD };
    const annotations: Record<string, string> = {
      [CONTROL_ANNOTATION]: control.id,
      'complyd.io/severity': control.severity,
      ...(input.profile !== undefined ? { 'complyd.io/profile': input.profile } : {}),
      ...(placed.length > 0
        ? {
            'complyd.io/exceptions': placed.map((c) => c.exception.id).join(','),
            // The exclusions are fixed in the manifest: export again before this instant.
            'complyd.io/valid-until': new Date(Math.min(...placed.map((c) => c.expiresMs))).toISOString(),
          }
        : {}),
      ...(expiring.length > 0 ? { 'complyd.io/exceptions-expiring': expiring.map((c) => `${c.exception.id} expires ${day(c.expiresMs)}`).join('; ') } : {}),
      ...(unplaced.length > 0 ? { 'complyd.io/exceptions-not-exported': unplaced.map((c) => `${c.exception.id}: in force for some clusters of the group only`).join('; ') } : {}),
    };
    const matchConditions = [
      ...(check.matchConditions ?? []),
      ...placed.map((c) => ({ name: conditionName(c.exception.id), expression: `!(${exceptionCel(c.exception)})` })),
    ];
    const policy: PolicyManifest = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels, annotations: { ...annotations, 'complyd.io/title': control.title } },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: resourceRules(check), namespaceSelector: namespaceSelector(check) },
        ...(check.variables.length > 0 ? { variables: check.variables.map((v) => ({ name: v.name, expression: v.expression })) } : {}),
        ...(matchConditions.length > 0 ? { matchConditions } : {}),
        validations: check.validations.map((v) => ({
          expression: v.expression,
          ...(v.message !== undefined ? { message: v.message } : {}),
          ...(v.messageExpression !== undefined ? { messageExpression: v.messageExpression } : {}),
          reason: 'Invalid',
        })),
      },
    };
    const binding: PolicyManifest = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels, annotations },
      spec: {
        policyName: name,
        validationActions: [action],
        matchResources: { namespaceSelector: namespaceSelector(check), ...(check.objectSelector ? { objectSelector: check.objectSelector } : {}) },
      },
    };
    return [policy, binding];
  });
}

/** The manifests for some clusters: every exception in force for any of them holds for all of them. */
export interface ClusterGroupManifests {
  readonly clusters: readonly string[];
  readonly manifests: PolicyManifest[];
}

/**
 * The export per cluster group: the clusters split by which exceptions (in force at `now`,
 * for an exported control) cover them, and one export per group. Clusters that no exception
 * sets apart share one group. In the order of `input.clusters`.
 */
export function exportPerClusterGroup(input: PolicyExportInput): ClusterGroupManifests[] {
  const now = input.now.getTime();
  const exported = input.controls.filter((c) => c.admission).map((c) => c.id);
  const exceptions = (input.exceptions ?? [])
    .map(compileException)
    .filter((c) => c.createdMs <= now && now < c.expiresMs && exported.some((id) => c.appliesToControl(id)));
  const groups = new Map<string, Array<{ readonly name: string; readonly labels: Labels }>>();
  for (const cluster of input.clusters ?? []) {
    // By position: two files may use one exception id.
    const key = exceptions
      .flatMap((c, i) => (c.appliesToCluster({ cluster: cluster.name, clusterLabels: cluster.labels, objectLabels: () => undefined }) ? [i] : []))
      .join(',');
    groups.set(key, [...(groups.get(key) ?? []), cluster]);
  }
  return [...groups.values()].map((clusters) => ({ clusters: clusters.map((c) => c.name), manifests: exportPolicies({ ...input, clusters }) }));
}
