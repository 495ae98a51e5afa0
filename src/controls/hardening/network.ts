import type { ResourceRef, Verdict } from '../../core/types.js';
import type { EvalContext } from '../../evaluate/context.js';
import { ENTIRE_CLUSTER, workloadName } from '../../evaluate/network/analyze.js';
import type { LabelSelector, NetworkModel, Workload } from '../../evaluate/network/model.js';
import { snapshotNetwork } from '../../evaluate/network/shared.js';
import { parseRange, reachesInternet } from '../../evaluate/network/ip.js';
import { selectorMatches as labelsMatch } from '../../core/label-selector.js';
import { selectorMatches } from '../../evaluate/rbac.js';
import { SYSTEM_NAMESPACES } from '../../core/namespace-scope.js';
import { complete } from '../cis/policies/common.js';
import { CILIUM_KINDS, ciliumPolicies } from '../cis/policies/network.js';
import { defineControl } from '../define.js';
import { POD_SPEC_EVIDENCE } from '../pss/common.js';
import { fail, notApplicable, pass, unknown } from '../verdicts.js';
import { NSA_THEME, SECTION } from './common.js';

/**
 * Controls read from the connectivity analysis (src/evaluate/network): they judge what the
 * NetworkPolicies allow, not merely that some exist (CIS 5.3.2 does that). The analysis is
 * computed once per snapshot and shared. NetworkPolicies are intentions: whether the network
 * plugin enforces them is CIS 5.3.1's question.
 */

const EVIDENCE = ['networkpolicies', 'namespaces', ...POD_SPEC_EVIDENCE] as const;

const network = snapshotNetwork;

/**
 * Cilium policies are enforced beside NetworkPolicies but are not part of the connectivity
 * analysis: where one applies, a workload the NetworkPolicies leave open may still be isolated,
 * so what would fail is unknown instead, naming the policies (CIS 5.3.2 counts them as present).
 */
function ciliumIn(ctx: EvalContext, namespace: string): string[] {
  const cilium = ctx.shared('cilium-policies', () => ciliumPolicies(ctx));
  return [...(cilium.byNamespace.get(namespace) ?? []), ...cilium.everywhere];
}
const NOT_MODELLED = 'which the connectivity analysis does not model: whether they isolate it is not judged';

const matches = (s: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean => !s || selectorMatches(s as Parameters<typeof selectorMatches>[0], labels);
const workloadRef = (w: Workload): ResourceRef => ({ kind: w.kind, namespace: w.namespace, name: w.name });

/** Per namespace with workloads: is every workload isolated in `direction` by some policy? */
function isolation(ctx: EvalContext, direction: 'ingress' | 'egress'): Verdict[] {
  if (!complete(ctx, EVIDENCE)) return [];
  const { model } = network(ctx);
  const word = direction === 'ingress' ? 'Ingress' : 'Egress';
  const expected = `every pod of the namespace selected by a NetworkPolicy with policyType ${word} (a default deny: podSelector {} and no ${direction} rules)`;
  const namespaces = [...new Set([...model.workloads.map((w) => w.namespace), ...ctx.objects('namespaces').map((n) => n.metadata.name)])].sort();
  return namespaces.map((ns): Verdict => {
    const ref: ResourceRef = { kind: 'Namespace', name: ns };
    const workloads = model.workloads.filter((w) => w.namespace === ns && !w.hostNetwork);
    if (workloads.length === 0) return notApplicable(ref, 'no workload on the pod network runs in this namespace');
    const policies = model.policies.filter((p) => p.namespace === ns && p[direction] !== undefined);
    const open = workloads.filter((w) => !policies.some((p) => matches(p.podSelector, w.labels)));
    if (open.length === 0) return pass(ref, { path: 'networkpolicies', observed: policies.map((p) => p.name).join(', '), expected });
    const cilium = ciliumIn(ctx, ns);
    if (cilium.length > 0) return unknown(ref, `not isolated by NetworkPolicies: ${open.map(workloadName).join(', ')}; Cilium policies apply in the namespace (${cilium.join(', ')}), ${NOT_MODELLED}`);
    return fail(ref, `networkpolicies (policyTypes ${word})`, `not isolated: ${open.map(workloadName).join(', ')}`, expected);
  });
}

export const ingressIsolation = defineControl({
  id: 'HARD-network-ingress-isolation',
  title: 'Every workload of a namespace is isolated for ingress (default deny)',
  section: SECTION.exposure,
  severity: 'medium',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.networkSeparation, kubescape: ['C-0260'] },
  needs: [...EVIDENCE],
  alsoReads: [...CILIUM_KINDS],
  rationale:
    'A pod that no NetworkPolicy of type Ingress selects accepts connections from every pod of the cluster and from outside. The Kubernetes documentation recommends a default deny per namespace (podSelector {} with policyType Ingress and no rules) so that only traffic a later policy allows gets in. complyd judges the effect, not the form: a namespace passes when every workload in it is selected by some ingress policy, and fails naming the workloads that are not. Pods on the host network are left out: NetworkPolicies do not apply to them (PSS-host-network judges them). Kubescape C-0260 reports workloads one by one but counts a policy of any type (a workload selected only by an Egress policy passes there; here it fails, and HARD-network-egress-isolation passes it) and reads matchLabels only (a policy selecting by matchExpressions alone selects no workload there; here it is evaluated). Polaris (missingNetworkPolicy) asks for one policy that names a label of the pod in podSelector.matchLabels and has both ingress and egress rules, so it fails pods isolated by a namespace default deny (podSelector {}, no rules) or by separate ingress and egress policies; complyd judges what the policies let in. CIS 5.3.2 asks only that the namespace have some policy. Cilium\'s own policies are enforced too but not analysed: where one applies in the namespace (as CIS 5.3.2 places them), what would fail is unknown, naming them.',
  remediation: 'Add a default-deny ingress NetworkPolicy to the namespace (`complyd network suggest` writes one with the allows its Services imply), then allow the flows each workload needs.',
  evaluate: (ctx) => isolation(ctx, 'ingress'),
});

