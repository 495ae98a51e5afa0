import type { KubeObject } from '../../core/types.js';
import { MANAGED_BY_COMPLYD, MANAGED_BY_LABEL } from '../../core/admission.js';
import { SYSTEM_NAMESPACES } from '../../core/namespace-scope.js';
import { selectorMatches } from '../rbac.js';
import type { ContainerPort, NetworkModel, Service, Workload } from './model.js';

/**
 * NetworkPolicies for a namespace that has none: deny by default in both directions, then
 * allow what the namespace's own objects say it needs, and nothing more:
 *
 * - DNS: egress to kube-dns in kube-system (UDP and TCP 53), or every name lookup breaks;
 * - its own pods: egress to any pod of the namespace (ingress is still narrowed below);
 * - a Service of type LoadBalancer or NodePort: ingress from anywhere to its target ports;
 * - a Service that an Ingress routes to: ingress from every namespace to its target ports
 *   (the ingress controller's namespace is not known offline: narrow it to that namespace);
 * - any other Service with a selector: ingress from the namespace's own pods to its target ports;
 * - a container port no Service targets: ingress from the namespace's own pods to that port.
 *
 * Everything else is cut, on purpose: clients in other namespaces are not known from the
 * manifests. The caller runs the suggestion back through the analysis to show what it cuts.
 */

export interface SuggestedPolicy {
  readonly manifest: KubeObject;
  /** Why this policy: what in the input implied it. */
  readonly reason: string;
}

export interface NamespaceSuggestion {
  readonly namespace: string;
  readonly policies: readonly SuggestedPolicy[];
}

export interface SuggestResult {
  readonly suggestions: readonly NamespaceSuggestion[];
  /** Namespaces asked for that were left alone, each with the reason. */
  readonly skipped: readonly string[];
}

/** Namespaces whose traffic is the platform's: never suggested unless named. */
const MANAGED_BY = { [MANAGED_BY_LABEL]: MANAGED_BY_COMPLYD };

type Peer = Record<string, unknown>;
type Port = { protocol: string; port: number | string };

function policy(namespace: string, name: string, podSelector: Record<string, unknown>, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { ...MANAGED_BY } },
    spec: { podSelector, ...spec },
  } as KubeObject;
}

const selects = (selector: Readonly<Record<string, string>>, w: Workload): boolean => selectorMatches({ matchLabels: selector }, w.labels);

/** A Service's target ports as policy ports: numbers as written, names kept (each pod resolves its own). */
function targetPorts(s: Service): Port[] {
  return s.ports.map((p) => ({ protocol: p.protocol, port: p.targetPort }));
}

/** Whether a Service port targets this container port (by number, or by the container port's name). */
function targets(s: Service, c: ContainerPort): boolean {
  return s.ports.some((p) => p.protocol === c.protocol && (p.targetPort === c.port || (typeof p.targetPort === 'string' && p.targetPort === c.name)));
}

function suggestFor(namespace: string, model: NetworkModel): SuggestedPolicy[] {
  const workloads = model.workloads.filter((w) => w.namespace === namespace);
  const ingressServices = new Set(model.ingressBackends.filter((b) => b.namespace === namespace).map((b) => b.service));
  const services = model.services.filter((s) => s.namespace === namespace && s.selector && workloads.some((w) => selects(s.selector ?? {}, w)));
  const out: SuggestedPolicy[] = [
    { manifest: policy(namespace, 'complyd-default-deny', {}, { policyTypes: ['Ingress', 'Egress'] }), reason: 'deny all ingress and egress not allowed below' },
    {
      manifest: policy(namespace, 'complyd-allow-dns', {}, {
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
      }),
      reason: 'name lookups to kube-dns in kube-system',
    },
    { manifest: policy(namespace, 'complyd-allow-same-namespace-egress', {}, { policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] }), reason: `pods of ${namespace} may open connections to each other (their ingress decides the ports)` },
  ];
  for (const s of services) {
    const exposed = s.type === 'LoadBalancer' || s.type === 'NodePort';
    const fromIngress = ingressServices.has(s.name);
    const from: Peer[] | undefined = exposed ? undefined : fromIngress ? [{ namespaceSelector: {} }] : [{ podSelector: {} }];
    const rule = { ...(from ? { from } : {}), ports: targetPorts(s) };
    const reason = exposed
      ? `Service ${s.name} is of type ${s.type}: open to any source on its target ports`
      : fromIngress
        ? `Service ${s.name} is an Ingress backend: open to every namespace (narrow to the ingress controller's namespace)`
        : `Service ${s.name}: open to the pods of ${namespace} on its target ports`;
    out.push({ manifest: policy(namespace, `complyd-allow-svc-${s.name}`, { matchLabels: { ...s.selector } }, { policyTypes: ['Ingress'], ingress: [rule] }), reason });
  }
  for (const w of workloads) {
    const loose = w.ports.filter((c) => !services.some((s) => selects(s.selector ?? {}, w) && targets(s, c)));
    if (loose.length === 0 || Object.keys(w.labels).length === 0) continue;
    out.push({
      manifest: policy(namespace, `complyd-allow-ports-${w.name}`, { matchLabels: { ...w.labels } }, {
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: {} }], ports: loose.map((c) => ({ protocol: c.protocol, port: c.port })) }],
      }),
      reason: `${w.kind} ${w.name} declares container port${loose.length === 1 ? '' : 's'} ${loose.map((c) => `${c.protocol}/${c.port}`).join(', ')} that no Service targets: open to the pods of ${namespace}`,
    });
  }
  return out;
}

/**
 * Suggestions for `only` (namespaces named by the user) or, when empty, for every namespace
 * of the input with workloads and no NetworkPolicy, system namespaces excepted.
 */
export function suggestPolicies(model: NetworkModel, only: readonly string[] = []): SuggestResult {
  const withPolicies = new Set(model.policies.map((p) => p.namespace));
  const withWorkloads = new Set(model.workloads.map((w) => w.namespace));
  const skipped: string[] = [];
  const chosen: string[] = [];
  if (only.length > 0) {
    for (const ns of [...new Set(only)]) {
      if (withPolicies.has(ns)) skipped.push(`${ns}: has NetworkPolicies already (suggestions are for namespaces without any)`);
      else if (!withWorkloads.has(ns)) skipped.push(`${ns}: no workloads in the input`);
      else chosen.push(ns);
    }
  } else {
    for (const ns of [...withWorkloads].sort()) if (!withPolicies.has(ns) && !SYSTEM_NAMESPACES.includes(ns)) chosen.push(ns);
  }
  return { suggestions: chosen.map((namespace) => ({ namespace, policies: suggestFor(namespace, model) })), skipped };
}
