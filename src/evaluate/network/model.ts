import type { KubeObject, Snapshot } from '../../core/types.js';
import { isProtocol, MAX_PORT, MIN_PORT, type Protocol } from './conns.js';
import { parseCidr, subtract, type IpRange } from './ip.js';

/**
 * The inputs of the connectivity analysis, read from a snapshot: workloads at owner level with
 * their pod labels and container ports, namespaces with their labels, NetworkPolicies parsed
 * into rules, Services and Ingresses. What cannot be used is a problem naming the object and
 * key path, never a silent allow.
 */

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] }>;
}

export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface Workload {
  readonly namespace: string;
  readonly name: string;
  /** Deployment, StatefulSet, DaemonSet, ReplicationController, CronJob, Job, ReplicaSet (no Deployment known), Pod. */
  readonly kind: string;
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  /** On the node's network: NetworkPolicies do not apply to it (the documentation leaves it undefined). */
  readonly hostNetwork?: true;
  /** Runs an ingress controller's proxy (known by its image): Ingress traffic comes from its pods. */
  readonly ingressController?: true;
}

/** A rule's peer: pods by selectors, or addresses outside the cluster. */
export type PolicyPeer =
  | {
      readonly type: 'pods';
      /** undefined: the policy's own namespace. */
      readonly namespaceSelector?: LabelSelector;
      /** undefined: every pod of the selected namespaces. */
      readonly podSelector?: LabelSelector;
    }
  | { readonly type: 'ipBlock'; readonly ranges: readonly IpRange[]; readonly cidr: string };

export interface PolicyPort {
  readonly protocol: Protocol;
  /** undefined: every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface PolicyRule {
  /** undefined: every peer (an absent or empty `from`/`to`). */
  readonly peers?: readonly PolicyPeer[];
  /** undefined: every port and protocol (an absent or empty `ports`). */
  readonly ports?: readonly PolicyPort[];
}

export interface Policy {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  /** undefined when the policy does not isolate ingress; [] isolates and allows nothing. */
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly protocol: Protocol;
}

export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  /** undefined: no selector (endpoints managed by hand): no known target pods. */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
}

export interface IngressBackend {
  readonly ingress: string;
  readonly namespace: string;
  readonly service: string;
  /** undefined: every port of the service. */
  readonly port?: number | string;
}

export interface NetworkModel {
  readonly workloads: readonly Workload[];
  /** Namespace name -> labels, with `kubernetes.io/metadata.name` as the API server sets it. */
  readonly namespaces: ReadonlyMap<string, Labels>;
  readonly policies: readonly Policy[];
  readonly services: readonly Service[];
  readonly ingressBackends: readonly IngressBackend[];
  /** Objects or fields that could not be used, each naming the object and key path. */
  readonly problems: readonly string[];
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** More problems than this are counted, not listed: a bad dump must not become a huge report. */
export const MAX_PROBLEMS = 1000;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const nsOf = (o: KubeObject): string => o.metadata.namespace ?? 'default';

class Problems {
  readonly items: string[] = [];
  private dropped = 0;
  add(where: string, message: string): void {
    if (this.items.length < MAX_PROBLEMS) this.items.push(`${where}: ${message}`);
    else this.dropped++;
  }
  done(): string[] {
    return this.dropped > 0 ? [...this.items, `${this.dropped} more problems not listed`] : this.items;
  }
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** A label selector as the API defines it; an operator the API refuses makes it match nothing. */
function parseSelector(v: unknown, where: string, problems: Problems): LabelSelector {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    problems.add(where, 'a label selector must be an object; it is read as matching nothing');
    return { matchExpressions: [{ key: '', operator: 'Invalid' }] };
  }
  const out: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } = {};
  if (v.matchLabels !== undefined && v.matchLabels !== null) {
    out.matchLabels = stringRecord(v.matchLabels);
    // A value dropped would widen the selector: the API refuses anything but strings, so it matches nothing.
    const bad = isObject(v.matchLabels) ? Object.entries(v.matchLabels).find(([, x]) => typeof x !== 'string') : undefined;
    if (bad || !isObject(v.matchLabels)) {
      problems.add(bad ? `${where}.matchLabels.${bad[0]}` : `${where}.matchLabels`, `a label value must be a string (the API refuses ${bad ? JSON.stringify(bad[1]) : 'it'}); it is read as matching nothing`);
      return { matchExpressions: [{ key: '', operator: 'Invalid' }] };
    }
  }
  const exprs = list(v.matchExpressions);
  if (exprs.length > 0) {
    out.matchExpressions = exprs.map((e, i) => {
      const at = `${where}.matchExpressions[${i}]`;
      if (!isObject(e) || typeof e.key !== 'string' || typeof e.operator !== 'string') {
        problems.add(at, 'needs a key and an operator; it is read as matching nothing');
        return { key: '', operator: 'Invalid' };
      }
      const values = list(e.values).filter((x): x is string => typeof x === 'string');
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) problems.add(at, `unknown operator "${e.operator}"; it is read as matching nothing`);
      else if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
        // NotIn of nothing would select every pod: the expression the API refuses matches nothing.
        problems.add(at, `${e.operator} needs values (the API refuses it empty); it is read as matching nothing`);
        return { key: e.key, operator: 'Invalid' };
      }
      return { key: e.key, operator: e.operator, values };
    });
  }
  return out;
}

