import { selectorMatches } from '../rbac.js';
import { ALL_CONNS, connsOf, contains, formatConns, intersect, isEmpty, namedConns, NO_CONNS, union, type Conns } from './conns.js';
import { ALL_IPV4, ALL_IPV6, containsAddress, formatRange, splitAt, type IpRange } from './ip.js';
import {
  NAMESPACE_NAME_LABEL,
  networkModel,
  resolvePort,
  type ContainerPort,
  type Labels,
  type LabelSelector,
  type NetworkModel,
  type Policy,
  type PolicyPeer,
  type PolicyRule,
  type Workload,
} from './model.js';
import type { Snapshot } from '../../core/types.js';
import type { ConnectionLine, Exposure, ExposureLine, NetworkAnalysis } from '../../core/network.js';

/**
 * Who can reach whom, from NetworkPolicies (networking.k8s.io/v1), Services and Ingresses:
 * a connection is allowed when the source's egress and the destination's ingress both allow
 * it; a pod is isolated in a direction only when a policy of that type selects it, and then
 * the union of those policies' rules is what it allows. Pods that share a namespace, labels
 * and container ports are judged once, as one class.
 */

export const INGRESS_CONTROLLER = '{ingress-controller}';
export const ENTIRE_CLUSTER = 'entire-cluster';
/** Where the ingress controller is taken to run: a namespace of its own, as established analyzers model it. */
const INGRESS_CONTROLLER_NAMESPACE = 'ingress-controller-ns';

export type { ConnectionLine, ExposureLine, Exposure, NetworkAnalysis } from '../../core/network.js';

export interface AnalyzeOptions {
  readonly exposure?: boolean;
  /** Only lines with this workload (`name` or `namespace/name`, or `ingress-controller`) at one end. */
  readonly focusWorkload?: string;
  /**
   * At most this many workload-to-workload lines (default MAX_WORKLOAD_LINES); past it the pairs
   * are no longer computed and the analysis says so (`pairsCapped`). A cluster without policies
   * has a line for every ordered pair of workloads: 200,000 bare pods would be 40 billion.
   * Lines with external ranges and the ingress controller, and so the exposure, are never cut.
   */
  readonly maxWorkloadLines?: number;
}

export const MAX_WORKLOAD_LINES = 100_000;

interface PodClass {
  readonly index: number;
  readonly namespace: string;
  readonly labels: Labels;
  readonly nsLabels: Labels;
  readonly ports: readonly ContainerPort[];
  readonly members: Workload[];
  readonly ingressPolicies: Policy[];
  readonly egressPolicies: Policy[];
}

export function workloadName(w: Workload): string {
  return `${w.namespace}/${w.name}[${w.kind}]`;
}

const externalName = (r: IpRange): string => `${formatRange(r)}[External]`;

function matches(selector: LabelSelector | undefined, labels: Labels): boolean {
  return !selector || selectorMatches(selector as Parameters<typeof selectorMatches>[0], labels);
}

const isEmptySelector = (s: LabelSelector | undefined): boolean => !s || ((s.matchLabels === undefined || Object.keys(s.matchLabels).length === 0) && (s.matchExpressions?.length ?? 0) === 0);

/** A pods peer matches any pod of any namespace: `namespaceSelector: {}` with an empty or absent podSelector. */
const isEntireCluster = (p: PolicyPeer): boolean => p.type === 'pods' && p.namespaceSelector !== undefined && isEmptySelector(p.namespaceSelector) && isEmptySelector(p.podSelector);

function classesOf(model: NetworkModel): PodClass[] {
  const byKey = new Map<string, PodClass>();
  for (const w of model.workloads) {
    const key = `${w.namespace}\0${JSON.stringify(Object.entries(w.labels).sort())}\0${JSON.stringify(w.ports)}${w.ingressController ? '\0ingress' : ''}`;
    let c = byKey.get(key);
    if (!c) {
      c = { index: byKey.size, namespace: w.namespace, labels: w.labels, nsLabels: model.namespaces.get(w.namespace) ?? {}, ports: w.ports, members: [], ingressPolicies: [], egressPolicies: [] };
      byKey.set(key, c);
    }
    c.members.push(w);
  }
  const classes = [...byKey.values()];
  const inNamespace = groupByNamespace(classes);
  for (const p of model.policies) {
    for (const c of inNamespace.get(p.namespace) ?? []) {
      if (!matches(p.podSelector, c.labels)) continue;
      if (p.ingress) c.ingressPolicies.push(p);
      if (p.egress) c.egressPolicies.push(p);
    }
  }
  return classes;
}

