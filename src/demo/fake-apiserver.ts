/**
 * A fake Kubernetes API server: a real HTTPS server on 127.0.0.1 that serves a fixed set
 * of API-shaped objects the way kube-apiserver does (read-only).
 *
 * What it is faithful to (Kubernetes API conventions, apimachinery behaviour):
 * - typed lists (`PodList`, `DeploymentList`...) whose items carry no kind/apiVersion,
 *   single GETs whose object does; items in etcd key order (namespace/name);
 * - `limit`/`continue` chunking with opaque base64url continue tokens bound to the list's
 *   resourceVersion, `metadata.remainingItemCount` (omitted with selectors), 410 Expired;
 * - metadata-only lists through `Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`;
 * - `labelSelector` and `fieldSelector` (equality-based; unsupported field labels -> 400);
 * - bearer-token and x509 client-certificate authentication (CN = user, O = groups),
 *   401/403/404/405/406/410/500 as `Status` objects with the real messages;
 * - `nodes/{node}/proxy/configz` answered as the kubelet does (or 405 when its debugging
 *   handlers are disabled).
 *
 * Faults (per resource, changeable at runtime, optionally spent after a number of requests) make
 * it slow, forbidden, throttled (429), failing (5xx), hostile (HTML, wrong content type or kind,
 * oversized or never-ending lists) or broken (cut JSON, reset connections) on demand.
 * There is no watch. The one write is server-side apply (PATCH, `application/apply-patch+yaml`)
 * of ValidatingAdmissionPolicies and their bindings, for `policy apply`: fieldManager required,
 * force, dryRun=All, managedFields per manager (top-level spec fields), 409 Conflict with its
 * causes, 403 from a forbidden fault narrowed to `verbs: ['patch']` (see apiserver/apply.ts).
 * Any other method answers 405.
 *
 * The implementation lives in `./apiserver/`; this module is its public API.
 */
export type {
  ApiObject,
  FakeApiServer,
  FakeApiServerOptions,
  Fault,
  KubeconfigEntry,
  KubeconfigOptions,
  KubeletBehaviour,
  RequestLogEntry,
  ServerVersionInfo,
  TokenIdentity,
} from './apiserver/types.js';
export { RESOURCE_TYPES, type ResourceType } from './apiserver/resources.js';
export { DEFAULT_VERSION } from './apiserver/discovery.js';
export { DEFAULT_KUBELET_CONFIG } from './apiserver/kubelet.js';
export { CONTINUE_EXPIRED_MESSAGE } from './apiserver/status.js';
export { renderKubeconfig } from './apiserver/kubeconfig.js';
export { startFakeApiServer } from './apiserver/server.js';
