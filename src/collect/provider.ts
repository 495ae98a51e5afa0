import type { ControlPlaneComponent, KubeObject, Provider, ServerVersion } from '../core/types.js';

/**
 * Guess who runs the cluster from what the API shows: version suffixes, node provider ids
 * and labels, and static control-plane pods. Used to explain why control-plane evidence is
 * absent (managed) rather than to judge anything.
 */
export function detectProvider(version: ServerVersion | undefined, nodes: readonly KubeObject[], controlPlane: readonly ControlPlaneComponent[]): Provider {
  const git = version?.gitVersion ?? '';
  if (/-eks-/.test(git)) return 'eks';
  if (/-gke\./.test(git)) return 'gke';
  if (/\+k3s/.test(git)) return 'k3s';
  if (/\+rke2/.test(git)) return 'rke2';
  for (const node of nodes) {
    const labels = node.metadata.labels ?? {};
    const providerId = String((node.spec as { providerID?: string } | undefined)?.providerID ?? '');
    if (labels['node.openshift.io/os_id'] || Object.keys(labels).some((l) => l.startsWith('node.openshift.io/'))) return 'openshift';
    if (labels['kubernetes.azure.com/cluster'] || providerId.startsWith('azure://')) return 'aks';
    if (labels['eks.amazonaws.com/nodegroup'] || labels['eks.amazonaws.com/compute-type']) return 'eks';
    if (labels['cloud.google.com/gke-nodepool']) return 'gke';
    if (labels['node.kubernetes.io/instance-type'] === 'k3s') return 'k3s';
    if (providerId.startsWith('kind://')) return 'kind';
  }
  if (controlPlane.some((c) => c.component === 'kube-apiserver')) return 'kubeadm';
  return 'unknown';
}
