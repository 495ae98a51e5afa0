/** What the Istio sidecar injector adds to a pod at admission. */
import { baseContainer, probe, type ClusterBuilder, type Labels, type Obj } from './builder.js';

export const ISTIO_PROXY_ENV = [
  'PILOT_CERT_PROVIDER', 'CA_ADDR', 'POD_NAME', 'POD_NAMESPACE', 'INSTANCE_IP', 'SERVICE_ACCOUNT', 'HOST_IP',
  'ISTIO_CPU_LIMIT', 'PROXY_CONFIG', 'ISTIO_META_POD_PORTS', 'ISTIO_META_APP_CONTAINERS', 'GOMEMLIMIT', 'GOMAXPROCS',
  'ISTIO_META_CLUSTER_ID', 'ISTIO_META_NODE_NAME', 'ISTIO_META_INTERCEPTION_MODE', 'ISTIO_META_WORKLOAD_NAME',
  'ISTIO_META_OWNER', 'ISTIO_META_MESH_ID', 'TRUST_DOMAIN',
];

/** What the Istio injector adds to a pod at admission (pods only, never the templates). */
export function injectIstio(b: ClusterBuilder, spec: Obj, annotations: Labels, workload: string): void {
  const init = baseContainer('istio-init', 'docker.io/istio/proxyv2:1.23.2');
  init.args = ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info'];
  init.resources = { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } };
  init.securityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: false,
    runAsGroup: 0,
    runAsNonRoot: false,
    runAsUser: 0,
  };
  const proxy = baseContainer('istio-proxy', 'docker.io/istio/proxyv2:1.23.2');
  proxy.args = ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'];
  proxy.env = ISTIO_PROXY_ENV.map((name) => ({ name, value: b.rng.chance(0.5) ? `${name.toLowerCase()}-${b.rng.hex(6)}` : '' }));
  proxy.ports = [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }];
  proxy.readinessProbe = { ...probe('/healthz/ready', 15021, 0), periodSeconds: 15, failureThreshold: 4 };
  proxy.resources = { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } };
  proxy.securityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsGroup: 1337,
    runAsNonRoot: true,
    runAsUser: 1337,
  };
  proxy.volumeMounts = [
    { mountPath: '/var/run/secrets/workload-spiffe-uds', name: 'workload-socket' },
    { mountPath: '/var/run/secrets/credential-uds', name: 'credential-socket' },
    { mountPath: '/var/lib/istio/data', name: 'istio-data' },
    { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
    { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
    { mountPath: '/etc/istio/pod', name: 'istio-podinfo' },
  ];
  spec.initContainers = [init, ...((spec.initContainers as Obj[] | undefined) ?? [])];
  (spec.containers as Obj[]).push(proxy);
  (spec.volumes as Obj[]).push(
    { name: 'workload-socket', emptyDir: {} },
    { name: 'credential-socket', emptyDir: {} },
    { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
    { name: 'istio-data', emptyDir: {} },
    {
      name: 'istio-podinfo',
      downwardAPI: {
        defaultMode: 420,
        items: [
          { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' }, path: 'labels' },
          { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.annotations' }, path: 'annotations' },
        ],
      },
    },
    { name: 'istio-token', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } }] } },
  );
  annotations['sidecar.istio.io/status'] = JSON.stringify({
    initContainers: ['istio-init'],
    containers: ['istio-proxy'],
    volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'],
    imagePullSecrets: null,
    revision: 'default',
  });
  annotations['kubectl.kubernetes.io/default-container'] = workload;
  annotations['kubectl.kubernetes.io/default-logs-container'] = workload;
  annotations['istio.io/rev'] = 'default';
}

/** A Pod made from a template, with what the API server and kubelet add to it. */
