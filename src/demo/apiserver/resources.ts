/** The resource types the fake API server serves, and how they are named. */

export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Defined by a CustomResourceDefinition: served only where the server has it installed. */
  crd?: boolean;
}

function rt(
  groupVersion: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames?: string[],
): ResourceType {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  return {
    group: group ?? '',
    version: version ?? 'v1',
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    ...(shortNames ? { shortNames } : {}),
  };
}

/** The resources served. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  rt('v1', 'namespaces', 'Namespace', false, ['ns']),
  rt('v1', 'nodes', 'Node', false, ['no']),
  rt('v1', 'pods', 'Pod', true, ['po']),
  rt('v1', 'services', 'Service', true, ['svc']),
  rt('v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  rt('v1', 'secrets', 'Secret', true),
  rt('v1', 'configmaps', 'ConfigMap', true, ['cm']),
  rt('apps/v1', 'deployments', 'Deployment', true, ['deploy']),
  rt('apps/v1', 'statefulsets', 'StatefulSet', true, ['sts']),
  rt('apps/v1', 'daemonsets', 'DaemonSet', true, ['ds']),
  rt('apps/v1', 'replicasets', 'ReplicaSet', true, ['rs']),
  rt('batch/v1', 'jobs', 'Job', true),
  rt('batch/v1', 'cronjobs', 'CronJob', true, ['cj']),
  rt('networking.k8s.io/v1', 'ingresses', 'Ingress', true, ['ing']),
  rt('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', true, ['netpol']),
  rt('rbac.authorization.k8s.io/v1', 'roles', 'Role', true),
  rt('rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', false),
  rt('rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', true),
  rt('rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  rt('v1', 'replicationcontrollers', 'ReplicationController', true, ['rc']),
  rt('v1', 'limitranges', 'LimitRange', true, ['limits']),
  { ...rt('cilium.io/v2', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy', true, ['cnp']), crd: true },
  { ...rt('cilium.io/v2', 'ciliumclusterwidenetworkpolicies', 'CiliumClusterwideNetworkPolicy', false, ['ccnp']), crd: true },
  rt('admissionregistration.k8s.io/v1', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy', false),
  rt('admissionregistration.k8s.io/v1', 'validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', false),
  // Other admission engines and PolicyReports: installed only where a cluster has their objects.
  { ...rt('kyverno.io/v1', 'clusterpolicies', 'ClusterPolicy', false, ['cpol']), crd: true },
  { ...rt('templates.gatekeeper.sh/v1', 'constrainttemplates', 'ConstraintTemplate', false), crd: true },
  { ...rt('wgpolicyk8s.io/v1alpha2', 'policyreports', 'PolicyReport', true, ['polr']), crd: true },
  { ...rt('wgpolicyk8s.io/v1alpha2', 'clusterpolicyreports', 'ClusterPolicyReport', false, ['cpolr']), crd: true },
];

export function groupVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function qualified(t: ResourceType): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}
