import type { KubeObject, Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import { POD_SPEC_EVIDENCE } from '../../pss/common.js';
import { defineControl } from '../../define.js';
import { fail, notApplicable, pass, unknown } from '../../verdicts.js';
import { NSA_THEME, SECTION, clusterRef, complete, manual } from './common.js';

/** Network plugins recognisable from their agents' names or images, and whether they enforce NetworkPolicy. */
interface Cni {
  name: string;
  pattern: RegExp;
  enforces: 'yes' | 'no' | 'if configured';
}

const CNIS: readonly Cni[] = [
  { name: 'Calico', pattern: /calico-node|calico\/node/, enforces: 'yes' },
  { name: 'Canal (Flannel with Calico policy)', pattern: /\bcanal\b/, enforces: 'yes' },
  { name: 'Cilium', pattern: /cilium|\banetd\b/, enforces: 'yes' },
  { name: 'Antrea', pattern: /antrea-agent|antrea\/antrea/, enforces: 'yes' },
  { name: 'kube-router', pattern: /kube-router/, enforces: 'yes' },
  { name: 'Weave Net', pattern: /weave-net|weaveworks\/weave-kube/, enforces: 'yes' },
  { name: 'Azure Network Policy Manager', pattern: /azure-npm/, enforces: 'yes' },
  { name: 'Amazon VPC CNI network policy agent', pattern: /aws-network-policy-agent/, enforces: 'yes' },
  { name: 'Amazon VPC CNI', pattern: /aws-node|amazon-k8s-cni/, enforces: 'if configured' },
  { name: 'kindnet', pattern: /kindnet/, enforces: 'if configured' },
  { name: 'Flannel', pattern: /flannel/, enforces: 'no' },
];

/** Names and images of every pod spec: where network agents show themselves. */
function agentStrings(ctx: EvalContext): string[] {
  return ctx.podSubjects.flatMap((s) => [
    `${s.resource.namespace ?? ''}/${s.resource.name}`,
    ...[...(s.spec.containers ?? []), ...(s.spec.initContainers ?? [])].flatMap((c) => [c.name, c.image ?? '']),
  ]);
}

export const cniSupportsPolicies = defineControl({
  id: 'CIS-5.3.1',
  title: 'The network plugin enforces NetworkPolicy',
  section: SECTION.network,
  severity: 'high',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.3.1', nsa: NSA_THEME.networkPolicies, kubescape: ['C-0205'] },
  level: 'L1',
  manual:
    'complyd recognises network plugins by the names and images of their agents; whether policy enforcement is switched on (VPC CNI, kindnet, k3s --disable-network-policy) is configuration it cannot read. Confirm that a test NetworkPolicy actually blocks traffic.',
  needs: ['daemonsets', 'pods'],
  rationale:
    'NetworkPolicy objects are only intentions: the API server accepts them whatever the network plugin, and a plugin without policy support (Flannel alone, for one) ignores them silently.',
  remediation: 'Run a network plugin that enforces NetworkPolicy (Calico, Cilium, Antrea...), or enable the policy component of the one in use.',
  evaluate: (ctx) => {
    const seen = agentStrings(ctx).join('\n');
    const found = CNIS.filter((c) => c.pattern.test(seen));
    const k3s = ctx.snapshot.provider === 'k3s';
    const lines = found.map((c) => `${c.name} (enforces NetworkPolicy: ${c.enforces})`);
    if (k3s) lines.push('k3s embedded network policy controller (enforces NetworkPolicy unless started with --disable-network-policy)');
    const observed = lines.length > 0 ? lines.join('; ') : 'no known network plugin agent';
    const enforcing = found.some((c) => c.enforces === 'yes') || k3s;
    const message = enforcing
      ? 'a network plugin that enforces NetworkPolicy appears to run; confirm its policy component is enabled'
      : 'no network plugin known to enforce NetworkPolicy was recognised; confirm how policies are enforced, if at all';
    return [manual(clusterRef(ctx), message, { path: 'daemonsets, pods (network plugin agents)', observed, expected: 'a network plugin that enforces NetworkPolicy' })];
  },
});

/**
 * Which namespaces count: every namespace that holds a pod spec, kube-system included (DNS,
 * metrics-server and the CNI's own API-facing pods sit on the pod network there). A namespace
 * with no workload is not applicable: a policy there would select no pod. Host-network pods
 * are not selectable by NetworkPolicy; they are the business of PSS-host-network.
 */
export const CILIUM_KINDS = ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'] as const;
const POD_NAMESPACE_LABELS = ['k8s:io.kubernetes.pod.namespace', 'io.kubernetes.pod.namespace'];

/** The rules of a Cilium policy: `spec`, and each of `specs`. */
function ciliumRules(o: KubeObject): Array<Record<string, unknown>> {
  const one = o.spec && typeof o.spec === 'object' ? [o.spec] : [];
  const many = Array.isArray(o.specs) ? o.specs.filter((x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object') : [];
  return [...one, ...many];
}

const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

/**
 * Does a Cilium rule restrict traffic in some direction? Per Cilium's Rule type, an ingress,
 * ingressDeny, egress or egressDeny section that is absent or empty does not apply, and allow
 * rules only restrict when they put the endpoint into default deny, which enableDefaultDeny
 * false for that direction switches off (explicit deny sections still restrict). A cluster-wide
 * rule with no section in force selects every pod and changes nothing.
 */
export function ciliumRuleRestricts(rule: Record<string, unknown>): boolean {
  const defaultDeny = rule.enableDefaultDeny !== null && typeof rule.enableDefaultDeny === 'object' ? (rule.enableDefaultDeny as Record<string, unknown>) : {};
  const direction = (allow: string, deny: string, key: string) => nonEmpty(rule[deny]) || (nonEmpty(rule[allow]) && defaultDeny[key] !== false);
  return direction('ingress', 'ingressDeny', 'ingress') || direction('egress', 'egressDeny', 'egress');
}

/**
 * Which namespaces a CiliumClusterwideNetworkPolicy covers: every namespace when a rule's
 * endpointSelector is empty (it selects every pod), the namespace named when the selector
 * matches on the pod-namespace label, and none it can tell otherwise (a nodeSelector rule is a
 * host policy, not a pod policy). `'*'` stands for all. Only rules that restrict something
 * count (ciliumRuleRestricts).
 */
function clusterwideCoverage(o: KubeObject): string[] {
  return ciliumRules(o).flatMap((rule) => {
    if (!ciliumRuleRestricts(rule)) return [];
    const selector = rule.endpointSelector;
    if (!selector || typeof selector !== 'object') return [];
    const { matchLabels, matchExpressions } = selector as { matchLabels?: Record<string, unknown>; matchExpressions?: unknown[] };
    const labels = matchLabels ?? {};
    if (Object.keys(labels).length === 0 && (matchExpressions ?? []).length === 0) return ['*'];
    return POD_NAMESPACE_LABELS.flatMap((l) => (typeof labels[l] === 'string' ? [labels[l]] : []));
  });
}

/**
 * The Cilium policies that apply in each namespace, by name (`CiliumNetworkPolicy x`), and the
 * cluster-wide ones that apply in every namespace.
 */
export function ciliumPolicies(ctx: EvalContext): { byNamespace: Map<string, string[]>; everywhere: string[] } {
  const byNamespace = new Map<string, string[]>();
  const add = (ns: string, name: string) => byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), name]);
  for (const p of ctx.objects('ciliumnetworkpolicies')) add(p.metadata.namespace ?? '', `CiliumNetworkPolicy ${p.metadata.name}`);
  const everywhere: string[] = [];
  for (const p of ctx.objects('ciliumclusterwidenetworkpolicies')) {
    const name = `CiliumClusterwideNetworkPolicy ${p.metadata.name}`;
    for (const ns of new Set(clusterwideCoverage(p))) {
      if (ns === '*') everywhere.push(name);
      else add(ns, name);
    }
  }
  return { byNamespace, everywhere };
}

