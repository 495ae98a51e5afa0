/** Cluster-level objects and evidence: nodes, cluster RBAC, control-plane flags, kubelet configs. */
import type { KubeObject } from '../../src/core/types.js';
import { K8S_VERSIONS, TEAMS, clone, type ClusterBuilder, type Labels, type Obj } from './builder.js';

export function addNodes(b: ClusterBuilder, count: number, region: string): void {
  const r = b.rng;
  const managed = b.provider !== 'kubeadm' && b.provider !== 'rke2' && b.provider !== 'k3s';
  const cp = managed ? 0 : 3;
  const instanceTypes = ['m6i.xlarge', 'm6i.2xlarge', 'c6i.2xlarge', 'r6i.xlarge', 'm7g.large'];
  const v = K8S_VERSIONS[0];
  for (let i = 0; i < count; i++) {
    const isCp = i < cp;
    const name = managed
      ? `ip-10-${r.int(0, 255)}-${r.int(0, 255)}-${r.int(1, 254)}.${region}.compute.internal`
      : isCp
        ? `${b.cluster}-cp-${i + 1}`
        : `${b.cluster}-worker-${r.suffix(5)}`;
    const zone = `${region}${r.pick(['a', 'b', 'c'])}`;
    const labels: Labels = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': r.pick(instanceTypes),
      'topology.kubernetes.io/region': region,
      'topology.kubernetes.io/zone': zone,
    };
    if (isCp) {
      labels['node-role.kubernetes.io/control-plane'] = '';
      labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
    } else {
      labels['node-role.kubernetes.io/worker'] = '';
      labels['node-pool'] = r.pick(['general', 'general', 'compute', 'memory']);
    }
    const spec: Obj = { podCIDR: `10.244.${i % 256}.0/24`, podCIDRs: [`10.244.${i % 256}.0/24`] };
    if (b.provider === 'eks') spec.providerID = `aws:///${zone}/i-0${r.hex(16)}`;
    else if (b.provider === 'gke') spec.providerID = `gce://fleet-project/${zone}/${name}`;
    else if (b.provider === 'aks') spec.providerID = `azure:///subscriptions/${r.uid()}/resourceGroups/mc_fleet/providers/Microsoft.Compute/virtualMachineScaleSets/aks-pool/virtualMachines/${i}`;
    if (isCp) spec.taints = [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }];
    b.nodes.push(name);
    if (isCp) b.controlPlaneNodes.push(name);
    b.add('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: b.meta(name, undefined, {
        labels,
        annotations: {
          'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
          'csi.volume.kubernetes.io/nodeid': JSON.stringify({ 'ebs.csi.aws.com': `i-0${r.hex(16)}` }),
        },
        maxDays: 60,
      }),
      spec,
      status: {
        nodeInfo: {
          architecture: 'amd64',
          containerRuntimeVersion: 'containerd://1.7.22',
          kernelVersion: '6.1.112-124.190.amzn2023.x86_64',
          kubeProxyVersion: `v1.${v.minor}.${v.patch}`,
          kubeletVersion: `v1.${v.minor}.${v.patch}`,
          operatingSystem: 'linux',
          osImage: 'Ubuntu 24.04.1 LTS',
        },
        addresses: [
          { type: 'InternalIP', address: `10.0.${r.int(0, 255)}.${r.int(1, 254)}` },
          { type: 'Hostname', address: name },
        ],
        conditions: [
          { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: b.timestamp(0.01), lastTransitionTime: b.timestamp(60, 1) },
          { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: b.timestamp(0.01), lastTransitionTime: b.timestamp(60, 1) },
          { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: b.timestamp(0.01), lastTransitionTime: b.timestamp(60, 1) },
          { type: 'Ready', status: r.chance(0.99) ? 'True' : 'False', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: b.timestamp(0.01), lastTransitionTime: b.timestamp(60, 1) },
        ],
      },
    });
  }
}