function containerPorts(spec: unknown): ContainerPort[] {
  const out: ContainerPort[] = [];
  if (!isObject(spec)) return out;
  for (const c of list(spec.containers)) {
    if (!isObject(c)) continue;
    for (const p of list(c.ports)) {
      if (!isObject(p) || typeof p.containerPort !== 'number') continue;
      const protocol = p.protocol === undefined ? 'TCP' : p.protocol;
      if (!isProtocol(protocol)) continue;
      out.push({ port: p.containerPort, protocol, ...(typeof p.name === 'string' ? { name: p.name } : {}) });
    }
  }
  return out;
}

function controller(o: KubeObject): { kind: string; name: string } | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/**
 * Workloads at owner level: a ReplicaSet owned by a Deployment is that Deployment, a Job owned
 * by a CronJob is that CronJob, a Pod is its controller's workload (its ReplicaSet's Deployment
 * when known, or named from the `pod-template-hash` label), a Pod without one is itself.
 */
const hostNetwork = (spec: unknown): { hostNetwork?: true } => (isObject(spec) && spec.hostNetwork === true ? { hostNetwork: true } : {});

/**
 * Images of the ingress controllers whose proxy runs in the pod itself (so Ingress traffic
 * reaches a backend from that pod): ingress-nginx, F5 NGINX, Traefik (mirrored images too),
 * HAProxy and Kong. Others (a cloud load balancer, Contour's Envoy) are not recognised.
 */
const INGRESS_CONTROLLER_IMAGES = [
  /(^|\/)ingress-nginx\/controller(-chroot)?([:@]|$)/,
  /(^|\/)nginx\/nginx(-plus)?-ingress([:@]|$)/,
  /(^|\/)([\w.-]*-)?traefik([:@]|$)/,
  /(^|\/)haproxytech\/kubernetes-ingress([:@]|$)/,
  /(^|\/)kong(\/kong-gateway)?([:@]|$)/,
];
/** Kinds that serve traffic: a Job or CronJob using a controller's image (an admission hook's setup) is none. */
const SERVING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Pod']);

function ingressController(spec: unknown, kind: string): { ingressController?: true } {
  if (!isObject(spec) || spec.hostNetwork === true || !SERVING_KINDS.has(kind)) return {};
  const images = list(spec.containers).flatMap((c) => (isObject(c) && typeof c.image === 'string' ? [c.image] : []));
  return images.some((i) => INGRESS_CONTROLLER_IMAGES.some((re) => re.test(i))) ? { ingressController: true } : {};
}