function groupByNamespace(classes: readonly PodClass[]): Map<string, PodClass[]> {
  const out = new Map<string, PodClass[]>();
  for (const c of classes) {
    const list = out.get(c.namespace);
    if (list) list.push(c);
    else out.set(c.namespace, [c]);
  }
  return out;
}

/** What a rule allows to a destination with `ports` (undefined: not known, names are kept as names). */
function ruleConns(rule: PolicyRule, ports: readonly ContainerPort[] | undefined): Conns {
  if (!rule.ports) return ALL_CONNS;
  let out = NO_CONNS;
  for (const p of rule.ports) {
    const r = resolvePort(p, ports);
    if (r?.range) out = union(out, connsOf(r.protocol, r.range));
    else if (r?.name) out = union(out, namedConns(r.protocol, r.name));
  }
  return out;
}

/** The classes a rule's pod peers select (namespaces first: most peers name few). */
class PeerIndex {
  private readonly cache = new Map<PolicyRule, PodClass[]>();
  private readonly sets = new Map<PolicyRule, Set<PodClass>>();
  constructor(
    private readonly byNamespace: Map<string, PodClass[]>,
    private readonly namespaces: ReadonlyMap<string, Labels>,
  ) {}

  classes(rule: PolicyRule, policyNamespace: string): PodClass[] {
    let out = this.cache.get(rule);
    if (out) return out;
    const seen = new Set<PodClass>();
    for (const peer of rule.peers ?? []) {
      if (peer.type !== 'pods') continue;
      const namespaces = peer.namespaceSelector
        ? [...this.namespaces].filter(([, labels]) => matches(peer.namespaceSelector, labels)).map(([n]) => n)
        : [policyNamespace];
      for (const ns of namespaces) for (const c of this.byNamespace.get(ns) ?? []) if (matches(peer.podSelector, c.labels)) seen.add(c);
    }
    out = [...seen];
    this.cache.set(rule, out);
    this.sets.set(rule, seen);
    return out;
  }

  selects(rule: PolicyRule, policyNamespace: string, c: PodClass): boolean {
    if (!this.sets.has(rule)) this.classes(rule, policyNamespace);
    return this.sets.get(rule)!.has(c);
  }
}

interface IpAllow {
  readonly ranges: readonly IpRange[];
  readonly rule: PolicyRule;
}

/** One direction of the classes a same set of policies isolates: their rules, by kind of peer. */
class Allowed {
  /** Rules with no peers: every pod and address. */
  readonly anyPeer: PolicyRule[] = [];
  /** Rules with pod peers, each with its policy's namespace. */
  readonly peered: Array<{ rule: PolicyRule; namespace: string }> = [];
  readonly ip: IpAllow[] = [];
  private candidateList?: PodClass[];

  constructor(
    policies: readonly Policy[],
    direction: 'ingress' | 'egress',
    private readonly index: PeerIndex,
  ) {
    for (const p of policies) {
      for (const rule of p[direction] ?? []) {
        if (!rule.peers) {
          this.anyPeer.push(rule);
          continue;
        }
        if (rule.peers.some((peer) => peer.type === 'pods')) this.peered.push({ rule, namespace: p.namespace });
        for (const peer of rule.peers) if (peer.type === 'ipBlock') this.ip.push({ ranges: peer.ranges, rule });
      }
    }
  }

  /** The rules whose pod peers select `other`. */
  rulesFor(other: PodClass): PolicyRule[] | undefined {
    let out: PolicyRule[] | undefined;
    for (const { rule, namespace } of this.peered) if (this.index.selects(rule, namespace, other)) (out ??= []).push(rule);
    return out;
  }

  /** Every class some rule selects. */
  candidates(): PodClass[] {
    if (!this.candidateList) {
      const seen = new Set<PodClass>();
      for (const { rule, namespace } of this.peered) for (const c of this.index.classes(rule, namespace)) seen.add(c);
      this.candidateList = [...seen];
    }
    return this.candidateList;
  }
}

/** Classes selected by the same policies share one Allowed. */
function allowedByPolicies(classes: readonly PodClass[], direction: 'ingress' | 'egress', index: PeerIndex, numbers: Map<Policy, number>): Map<PodClass, Allowed> {
  const shared = new Map<string, Allowed>();
  const out = new Map<PodClass, Allowed>();
  for (const c of classes) {
    const policies = direction === 'ingress' ? c.ingressPolicies : c.egressPolicies;
    if (policies.length === 0) continue;
    const key = policies.map((p) => numbers.get(p)).join(',');
    let a = shared.get(key);
    if (!a) shared.set(key, (a = new Allowed(policies, direction, index)));
    out.set(c, a);
  }
  return out;
}

