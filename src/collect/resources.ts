import type { ResourceKind } from '../core/types.js';

/** Where a resource is listed: cluster-wide for ENDPOINTS, or in one namespace. */
export interface ListEndpoint {
  /** Named in errors and gaps, e.g. `pods`. */
  readonly resource: string;
  readonly path: string;
  /** Secrets are listed as PartialObjectMetadataList: their values never leave the cluster. */
  readonly metadataOnly?: boolean;
  /**
   * Served by a CustomResourceDefinition that a cluster may not have: a 404 for the list means
   * "not installed" (an empty list), not a gap.
   */
  readonly customResource?: boolean;
}

/** Where each collected resource is listed, cluster-wide. */
export interface ResourceEndpoint extends ListEndpoint {
  readonly resource: ResourceKind;
}

export const ENDPOINTS: readonly ResourceEndpoint[] = [
  { resource: 'namespaces', path: '/api/v1/namespaces' },
  { resource: 'nodes', path: '/api/v1/nodes' },
  { resource: 'pods', path: '/api/v1/pods' },
  { resource: 'services', path: '/api/v1/services' },
  { resource: 'serviceaccounts', path: '/api/v1/serviceaccounts' },
  { resource: 'secrets', path: '/api/v1/secrets', metadataOnly: true },
  { resource: 'deployments', path: '/apis/apps/v1/deployments' },
  { resource: 'statefulsets', path: '/apis/apps/v1/statefulsets' },
  { resource: 'daemonsets', path: '/apis/apps/v1/daemonsets' },
  { resource: 'replicasets', path: '/apis/apps/v1/replicasets' },
  { resource: 'jobs', path: '/apis/batch/v1/jobs' },
  { resource: 'cronjobs', path: '/apis/batch/v1/cronjobs' },
  { resource: 'ingresses', path: '/apis/networking.k8s.io/v1/ingresses' },
  { resource: 'networkpolicies', path: '/apis/networking.k8s.io/v1/networkpolicies' },
  { resource: 'roles', path: '/apis/rbac.authorization.k8s.io/v1/roles' },
  { resource: 'clusterroles', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles' },
  { resource: 'rolebindings', path: '/apis/rbac.authorization.k8s.io/v1/rolebindings' },
  { resource: 'clusterrolebindings', path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings' },
  { resource: 'replicationcontrollers', path: '/api/v1/replicationcontrollers' },
  { resource: 'limitranges', path: '/api/v1/limitranges' },
  // Reduced to key names and value lengths as each page arrives (normalize.ts): values are never kept.
  { resource: 'configmaps', path: '/api/v1/configmaps' },
  { resource: 'ciliumnetworkpolicies', path: '/apis/cilium.io/v2/ciliumnetworkpolicies', customResource: true },
  { resource: 'ciliumclusterwidenetworkpolicies', path: '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies', customResource: true },
];

/** Ask for metadata only; the server then never sends `data`, so no value can leak. */
export const METADATA_ONLY_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