export const egressIsolation = defineControl({
  id: 'HARD-network-egress-isolation',
  title: 'Every workload of a namespace is isolated for egress (default deny)',
  section: SECTION.exposure,
  severity: 'low',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.networkSeparation },
  needs: [...EVIDENCE],
  alsoReads: [...CILIUM_KINDS],
  rationale:
    'A pod that no NetworkPolicy of type Egress selects may open connections to every pod of the cluster and to the internet: a compromised workload can scan internal services and send data out. The NSA/CISA guide asks for default-deny egress policies. A namespace passes when every workload in it is selected by some egress policy. Lower severity than ingress: egress control breaks more applications (DNS, APIs) and is less often in place. Cilium\'s own policies are enforced too but not analysed: where one applies in the namespace (as CIS 5.3.2 places them), what would fail is unknown, naming them.',
  remediation: 'Add a default-deny egress NetworkPolicy, then allow DNS (kube-dns on UDP/TCP 53) and the destinations each workload needs.',
  evaluate: (ctx) => isolation(ctx, 'egress'),
});

export const openToCluster = defineControl({
  id: 'HARD-network-open-to-cluster',
  title: 'Workloads are not open to every pod of the cluster',
  section: SECTION.exposure,
  severity: 'medium',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.networkSeparation },
  needs: [...EVIDENCE],
  alsoReads: [...CILIUM_KINDS],
  rationale:
    'A workload that any pod of any namespace may connect to (no ingress policy selects it, or a rule admits every peer or `namespaceSelector: {}` with any pod) is one hop from every compromised pod in the cluster. This is judged from the connectivity analysis: one finding per workload outside the system namespaces, naming the connections the whole cluster has. Workloads that an Ingress or a load balancer serves are often meant to be reachable from outside, but not from every pod: record intended cases as exceptions. Cilium\'s own policies are enforced too but not analysed: where one applies in the namespace (as CIS 5.3.2 places them), what would fail is unknown, naming them.',
  remediation: 'Narrow the ingress rules to the namespaces and pods that are clients of the workload (namespaceSelector and podSelector with labels), and add a default-deny ingress policy to the namespace.',
  evaluate: (ctx) => {
    if (!complete(ctx, EVIDENCE)) return [];
    const { model, analysis } = network(ctx);
    const open = new Map<string, string>();
    for (const l of analysis.exposure?.ingress ?? []) if (l.peer === ENTIRE_CLUSTER) open.set(l.workload, l.conn);
    return model.workloads
      .filter((w) => !SYSTEM_NAMESPACES.includes(w.namespace) && !w.hostNetwork)
      .map((w): Verdict => {
        const conn = open.get(workloadName(w));
        const expected = 'ingress only from named namespaces or pods';
        if (conn === undefined) return pass(workloadRef(w));
        const cilium = ciliumIn(ctx, w.namespace);
        if (cilium.length > 0) return unknown(workloadRef(w), `the entire cluster may connect by the NetworkPolicies (${conn}); Cilium policies apply in the namespace (${cilium.join(', ')}), ${NOT_MODELLED}`);
        return fail(workloadRef(w), 'networkpolicies (ingress reaching this workload)', `the entire cluster may connect: ${conn}`, expected);
      });
  },
});