function unionRules(rules: readonly PolicyRule[], ports: readonly ContainerPort[] | undefined): Conns {
  let out = NO_CONNS;
  for (const r of rules) out = union(out, ruleConns(r, ports));
  return out;
}

function ipRules(allowed: Allowed, range: IpRange): PolicyRule[] {
  return allowed.ip.filter((a) => a.ranges.some((r) => containsAddress(r, range.family, range.start))).map((a) => a.rule);
}

/** The external ranges policies tell apart in one direction: IPv4 always, IPv6 when a policy names IPv6. */
function atoms(policies: readonly Policy[], direction: 'ingress' | 'egress'): IpRange[] {
  const blocks: IpRange[] = [];
  for (const p of policies) for (const rule of p[direction] ?? []) for (const peer of rule.peers ?? []) if (peer.type === 'ipBlock') blocks.push(...peer.ranges);
  const out = splitAt(ALL_IPV4, blocks);
  if (blocks.some((b) => b.family === 6)) out.push(...splitAt(ALL_IPV6, blocks));
  return out;
}

export function analyzeSnapshot(snapshot: Snapshot, options: AnalyzeOptions = {}): NetworkAnalysis {
  return analyzeNetwork(networkModel(snapshot), options);
}

export function analyzeNetwork(model: NetworkModel, options: AnalyzeOptions = {}): NetworkAnalysis {
  const classes = classesOf(model);
  const byNamespace = groupByNamespace(classes);
  const index = new PeerIndex(byNamespace, model.namespaces);
  const numbers = new Map(model.policies.map((p, i) => [p, i]));
  const ingress = allowedByPolicies(classes, 'ingress', index, numbers);
  const egress = allowedByPolicies(classes, 'egress', index, numbers);
  const focus = options.focusWorkload;
  const focused = (w: Workload | string): boolean =>
    focus === undefined || (typeof w === 'string' ? w === focus : w.name === focus || `${w.namespace}/${w.name}` === focus);

  const lines: ConnectionLine[] = [];
  const emit = (src: string, dst: string, conns: Conns): void => {
    if (!isEmpty(conns)) lines.push({ src, dst, conn: formatConns(conns) });
  };

  // Workload to workload. What a rule allows depends on the destination's ports only: kept per destination class.
  const ruleCache = new Map<PodClass, Map<PolicyRule, Conns>>();
  const allowedAt = (d: PodClass, rules: readonly PolicyRule[] | undefined, more: readonly PolicyRule[] | undefined): Conns => {
    let cache = ruleCache.get(d);
    if (!cache) ruleCache.set(d, (cache = new Map()));
    let out = NO_CONNS;
    for (const list of [rules, more]) {
      for (const r of list ?? []) {
        let c = cache.get(r);
        if (!c) cache.set(r, (c = ruleConns(r, d.ports)));
        out = union(out, c);
      }
    }
    return out;
  };
  const maxPairs = options.maxWorkloadLines ?? MAX_WORKLOAD_LINES;
  let capped = false;
  pairs: for (const s of classes) {
    const out = egress.get(s);
    const candidates = out && out.anyPeer.length === 0 ? out.candidates() : classes;
    for (const d of candidates) {
      const inn = ingress.get(d);
      const inRules = inn?.rulesFor(s);
      // Most pairs are refused by the destination: no rule of it names the source.
      if (inn && inn.anyPeer.length === 0 && !inRules) continue;
      const e = out ? allowedAt(d, out.anyPeer, out.rulesFor(d)) : ALL_CONNS;
      if (isEmpty(e)) continue;
      const i = inn ? allowedAt(d, inn.anyPeer, inRules) : ALL_CONNS;
      const conns = intersect(e, i);
      if (isEmpty(conns)) continue;
      for (const ws of s.members) {
        for (const wd of d.members) {
          if (ws === wd || !(focused(ws) || focused(wd))) continue;
          if (lines.length >= maxPairs) {
            capped = true;
            break pairs;
          }
          emit(workloadName(ws), workloadName(wd), conns);
        }
      }
    }
  }

  // Addresses outside the cluster: sources judged by the destination's ingress, destinations by the source's egress.
  for (const a of atoms(model.policies, 'ingress')) {
    const src = externalName(a);
    for (const d of classes) {
      const inn = ingress.get(d);
      const conns = inn ? unionRules([...inn.anyPeer, ...ipRules(inn, a)], d.ports) : ALL_CONNS;
      for (const wd of d.members) if (focused(wd)) emit(src, workloadName(wd), conns);
    }
  }
  for (const a of atoms(model.policies, 'egress')) {
    const dst = externalName(a);
    for (const s of classes) {
      const out = egress.get(s);
      // No container ports are known at an address: a named port reaches nothing there.
      const conns = out ? unionRules([...out.anyPeer, ...ipRules(out, a)], []) : ALL_CONNS;
      for (const ws of s.members) if (focused(ws)) emit(workloadName(ws), dst, conns);
    }
  }

  // The ingress controller, to the pods of the Services that Ingresses route to.
  const fromController = ingressControllerConns(model, classes, byNamespace, ingress, egress);
  for (const [d, conns] of fromController) {
    for (const wd of d.members) if (focus === undefined || focus === 'ingress-controller' || focused(wd)) emit(INGRESS_CONTROLLER, workloadName(wd), conns);
  }

  lines.sort(bySrcThenDst);
  const exposure = options.exposure ? exposureOf(classes, ingress, egress, model, lines, focused) : undefined;
  return {
    connections: lines,
    ...(exposure ? { exposure } : {}),
    workloads: model.workloads.length,
    policies: model.policies.length,
    classes: classes.length,
    problems: model.problems,
    ...(capped ? { pairsCapped: maxPairs } : {}),
  };
}