export interface RuleSpec {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export const READ = ['get', 'list', 'watch'];
export const WRITE = ['create', 'update', 'patch', 'delete'];

export function randomRules(b: ClusterBuilder, clusterScoped: boolean): RuleSpec[] {
  const r = b.rng;
  const rules: RuleSpec[] = [];
  const n = r.int(1, 6);
  for (let i = 0; i < n; i++) {
    rules.push(
      r.weighted<RuleSpec>([
        [{ apiGroups: [''], resources: ['pods', 'services', 'endpoints'], verbs: READ }, 10],
        [{ apiGroups: [''], resources: ['configmaps'], verbs: [...READ, ...WRITE] }, 6],
        [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }, 6],
        [{ apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: READ }, 5],
        [{ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] }, 5],
        [{ apiGroups: [''], resources: ['secrets'], verbs: READ }, 3],
        [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['app-credentials'] }, 2],
        [{ apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], verbs: ['create'] }, 1],
        [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] }, 1],
        [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, clusterScoped ? 0.6 : 0.3],
        [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['bind', 'escalate', ...READ] }, 0.4],
        [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] }, 0.2],
        [{ apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: [...READ, ...WRITE] }, 3],
        [{ apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ }, 2],
        [{ apiGroups: ['monitoring.coreos.com'], resources: ['servicemonitors', 'podmonitors', 'prometheusrules'], verbs: [...READ, ...WRITE] }, 2],
      ]),
    );
  }
  if (clusterScoped && r.chance(0.05)) rules.push({ nonResourceURLs: ['/metrics', '/healthz'], verbs: ['get'] });
  return rules.map((rule) => clone(rule));
}

export const BUILTIN_CLUSTERROLES = [
  'admin', 'edit', 'view', 'cluster-admin', 'system:aggregate-to-admin', 'system:aggregate-to-edit',
  'system:aggregate-to-view', 'system:auth-delegator', 'system:basic-user', 'system:discovery',
  'system:heapster', 'system:kube-aggregator', 'system:kube-controller-manager', 'system:kube-dns',
  'system:kube-scheduler', 'system:kubelet-api-admin', 'system:monitoring', 'system:node',
  'system:node-bootstrapper', 'system:node-problem-detector', 'system:node-proxier',
  'system:persistent-volume-provisioner', 'system:public-info-viewer', 'system:service-account-issuer-discovery',
  'system:volume-scheduler', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
  'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', 'system:certificates.k8s.io:kube-apiserver-client-approver',
  'system:certificates.k8s.io:kubelet-serving-approver', 'system:certificates.k8s.io:legacy-unknown-approver',
];
export const CONTROLLERS = [
  'attachdetach-controller', 'certificate-controller', 'clusterrole-aggregation-controller', 'cronjob-controller',
  'daemon-set-controller', 'deployment-controller', 'disruption-controller', 'endpoint-controller',
  'endpointslice-controller', 'endpointslicemirroring-controller', 'ephemeral-volume-controller',
  'expand-controller', 'generic-garbage-collector', 'horizontal-pod-autoscaler', 'job-controller',
  'namespace-controller', 'node-controller', 'persistent-volume-binder', 'pod-garbage-collector',
  'pv-protection-controller', 'pvc-protection-controller', 'replicaset-controller',
  'replication-controller', 'resourcequota-controller', 'root-ca-cert-publisher', 'route-controller',
  'service-account-controller', 'service-controller', 'statefulset-controller', 'ttl-after-finished-controller',
  'ttl-controller', 'validatingadmissionpolicy-status-controller', 'legacy-service-account-token-cleaner',
];
export const OPERATORS = [
  'cert-manager', 'ingress-nginx', 'prometheus-operator', 'kube-state-metrics', 'external-dns', 'argocd',
  'cluster-autoscaler', 'aws-load-balancer-controller', 'external-secrets', 'velero', 'keda', 'kyverno',
  'istiod', 'grafana', 'loki', 'tempo', 'metrics-server', 'ebs-csi', 'node-exporter', 'fluent-bit',
];