function workloadsOf(snapshot: Snapshot): Workload[] {
  const byKey = new Map<string, Workload>();
  const add = (w: Workload): void => {
    const key = `${w.namespace}/${w.kind}/${w.name}`;
    if (!byKey.has(key)) byKey.set(key, w);
  };
  const objects = snapshot.objects;
  const rsOwner = new Map<string, { kind: string; name: string }>();
  const jobOwner = new Map<string, { kind: string; name: string }>();
  for (const rs of objects.replicasets ?? []) {
    const c = controller(rs);
    if (c?.kind === 'Deployment') rsOwner.set(`${nsOf(rs)}/${rs.metadata.name}`, c);
  }
  for (const job of objects.jobs ?? []) {
    const c = controller(job);
    if (c?.kind === 'CronJob') jobOwner.set(`${nsOf(job)}/${job.metadata.name}`, c);
  }
  const template = (o: KubeObject, path: string[]): Raw | undefined => {
    let t: unknown = o.spec;
    for (const k of path) t = isObject(t) ? t[k] : undefined;
    return isObject(t) ? t : undefined;
  };
  const fromTemplate = (o: KubeObject, kind: string, name: string, t: Raw | undefined): void => {
    add({ namespace: nsOf(o), name, kind, labels: stringRecord(isObject(t?.metadata) ? t.metadata.labels : undefined), ports: containerPorts(t?.spec), ...hostNetwork(t?.spec), ...ingressController(t?.spec, kind) });
  };
  for (const d of objects.deployments ?? []) fromTemplate(d, 'Deployment', d.metadata.name, template(d, ['template']));
  for (const s of objects.statefulsets ?? []) fromTemplate(s, 'StatefulSet', s.metadata.name, template(s, ['template']));
  for (const d of objects.daemonsets ?? []) fromTemplate(d, 'DaemonSet', d.metadata.name, template(d, ['template']));
  for (const rc of objects.replicationcontrollers ?? []) fromTemplate(rc, 'ReplicationController', rc.metadata.name, template(rc, ['template']));
  for (const c of objects.cronjobs ?? []) fromTemplate(c, 'CronJob', c.metadata.name, template(c, ['jobTemplate', 'spec', 'template']));
  for (const rs of objects.replicasets ?? []) {
    const owner = rsOwner.get(`${nsOf(rs)}/${rs.metadata.name}`);
    fromTemplate(rs, owner ? 'Deployment' : 'ReplicaSet', owner ? owner.name : rs.metadata.name, template(rs, ['template']));
  }
  for (const job of objects.jobs ?? []) {
    const owner = jobOwner.get(`${nsOf(job)}/${job.metadata.name}`);
    fromTemplate(job, owner ? 'CronJob' : 'Job', owner ? owner.name : job.metadata.name, template(job, ['template']));
  }
  for (const pod of objects.pods ?? []) {
    const ns = nsOf(pod);
    const labels = pod.metadata.labels ?? {};
    let kind = 'Pod';
    let name = pod.metadata.name;
    const c = controller(pod);
    if (c && c.kind !== 'Node') {
      kind = c.kind;
      name = c.name;
      if (c.kind === 'ReplicaSet') {
        const owner = rsOwner.get(`${ns}/${c.name}`);
        const hash = labels['pod-template-hash'];
        if (owner) ({ kind, name } = { kind: 'Deployment', name: owner.name });
        else if (hash && c.name.endsWith(`-${hash}`)) ({ kind, name } = { kind: 'Deployment', name: c.name.slice(0, -hash.length - 1) });
      } else if (c.kind === 'Job') {
        const owner = jobOwner.get(`${ns}/${c.name}`);
        if (owner) ({ kind, name } = { kind: 'CronJob', name: owner.name });
      }
    }
    add({ namespace: ns, name, kind, labels, ports: containerPorts(pod.spec), ...hostNetwork(pod.spec), ...ingressController(pod.spec, kind) });
  }
  return [...byKey.values()];
}

/** Why the API refuses a port given as a string (a container port name, IANA_SVC_NAME: up to 15 characters, a letter among them). */
function namedPortProblem(port: string, hasEnd: boolean): string | undefined {
  if (!/^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(port) || port.includes('--')) return `port ${JSON.stringify(port)} is neither a number nor a port name (the API refuses it); ignored`;
  return hasEnd ? 'endPort cannot be used with a named port (the API refuses it); ignored' : undefined;
}

function parsePorts(v: unknown, where: string, problems: Problems): PolicyPort[] | undefined {
  const items = list(v);
  if (items.length === 0) return undefined;
  const out: PolicyPort[] = [];
  items.forEach((p, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(p)) return problems.add(at, 'a port must be an object; ignored');
    const protocol = p.protocol === undefined || p.protocol === null ? 'TCP' : p.protocol;
    if (!isProtocol(protocol)) return problems.add(at, `unknown protocol ${JSON.stringify(protocol)} (TCP, UDP or SCTP); ignored`);
    const port = p.port;
    const hasEnd = p.endPort !== undefined && p.endPort !== null;
    // The API refuses an endPort without a numbered port: read as every port it would widen the rule.
    if (port === undefined || port === null) return hasEnd ? problems.add(at, 'endPort needs a numbered port (the API refuses it); ignored') : void out.push({ protocol });
    if (typeof port === 'string') {
      const refused = namedPortProblem(port, hasEnd);
      return refused ? problems.add(at, refused) : void out.push({ protocol, port });
    }
    const n = port;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_PORT || n > MAX_PORT) return problems.add(at, `port ${JSON.stringify(port)} is not 1-65535; ignored`);
    if (!hasEnd) return void out.push({ protocol, port: n });
    if (typeof p.endPort !== 'number' || !Number.isInteger(p.endPort) || p.endPort < n || p.endPort > MAX_PORT) {
      return problems.add(at, `endPort ${JSON.stringify(p.endPort)} must be a number from port (${n}) to 65535; ignored`);
    }
    out.push({ protocol, port: n, endPort: p.endPort });
  });
  // Every port item unusable: the rule allows nothing rather than everything.
  return out;
}