function bySrcThenDst(a: ConnectionLine, b: ConnectionLine): number {
  return a.src < b.src ? -1 : a.src > b.src ? 1 : a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0;
}

/**
 * Ingress traffic enters from the ingress controller, on the port the Service sends it to (its
 * targetPort, a name resolved per pod), only to a TCP port the pod declares, and only where the
 * pod's ingress policies admit a pod of another namespace, or admit the pods of an ingress
 * controller the input runs (known by its image) and that controller's egress lets it out:
 * a policy that admits only the `ingress-nginx` namespace lets Ingress traffic in when
 * ingress-nginx runs there.
 */
function ingressControllerConns(
  model: NetworkModel,
  classes: readonly PodClass[],
  byNamespace: Map<string, PodClass[]>,
  ingress: Map<PodClass, Allowed>,
  egress: Map<PodClass, Allowed>,
): Map<PodClass, Conns> {
  const out = new Map<PodClass, Conns>();
  const controllerNs: Labels = { [NAMESPACE_NAME_LABEL]: INGRESS_CONTROLLER_NAMESPACE };
  const controllers = classes.filter((c) => c.members.some((w) => w.ingressController));
  /** What a controller class may open to `d`: its egress and d's ingress both. */
  const fromRunning = (k: PodClass, d: PodClass): Conns => {
    const out = egress.get(k);
    const inn = ingress.get(d);
    const e = out ? unionRules([...out.anyPeer, ...(out.rulesFor(d) ?? [])], d.ports) : ALL_CONNS;
    const i = inn ? unionRules([...inn.anyPeer, ...(inn.rulesFor(k) ?? [])], d.ports) : ALL_CONNS;
    return intersect(e, i);
  };
  const admitsController = (d: PodClass): Conns => {
    const inn = ingress.get(d);
    if (!inn) return ALL_CONNS;
    let conns = unionRules(inn.anyPeer, d.ports);
    for (const k of controllers) if (k !== d) conns = union(conns, fromRunning(k, d));
    for (const p of d.ingressPolicies) {
      for (const rule of p.ingress ?? []) {
        const admitted = rule.peers?.some((peer) => peer.type === 'pods' && peer.namespaceSelector !== undefined && matches(peer.namespaceSelector, controllerNs) && matches(peer.podSelector, {}));
        if (admitted) conns = union(conns, ruleConns(rule, d.ports));
      }
    }
    return conns;
  };
  for (const b of model.ingressBackends) {
    const svc = model.services.find((s) => s.namespace === b.namespace && s.name === b.service);
    if (!svc?.selector) continue;
    const selector = svc.selector;
    const chosen = b.port === undefined ? svc.ports : svc.ports.filter((p) => p.name === b.port || p.port === b.port || p.targetPort === b.port).slice(0, 1);
    for (const d of byNamespace.get(b.namespace) ?? []) {
      if (!Object.entries(selector).every(([k, v]) => d.labels[k] === v)) continue;
      let conns = NO_CONNS;
      for (const p of chosen) {
        const port = typeof p.targetPort === 'number' ? p.targetPort : d.ports.find((c) => c.name === p.targetPort && c.protocol === 'TCP')?.port;
        if (port !== undefined && d.ports.some((c) => c.port === port && c.protocol === 'TCP')) conns = union(conns, connsOf('TCP', [port, port]));
      }
      conns = intersect(conns, admitsController(d));
      if (!isEmpty(conns)) out.set(d, union(out.get(d) ?? NO_CONNS, conns));
    }
  }
  return out;
}

