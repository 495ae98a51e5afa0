/**
 * A fake Kubernetes API server: a real HTTPS server on 127.0.0.1 that serves a fixed set
 * of API-shaped objects the way kube-apiserver does (read-only).
 *
 * What it is faithful to (Kubernetes API conventions, apimachinery behaviour):
 * - typed lists (`PodList`, `DeploymentList`...) whose items carry no kind/apiVersion,
 *   single GETs whose object does; items in etcd key order (namespace/name);
 * - `limit`/`continue` chunking with opaque base64url continue tokens bound to the list's
 *   resourceVersion, `metadata.remainingItemCount` (omitted with selectors), 410 Expired;
 * - metadata-only lists through `Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`;
 * - `labelSelector` and `fieldSelector` (equality-based; unsupported field labels -> 400);
 * - bearer-token and x509 client-certificate authentication (CN = user, O = groups),
 *   401/403/404/405/406/410/500 as `Status` objects with the real messages;
 * - `nodes/{node}/proxy/configz` answered as the kubelet does (or 405 when its debugging
 *   handlers are disabled).
 *
 * Faults (per resource, changeable at runtime) make it slow, forbidden or broken on demand.
 * There is no watch and no write: any method but GET answers 405.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createHash, randomUUID } from 'node:crypto';
import YAML from 'yaml';
import { createClientCertificate, createServerPki, type KeyPairPem, type ServerPki } from './certs.js';

// ---------------------------------------------------------------------------------------
// Public types

/** An API-shaped object as given in a fixture (apiVersion, kind, metadata, spec...). */
export type ApiObject = Record<string, unknown>;

/** `GET /version`, as kube-apiserver answers it. */
export interface ServerVersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/**
 * What to do to requests that match a fault key. Several matching faults are merged
 * (later keys win). `users` narrows a fault to those user names.
 */
export interface Fault {
  /** 403 Forbidden, with the RBAC authorizer's message. */
  forbidden?: boolean;
  /** Wait this long before answering (the answer is then whatever it would have been). */
  delayMs?: number;
  /** status500: InternalError Status; malformed: 200 with invalid JSON; reset: socket destroyed mid-body. */
  broken?: 'status500' | 'malformed' | 'reset';
  /** Any request carrying a continue token answers 410 Expired. */
  expireContinue?: boolean;
  /** Only for these users (all users when absent). */
  users?: readonly string[];
}

/**
 * How a node's kubelet answers `/configz` through the API server proxy:
 * an object is the `kubeletconfig` it returns; 'disabled' is a kubelet with
 * `enableDebuggingHandlers: false` (405 `Debug endpoints are disabled.`);
 * 'unreachable' is an API server that cannot dial the kubelet (503).
 */
export type KubeletBehaviour = Record<string, unknown> | 'disabled' | 'unreachable';

export interface TokenIdentity {
  user: string;
  groups?: readonly string[];
}

export interface FakeApiServerOptions {
  /** The objects to serve. Kinds must be in {@link RESOURCE_TYPES}. */
  objects: readonly ApiObject[];
  /** Overrides of the default version info (v1.31.4, linux/amd64). */
  version?: Partial<ServerVersionInfo>;
  /** Bearer token -> user name (or user and groups). */
  tokens?: Readonly<Record<string, string | TokenIdentity>>;
  /** Reuse a CA + serving certificate (generating keys takes ~100 ms). */
  pki?: ServerPki;
  /** Port to listen on; 0 (default) picks a free one. Always 127.0.0.1. */
  port?: number;
  /** The server never returns more items than this in one list page, even without `limit`. */
  maxPageSize?: number;
  /**
   * Faults by key. A key is a resource name (`secrets`), a qualified one
   * (`deployments.apps`), a subresource (`nodes/proxy`), `*` for every request, or a
   * path fragment starting with `/` (`/api/v1/namespaces/payments/`).
   */
  faults?: Readonly<Record<string, Fault>>;
  /** Per-node kubelet `/configz` behaviour; nodes not named get a default config. */
  kubelets?: Readonly<Record<string, KubeletBehaviour>>;
  /** Seed for the deterministic uids filled in where fixtures lack one (e.g. the cluster name). */
  uidSeed?: string;
  /** creationTimestamp filled in where fixtures lack one. Default 2024-09-02T08:00:00Z. */
  baseTime?: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  accept?: string;
  /** The authenticated user, when authentication succeeded. */
  user?: string;
  /** The HTTP status sent (0 when the socket was reset before one was sent). */
  status: number;
}

export interface KubeconfigOptions {
  /** The identity to authenticate as. */
  user: string;
  /** Bearer token; when neither token nor clientCert is given, a token registered for `user` is used. */
  token?: string;
  /** true: a fresh client certificate for `user`/`groups`, signed by the server's CA; or the PEM pair to use. */
  clientCert?: boolean | KeyPairPem;
  groups?: readonly string[];
  contextName?: string;
  clusterName?: string;
  /** Name of the kubeconfig `users[]` entry; defaults to `user`. */
  authInfoName?: string;
  namespace?: string;
  /** Server URL override (e.g. a closed port). */
  server?: string;
  /** CA override; null leaves certificate-authority-data out. */
  caPem?: string | null;
  insecureSkipTlsVerify?: boolean;
}