export function addClusterRbac(b: ClusterBuilder, roles: number, bindings: number): void {
  const r = b.rng;
  const bootstrap = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
  const autoupdate = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
  const names: string[] = [
    ...BUILTIN_CLUSTERROLES,
    ...CONTROLLERS.map((c) => `system:controller:${c}`),
  ];
  for (let i = 0; names.length < roles; i++) {
    const op = OPERATORS[i % OPERATORS.length] as string;
    names.push(i < OPERATORS.length ? op : `${op}-${r.pick(['edit', 'view', 'controller', 'webhook', 'cainjector', 'leader'])}`);
  }
  const roleNames: string[] = [];
  for (const base of names.slice(0, roles)) {
    const name = b.unique('clusterroles', base);
    roleNames.push(name);
    const builtin = name.startsWith('system:') || ['admin', 'edit', 'view', 'cluster-admin'].includes(name);
    const obj: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: b.meta(name, undefined, {
        labels: builtin ? bootstrap : { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: builtin ? autoupdate : { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': name },
      }),
    };
    const aggregation = aggregationOf(name);
    if (aggregation) obj.aggregationRule = aggregation;
    obj.rules = clusterRoleRules(b, name);
    b.add('clusterroles', obj);
  }

  for (let i = 0; i < bindings; i++) {
    const { roleName, subjects } = clusterBindingFor(b, i, roleNames);
    const name = b.unique('clusterrolebindings', roleName);
    b.add('clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: b.meta(name, undefined, {
        labels: name.startsWith('system:') || name === 'cluster-admin' ? bootstrap : { 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: name.startsWith('system:') || name === 'cluster-admin' ? autoupdate : {},
      }),
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
      subjects,
    });
  }
}

export function controlPlaneArgv(component: string, node: string): string[] {
  switch (component) {
    case 'kube-apiserver':
      return [
        'kube-apiserver', `--advertise-address=10.0.0.${node.length % 250}`, '--allow-privileged=true', '--authorization-mode=Node,RBAC',
        '--client-ca-file=/etc/kubernetes/pki/ca.crt', '--enable-admission-plugins=NodeRestriction', '--enable-bootstrap-token-auth=true',
        '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt', '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
        '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key', '--etcd-servers=https://127.0.0.1:2379',
        '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt', '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
        '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname', '--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt',
        '--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key', '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt', '--secure-port=6443',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local', '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
        '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key', '--service-cluster-ip-range=10.96.0.0/12',
        '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt', '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
      ];
    case 'kube-controller-manager':
      return [
        'kube-controller-manager', '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf', '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--bind-address=127.0.0.1', '--client-ca-file=/etc/kubernetes/pki/ca.crt', '--cluster-name=kubernetes', '--controllers=*,bootstrapsigner,tokencleaner',
        '--kubeconfig=/etc/kubernetes/controller-manager.conf', '--leader-elect=true', '--root-ca-file=/etc/kubernetes/pki/ca.crt',
        '--service-account-private-key-file=/etc/kubernetes/pki/sa.key', '--use-service-account-credentials=true',
      ];
    case 'kube-scheduler':
      return ['kube-scheduler', '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf', '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf', '--bind-address=127.0.0.1', '--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true'];
    default:
      return [
        'etcd', '--advertise-client-urls=https://10.0.0.10:2379', '--cert-file=/etc/kubernetes/pki/etcd/server.crt', '--client-cert-auth=true',
        '--data-dir=/var/lib/etcd', '--key-file=/etc/kubernetes/pki/etcd/server.key', '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
        '--peer-client-cert-auth=true', '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key', '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
        '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
      ];
  }
}