/**
 * A selector as np-guard prints it, so exposure lines compare as text: `k=v` pairs by key,
 * then each expression as `{Key:k,Operator:In,Values:[a b],}` (values as written), sorted.
 * `canonical`: the key under which equal selectors meet (values sorted, `In` one value as `=`).
 */
function selectorText(s: LabelSelector, canonical = false): string {
  const labels = { ...s.matchLabels };
  const exprs: string[] = [];
  for (const e of s.matchExpressions ?? []) {
    // `k In [v]` selects what `k: v` does: one peer for both (np-guard prints the first written).
    if (canonical && e.operator === 'In' && e.values?.length === 1 && labels[e.key] === undefined) labels[e.key] = e.values[0]!;
    else exprs.push(`{Key:${e.key},Operator:${e.operator},Values:[${(canonical ? [...(e.values ?? [])].sort() : (e.values ?? [])).join(' ')}],}`);
  }
  const parts = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
  return [...parts, ...[...new Set(exprs)].sort()].join(',');
}

/** The namespace a peer pins by name (its policy's own, or `kubernetes.io/metadata.name`), if any. */
function pinnedNamespace(peer: PolicyPeer & { type: 'pods' }, policyNamespace: string): string | undefined {
  if (!peer.namespaceSelector) return policyNamespace;
  const s = peer.namespaceSelector;
  const keys = Object.keys(s.matchLabels ?? {});
  return keys.length === 1 && keys[0] === NAMESPACE_NAME_LABEL && (s.matchExpressions?.length ?? 0) === 0 ? s.matchLabels![NAMESPACE_NAME_LABEL] : undefined;
}

function representative(peer: PolicyPeer & { type: 'pods' }, policyNamespace: string, canonical = false): string {
  const pinned = pinnedNamespace(peer, policyNamespace);
  const ns = pinned ?? (isEmptySelector(peer.namespaceSelector) ? '[all namespaces]' : `[namespace with {${selectorText(peer.namespaceSelector!, canonical)}}]`);
  const pods = isEmptySelector(peer.podSelector) ? '[all pods]' : `[pod with {${selectorText(peer.podSelector!, canonical)}}]`;
  return `${ns}/${pods}`;
}

/** Each representative peer's name, as first written in the input (policies in order, ingress before egress). */
function representativeNames(policies: readonly Policy[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of policies) {
    for (const rule of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
      for (const peer of rule.peers ?? []) {
        if (peer.type !== 'pods' || isEntireCluster(peer)) continue;
        const key = representative(peer, p.namespace, true);
        if (!out.has(key)) out.set(key, representative(peer, p.namespace));
      }
    }
  }
  return out;
}

/**
 * Per workload and direction, what it is open to beyond the workloads of the input: the entire
 * cluster, pods that a selector would match in namespaces or with labels no known workload has,
 * external ranges, and (ingress) Services of type LoadBalancer or NodePort.
 */