/** One cluster + user + context triple, to merge several into one kubeconfig file. */
export interface KubeconfigEntry {
  cluster: { name: string; cluster: Record<string, unknown> };
  user: { name: string; user: Record<string, unknown> };
  context: { name: string; context: Record<string, unknown> };
}

export interface FakeApiServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The CA that signed the serving certificate (and the client certificates it accepts). */
  readonly caPem: string;
  readonly pki: ServerPki;
  /** Every request received, in order. Tokens are never recorded. */
  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
  readonly faults: ReadonlyMap<string, Fault>;
  /** Set (or with undefined, remove) the fault for a key. */
  setFault(key: string, fault: Fault | undefined): void;
  clearFaults(): void;
  /** Change how a node's kubelet answers `/configz` (undefined: default config). */
  setKubelet(node: string, behaviour: KubeletBehaviour | undefined): void;
  /** Register another bearer token. */
  addToken(token: string, identity: string | TokenIdentity): void;
  /** Simulate an etcd compaction: every continue token issued so far answers 410. */
  compact(): void;
  /** A client certificate signed by this server's CA. */
  clientCertificate(user: string, groups?: readonly string[]): KeyPairPem;
  kubeconfigEntry(opts: KubeconfigOptions): KubeconfigEntry;
  /** A kubeconfig YAML with one cluster, user and context (the current one). */
  kubeconfig(opts: KubeconfigOptions): string;
  /** How many objects are served for a resource (e.g. `pods`), or in all. */
  objectCount(resource?: string): number;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Resource types

export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
}

function rt(
  groupVersion: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames?: string[],
): ResourceType {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  return {
    group: group ?? '',
    version: version ?? 'v1',
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    ...(shortNames ? { shortNames } : {}),
  };
}

/** The resources served. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  rt('v1', 'namespaces', 'Namespace', false, ['ns']),
  rt('v1', 'nodes', 'Node', false, ['no']),
  rt('v1', 'pods', 'Pod', true, ['po']),
  rt('v1', 'services', 'Service', true, ['svc']),
  rt('v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  rt('v1', 'secrets', 'Secret', true),
  rt('v1', 'configmaps', 'ConfigMap', true, ['cm']),
  rt('apps/v1', 'deployments', 'Deployment', true, ['deploy']),
  rt('apps/v1', 'statefulsets', 'StatefulSet', true, ['sts']),
  rt('apps/v1', 'daemonsets', 'DaemonSet', true, ['ds']),
  rt('apps/v1', 'replicasets', 'ReplicaSet', true, ['rs']),
  rt('batch/v1', 'jobs', 'Job', true),
  rt('batch/v1', 'cronjobs', 'CronJob', true, ['cj']),
  rt('networking.k8s.io/v1', 'ingresses', 'Ingress', true, ['ing']),
  rt('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', true, ['netpol']),
  rt('rbac.authorization.k8s.io/v1', 'roles', 'Role', true),
  rt('rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', false),
  rt('rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', true),
  rt('rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
];

const VERBS = ['get', 'list'];

function groupVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

function qualified(t: ResourceType): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

/** Field labels the real API accepts in fieldSelector, beyond metadata.name/namespace. */
const FIELD_LABELS: Readonly<Record<string, readonly string[]>> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  secrets: ['type'],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  replicasets: ['status.replicas'],
  jobs: ['status.successful'],
};

export const DEFAULT_VERSION: ServerVersionInfo = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.4',
  gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b',
  gitTreeState: 'clean',
  buildDate: '2024-12-10T11:37:56Z',
  goVersion: 'go1.22.10',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** The kubeletconfig a node answers with when no behaviour was configured for it. */
export const DEFAULT_KUBELET_CONFIG: Readonly<Record<string, unknown>> = {
  enableServer: true,
  staticPodPath: '/etc/kubernetes/manifests',
  syncFrequency: '1m0s',
  address: '0.0.0.0',
  port: 10250,
  rotateCertificates: true,
  authentication: {
    x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' },
    webhook: { enabled: true, cacheTTL: '2m0s' },
    anonymous: { enabled: false },
  },
  authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
  eventRecordQPS: 50,
  enableDebuggingHandlers: true,
  healthzPort: 10248,
  healthzBindAddress: '127.0.0.1',
  clusterDomain: 'cluster.local',
  clusterDNS: ['10.96.0.10'],
  streamingConnectionIdleTimeout: '4h0m0s',
  cgroupDriver: 'systemd',
  makeIPTablesUtilChains: true,
  failSwapOn: true,
  containerRuntimeEndpoint: 'unix:///var/run/containerd/containerd.sock',
  kind: 'KubeletConfiguration',
  apiVersion: 'kubelet.config.k8s.io/v1beta1',
};

// ---------------------------------------------------------------------------------------
// Status bodies

interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: Record<string, unknown>;
  code: number;
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

const UNAUTHORIZED = (): StatusBody => status(401, 'Unauthorized', 'Unauthorized');

const NOT_FOUND_PATH = (): StatusBody =>
  status(404, 'NotFound', 'the server could not find the requested resource', {});

const METHOD_NOT_ALLOWED = (): StatusBody =>
  status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function groupResourceDetails(t: ResourceType, name?: string): Record<string, unknown> {
  return { ...(name ? { name } : {}), ...(t.group ? { group: t.group } : {}), kind: t.resource };
}

