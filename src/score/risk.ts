import type { Finding, KubeObject, ResourceRef, RiskFactor, RiskFactorName, WorkloadRisk } from '../core/types.js';
import type { EvalContext } from '../evaluate/context.js';
import { containersOf, type PodSubject } from '../evaluate/pod-specs.js';
import { rbacGraph, serviceAccountOf, type AccessMatch } from '../evaluate/rbac.js';
import { groupBy } from '../core/group-by.js';
import { workloadExposures, type WorkloadExposure } from '../core/network-exposure.js';
import { NETWORK_EVIDENCE, snapshotNetwork } from '../evaluate/network/shared.js';
import { NETWORK_WEIGHT, SEVERITY_WEIGHT } from './weights.js';

/**
 * Risk of a workload = severity × exposure.
 *
 *   severity = Σ w(severity of each failing finding on the workload)   (weights: weights.ts)
 *   exposure = 1 + Σ factor contributions                               (below)
 *
 * A factor adds to exposure when it makes a weakness easier to reach or worse once reached.
 * Reachability and lateral movement come from the connectivity analysis (evaluate/network):
 * what the NetworkPolicies let in, not merely which Services exist (ADR 0024).
 * Every contribution is kept with its reason, so a user can see why a workload scores what
 * it does. Namespace and cluster risk are the sums of their workloads' risks.
 */
export type { RiskFactor, RiskFactorName, WorkloadRisk } from '../core/types.js';

/** Capabilities that hand a container control of the node or its network. */
const DANGEROUS_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'SYS_RAWIO', 'BPF', 'PERFMON']);

/** The factors and their weights, as documented in the README. */
export const FACTOR_WEIGHTS: Readonly<Record<RiskFactorName, number>> = {
  privilege: 1,
  /** Without the connectivity analysis (NetworkPolicies not read): a LoadBalancer/NodePort Service or an Ingress. With it: NETWORK_WEIGHT. */
  reachability: 1,
  lateral: NETWORK_WEIGHT.lateralMax,
  'blast-radius': 1,
  'rbac-secrets': 1,
  'rbac-escalation': 1,
};

function privilege(s: PodSubject): string | undefined {
  const spec = s.spec;
  const host = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true);
  if (host.length > 0) return `shares the node's ${host.join(', ')}`;
  for (const c of containersOf(s)) {
    const sc = c.container.securityContext;
    if (sc?.privileged) return `container ${c.container.name} is privileged`;
    const caps = (sc?.capabilities?.add ?? []).filter((cap) => DANGEROUS_CAPABILITIES.has(cap));
    if (caps.length > 0) return `container ${c.container.name} adds ${caps.join(', ')}`;
  }
  const hostPath = (spec.volumes ?? []).find((v) => v.hostPath);
  return hostPath ? `mounts hostPath volume ${hostPath.name}` : undefined;
}