export const namespacesHavePolicies = defineControl({
  id: 'CIS-5.3.2',
  title: 'Every namespace with workloads has a NetworkPolicy',
  section: SECTION.network,
  severity: 'medium',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.3.2', nsa: NSA_THEME.networkPolicies, kubescape: ['C-0206', 'C-0260'] },
  level: 'L2',
  needs: ['networkpolicies', ...POD_SPEC_EVIDENCE],
  alsoReads: [...CILIUM_KINDS],
  rationale:
    'Without any NetworkPolicy every pod accepts traffic from every other pod in the cluster, so one compromised workload can reach databases and internal APIs in all namespaces. Cilium enforces its own CiliumNetworkPolicy (namespaced) and CiliumClusterwideNetworkPolicy as well: a CiliumNetworkPolicy counts for its namespace, a cluster-wide one for every namespace when its endpointSelector is empty and for the namespace it names through the io.kubernetes.pod.namespace label; other cluster-wide selectors are not counted (complyd cannot tell which pods they select), nor is a cluster-wide rule that restricts nothing (no non-empty ingress, ingressDeny, egress or egressDeny section, or allow sections only with enableDefaultDeny false), as Kubescape C-0206 also leaves out; a namespaced policy counts as written, as in Kubescape. On a cluster without Cilium the lists are empty; when they could not be read, a namespace without a NetworkPolicy is unknown rather than failed. A namespace where no workload runs is not applicable: a policy there would select no pod (Kubescape C-0206 fails every namespace without one, the benchmark\'s title says all namespaces). kube-bench asks a person; Kubescape C-0260 counts Kubernetes NetworkPolicies only.',
  remediation: 'Give each namespace a default-deny NetworkPolicy for ingress (and egress where practical), then allow the flows each workload needs.',
  evaluate: (ctx) => {
    if (!complete(ctx, ['networkpolicies'])) return [];
    const policies = new Map<string, string[]>();
    for (const p of ctx.objects('networkpolicies')) {
      const ns = p.metadata.namespace ?? '';
      policies.set(ns, [...(policies.get(ns) ?? []), p.metadata.name]);
    }
    const cilium = ciliumPolicies(ctx);
    for (const [ns, names] of cilium.byNamespace) policies.set(ns, [...(policies.get(ns) ?? []), ...names]);
    const everywhere = cilium.everywhere;
    const ciliumRead = complete(ctx, CILIUM_KINDS);
    const withWorkloads = new Set(ctx.podSubjects.flatMap((s) => s.resource.namespace ?? []));
    const all = [...new Set([...withWorkloads, ...ctx.objects('namespaces').map((n) => n.metadata.name)])].sort();
    const expected = 'at least one NetworkPolicy (or Cilium network policy) applying in the namespace';
    return all.map((name): Verdict => {
      const ref = { kind: 'Namespace', name };
      const names = [...(policies.get(name) ?? []), ...everywhere];
      if (!withWorkloads.has(name)) return notApplicable(ref, 'no workload runs in this namespace');
      if (names.length > 0) return pass(ref, { path: 'networkpolicies', observed: names.join(', '), expected });
      if (!ciliumRead) return unknown(ref, 'no NetworkPolicy in the namespace, and Cilium network policies could not be read');
      return fail(ref, 'networkpolicies', [], expected);
    });
  },
});