function notFoundObject(t: ResourceType, name: string): StatusBody {
  return status(404, 'NotFound', `${qualified(t)} "${name}" not found`, groupResourceDetails(t, name));
}

function forbiddenStatus(
  user: string,
  verb: string,
  t: ResourceType | undefined,
  subresource: string | undefined,
  namespace: string | undefined,
  name: string | undefined,
  path: string,
): StatusBody {
  if (!t) return status(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path "${path}"`, {});
  const resource = subresource ? `${t.resource}/${subresource}` : t.resource;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const why = `User "${user}" cannot ${verb} resource "${resource}" in API group "${t.group}" ${scope}`;
  const subject = name ? `${qualified(t)} "${name}"` : qualified(t);
  return status(403, 'Forbidden', `${subject} is forbidden: ${why}`, groupResourceDetails(t, name));
}

function badRequest(message: string): StatusBody {
  return status(400, 'BadRequest', message);
}

// ---------------------------------------------------------------------------------------
// Object store

interface Stored {
  type: ResourceType;
  namespace?: string;
  name: string;
  /** etcd-like key inside the resource prefix: `ns/name` or `name`. */
  key: string;
  /** Full object, kind and apiVersion first. */
  obj: ApiObject;
  labels: Record<string, string>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deterministicUid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function describeObject(o: ApiObject, index: number): string {
  const md = isRecord(o.metadata) ? o.metadata : {};
  const ns = typeof md.namespace === 'string' ? `${md.namespace}/` : '';
  return `objects[${index}] (${String(o.kind)} ${ns}${String(md.name)})`;
}

function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class ObjectStore {
  private readonly byResource = new Map<ResourceType, Stored[]>();
  private readonly byKindName = new Map<string, Stored>();
  /** The latest resourceVersion: what a fresh list reports. */
  revision: number;

  constructor(objects: readonly ApiObject[], uidSeed: string, baseTime: string) {
    for (const t of RESOURCE_TYPES) this.byResource.set(t, []);
    const base = Date.parse(baseTime);
    if (Number.isNaN(base)) throw new Error(`baseTime ${baseTime} is not a date`);
    let rv = 4711;
    let maxRv = rv;
    const stored: Stored[] = [];
    objects.forEach((input, index) => {
      if (!isRecord(input)) throw new Error(`objects[${index}] is not an object`);
      const kind = input.kind;
      const apiVersion = input.apiVersion;
      if (typeof kind !== 'string') throw new Error(`${describeObject(input, index)} has no kind`);
      const type = RESOURCE_TYPES.find((t) => t.kind === kind);
      if (!type) throw new Error(`${describeObject(input, index)}: kind ${kind} is not served by the fake API server`);
      if (apiVersion !== groupVersionOf(type)) {
        throw new Error(`${describeObject(input, index)}: apiVersion must be ${groupVersionOf(type)}, not ${String(apiVersion)}`);
      }
      const md: Record<string, unknown> = isRecord(input.metadata) ? structuredClone(input.metadata) : {};
      const name = md.name;
      if (typeof name !== 'string' || name === '') throw new Error(`${describeObject(input, index)} has no metadata.name`);
      let namespace: string | undefined;
      if (type.namespaced) {
        namespace = typeof md.namespace === 'string' && md.namespace !== '' ? md.namespace : 'default';
        md.namespace = namespace;
      } else if (md.namespace !== undefined) {
        throw new Error(`${describeObject(input, index)}: ${kind} is cluster-scoped and cannot have a namespace`);
      }
      const key = namespace ? `${namespace}/${name}` : name;
      const idKey = `${type.resource}|${key}`;
      if (this.byKindName.has(idKey)) throw new Error(`${describeObject(input, index)} is defined twice`);
      if (typeof md.uid !== 'string') md.uid = deterministicUid(`${uidSeed}/${qualified(type)}/${key}`);
      if (md.resourceVersion === undefined) {
        rv += 1 + (parseInt(String(md.uid).slice(0, 2), 16) % 37);
        md.resourceVersion = String(rv);
      } else {
        md.resourceVersion = String(md.resourceVersion);
      }
      const thisRv = Number(md.resourceVersion);
      if (Number.isFinite(thisRv)) maxRv = Math.max(maxRv, thisRv, rv);
      if (md.creationTimestamp === undefined) {
        md.creationTimestamp = new Date(base + index * 61_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      }
      const rest: Record<string, unknown> = { ...input };
      delete rest.kind;
      delete rest.apiVersion;
      delete rest.metadata;
      const obj: ApiObject = { kind, apiVersion, metadata: md, ...structuredClone(rest) };
      this.applyDefaults(type, obj, md);
      const labels = isRecord(md.labels) ? (md.labels as Record<string, string>) : {};
      const s: Stored = { type, name, key, obj, labels, ...(namespace ? { namespace } : {}) };
      this.byKindName.set(idKey, s);
      stored.push(s);
    });
    // Owner references written without a uid point at the owner's (filled-in) uid.
    for (const s of stored) this.resolveOwners(s);
    for (const s of stored) this.byResource.get(s.type)?.push(s);
    for (const list of this.byResource.values()) list.sort((a, b) => byteCompare(a.key, b.key));
    this.revision = maxRv + 12;
  }

  private applyDefaults(type: ResourceType, obj: ApiObject, md: Record<string, unknown>): void {
    if (type.resource === 'namespaces') {
      // The NamespaceDefaultLabelName admission (1.21+) always sets this label.
      md.labels = { ...(isRecord(md.labels) ? md.labels : {}), 'kubernetes.io/metadata.name': String(md.name) };
      if (!isRecord(obj.spec)) obj.spec = { finalizers: ['kubernetes'] };
      if (!isRecord(obj.status)) obj.status = { phase: 'Active' };
    }
    if (type.resource === 'secrets') {
      // The API server stores stringData merged into data and never returns stringData.
      if (isRecord(obj.stringData)) {
        const data: Record<string, unknown> = isRecord(obj.data) ? { ...obj.data } : {};
        for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        obj.data = data;
        delete obj.stringData;
      }
      if (typeof obj.type !== 'string') obj.type = 'Opaque';
    }
  }

  private resolveOwners(s: Stored): void {
    const md = s.obj.metadata as Record<string, unknown>;
    if (!Array.isArray(md.ownerReferences)) return;
    for (const ref of md.ownerReferences as unknown[]) {
      if (!isRecord(ref) || typeof ref.uid === 'string') continue;
      const ownerType = RESOURCE_TYPES.find((t) => t.kind === ref.kind);
      if (!ownerType) continue;
      const key = ownerType.namespaced ? `${s.namespace ?? 'default'}/${String(ref.name)}` : String(ref.name);
      const owner = this.byKindName.get(`${ownerType.resource}|${key}`);
      if (!owner) continue;
      ref.uid = (owner.obj.metadata as Record<string, unknown>).uid;
      if (typeof ref.apiVersion !== 'string') ref.apiVersion = groupVersionOf(ownerType);
    }
  }

  list(type: ResourceType, namespace: string | undefined): Stored[] {
    const all = this.byResource.get(type) ?? [];
    return namespace === undefined ? all : all.filter((s) => s.namespace === namespace);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): Stored | undefined {
    return this.byKindName.get(`${type.resource}|${namespace ? `${namespace}/${name}` : name}`);
  }

  count(resource?: string): number {
    let n = 0;
    for (const [t, list] of this.byResource) if (!resource || t.resource === resource) n += list.length;
    return n;
  }
}

// ---------------------------------------------------------------------------------------
// Selectors

type FieldReq = { field: string; op: '=' | '!='; value: string };

function parseFieldSelector(sel: string, type: ResourceType): FieldReq[] {
  const reqs: FieldReq[] = [];
  for (const part of sel.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(p);
    if (!m) throw new Error(`invalid selector: '${sel}'; can't understand '${p}'`);
    const field = (m[1] ?? '').trim();
    const allowed = ['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[type.resource] ?? [])];
    if (!allowed.includes(field)) throw new Error(`field label not supported: ${field}`);
    reqs.push({ field, op: m[2] === '!=' ? '!=' : '=', value: (m[3] ?? '').trim() });
  }
  return reqs;
}

function fieldValue(obj: ApiObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (!isRecord(cur)) return '';
    cur = cur[seg];
  }
  if (cur === undefined || cur === null) return path === 'spec.unschedulable' || path === 'spec.hostNetwork' ? 'false' : '';
  return String(cur);
}