function podLabels(s: PodSubject): Record<string, string> {
  if (s.resource.kind === 'Pod') return s.object.metadata.labels ?? {};
  const template = s.specPath.replace(/\.spec$/, '').split('.');
  let cur: unknown = s.object;
  for (const k of template) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return ((cur as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels) ?? {};
}

function selects(service: KubeObject, labels: Record<string, string>): boolean {
  const selector = (service.spec as { selector?: Record<string, string> } | undefined)?.selector;
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function ingressBackends(ingress: KubeObject): Set<string> {
  const spec = (ingress.spec ?? {}) as {
    defaultBackend?: { service?: { name?: string } };
    rules?: Array<{ http?: { paths?: Array<{ backend?: { service?: { name?: string } } }> } }>;
  };
  const names = new Set<string>();
  if (spec.defaultBackend?.service?.name) names.add(spec.defaultBackend.service.name);
  for (const r of spec.rules ?? []) for (const p of r.http?.paths ?? []) if (p.backend?.service?.name) names.add(p.backend.service.name);
  return names;
}

/** Services and Ingresses alone: what is known of reachability when the NetworkPolicies could not be read. */
function serviceReachability(index: ClusterIndex, s: PodSubject): string | undefined {
  const ns = s.resource.namespace ?? '';
  const labels = podLabels(s);
  const services = (index.services.get(ns) ?? []).filter((svc) => selects(svc, labels));
  const external = services.find((svc) => ['LoadBalancer', 'NodePort'].includes(String((svc.spec as { type?: string } | undefined)?.type)));
  if (external) return `exposed by Service ${external.metadata.name} of type ${String((external.spec as { type?: string }).type)}`;
  if (services.length === 0) return undefined;
  for (const ing of index.ingresses.get(ns) ?? []) {
    const backends = ingressBackends(ing);
    const svc = services.find((x) => backends.has(x.metadata.name));
    if (svc) return `exposed by Ingress ${ing.metadata.name} through Service ${svc.metadata.name}`;
  }
  return undefined;
}

/** The subject's workload as the connectivity analysis names it (`ns/name[Kind]`). */
const analysisName = (s: PodSubject) => `${s.resource.namespace ?? ''}/${s.resource.name}[${s.resource.kind}]`;

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Reachability and lateral movement from the connectivity analysis: reachable from the internet
 * (an Ingress or a LoadBalancer/NodePort Service whose traffic the policies let in) or from every
 * pod of the cluster; then, for a reachable workload, the workloads it can connect to.
 */
function networkFactors(e: WorkloadExposure | undefined, pairsCapped: boolean): RiskFactor[] {
  if (!e) return [];
  const reasons: string[] = [];
  let contribution = 0;
  if (e.internet.length > 0) {
    contribution += NETWORK_WEIGHT.internet;
    reasons.push(`reachable from the internet through ${e.internet.join(' and ')}`);
  }
  if (e.cluster !== undefined) {
    contribution += NETWORK_WEIGHT.cluster;
    reasons.push(`open to every pod of the cluster (${e.cluster})`);
  }
  if (contribution === 0) return [];
  const out: RiskFactor[] = [{ factor: 'reachability', contribution, reason: reasons.join('; ') }];
  const n = e.reachCount;
  if (n > 0) {
    const named = e.reachSample.join(', ');
    out.push({
      factor: 'lateral',
      contribution: round2(Math.min(NETWORK_WEIGHT.lateralMax, n * NETWORK_WEIGHT.lateralPerWorkload)),
      // A capped analysis computed only some pairs: n is a floor.
      reason: `once reached, can connect to ${pairsCapped ? 'at least ' : ''}${n} workload(s): ${named}${n > 3 ? ', ...' : ''}`,
    });
  }
  return out;
}

function blastRadius(s: PodSubject): RiskFactor | undefined {
  if (s.resource.kind === 'DaemonSet') return { factor: 'blast-radius', contribution: 1, reason: 'a DaemonSet runs on every node' };
  const replicas = Number((s.object.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  if (replicas >= 10) return { factor: 'blast-radius', contribution: 1, reason: `${replicas} replicas` };
  if (replicas >= 3) return { factor: 'blast-radius', contribution: 0.5, reason: `${replicas} replicas` };
  return undefined;
}

/** The groups every service account of a namespace belongs to. */
const serviceAccountGroups = (namespace: string): string[] => ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${namespace}`];

/**
 * The answers of one "who can" question, filed by who gets them: a service account (written as
 * one or as its user name) or a group. Matches keep their position in the graph's answer, so a
 * service account's matches come out in the order the graph gives them.
 */
class AccessBySubject {
  /** Keyed `sa:<namespace>/<name>` or `group:<name>`; other subjects (users) never run a pod. */
  private readonly bySubject: Map<string, Array<{ at: number; match: AccessMatch }>>;

  constructor(matches: readonly AccessMatch[]) {
    const filed = matches.map((match, at) => ({ at, match, key: subjectKey(match) }));
    this.bySubject = groupBy(filed.filter((e) => e.key !== undefined), (e) => e.key as string);
  }

  /** The matches that reach this service account, directly or through its groups. */
  of(namespace: string, name: string): AccessMatch[] {
    const keys = [`sa:${namespace}/${name}`, ...serviceAccountGroups(namespace).map((g) => `group:${g}`)];
    return keys.flatMap((k) => this.bySubject.get(k) ?? []).sort((x, y) => x.at - y.at).map((e) => e.match);
  }
}

function subjectKey(m: AccessMatch): string | undefined {
  const sa = serviceAccountOf(m.grant.subject);
  if (sa) return `sa:${sa.namespace}/${sa.name}`;
  return m.grant.subject.kind === 'Group' ? `group:${m.grant.subject.name}` : undefined;
}

/**
 * What a risk computation looks up per pod subject, gathered once per cluster: the RBAC answers
 * (asked once, not once per pod), and Services, Ingresses and ServiceAccounts by namespace.
 */
class ClusterIndex {
  readonly services: Map<string, KubeObject[]>;
  readonly ingresses: Map<string, KubeObject[]>;
  private readonly accounts = new Map<string, KubeObject>();
  private readonly secretReaders: AccessBySubject;
  private readonly escalators: AccessBySubject;
  private readonly rbacOf = new Map<string, RiskFactor[]>();

  constructor(ctx: EvalContext) {
    this.services = byNamespace(ctx.objects('services'));
    this.ingresses = byNamespace(ctx.objects('ingresses'));
    for (const sa of ctx.objects('serviceaccounts')) {
      const key = `${sa.metadata.namespace ?? ''}/${sa.metadata.name}`;
      if (!this.accounts.has(key)) this.accounts.set(key, sa);
    }
    const graph = rbacGraph(ctx);
    this.secretReaders = new AccessBySubject(graph.whoCan({ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['secrets'] }));
    this.escalators = new AccessBySubject([
      ...graph.whoCan({ verbs: ['bind', 'escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'] }),
      ...graph.whoCan({ verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'] }),
    ]);
  }

  account(namespace: string, name: string): KubeObject | undefined {
    return this.accounts.get(`${namespace}/${name}`);
  }

  /** The RBAC factors of a service account with a mounted token; the same for every pod that runs as it. */
  rbacFactors(namespace: string, saName: string): RiskFactor[] {
    const key = `${namespace}/${saName}`;
    let out = this.rbacOf.get(key);
    if (out) return out;
    out = [];
    const secrets = this.secretReaders.of(namespace, saName);
    if (secrets.length > 0) {
      const where = secrets.some((m) => !m.grant.namespace) ? 'in every namespace' : `in ${[...new Set(secrets.map((m) => m.grant.namespace))].join(', ')}`;
      out.push({ factor: 'rbac-secrets', contribution: FACTOR_WEIGHTS['rbac-secrets'], reason: `service account ${saName} can read Secrets ${where}` });
    }
    if (this.escalators.of(namespace, saName).length > 0) {
      out.push({ factor: 'rbac-escalation', contribution: FACTOR_WEIGHTS['rbac-escalation'], reason: `service account ${saName} can escalate (bind, escalate or impersonate)` });
    }
    this.rbacOf.set(key, out);
    return out;
  }
}

const byNamespace = (objects: readonly KubeObject[]) => groupBy(objects, (o) => o.metadata.namespace ?? '');

function rbacFactors(index: ClusterIndex, s: PodSubject): RiskFactor[] {
  const ns = s.resource.namespace ?? '';
  const saName = s.spec.serviceAccountName ?? 'default';
  // Without a mounted token the pod cannot use its service account's rights.
  const mounted = s.spec.automountServiceAccountToken ?? index.account(ns, saName)?.automountServiceAccountToken ?? true;
  return mounted ? index.rbacFactors(ns, saName) : [];
}

const keyOf = (r: ResourceRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** Risk of every workload with at least one failing finding, highest first. */
export function workloadRisks(ctx: EvalContext, findings: readonly Finding[]): WorkloadRisk[] {
  const failing = groupBy(findings.filter((f) => f.status === 'fail'), (f) => keyOf(f.resource));
  const index = new ClusterIndex(ctx);
  // The analysis only when what it reads was read: missing NetworkPolicies would read as "no policy", all open.
  const analysed = !ctx.snapshot.gaps.some((g) => NETWORK_EVIDENCE.some((n) => g.evidence === n || g.evidence.startsWith(`${n}/`)));
  const analysis = analysed && failing.size > 0 ? snapshotNetwork(ctx).analysis : undefined;
  const exposures = analysis ? new Map(workloadExposures(analysis).map((e) => [e.workload, e])) : undefined;
  const out: WorkloadRisk[] = [];
  for (const s of ctx.podSubjects) {
    const mine = failing.get(keyOf(s.resource));
    if (!mine) continue;
    const severity = mine.reduce((sum, f) => sum + SEVERITY_WEIGHT[f.severity], 0);
    const factors: RiskFactor[] = [];
    const priv = privilege(s);
    if (priv) factors.push({ factor: 'privilege', contribution: FACTOR_WEIGHTS.privilege, reason: priv });
    if (exposures) factors.push(...networkFactors(exposures.get(analysisName(s)), analysis?.pairsCapped !== undefined));
    else {
      const reach = serviceReachability(index, s);
      if (reach) factors.push({ factor: 'reachability', contribution: FACTOR_WEIGHTS.reachability, reason: `${reach} (NetworkPolicies not read: from Services and Ingresses alone)` });
    }
    const blast = blastRadius(s);
    if (blast) factors.push(blast);
    factors.push(...rbacFactors(index, s));
    const exposure = 1 + factors.reduce((sum, f) => sum + f.contribution, 0);
    const { container: _c, ...resource } = s.resource;
    out.push({ resource, severity, failing: mine.length, factors, exposure, risk: severity * exposure });
  }
  return out.sort((a, b) => b.risk - a.risk || keyOf(a.resource).localeCompare(keyOf(b.resource)));
}

/** Sum of workload risks per namespace (and for the cluster under the key ''). */
export function riskByNamespace(risks: readonly WorkloadRisk[]): Map<string, number> {
  const out = new Map<string, number>([['', 0]]);
  for (const r of risks) {
    const ns = r.resource.namespace ?? '';
    if (ns) out.set(ns, (out.get(ns) ?? 0) + r.risk);
    out.set('', (out.get('') ?? 0) + r.risk);
  }
  return out;
}
