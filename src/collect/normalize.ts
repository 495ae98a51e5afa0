import type { KubeObject, ObjectMeta, ResourceKind } from '../core/types.js';
import { AppError } from '../core/errors.js';
import { POD_TEMPLATE_PATHS } from '../core/pod-spec.js';
import { keptAnnotation, redactPodSpecInPlace } from './redact.js';
import { configMapKeys } from './configmap-keys.js';

/**
 * Turn an object as the API (or a manifest) gives it into the KubeObject a snapshot keeps:
 * only the fields controls read. Secret values never pass this point: a Secret keeps its
 * metadata and type, annotations that copy the whole object (last-applied-configuration,
 * which can hold a Secret's data) are dropped, and the secret values of pod specs (flags,
 * env, probe headers) and annotations are redacted (redact.ts); a ConfigMap keeps its key
 * names and value lengths, never its values (configmap-keys.ts).
 */

/** API kind -> the resource list it belongs to. */
export const RESOURCE_OF_KIND: Record<string, ResourceKind> = {
  Namespace: 'namespaces',
  Pod: 'pods',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  ReplicaSet: 'replicasets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  Service: 'services',
  Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies',
  ServiceAccount: 'serviceaccounts',
  Role: 'roles',
  ClusterRole: 'clusterroles',
  RoleBinding: 'rolebindings',
  ClusterRoleBinding: 'clusterrolebindings',
  Node: 'nodes',
  Secret: 'secrets',
  ConfigMap: 'configmaps',
  ReplicationController: 'replicationcontrollers',
  LimitRange: 'limitranges',
  CiliumNetworkPolicy: 'ciliumnetworkpolicies',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicies',
};