type LabelReq =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

function splitTopLevel(sel: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of sel) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseLabelSelector(sel: string): LabelReq[] {
  return splitTopLevel(sel).map((p): LabelReq => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { key: m[1] ?? '', op: m[2] === 'in' ? 'in' : 'notin', values };
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(p);
    if (m) return { key: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', value: m[3] ?? '' };
    m = /^(!?)([\w./-]+)$/.exec(p);
    if (m) return { key: m[2] ?? '', op: m[1] ? '!exists' : 'exists' };
    throw new Error(`unable to parse requirement: found '${p}', expected: valid label selector requirement`);
  });
}

function labelsMatch(labels: Record<string, string>, reqs: readonly LabelReq[]): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && v === r.value;
      case '!=':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v ?? '');
      case 'notin':
        return !has || !r.values.includes(v ?? '');
    }
    return false;
  });
}

// ---------------------------------------------------------------------------------------
// Continue tokens: base64url (no padding) of {"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  const bad = /[^A-Za-z0-9_-]/.exec(token);
  if (bad) throw new Error(`continue key is not valid: illegal base64 data at input byte ${bad.index}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw new Error(`continue key is not valid: ${(err as Error).message}`);
  }
  if (!isRecord(parsed) || parsed.v !== 'meta.k8s.io/v1') {
    throw new Error('continue key is not valid: server does not recognize this encoded key');
  }
  if (typeof parsed.rv !== 'number' || parsed.rv <= 0) {
    throw new Error('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof parsed.start !== 'string' || parsed.start === '') {
    throw new Error('continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  }
  return { rv: parsed.rv, start: parsed.start };
}

// ---------------------------------------------------------------------------------------
// Content negotiation

type Representation = 'full' | 'partial';

const ACCEPTED_MEDIA_TYPES = [
  'application/json',
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
];

/** The first media type of the Accept header this server can produce, or null (406). */
function negotiate(accept: string | undefined, isList: boolean): Representation | null {
  if (!accept || accept.trim() === '') return 'full';
  for (const clause of accept.split(',')) {
    const [typeRaw, ...paramParts] = clause.split(';');
    const type = (typeRaw ?? '').trim().toLowerCase();
    const params: Record<string, string> = {};
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const as = params.as;
    if (as === undefined) {
      if (params.g !== undefined || params.v !== undefined) continue;
      return 'full';
    }
    if (params.g !== 'meta.k8s.io' || (params.v !== 'v1' && params.v !== 'v1beta1')) continue;
    if (isList && as === 'PartialObjectMetadataList') return 'partial';
    if (!isList && as === 'PartialObjectMetadata') return 'partial';
    // Table and anything else: not produced here; try the next clause.
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Routing

type Route =
  | { kind: 'version' }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | { kind: 'list'; type: ResourceType; namespace?: string }
  | { kind: 'get'; type: ResourceType; namespace?: string; name: string }
  | { kind: 'nodeProxy'; type: ResourceType; node: string; subpath: string }
  | { kind: 'notFound' };

function findType(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

function splitPath(pathname: string): string[] | undefined {
  const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  try {
    return trimmed.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

const NOT_FOUND: Route = { kind: 'notFound' };

/** Where a path below /api/{v} or /apis/{g}/{v} leads. */
function resourceRoute(group: string, version: string, rest: string[]): Route {
  const [first = '', second = '', third = '', fourth = ''] = rest;
  if (rest.length === 0) return { kind: 'resourceList', group, version };
  // /namespaces/{ns}/{resource}[/{name}]
  if (first === 'namespaces' && rest.length >= 3) {
    const type = findType(group, version, third);
    if (!type?.namespaced || rest.length > 4) return NOT_FOUND;
    return rest.length === 3 ? { kind: 'list', type, namespace: second } : { kind: 'get', type, namespace: second, name: fourth };
  }
  const type = findType(group, version, first);
  if (!type) return NOT_FOUND;
  if (rest.length === 1) return { kind: 'list', type };
  if (rest.length === 2 && !type.namespaced) return { kind: 'get', type, name: second };
  if (type.resource === 'nodes' && third === 'proxy') {
    return { kind: 'nodeProxy', type, node: second, subpath: `/${rest.slice(3).join('/')}` };
  }
  return NOT_FOUND;
}

function route(pathname: string): Route {
  const segs = splitPath(pathname);
  if (!segs) return NOT_FOUND;
  const top = segs.join('/');
  if (top === 'version') return { kind: 'version' };
  if (top === 'api') return { kind: 'api' };
  if (top === 'apis') return { kind: 'apis' };
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    [group, version, rest] = ['', segs[1] ?? '', segs.slice(2)];
  } else if (segs[0] === 'apis') {
    group = segs[1] ?? '';
    if (segs.length === 2) return RESOURCE_TYPES.some((t) => t.group === group) ? { kind: 'group', group } : NOT_FOUND;
    [version, rest] = [segs[2] ?? '', segs.slice(3)];
  } else {
    return NOT_FOUND;
  }
  if (!RESOURCE_TYPES.some((t) => t.group === group && t.version === version)) return NOT_FOUND;
  return resourceRoute(group, version, rest);
}

function resourceListBody(group: string, version: string): Record<string, unknown> {
  const resources = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version).map((t) => ({
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: VERBS,
    ...(t.shortNames ? { shortNames: t.shortNames } : {}),
  }));
  if (group === '' && version === 'v1') resources.push({ name: 'nodes/proxy', singularName: '', namespaced: false, kind: 'NodeProxyOptions', verbs: ['get'] });
  const groupVersion = group ? `${group}/${version}` : version;
  return group
    ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources }
    : { kind: 'APIResourceList', groupVersion, resources };
}

function groupBody(group: string): Record<string, unknown> {
  const versions = [...new Set(RESOURCE_TYPES.filter((t) => t.group === group).map((t) => t.version))].map((v) => ({
    groupVersion: `${group}/${v}`,
    version: v,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

// ---------------------------------------------------------------------------------------
// The server

function faultMatches(key: string, path: string, type: ResourceType | undefined, subresource?: string): boolean {
  if (key === '*') return true;
  if (key.startsWith('/')) return path.includes(key);
  if (!type) return false;
  const res = subresource ? `${type.resource}/${subresource}` : type.resource;
  return key === res || key === (type.group ? `${res}.${type.group}` : res);
}

function sleep(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });
}

function peerIdentity(socket: TLSSocket): TokenIdentity | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const cn = cert.subject.CN;
  const user = Array.isArray(cn) ? cn[0] : cn;
  if (!user) return undefined;
  const o = cert.subject.O as string | string[] | undefined;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { user, groups };
}

/** An answer before it is written: a JSON body or raw text. */
interface Answer {
  code: number;
  body?: unknown;
  raw?: string;
  contentType?: string;
}

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';

function notAcceptable(): Answer {
  return {
    code: 406,
    body: status(406, 'NotAcceptable', `only the following media types are accepted: ${ACCEPTED_MEDIA_TYPES.join(', ')}`),
  };
}

function stripTypeMeta(obj: ApiObject): ApiObject {
  const item: ApiObject = { ...obj };
  delete item.kind;
  delete item.apiVersion;
  return item;
}

type ListRoute = Extract<Route, { kind: 'list' }>;
type GetRoute = Extract<Route, { kind: 'get' }>;
type ProxyRoute = Extract<Route, { kind: 'nodeProxy' }>;

function routeTarget(r: Route): { type?: ResourceType; subresource?: string; namespace?: string; name?: string } {
  switch (r.kind) {
    case 'list':
      return { type: r.type, ...(r.namespace ? { namespace: r.namespace } : {}) };
    case 'get':
      return { type: r.type, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) };
    case 'nodeProxy':
      return { type: r.type, subresource: 'proxy', name: r.node };
    default:
      return {};
  }
}

class FakeApiServerImpl {
  readonly store: ObjectStore;
  readonly version: ServerVersionInfo;
  readonly tokens = new Map<string, TokenIdentity>();
  readonly faults: Map<string, Fault>;
  readonly kubelets: Map<string, KubeletBehaviour>;
  readonly requests: RequestLogEntry[] = [];
  readonly sockets = new Set<Socket>();
  readonly timers = new Set<NodeJS.Timeout>();
  compactedRevision = 0;
  closed = false;
  port = 0;

  constructor(private readonly opts: FakeApiServerOptions) {
    this.store = new ObjectStore(opts.objects, opts.uidSeed ?? 'fake-apiserver', opts.baseTime ?? '2024-09-02T08:00:00Z');
    this.version = { ...DEFAULT_VERSION, ...(opts.version ?? {}) };
    for (const [tok, id] of Object.entries(opts.tokens ?? {})) this.tokens.set(tok, typeof id === 'string' ? { user: id } : id);
    this.faults = new Map(Object.entries(opts.faults ?? {}));
    this.kubelets = new Map(Object.entries(opts.kubelets ?? {}));
  }

  /** A verified client certificate first, then a bearer token (kube-apiserver's union order). */
  authenticate(req: IncomingMessage): TokenIdentity | undefined {
    const fromCert = peerIdentity(req.socket as TLSSocket);
    if (fromCert) return fromCert;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return m ? this.tokens.get(m[1] ?? '') : undefined;
  }

  faultFor(user: string, path: string, r: Route): Fault {
    const { type, subresource } = routeTarget(r);
    const fault: Fault = {};
    for (const [key, f] of this.faults) {
      if (f.users && !f.users.includes(user)) continue;
      if (faultMatches(key, path, type, subresource)) Object.assign(fault, f);
    }
    return fault;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    const accept = req.headers.accept;
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: url.pathname, query, status: 0, ...(accept ? { accept } : {}) };
    this.requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    const identity = this.authenticate(req);
    if (!identity) return this.write(req, res, { code: 401, body: UNAUTHORIZED() }, {});
    entry.user = identity.user;
    const r = route(url.pathname);
    if (req.method !== 'GET') return this.write(req, res, { code: 405, body: METHOD_NOT_ALLOWED() }, {});
    if (r.kind === 'notFound') return this.write(req, res, { code: 404, body: NOT_FOUND_PATH() }, {});

    const fault = this.faultFor(identity.user, url.pathname, r);
    if (fault.delayMs && fault.delayMs > 0) {
      await sleep(fault.delayMs, this.timers);
      if (this.closed || res.destroyed || req.socket.destroyed) return;
    }
    return this.write(req, res, this.answer(r, url, identity.user, accept, fault), fault);
  }

  answer(r: Route, url: URL, user: string, accept: string | undefined, fault: Fault): Answer {
    if (fault.forbidden) {
      const t = routeTarget(r);
      const verb = r.kind === 'list' ? 'list' : 'get';
      return { code: 403, body: forbiddenStatus(user, verb, t.type, t.subresource, t.namespace, t.name, url.pathname) };
    }
    if (fault.broken === 'status500') {
      const cause = 'etcdserver: request timed out';
      return { code: 500, body: status(500, 'InternalError', `Internal error occurred: ${cause}`, { causes: [{ message: cause }] }) };
    }
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') {
      return { code: 400, body: badRequest('watch is not supported by this fake API server') };
    }
    switch (r.kind) {
      case 'version':
        return { code: 200, body: this.version };
      case 'api':
        return {
          code: 200,
          body: {
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }],
          },
        };
      case 'apis': {
        const groups = [...new Set(RESOURCE_TYPES.filter((t) => t.group).map((t) => t.group))];
        return { code: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupBody) } };
      }
      case 'group':
        return { code: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...groupBody(r.group) } };
      case 'resourceList':
        return { code: 200, body: resourceListBody(r.group, r.version) };
      case 'list':
        return this.list(r, url.searchParams, accept, fault);
      case 'get':
        return this.get(r, accept);
      case 'nodeProxy':
        return this.nodeProxy(r);
      default:
        return { code: 404, body: NOT_FOUND_PATH() };
    }
  }

  get(r: GetRoute, accept: string | undefined): Answer {
    const rep = negotiate(accept, false);
    if (!rep) return notAcceptable();
    const found = this.store.get(r.type, r.namespace, r.name);
    if (!found) return { code: 404, body: notFoundObject(r.type, r.name) };
    if (rep === 'full') return { code: 200, body: found.obj };
    return {
      code: 200,
      contentType: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
      body: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: found.obj.metadata },
    };
  }

  list(r: ListRoute, query: URLSearchParams, accept: string | undefined, fault: Fault): Answer {
    const rep = negotiate(accept, true);
    if (!rep) return notAcceptable();
    let labelReqs: LabelReq[];
    let fieldReqs: FieldReq[];
    try {
      labelReqs = parseLabelSelector(query.get('labelSelector') ?? '');
      fieldReqs = parseFieldSelector(query.get('fieldSelector') ?? '', r.type);
    } catch (err) {
      return { code: 400, body: badRequest((err as Error).message) };
    }
    const start = this.continuation(query, fault);
    if ('code' in start) return start;
    const page = this.page(r, start, labelReqs, fieldReqs, query.get('limit'));
    if (rep === 'partial') {
      return {
        code: 200,
        contentType: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
        body: {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: page.metadata,
          items: page.items.map((s) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: s.obj.metadata })),
        },
      };
    }
    return {
      code: 200,
      body: {
        kind: `${r.type.kind}List`,
        apiVersion: groupVersionOf(r.type),
        metadata: page.metadata,
        // Typed lists omit kind/apiVersion on their items.
        items: page.items.map((s) => stripTypeMeta(s.obj)),
      },
    };
  }

  /** Where a list starts: the list's resourceVersion and the first key, or an error answer. */
  continuation(query: URLSearchParams, fault: Fault): { rv: number; startKey?: string } | Answer {
    const token = query.get('continue') ?? '';
    if (token === '') return { rv: this.store.revision };
    if (query.get('resourceVersion')) {
      return { code: 400, body: badRequest('specifying resource version is not allowed when using continue') };
    }
    let decoded: { rv: number; start: string };
    try {
      decoded = decodeContinue(token);
    } catch (err) {
      return { code: 400, body: badRequest((err as Error).message) };
    }
    if (fault.expireContinue || decoded.rv <= this.compactedRevision) {
      return { code: 410, body: status(410, 'Expired', CONTINUE_EXPIRED_MESSAGE) };
    }
    return { rv: decoded.rv, startKey: decoded.start };
  }

  page(
    r: ListRoute,
    start: { rv: number; startKey?: string },
    labelReqs: LabelReq[],
    fieldReqs: FieldReq[],
    limitParam: string | null,
  ): { items: Stored[]; metadata: Record<string, unknown> } {
    const parsed = Number.parseInt(limitParam ?? '', 10);
    let limit = Number.isFinite(parsed) && parsed > 0 ? parsed : Infinity;
    if (this.opts.maxPageSize && this.opts.maxPageSize > 0) limit = Math.min(limit, this.opts.maxPageSize);
    const from = start.startKey;
    const matching = this.store
      .list(r.type, r.namespace)
      .filter((s) => from === undefined || byteCompare(s.key, from) >= 0)
      .filter((s) => labelsMatch(s.labels, labelReqs))
      .filter((s) => fieldReqs.every((q) => (fieldValue(s.obj, q.field) === q.value) === (q.op === '=')));
    const items = limit === Infinity ? matching : matching.slice(0, limit);
    const metadata: Record<string, unknown> = { resourceVersion: String(start.rv) };
    const last = items[items.length - 1];
    if (matching.length > items.length && last) {
      metadata.continue = encodeContinue(start.rv, last.key);
      // The API cannot count what a selector would keep, so it leaves the count out.
      if (labelReqs.length === 0 && fieldReqs.length === 0) metadata.remainingItemCount = matching.length - items.length;
    }
    return { items, metadata };
  }

  nodeProxy(r: ProxyRoute): Answer {
    const node = this.store.get(r.type, undefined, r.node);
    if (!node) return { code: 404, body: notFoundObject(r.type, r.node) };
    const behaviour = this.kubelets.get(r.node) ?? DEFAULT_KUBELET_CONFIG;
    if (behaviour === 'unreachable') {
      const msg = `error trying to reach service: dial tcp ${nodeAddress(node.obj)}:10250: connect: connection refused`;
      return { code: 503, body: status(503, 'ServiceUnavailable', msg) };
    }
    // What follows is the kubelet's own answer, passed through by the proxy.
    if (r.subpath !== '/configz') return { code: 404, contentType: TEXT_TYPE, raw: '404 page not found\n' };
    if (behaviour === 'disabled') return { code: 405, contentType: TEXT_TYPE, raw: 'Debug endpoints are disabled.\n' };
    return { code: 200, body: { kubeletconfig: behaviour } };
  }

  write(req: IncomingMessage, res: ServerResponse, a: Answer, fault: Fault): void {
    const contentType = a.contentType ?? JSON_TYPE;
    let text = a.raw ?? `${JSON.stringify(a.body)}\n`;
    if (a.code === 200 && fault.broken === 'malformed') text = text.slice(0, Math.max(10, Math.floor(text.length / 2)));
    if (fault.broken === 'reset') {
      res.writeHead(a.code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setImmediate(() => req.socket.destroy());
      return;
    }
    res.writeHead(a.code, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
      'Audit-Id': randomUUID(),
      ...(contentType === TEXT_TYPE ? { 'X-Content-Type-Options': 'nosniff' } : {}),
    });
    res.end(text);
  }
}

export async function startFakeApiServer(opts: FakeApiServerOptions): Promise<FakeApiServer> {
  const pki = opts.pki ?? createServerPki();
  const impl = new FakeApiServerImpl(opts);

  const server = https.createServer(
    {
      key: pki.server.keyPem,
      cert: pki.server.certPem,
      ca: [pki.ca.certPem],
      requestCert: true,
      // We answer 401 ourselves, like kube-apiserver, instead of failing the handshake.
      rejectUnauthorized: false,
    },
    (req, res) => {
      impl.handle(req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        impl.write(req, res, { code: 500, body: status(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`) }, {});
      });
    },
  );
  server.on('connection', (s: Socket) => {
    impl.sockets.add(s);
    s.on('close', () => impl.sockets.delete(s));
  });
  server.on('tlsClientError', () => {
    /* a client that gave up during the handshake (e.g. it rejected our CA) */
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  impl.port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${impl.port}`;

  const clientCertificate = (user: string, groups?: readonly string[]): KeyPairPem =>
    createClientCertificate(pki.ca, { user, ...(groups ? { groups } : {}) });
  const kubeconfigEntry = (k: KubeconfigOptions): KubeconfigEntry => buildKubeconfigEntry(k, url, pki, impl.tokens, clientCertificate);

  return {
    url,
    port: impl.port,
    caPem: pki.ca.certPem,
    pki,
    requests: impl.requests,
    clearRequests: () => {
      impl.requests.length = 0;
    },
    faults: impl.faults,
    setFault: (key, fault) => {
      if (fault) impl.faults.set(key, fault);
      else impl.faults.delete(key);
    },
    clearFaults: () => impl.faults.clear(),
    setKubelet: (node, behaviour) => {
      if (behaviour === undefined) impl.kubelets.delete(node);
      else impl.kubelets.set(node, behaviour);
    },
    addToken: (token, identity) => {
      impl.tokens.set(token, typeof identity === 'string' ? { user: identity } : identity);
    },
    compact: () => {
      impl.compactedRevision = impl.store.revision;
      impl.store.revision += 1;
    },
    clientCertificate,
    kubeconfigEntry,
    kubeconfig: (k) => {
      const e = kubeconfigEntry(k);
      return renderKubeconfig([e], e.context.name);
    },
    objectCount: (resource) => impl.store.count(resource),
    close: async () => {
      if (impl.closed) return;
      impl.closed = true;
      for (const t of impl.timers) clearTimeout(t);
      impl.timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of impl.sockets) s.destroy();
      await done;
    },
  };
}

function buildKubeconfigEntry(
  k: KubeconfigOptions,
  url: string,
  pki: ServerPki,
  tokens: ReadonlyMap<string, TokenIdentity>,
  clientCertificate: (user: string, groups?: readonly string[]) => KeyPairPem,
): KubeconfigEntry {
  const clusterName = k.clusterName ?? 'fake-cluster';
  const authInfoName = k.authInfoName ?? k.user;
  const contextName = k.contextName ?? `${authInfoName}@${clusterName}`;
  const cluster: Record<string, unknown> = { server: k.server ?? url };
  const ca = k.caPem === undefined ? pki.ca.certPem : k.caPem;
  if (ca !== null) cluster['certificate-authority-data'] = Buffer.from(ca, 'utf8').toString('base64');
  if (k.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  const userEntry: Record<string, unknown> = {};
  if (k.clientCert) {
    const pair = k.clientCert === true ? clientCertificate(k.user, k.groups) : k.clientCert;
    userEntry['client-certificate-data'] = Buffer.from(pair.certPem, 'utf8').toString('base64');
    userEntry['client-key-data'] = Buffer.from(pair.keyPem, 'utf8').toString('base64');
  } else {
    const token = k.token ?? [...tokens].find(([, id]) => id.user === k.user)?.[0];
    if (token === undefined) throw new Error(`no token is registered for user ${k.user}; pass token or clientCert`);
    userEntry.token = token;
  }
  return {
    cluster: { name: clusterName, cluster },
    user: { name: authInfoName, user: userEntry },
    context: {
      name: contextName,
      context: { cluster: clusterName, user: authInfoName, ...(k.namespace ? { namespace: k.namespace } : {}) },
    },
  };
}

function nodeAddress(node: ApiObject): string {
  const st = isRecord(node.status) ? node.status : {};
  const addrs = Array.isArray(st.addresses) ? (st.addresses as unknown[]) : [];
  for (const a of addrs) if (isRecord(a) && a.type === 'InternalIP' && typeof a.address === 'string') return a.address;
  return '10.0.0.1';
}

/** A kubeconfig YAML holding the given entries (clusters/users deduplicated by name). */
export function renderKubeconfig(entries: readonly KubeconfigEntry[], currentContext?: string): string {
  const uniq = <T extends { name: string }>(xs: T[]): T[] => {
    const seen = new Set<string>();
    return xs.filter((x) => (seen.has(x.name) ? false : (seen.add(x.name), true)));
  };
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: uniq(entries.map((e) => e.cluster)),
    users: uniq(entries.map((e) => e.user)),
    contexts: uniq(entries.map((e) => e.context)),
    'current-context': currentContext ?? entries[0]?.context.name ?? '',
  };
  return YAML.stringify(doc, { lineWidth: 0 });
}