function parsePeers(v: unknown, where: string, problems: Problems): PolicyPeer[] | undefined {
  const items = list(v);
  if (items.length === 0) return undefined;
  const out: PolicyPeer[] = [];
  items.forEach((p, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(p)) return problems.add(at, 'a peer must be an object; ignored');
    if (isObject(p.ipBlock)) {
      if (p.podSelector !== undefined || p.namespaceSelector !== undefined) problems.add(at, 'ipBlock cannot be combined with selectors (the API refuses it); only the ipBlock is read');
      const cidr = p.ipBlock.cidr;
      const range = typeof cidr === 'string' ? parseCidr(cidr) : 'ipBlock.cidr is missing';
      if (typeof range === 'string') return problems.add(`${at}.ipBlock`, `${range}; ignored`);
      const holes: IpRange[] = [];
      list(p.ipBlock.except).forEach((e, j) => {
        const hole = typeof e === 'string' ? parseCidr(e) : 'not a string';
        if (typeof hole === 'string') problems.add(`${at}.ipBlock.except[${j}]`, `${hole}; ignored`);
        else if (hole.family !== range.family || hole.start < range.start || hole.end > range.end) problems.add(`${at}.ipBlock.except[${j}]`, `${e as string} is not inside ${cidr as string} (the API refuses it)`);
        else holes.push(hole);
      });
      return void out.push({ type: 'ipBlock', ranges: subtract(range, holes), cidr: cidr as string });
    }
    if (p.podSelector === undefined && p.namespaceSelector === undefined) return problems.add(at, 'a peer needs podSelector, namespaceSelector or ipBlock; ignored');
    out.push({
      type: 'pods',
      ...(p.namespaceSelector === undefined || p.namespaceSelector === null ? {} : { namespaceSelector: parseSelector(p.namespaceSelector, `${at}.namespaceSelector`, problems) }),
      ...(p.podSelector === undefined || p.podSelector === null ? {} : { podSelector: parseSelector(p.podSelector, `${at}.podSelector`, problems) }),
    });
  });
  return out;
}

function parseRules(v: unknown, key: 'ingress' | 'egress', where: string, problems: Problems): PolicyRule[] {
  const peerKey = key === 'ingress' ? 'from' : 'to';
  return list(v).flatMap((r, i) => {
    const at = `${where}.${key}[${i}]`;
    if (!isObject(r)) {
      problems.add(at, 'a rule must be an object; ignored');
      return [];
    }
    const peers = parsePeers(r[peerKey], `${at}.${peerKey}`, problems);
    const ports = parsePorts(r.ports, `${at}.ports`, problems);
    // A list given whose every item was refused allows nothing (not everything).
    if (list(r[peerKey]).length > 0 && peers?.length === 0) return [];
    if (list(r.ports).length > 0 && ports?.length === 0) return [];
    return [{ ...(peers ? { peers } : {}), ...(ports ? { ports } : {}) }];
  });
}

/**
 * policyTypes as the API server defaults it when absent or empty: Ingress always, Egress when
 * the policy has egress rules. A list with items is taken as written.
 */
function parsePolicy(o: KubeObject, problems: Problems): Policy | undefined {
  const where = `NetworkPolicy ${nsOf(o)}/${o.metadata.name}`;
  const spec = o.spec ?? {};
  const types = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0 ? spec.policyTypes : undefined;
  for (const t of types ?? []) if (t !== 'Ingress' && t !== 'Egress') problems.add(`${where}: spec.policyTypes`, `unknown type ${JSON.stringify(t)}`);
  const ingress = types ? types.includes('Ingress') : true;
  const egress = types ? types.includes('Egress') : list(spec.egress).length > 0;
  return {
    namespace: nsOf(o),
    name: o.metadata.name,
    podSelector: parseSelector(spec.podSelector, `${where}: spec.podSelector`, problems),
    ...(ingress ? { ingress: parseRules(spec.ingress, 'ingress', `${where}: spec`, problems) } : {}),
    ...(egress ? { egress: parseRules(spec.egress, 'egress', `${where}: spec`, problems) } : {}),
  };
}