function exposureOf(
  classes: readonly PodClass[],
  ingress: Map<PodClass, Allowed>,
  egress: Map<PodClass, Allowed>,
  model: NetworkModel,
  lines: readonly ConnectionLine[],
  focused: (w: Workload) => boolean,
): Exposure {
  const egressLines: ExposureLine[] = [];
  const ingressLines: ExposureLine[] = [];
  const unprotected: string[] = [];
  const services: ExposureLine[] = [];
  const byNamespace = groupByNamespace([...classes]);
  const names = representativeNames(model.policies);

  /**
   * As np-guard refines its representative peers: a peer of labels only (no expressions), with
   * a namespace given (its policy's own, or by labels) and pod labels given, is no exposure
   * when a known workload has those labels in such a namespace; its connections show it.
   * Any other selector also admits pods the input does not have.
   */
  const coveredByWorkload = (peer: PolicyPeer & { type: 'pods' }, policyNamespace: string): boolean => {
    const pod = peer.podSelector;
    const ns = peer.namespaceSelector;
    if ((pod?.matchExpressions?.length ?? 0) > 0 || (ns?.matchExpressions?.length ?? 0) > 0) return false;
    if (!pod?.matchLabels || Object.keys(pod.matchLabels).length === 0) return false;
    if (ns && (!ns.matchLabels || Object.keys(ns.matchLabels).length === 0)) return false;
    return classes.some((k) => (ns ? matches(ns, k.nsLabels) : k.namespace === policyNamespace) && matches(pod, k.labels));
  };

  const side = (c: PodClass, direction: 'ingress' | 'egress'): Array<{ peer: string; conns: Conns }> => {
    const policies = direction === 'ingress' ? c.ingressPolicies : c.egressPolicies;
    // Egress: the far end is not a known pod, so its named ports stay names.
    const ports = direction === 'ingress' ? c.ports : undefined;
    let entire = NO_CONNS;
    const reps = new Map<string, Conns>();
    for (const p of policies) {
      for (const rule of p[direction] ?? []) {
        const conns = ruleConns(rule, ports);
        if (!rule.peers) {
          entire = union(entire, conns);
          continue;
        }
        for (const peer of rule.peers) {
          if (peer.type !== 'pods') continue;
          if (isEntireCluster(peer)) {
            entire = union(entire, conns);
            continue;
          }
          if (coveredByWorkload(peer, p.namespace)) continue;
          const name = names.get(representative(peer, p.namespace, true)) ?? representative(peer, p.namespace);
          reps.set(name, union(reps.get(name) ?? NO_CONNS, conns));
        }
      }
    }
    // What the entire cluster may do, pods of a new namespace may do too.
    const out = [...reps].filter(([, conns]) => !contains(entire, conns)).map(([peer, conns]) => ({ peer, conns: union(conns, entire) }));
    if (!isEmpty(entire)) out.push({ peer: ENTIRE_CLUSTER, conns: entire });
    return out;
  };

  for (const c of classes) {
    for (const w of c.members) {
      if (!focused(w)) continue;
      const name = workloadName(w);
      for (const [direction, allowed, target, word] of [['egress', egress, egressLines, 'Egress'], ['ingress', ingress, ingressLines, 'Ingress']] as const) {
        if (!allowed.has(c)) {
          target.push({ workload: name, peer: ENTIRE_CLUSTER, conn: formatConns(ALL_CONNS) });
          unprotected.push(`${name} is not protected on ${word}`);
        } else for (const e of side(c, direction)) target.push({ workload: name, peer: e.peer, conn: formatConns(e.conns) });
      }
    }
  }
  // Connections with external ranges belong to the exposure as well.
  for (const l of lines) {
    if (l.src.endsWith('[External]')) ingressLines.push({ workload: l.dst, peer: l.src, conn: l.conn });
    if (l.dst.endsWith('[External]')) egressLines.push({ workload: l.src, peer: l.dst, conn: l.conn });
  }

  for (const svc of model.services) {
    if ((svc.type !== 'LoadBalancer' && svc.type !== 'NodePort') || !svc.selector) continue;
    const selector = svc.selector;
    for (const c of byNamespace.get(svc.namespace) ?? []) {
      if (!Object.entries(selector).every(([k, v]) => c.labels[k] === v)) continue;
      let conns = NO_CONNS;
      for (const p of svc.ports) {
        const port = typeof p.targetPort === 'number' ? p.targetPort : c.ports.find((x) => x.name === p.targetPort && x.protocol === p.protocol)?.port;
        if (port !== undefined) conns = union(conns, connsOf(p.protocol, [port, port]));
      }
      const inn = ingress.get(c);
      // From outside, any address may be the source: what any external range is admitted on.
      const admitted = inn ? unionRules([...inn.anyPeer, ...inn.ip.map((a) => a.rule)], c.ports) : ALL_CONNS;
      conns = intersect(conns, admitted);
      if (isEmpty(conns)) continue;
      for (const w of c.members) if (focused(w)) services.push({ workload: workloadName(w), peer: `Service ${svc.namespace}/${svc.name}[${svc.type}]`, conn: formatConns(conns) });
    }
  }

  const order = (a: ExposureLine, b: ExposureLine): number =>
    a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0;
  return { egress: egressLines.sort(order), ingress: ingressLines.sort(order), unprotected: unprotected.sort(), services: services.sort(order) };
}