/**
 * What a policy refers to that exists nowhere in the snapshot: the reasons it is stale. Manifests
 * (`partial`) hold only part of a cluster: there a selector is judged only against a namespace
 * whose workloads the input holds, and a namespaceSelector not at all (kube-system and the
 * rest are rarely in a repository).
 */
function staleness(model: NetworkModel, policy: NetworkModel['policies'][number], partial: boolean): string[] {
  const reasons: string[] = [];
  const own = model.workloads.filter((w) => w.namespace === policy.namespace);
  if ((!partial || own.length > 0) && !own.some((w) => matches(policy.podSelector, w.labels))) reasons.push('spec.podSelector selects no pod of the namespace');
  const namespaces = [...model.namespaces];
  const known = (ns: string) => !partial || model.workloads.some((w) => w.namespace === ns);
  for (const [direction, rules] of [['ingress', policy.ingress], ['egress', policy.egress]] as const) {
    (rules ?? []).forEach((rule, i) => {
      (rule.peers ?? []).forEach((peer, j) => {
        if (peer.type !== 'pods') return;
        const at = `spec.${direction}[${i}].${direction === 'ingress' ? 'from' : 'to'}[${j}]`;
        if (partial && peer.namespaceSelector) return;
        const inNamespaces = peer.namespaceSelector ? namespaces.filter(([, labels]) => matches(peer.namespaceSelector, labels)).map(([n]) => n) : [policy.namespace];
        if (inNamespaces.length === 0) reasons.push(`${at}.namespaceSelector matches no namespace`);
        else if (peer.podSelector && inNamespaces.every(known) && !model.workloads.some((w) => inNamespaces.includes(w.namespace) && matches(peer.podSelector, w.labels))) {
          reasons.push(`${at}.podSelector matches no pod in ${inNamespaces.length === 1 ? `namespace ${inNamespaces[0]}` : `the ${inNamespaces.length} namespaces selected`}`);
        }
      });
    });
  }
  return reasons;
}

export const stalePolicy = defineControl({
  id: 'HARD-network-stale-policy',
  title: 'NetworkPolicies select pods and name peers that exist',
  section: SECTION.exposure,
  severity: 'low',
  frameworks: ['hardening'],
  refs: { nsa: NSA_THEME.networkSeparation },
  needs: [...EVIDENCE],
  rationale:
    'A policy whose podSelector selects no pod protects nothing, and a rule whose peers match no namespace or no pod admits nothing: both usually mean a label was renamed and the intended protection or allow silently went away. Judged against the workloads and namespaces of the snapshot, so a policy written ahead of a deployment fails until the deployment exists; record that as an exception. Manifests are part of a cluster: there a selector counts as stale only in a namespace whose workloads the input holds, and namespaceSelectors are not judged.',
  remediation: 'Fix the selectors to the labels the pods and namespaces carry now, or delete the policy.',
  evaluate: (ctx) => {
    if (!complete(ctx, EVIDENCE)) return [];
    const { model } = network(ctx);
    return model.policies.map((p): Verdict => {
      const ref: ResourceRef = { kind: 'NetworkPolicy', namespace: p.namespace, name: p.name };
      const reasons = staleness(model, p, ctx.snapshot.source === 'manifests');
      return reasons.length === 0 ? pass(ref) : fail(ref, reasons.map((r) => r.split(' ')[0]).join(', '), reasons.join('; '), 'selectors that match existing pods and namespaces');
    });
  },
});