/** Resource -> its kind and current apiVersion, to fill list items that omit them. */
export const KIND_OF_RESOURCE: Record<ResourceKind, { kind: string; apiVersion: string }> = {
  namespaces: { kind: 'Namespace', apiVersion: 'v1' },
  pods: { kind: 'Pod', apiVersion: 'v1' },
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1' },
  statefulsets: { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  replicasets: { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  jobs: { kind: 'Job', apiVersion: 'batch/v1' },
  cronjobs: { kind: 'CronJob', apiVersion: 'batch/v1' },
  services: { kind: 'Service', apiVersion: 'v1' },
  ingresses: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  serviceaccounts: { kind: 'ServiceAccount', apiVersion: 'v1' },
  roles: { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1' },
  clusterroles: { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1' },
  rolebindings: { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1' },
  clusterrolebindings: { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1' },
  nodes: { kind: 'Node', apiVersion: 'v1' },
  secrets: { kind: 'Secret', apiVersion: 'v1' },
  configmaps: { kind: 'ConfigMap', apiVersion: 'v1' },
  replicationcontrollers: { kind: 'ReplicationController', apiVersion: 'v1' },
  limitranges: { kind: 'LimitRange', apiVersion: 'v1' },
  ciliumnetworkpolicies: { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2' },
  ciliumclusterwidenetworkpolicies: { kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2' },
};

/** API groups each resource is served from, current and legacy ('' is the core group). */
const GROUPS_OF_RESOURCE: Record<ResourceKind, readonly string[]> = {
  namespaces: [''],
  pods: [''],
  services: [''],
  serviceaccounts: [''],
  nodes: [''],
  secrets: [''],
  configmaps: [''],
  deployments: ['apps', 'extensions'],
  statefulsets: ['apps'],
  daemonsets: ['apps', 'extensions'],
  replicasets: ['apps', 'extensions'],
  jobs: ['batch'],
  cronjobs: ['batch'],
  ingresses: ['networking.k8s.io', 'extensions'],
  networkpolicies: ['networking.k8s.io', 'extensions'],
  roles: ['rbac.authorization.k8s.io'],
  clusterroles: ['rbac.authorization.k8s.io'],
  rolebindings: ['rbac.authorization.k8s.io'],
  clusterrolebindings: ['rbac.authorization.k8s.io'],
  replicationcontrollers: [''],
  limitranges: [''],
  ciliumnetworkpolicies: ['cilium.io'],
  ciliumclusterwidenetworkpolicies: ['cilium.io'],
};

/**
 * The resource an (apiVersion, kind) pair belongs to, or undefined when complyd does not read
 * it. The group matters: a custom resource may also be called `Job` (`batch.volcano.sh/v1alpha1`).
 * A missing apiVersion is judged by kind alone.
 */
export function resourceOf(apiVersion: string | undefined, kind: string): ResourceKind | undefined {
  const resource = Object.hasOwn(RESOURCE_OF_KIND, kind) ? RESOURCE_OF_KIND[kind] : undefined;
  if (!resource || apiVersion === undefined) return resource;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return GROUPS_OF_RESOURCE[resource].includes(group) ? resource : undefined;
}

/** An object the collector or the manifest loader cannot use; the message names which one. */
export class MalformedObjectError extends AppError {
  constructor(
    readonly resource: ResourceKind,
    readonly where: string,
    problem: string,
  ) {
    super('MALFORMED_OBJECT', `${where}: ${problem}`);
  }
}

const RBAC: ReadonlySet<ResourceKind> = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);
/** Listing metadata only (as the collector does for Secrets) yields these instead of the real kind. */
const METADATA_ONLY_KIND = 'PartialObjectMetadata';

type Raw = Record<string, unknown>;
/** Copies a kept field, or keeps it as it is. */
type Keep = <T>(v: T) => T;

export const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Keep what controls need from one API object.
 *
 * @param index position in its list, for the error message when the object has no name.
 * @param options.adopt the input was just parsed and nothing else holds it: its spec, status
 *   and RBAC fields are kept as they are instead of copied (the collector's lists; copying
 *   them was a large part of collection).
 * @throws MalformedObjectError when the value is not an object, has no metadata.name, or a
 *   kept field has the wrong shape.
 */
export function normalizeObject(raw: unknown, resource: ResourceKind, index?: number, options: { adopt?: boolean } = {}): KubeObject {
  const at = index === undefined ? resource : `${resource}[${index}]`;
  if (!isObject(raw)) throw new MalformedObjectError(resource, at, `expected an object, got ${describe(raw)}`);
  const meta = raw.metadata;
  if (!isObject(meta)) throw new MalformedObjectError(resource, at, 'metadata is missing or not an object');
  if (typeof meta.name !== 'string' || meta.name === '') throw new MalformedObjectError(resource, at, 'metadata.name is missing');
  // The object's name for messages, built only when there is something to say.
  const bad = (problem: string): MalformedObjectError =>
    new MalformedObjectError(resource, `${resource}/${typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : ''}${meta.name as string}`, problem);
  const adopt = options.adopt === true;
  const keep: Keep = adopt ? (v) => v : structuredClone;

  const out: KubeObject = { ...typeOf(raw, resource, bad), metadata: normalizeMeta(meta, bad, adopt) };
  const spec = optional(raw, 'spec', 'object', bad, keep);
  if (spec) {
    out.spec = spec as Record<string, unknown>;
    redactPodSpecs(resource, out.spec);
  }
  Object.assign(out, kindFields(raw, resource, bad, keep));
  const status = keptStatus(resource, raw.status, keep);
  if (status) out.status = status;
  return out;
}

/** Fields only some kinds have: RBAC rules and bindings, a ServiceAccount's automount, a Secret's type. */
function kindFields(raw: Raw, resource: ResourceKind, bad: (problem: string) => MalformedObjectError, keep: Keep): Partial<KubeObject> {
  if (RBAC.has(resource)) {
    const out: Partial<KubeObject> = {};
    const rules = optional(raw, 'rules', 'list', bad, keep);
    const subjects = optional(raw, 'subjects', 'list', bad, keep);
    const roleRef = optional(raw, 'roleRef', 'object', bad, keep);
    const aggregationRule = optional(raw, 'aggregationRule', 'object', bad, keep);
    if (rules) out.rules = rules as unknown[];
    if (subjects) out.subjects = subjects as unknown[];
    if (roleRef) out.roleRef = roleRef as Record<string, unknown>;
    if (aggregationRule) out.aggregationRule = aggregationRule as Record<string, unknown>;
    return out;
  }
  if (resource === 'ciliumnetworkpolicies' || resource === 'ciliumclusterwidenetworkpolicies') {
    const specs = optional(raw, 'specs', 'list', bad, keep);
    return specs ? { specs: specs as unknown[] } : {};
  }
  if (resource === 'serviceaccounts' && typeof raw.automountServiceAccountToken === 'boolean') {
    return { automountServiceAccountToken: raw.automountServiceAccountToken };
  }
  // Secrets: the type only. data and stringData are never read, whatever the input holds.
  if (resource === 'secrets' && typeof raw.type === 'string') return { type: raw.type };
  // ConfigMaps: key names and value lengths, never the values.
  if (resource === 'configmaps') return configMapKeys(raw);
  return {};
}

/** kind and apiVersion, filled from the resource where the API leaves them out. */
function typeOf(raw: Raw, resource: ResourceKind, bad: (problem: string) => MalformedObjectError): { apiVersion: string; kind: string } {
  const expected = KIND_OF_RESOURCE[resource];
  const metadataOnly = raw.kind === METADATA_ONLY_KIND;
  const kind = raw.kind === undefined || metadataOnly ? expected.kind : raw.kind;
  if (kind !== expected.kind) throw bad(`kind ${describe(kind)} does not belong to ${resource} (expected ${expected.kind})`);
  return { apiVersion: typeof raw.apiVersion === 'string' && !metadataOnly ? raw.apiVersion : expected.apiVersion, kind };
}

/** A copy of an optional object or list field (or the field itself, when adopted); absent and null are both undefined. */
function optional(raw: Raw, key: string, shape: 'object' | 'list', bad: (problem: string) => MalformedObjectError, keep: Keep): unknown {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (shape === 'list' ? !Array.isArray(v) : !isObject(v)) throw bad(`${key} must be ${shape === 'list' ? 'a list' : 'an object'}, got ${describe(v)}`);
  return keep(v);
}

function normalizeMeta(meta: Raw, bad: (problem: string) => MalformedObjectError, adopt: boolean): ObjectMeta {
  const out: ObjectMeta = { name: meta.name as string };
  if (meta.namespace !== undefined && meta.namespace !== null && meta.namespace !== '') {
    if (typeof meta.namespace !== 'string') throw bad(`metadata.namespace must be a string, got ${describe(meta.namespace)}`);
    out.namespace = meta.namespace;
  }
  if (typeof meta.uid === 'string') out.uid = meta.uid;
  const labels = stringMap(meta.labels, 'metadata.labels', bad, adopt);
  if (labels) out.labels = labels;
  const annotations = stringMap(meta.annotations, 'metadata.annotations', bad, adopt, keptAnnotation);
  if (annotations && Object.keys(annotations).length > 0) out.annotations = annotations;
  if (meta.ownerReferences !== undefined && meta.ownerReferences !== null) {
    if (!Array.isArray(meta.ownerReferences)) throw bad('metadata.ownerReferences must be a list');
    out.ownerReferences = meta.ownerReferences.map((r: unknown, i) => {
      if (!isObject(r) || typeof r.kind !== 'string' || typeof r.name !== 'string') {
        throw bad(`metadata.ownerReferences[${i}] needs a kind and a name`);
      }
      return {
        kind: r.kind,
        name: r.name,
        ...(typeof r.apiVersion === 'string' ? { apiVersion: r.apiVersion } : {}),
        ...(typeof r.uid === 'string' ? { uid: r.uid } : {}),
        ...(typeof r.controller === 'boolean' ? { controller: r.controller } : {}),
      };
    });
  }
  if (typeof meta.creationTimestamp === 'string') out.creationTimestamp = meta.creationTimestamp;
  else if (meta.creationTimestamp instanceof Date) out.creationTimestamp = meta.creationTimestamp.toISOString();
  return out;
}

/** A kept entry's value (possibly redacted), or undefined to drop the entry. */
type KeepEntry = (key: string, value: string) => string | undefined;

/**
 * A map whose values are all strings, each entry passed through `kept` when given. Adopted
 * (the collector's just-parsed input), the map itself is kept when `kept` changes nothing;
 * otherwise a copy, in the same key order.
 */
function stringMap(v: unknown, path: string, bad: (problem: string) => MalformedObjectError, adopt: boolean, kept?: KeepEntry): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad(`${path} must be a map of strings, got ${describe(v)}`);
  let copy = !adopt;
  for (const k of Object.keys(v)) {
    // As the API server does: `app: true` unquoted in YAML is a boolean and is refused.
    if (typeof v[k] !== 'string') throw bad(`${path}.${k} must be a string, got ${describe(v[k])}`);
    if (kept && kept(k, v[k]) !== v[k]) copy = true;
  }
  if (!copy) return v as Record<string, string>;
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    const value = kept ? kept(k, v[k] as string) : (v[k] as string);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

/**
 * The pod specs an object carries (a Pod's own, a workload's template), redacted in place,
 * with the annotations of a template, which controls read as the pod's.
 */
function redactPodSpecs(resource: ResourceKind, spec: Record<string, unknown>): void {
  if (resource === 'pods') {
    redactPodSpecInPlace(spec);
    return;
  }
  const path = POD_TEMPLATE_PATHS.find(([r]) => r === resource)?.[1];
  if (!path) return;
  // The template path starts at `spec`, which is the object given here.
  let template: unknown = spec;
  for (const key of path.slice(1)) template = isObject(template) ? template[key] : undefined;
  if (!isObject(template)) return;
  if (isObject(template.spec)) redactPodSpecInPlace(template.spec);
  const meta = template.metadata;
  if (isObject(meta) && isObject(meta.annotations)) {
    const annotations = meta.annotations;
    for (const [k, v] of Object.entries(annotations)) {
      if (typeof v !== 'string') continue;
      const value = keptAnnotation(k, v);
      if (value === undefined) delete annotations[k];
      else annotations[k] = value;
    }
  }
}

/** Status is kept only where controls read it: node identity and health, load balancer ingress. */
function keptStatus(resource: ResourceKind, status: unknown, keep: Keep): Record<string, unknown> | undefined {
  if (!isObject(status)) return undefined;
  const keys = resource === 'nodes' ? ['nodeInfo', 'addresses', 'conditions'] : resource === 'services' ? ['loadBalancer'] : [];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (status[k] !== undefined && status[k] !== null) out[k] = keep(status[k]);
  return Object.keys(out).length > 0 ? out : undefined;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}
