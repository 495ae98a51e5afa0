import type { ControlPlaneComponent, KubeObject, Provider, ServerVersion } from '../core/types.js';

/** Version suffixes that name the distribution (`v1.31.3-eks-59bf375`, `v1.30.4+k3s1`). */
const VERSION_RULES: ReadonlyArray<[RegExp, Provider]> = [
  [/-eks-/, 'eks'],
  [/-gke\./, 'gke'],
  [/\+k3s/, 'k3s'],
  [/\+rke2/, 'rke2'],
];

interface NodeFacts {
  labels: Record<string, string>;
  providerId: string;
}

/** Node labels and provider ids that managed services and local distributions set. */
const NODE_RULES: ReadonlyArray<[(n: NodeFacts) => boolean, Provider]> = [
  [(n) => Object.keys(n.labels).some((l) => l.startsWith('node.openshift.io/')), 'openshift'],
  [(n) => 'kubernetes.azure.com/cluster' in n.labels || n.providerId.startsWith('azure://'), 'aks'],
  [(n) => 'eks.amazonaws.com/nodegroup' in n.labels || 'eks.amazonaws.com/compute-type' in n.labels, 'eks'],
  [(n) => 'cloud.google.com/gke-nodepool' in n.labels, 'gke'],
  [(n) => n.labels['node.kubernetes.io/instance-type'] === 'k3s', 'k3s'],
  [(n) => n.providerId.startsWith('kind://'), 'kind'],
];

/**
 * Guess who runs the cluster from what the API shows: version suffixes, node provider ids
 * and labels, and static control-plane pods. Used to explain why control-plane evidence is
 * absent (managed) rather than to judge anything.
 */
export function detectProvider(version: ServerVersion | undefined, nodes: readonly KubeObject[], controlPlane: readonly ControlPlaneComponent[]): Provider {
  const git = version?.gitVersion ?? '';
  const byVersion = VERSION_RULES.find(([re]) => re.test(git));
  if (byVersion) return byVersion[1];
  for (const node of nodes) {
    const facts = { labels: node.metadata.labels ?? {}, providerId: String((node.spec as { providerID?: string } | undefined)?.providerID ?? '') };
    const byNode = NODE_RULES.find(([matches]) => matches(facts));
    if (byNode) return byNode[1];
  }
  return controlPlane.some((c) => c.component === 'kube-apiserver') ? 'kubeadm' : 'unknown';
}
