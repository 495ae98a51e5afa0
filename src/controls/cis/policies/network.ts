import type { Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import { POD_SPEC_EVIDENCE } from '../../pss/common.js';
import { defineControl } from '../../define.js';
import { fail, notApplicable, pass } from '../../verdicts.js';
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
export const namespacesHavePolicies = defineControl({
  id: 'CIS-5.3.2',
  title: 'Every namespace with workloads has a NetworkPolicy',
  section: SECTION.network,
  severity: 'medium',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.3.2', nsa: NSA_THEME.networkPolicies, kubescape: ['C-0206', 'C-0260'] },
  level: 'L2',
  needs: ['networkpolicies', ...POD_SPEC_EVIDENCE],
  rationale:
    'Without any NetworkPolicy every pod accepts traffic from every other pod in the cluster, so one compromised workload can reach databases and internal APIs in all namespaces.',
  remediation: 'Give each namespace a default-deny NetworkPolicy for ingress (and egress where practical), then allow the flows each workload needs.',
  evaluate: (ctx) => {
    if (!complete(ctx, ['networkpolicies'])) return [];
    const policies = new Map<string, string[]>();
    for (const p of ctx.objects('networkpolicies')) {
      const ns = p.metadata.namespace ?? '';
      policies.set(ns, [...(policies.get(ns) ?? []), p.metadata.name]);
    }
    const withWorkloads = new Set(ctx.podSubjects.flatMap((s) => s.resource.namespace ?? []));
    const all = [...new Set([...withWorkloads, ...ctx.objects('namespaces').map((n) => n.metadata.name)])].sort();
    const expected = 'at least one NetworkPolicy in the namespace';
    return all.map((name): Verdict => {
      const ref = { kind: 'Namespace', name };
      const names = policies.get(name) ?? [];
      if (!withWorkloads.has(name)) return notApplicable(ref, 'no workload runs in this namespace');
      return names.length > 0 ? pass(ref, { path: 'networkpolicies', observed: names.join(', '), expected }) : fail(ref, 'networkpolicies', [], expected);
    });
  },
});
