import type { Finding, KubeObject, ResourceRef, RiskFactor, RiskFactorName, WorkloadRisk } from '../core/types.js';
import type { EvalContext } from '../evaluate/context.js';
import { containersOf, type PodSubject } from '../evaluate/pod-specs.js';
import { rbacGraph, serviceAccountOf, type RbacSubject } from '../evaluate/rbac.js';
import { SEVERITY_WEIGHT } from './weights.js';

/**
 * Risk of a workload = severity × exposure.
 *
 *   severity = Σ w(severity of each failing finding on the workload)   (weights: weights.ts)
 *   exposure = 1 + Σ factor contributions                               (below)
 *
 * A factor adds to exposure when it makes a weakness easier to reach or worse once reached.
 * Every contribution is kept with its reason, so a user can see why a workload scores what
 * it does. Namespace and cluster risk are the sums of their workloads' risks.
 */
export type { RiskFactor, RiskFactorName, WorkloadRisk } from '../core/types.js';

/** Capabilities that hand a container control of the node or its network. */
const DANGEROUS_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'SYS_RAWIO', 'BPF', 'PERFMON']);

/** The factors and their weights, as documented in the README. */
export const FACTOR_WEIGHTS: Readonly<Record<RiskFactorName, number>> = {
  privilege: 1,
  reachability: 1,
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

function reachability(ctx: EvalContext, s: PodSubject): string | undefined {
  const ns = s.resource.namespace;
  const labels = podLabels(s);
  const services = ctx.objects('services').filter((svc) => svc.metadata.namespace === ns && selects(svc, labels));
  const external = services.find((svc) => ['LoadBalancer', 'NodePort'].includes(String((svc.spec as { type?: string } | undefined)?.type)));
  if (external) return `exposed by Service ${external.metadata.name} of type ${String((external.spec as { type?: string }).type)}`;
  for (const ing of ctx.objects('ingresses').filter((i) => i.metadata.namespace === ns)) {
    const backends = ingressBackends(ing);
    const svc = services.find((x) => backends.has(x.metadata.name));
    if (svc) return `exposed by Ingress ${ing.metadata.name} through Service ${svc.metadata.name}`;
  }
  return undefined;
}

function blastRadius(s: PodSubject): RiskFactor | undefined {
  if (s.resource.kind === 'DaemonSet') return { factor: 'blast-radius', contribution: 1, reason: 'a DaemonSet runs on every node' };
  const replicas = Number((s.object.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  if (replicas >= 10) return { factor: 'blast-radius', contribution: 1, reason: `${replicas} replicas` };
  if (replicas >= 3) return { factor: 'blast-radius', contribution: 0.5, reason: `${replicas} replicas` };
  return undefined;
}

/** Does an RBAC subject stand for this service account (directly or through a group)? */
function coversServiceAccount(subject: RbacSubject, namespace: string, name: string): boolean {
  const sa = serviceAccountOf(subject);
  if (sa) return sa.namespace === namespace && sa.name === name;
  return subject.kind === 'Group' && ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${namespace}`].includes(subject.name);
}

function rbacFactors(ctx: EvalContext, s: PodSubject): RiskFactor[] {
  const ns = s.resource.namespace ?? '';
  const saName = s.spec.serviceAccountName ?? 'default';
  // Without a mounted token the pod cannot use its service account's rights.
  const sa = ctx.objects('serviceaccounts').find((x) => x.metadata.namespace === ns && x.metadata.name === saName);
  const mounted = s.spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
  if (!mounted) return [];
  const graph = rbacGraph(ctx);
  const mine = (verbs: string[], apiGroups: string[], resources: string[]) =>
    graph.whoCan({ verbs, apiGroups, resources }).filter((m) => coversServiceAccount(m.grant.subject, ns, saName));
  const out: RiskFactor[] = [];
  const secrets = mine(['get', 'list', 'watch'], [''], ['secrets']);
  if (secrets.length > 0) {
    const where = secrets.some((m) => !m.grant.namespace) ? 'in every namespace' : `in ${[...new Set(secrets.map((m) => m.grant.namespace))].join(', ')}`;
    out.push({ factor: 'rbac-secrets', contribution: FACTOR_WEIGHTS['rbac-secrets'], reason: `service account ${saName} can read Secrets ${where}` });
  }
  const escalation = [
    ...mine(['bind', 'escalate'], ['rbac.authorization.k8s.io'], ['roles', 'clusterroles']),
    ...mine(['impersonate'], [''], ['users', 'groups', 'serviceaccounts']),
  ];
  if (escalation.length > 0) {
    out.push({ factor: 'rbac-escalation', contribution: FACTOR_WEIGHTS['rbac-escalation'], reason: `service account ${saName} can escalate (bind, escalate or impersonate)` });
  }
  return out;
}

const keyOf = (r: ResourceRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** Risk of every workload with at least one failing finding, highest first. */
export function workloadRisks(ctx: EvalContext, findings: readonly Finding[]): WorkloadRisk[] {
  const failing = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.status !== 'fail') continue;
    const k = keyOf(f.resource);
    failing.set(k, [...(failing.get(k) ?? []), f]);
  }
  const out: WorkloadRisk[] = [];
  for (const s of ctx.podSubjects) {
    const mine = failing.get(keyOf(s.resource));
    if (!mine) continue;
    const severity = mine.reduce((sum, f) => sum + SEVERITY_WEIGHT[f.severity], 0);
    const factors: RiskFactor[] = [];
    const priv = privilege(s);
    if (priv) factors.push({ factor: 'privilege', contribution: FACTOR_WEIGHTS.privilege, reason: priv });
    const reach = reachability(ctx, s);
    if (reach) factors.push({ factor: 'reachability', contribution: FACTOR_WEIGHTS.reachability, reason: reach });
    const blast = blastRadius(s);
    if (blast) factors.push(blast);
    factors.push(...rbacFactors(ctx, s));
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