/** An external peer of a connection line (`first-last[External]`) that holds some internet address. */
function internetPeer(peer: string): boolean {
  if (!peer.endsWith('[External]')) return false;
  const range = parseRange(peer.slice(0, -'[External]'.length));
  return range !== undefined && reachesInternet(range);
}

/** Why a namespace is judged by HARD-network-internet-egress, or undefined when it is not. */
function noInternetBecause(ctx: EvalContext, namespace: string, labels: Readonly<Record<string, string>>): string | undefined {
  const policy = ctx.hardening.noInternetEgress;
  if (policy.namespaces.includes(namespace)) return 'listed in hardening.noInternetEgress.namespaces';
  if (policy.namespaceSelector && labelsMatch(policy.namespaceSelector, labels)) return 'its labels match hardening.noInternetEgress.namespaceSelector';
  return undefined;
}

export const internetEgress = defineControl({
  id: 'HARD-network-internet-egress',
  title: 'Workloads of namespaces that need no internet cannot connect to it',
  section: SECTION.exposure,
  severity: 'medium',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.networkSeparation },
  needs: [...EVIDENCE],
  rationale:
    'A workload that may open connections to the internet can send data out and fetch a second stage once compromised; the NSA/CISA guide asks for egress policies that allow only what a workload needs, and CIS section 5.3 (Network Policies and CNI) for policies in every namespace. Which namespaces need no internet is a site decision, so this control judges only the namespaces the configuration names (hardening.noInternetEgress: namespaces by name, or a namespaceSelector on their labels) and is not applicable elsewhere, and everywhere while nothing is configured. Judged from the connectivity analysis: a workload fails when its egress policies allow some address outside the private, shared, loopback, link-local and multicast ranges (an ipBlock of 10.0.0.0/8 is not the internet; 0.0.0.0/0 is), naming the ranges and ports. Pods on the host network fail: NetworkPolicies do not apply to them, so they reach whatever the node reaches. Not a CIS Benchmark item, so it carries no CIS id.',
  remediation: 'Add an egress policy to the namespace (a default deny with policyType Egress), then allow DNS and the cluster-internal or private destinations its workloads need; route what must reach the internet through an egress proxy or gateway in a namespace of its own.',
  evaluate: (ctx) => {
    if (!complete(ctx, EVIDENCE)) return [];
    const { model, analysis } = network(ctx);
    const outbound = new Map<string, string[]>();
    for (const l of analysis.connections) if (internetPeer(l.dst)) outbound.set(l.src, [...(outbound.get(l.src) ?? []), `${l.dst.slice(0, -'[External]'.length)} (${l.conn})`]);
    const expected = 'egress only to the cluster and to private ranges';
    const byNamespace = new Map<string, Workload[]>();
    for (const w of model.workloads) byNamespace.set(w.namespace, [...(byNamespace.get(w.namespace) ?? []), w]);
    const namespaces = [...new Set([...byNamespace.keys(), ...ctx.objects('namespaces').map((n) => n.metadata.name)])].sort();
    return namespaces.flatMap((ns): Verdict[] => {
      const because = noInternetBecause(ctx, ns, model.namespaces.get(ns) ?? { 'kubernetes.io/metadata.name': ns });
      const workloads = byNamespace.get(ns) ?? [];
      if (!because) return [notApplicable({ kind: 'Namespace', name: ns }, 'not declared as needing no internet (hardening.noInternetEgress)')];
      if (workloads.length === 0) return [notApplicable({ kind: 'Namespace', name: ns }, `no workload runs in this namespace (${because})`)];
      return workloads.map((w): Verdict => {
        if (w.hostNetwork) return fail(workloadRef(w), 'spec.hostNetwork', 'true: on the node\'s network, NetworkPolicies do not apply', expected);
        const out = outbound.get(workloadName(w));
        if (!out) return pass(workloadRef(w), { path: 'networkpolicies (egress from this workload)', observed: 'no internet address allowed', expected });
        const shown = out.slice(0, 3).join(', ') + (out.length > 3 ? `, and ${out.length - 3} more range(s)` : '');
        return fail(workloadRef(w), 'networkpolicies (egress from this workload)', `may connect to the internet: ${shown}`, expected);
      });
    });
  },
});

export const NETWORK_CONTROLS = [ingressIsolation, egressIsolation, openToCluster, stalePolicy, internetEgress] as const;