export function kubeletConfig(b: ClusterBuilder): Record<string, unknown> {
  const r = b.rng;
  return {
    kind: 'KubeletConfiguration',
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    authentication: {
      anonymous: { enabled: r.chance(0.03) },
      webhook: { enabled: true, cacheTTL: '2m0s' },
      x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' },
    },
    authorization: { mode: r.chance(0.03) ? 'AlwaysAllow' : 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
    readOnlyPort: r.chance(0.05) ? 10255 : 0,
    protectKernelDefaults: r.chance(0.4),
    makeIPTablesUtilChains: true,
    eventRecordQPS: r.pick([0, 5, 50]),
    rotateCertificates: true,
    serverTLSBootstrap: r.chance(0.5),
    streamingConnectionIdleTimeout: r.pick(['4h0m0s', '5m0s']),
    tlsCipherSuites: r.chance(0.5) ? ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'] : undefined,
    cgroupDriver: 'systemd',
    clusterDNS: ['10.96.0.10'],
    clusterDomain: 'cluster.local',
    maxPods: 110,
    podPidsLimit: r.pick([-1, 4096]),
    featureGates: {},
  };
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const AGGREGATED = ['admin', 'edit', 'view'];

function aggregationOf(name: string): Record<string, unknown> | undefined {
  return AGGREGATED.includes(name)
    ? { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${name}`]: 'true' } }] }
    : undefined;
}

function clusterRoleRules(b: ClusterBuilder, name: string): RuleSpec[] {
  if (name === 'cluster-admin') {
    return [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ];
  }
  if (!AGGREGATED.includes(name)) return randomRules(b, true);
  const rules: RuleSpec[] = [];
  const groups = ['', 'apps', 'batch', 'autoscaling', 'networking.k8s.io', 'policy', 'extensions', 'discovery.k8s.io'];
  const resources = ['pods', 'pods/log', 'pods/status', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'serviceaccounts', 'events', 'limitranges', 'resourcequotas', 'namespaces'];
  for (const g of groups) {
    rules.push({ apiGroups: [g], resources, verbs: name === 'view' ? READ : [...READ, ...WRITE, 'deletecollection'] });
  }
  if (name !== 'view') rules.push({ apiGroups: [''], resources: ['secrets', 'pods/exec', 'pods/attach', 'pods/portforward'], verbs: [...READ, ...WRITE] });
  return rules;
}

/** The i-th ClusterRoleBinding: system:masters first, then the controllers', then operators and people. */
function clusterBindingFor(b: ClusterBuilder, i: number, roleNames: readonly string[]): { roleName: string; subjects: Obj[] } {
  const r = b.rng;
  if (i === 0) return { roleName: 'cluster-admin', subjects: [{ apiGroup: RBAC_GROUP, kind: 'Group', name: 'system:masters' }] };
  if (i <= CONTROLLERS.length) {
    const c = CONTROLLERS[i - 1] as string;
    return { roleName: `system:controller:${c}`, subjects: [{ kind: 'ServiceAccount', name: c, namespace: 'kube-system' }] };
  }
  const roleName = r.weighted([
    [r.pick(roleNames), 85],
    ['cluster-admin', 6],
    ['view', 5],
    ['edit', 4],
  ]);
  const subjects = r.weighted<Obj[]>([
    [[{ kind: 'ServiceAccount', name: r.pick(OPERATORS), namespace: r.pick(['kube-system', 'monitoring', 'cert-manager', 'argocd', 'ingress-nginx']) }], 70],
    [[{ apiGroup: RBAC_GROUP, kind: 'Group', name: `oidc:${r.pick(TEAMS)}-admins` }], 15],
    [[{ apiGroup: RBAC_GROUP, kind: 'User', name: `${r.pick(TEAMS)}.${r.pick(['lead', 'oncall', 'admin'])}@example.com` }], 10],
    [[{ apiGroup: RBAC_GROUP, kind: 'Group', name: 'system:authenticated' }], 1],
    [[{ apiGroup: RBAC_GROUP, kind: 'Group', name: 'system:serviceaccounts' }], 0.5],
  ]);
  return { roleName, subjects };
}