function intOrString(v: unknown): number | string | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && v !== '') return /^\d+$/.test(v) ? Number(v) : v;
  return undefined;
}

function parseService(o: KubeObject): Service {
  const spec = o.spec ?? {};
  const selector = isObject(spec.selector) && Object.keys(spec.selector).length > 0 ? stringRecord(spec.selector) : undefined;
  const ports: ServicePort[] = [];
  for (const p of list(spec.ports)) {
    if (!isObject(p) || typeof p.port !== 'number') continue;
    const protocol = p.protocol === undefined ? 'TCP' : p.protocol;
    if (!isProtocol(protocol)) continue;
    ports.push({ port: p.port, targetPort: intOrString(p.targetPort) ?? p.port, protocol, ...(typeof p.name === 'string' ? { name: p.name } : {}) });
  }
  return { namespace: nsOf(o), name: o.metadata.name, type: typeof spec.type === 'string' ? spec.type : 'ClusterIP', ...(selector ? { selector } : {}), ports };
}

/** Every backend an Ingress routes to (networking.k8s.io/v1, and the older serviceName/servicePort shape). */
function ingressBackends(o: KubeObject): IngressBackend[] {
  const spec = o.spec ?? {};
  const out: IngressBackend[] = [];
  const backend = (b: unknown): void => {
    if (!isObject(b)) return;
    const svc = b.service;
    if (isObject(svc) && typeof svc.name === 'string') {
      const port = isObject(svc.port) ? (typeof svc.port.name === 'string' && svc.port.name !== '' ? svc.port.name : intOrString(svc.port.number)) : undefined;
      out.push({ ingress: o.metadata.name, namespace: nsOf(o), service: svc.name, ...(port === undefined ? {} : { port }) });
    } else if (typeof b.serviceName === 'string') {
      const port = intOrString(b.servicePort);
      out.push({ ingress: o.metadata.name, namespace: nsOf(o), service: b.serviceName, ...(port === undefined ? {} : { port }) });
    }
  };
  backend(spec.defaultBackend ?? spec.backend);
  for (const r of list(spec.rules)) if (isObject(r) && isObject(r.http)) for (const p of list(r.http.paths)) if (isObject(p)) backend(p.backend);
  return out;
}

export function networkModel(snapshot: Snapshot): NetworkModel {
  const problems = new Problems();
  const workloads = workloadsOf(snapshot);
  const policies = (snapshot.objects.networkpolicies ?? []).flatMap((o) => parsePolicy(o, problems) ?? []);
  const namespaces = new Map<string, Labels>();
  for (const ns of snapshot.objects.namespaces ?? []) namespaces.set(ns.metadata.name, { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name });
  // A namespace not in the input (a workload's or a policy's) exists with the one label the API server gives it.
  for (const o of [...workloads, ...policies]) if (!namespaces.has(o.namespace)) namespaces.set(o.namespace, { [NAMESPACE_NAME_LABEL]: o.namespace });
  return {
    workloads,
    namespaces,
    policies,
    services: (snapshot.objects.services ?? []).map(parseService),
    ingressBackends: (snapshot.objects.ingresses ?? []).flatMap(ingressBackends),
    problems: problems.done(),
  };
}

/** The connections one policy port allows to a destination with `ports` (undefined: its ports are not known). */
export function resolvePort(p: PolicyPort, ports: readonly ContainerPort[] | undefined): { protocol: Protocol; range?: readonly [number, number]; name?: string } | undefined {
  if (p.port === undefined) return { protocol: p.protocol, range: [MIN_PORT, MAX_PORT] };
  if (typeof p.port === 'number') return { protocol: p.protocol, range: [p.port, p.endPort ?? p.port] };
  if (!ports) return { protocol: p.protocol, name: p.port };
  // A named port means the destination container port of that name and protocol.
  const c = ports.find((x) => x.name === p.port && x.protocol === p.protocol);
  return c ? { protocol: p.protocol, range: [c.port, c.port] } : undefined;
}

