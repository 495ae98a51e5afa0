/** Nodes' kubelets as reached through `nodes/{node}/proxy`: their `/configz`, or their failures. */
import type { ApiObject, KubeletBehaviour } from './types.js';
import { isRecord, type ObjectStore } from './object-store.js';
import { TEXT_TYPE, type Answer } from './respond.js';
import type { ProxyRoute } from './routing.js';
import { notFoundObject, status } from './status.js';

/** The kubeletconfig a node answers with when no behaviour was configured for it. */
export const DEFAULT_KUBELET_CONFIG: Readonly<Record<string, unknown>> = {
  enableServer: true,
  staticPodPath: '/etc/kubernetes/manifests',
  syncFrequency: '1m0s',
  address: '0.0.0.0',
  port: 10250,
  rotateCertificates: true,
  authentication: {
    x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' },
    webhook: { enabled: true, cacheTTL: '2m0s' },
    anonymous: { enabled: false },
  },
  authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
  eventRecordQPS: 50,
  enableDebuggingHandlers: true,
  healthzPort: 10248,
  healthzBindAddress: '127.0.0.1',
  clusterDomain: 'cluster.local',
  clusterDNS: ['10.96.0.10'],
  streamingConnectionIdleTimeout: '4h0m0s',
  cgroupDriver: 'systemd',
  makeIPTablesUtilChains: true,
  failSwapOn: true,
  containerRuntimeEndpoint: 'unix:///var/run/containerd/containerd.sock',
  kind: 'KubeletConfiguration',
  apiVersion: 'kubelet.config.k8s.io/v1beta1',
};

function nodeAddress(node: ApiObject): string {
  const st = isRecord(node.status) ? node.status : {};
  const addrs = Array.isArray(st.addresses) ? (st.addresses as unknown[]) : [];
  for (const a of addrs) if (isRecord(a) && a.type === 'InternalIP' && typeof a.address === 'string') return a.address;
  return '10.0.0.1';
}

export function nodeProxy(r: ProxyRoute, store: ObjectStore, kubelets: ReadonlyMap<string, KubeletBehaviour>): Answer {
  const node = store.get(r.type, undefined, r.node);
  if (!node) return { code: 404, body: notFoundObject(r.type, r.node) };
  const behaviour = kubelets.get(r.node) ?? DEFAULT_KUBELET_CONFIG;
  if (behaviour === 'unreachable') {
    const msg = `error trying to reach service: dial tcp ${nodeAddress(node.obj)}:10250: connect: connection refused`;
    return { code: 503, body: status(503, 'ServiceUnavailable', msg) };
  }
  // What follows is the kubelet's own answer, passed through by the proxy.
  if (r.subpath !== '/configz') return { code: 404, contentType: TEXT_TYPE, raw: '404 page not found\n' };
  if (behaviour === 'disabled') return { code: 405, contentType: TEXT_TYPE, raw: 'Debug endpoints are disabled.\n' };
  return { code: 200, body: { kubeletconfig: behaviour } };
}
