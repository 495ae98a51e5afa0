/** System add-ons: node agents (DaemonSets), static control-plane pods, cluster services. */
import type { KubeObject } from '../../src/core/types.js';
import { addNamespace, appCtx, baseContainer, probe, type ClusterBuilder, type Labels, type NsCtx, type Obj } from './builder.js';
import { controlPlaneArgv } from './cluster.js';
import { addNamespaceRbac } from './namespaces.js';
import { podFrom, resources } from './pods.js';
import { addDeployment, addService, addStatefulSet } from './workloads.js';

export interface SystemWorkload {
  ns: string;
  name: string;
  image: string;
  privileged?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostPaths?: string[];
  caps?: string[];
  runAsUser?: number;
  initPrivileged?: boolean;
}

export function systemTemplate(b: ClusterBuilder, w: SystemWorkload, selector: Labels): { metadata: Obj; spec: Obj } {
  const c = baseContainer(w.name, w.image);
  c.args = [`--v=${b.rng.int(0, 2)}`, '--metrics-bind-address=0.0.0.0:9100'];
  c.env = [
    { name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    { name: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' },
  ];
  c.resources = resources(b);
  const sc: Obj = {};
  if (w.privileged) sc.privileged = true;
  if (w.caps) sc.capabilities = { add: w.caps, drop: ['ALL'] };
  if (w.runAsUser !== undefined) {
    sc.runAsUser = w.runAsUser;
    if (w.runAsUser !== 0) sc.runAsNonRoot = true;
  }
  if (!w.privileged) sc.readOnlyRootFilesystem = true;
  c.securityContext = sc;
  const volumes: Obj[] = (w.hostPaths ?? []).map((p, i) => ({ name: `host-${i}`, hostPath: { path: p, type: '' } }));
  c.volumeMounts = volumes.map((v, i) => ({ name: v.name, mountPath: (w.hostPaths ?? [])[i] ?? '/host', readOnly: !w.privileged }));
  const spec: Obj = {
    containers: [c],
    restartPolicy: 'Always',
    dnsPolicy: w.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 30,
    priorityClassName: 'system-node-critical',
    serviceAccountName: w.name,
    securityContext: {},
    tolerations: [{ operator: 'Exists' }],
    volumes,
  };
  if (w.hostNetwork) spec.hostNetwork = true;
  if (w.hostPID) spec.hostPID = true;
  if (w.initPrivileged) {
    const init = baseContainer('install-cni', w.image);
    init.command = ['/opt/cni/bin/install'];
    init.securityContext = { privileged: true };
    init.volumeMounts = [{ name: 'host-0', mountPath: '/host/opt/cni/bin' }];
    spec.initContainers = [init];
  }
  return { metadata: { labels: selector, annotations: { 'kubectl.kubernetes.io/default-container': w.name } }, spec };
}

export function addSystem(b: ClusterBuilder): void {
  const r = b.rng;
  const kubeSystem = addNamespace(b, 'kube-system', 'platform', 'system', { system: true });
  for (const name of ['kube-public', 'kube-node-lease', 'default']) addNamespace(b, name, 'platform', 'system', { system: true });
  const monitoring = addNamespace(b, 'monitoring', 'platform', 'system', { system: true });
  const logging = addNamespace(b, 'logging', 'platform', 'system', { system: true });
  const ingress = addNamespace(b, 'ingress-nginx', 'platform', 'system', { system: true });
  const certManager = addNamespace(b, 'cert-manager', 'platform', 'system', { system: true });

  const cni = r.pick<SystemWorkload>([
    { ns: 'kube-system', name: 'calico-node', image: 'docker.io/calico/node:v3.28.2', privileged: true, hostNetwork: true, hostPaths: ['/opt/cni/bin', '/etc/cni/net.d', '/lib/modules', '/run/xtables.lock', '/var/run/calico', '/var/lib/calico'], initPrivileged: true },
    { ns: 'kube-system', name: 'cilium', image: 'quay.io/cilium/cilium:v1.16.3', hostNetwork: true, caps: ['CHOWN', 'KILL', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'SYS_MODULE', 'SYS_ADMIN', 'SYS_RESOURCE', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'], hostPaths: ['/opt/cni/bin', '/etc/cni/net.d', '/lib/modules', '/run/xtables.lock', '/sys/fs/bpf', '/proc'], initPrivileged: true },
    { ns: 'kube-system', name: 'aws-node', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.18.5', hostNetwork: true, caps: ['NET_ADMIN', 'NET_RAW'], hostPaths: ['/opt/cni/bin', '/etc/cni/net.d', '/var/log/aws-routed-eni', '/var/run/aws-node', '/run/xtables.lock'], initPrivileged: true },
  ]);
  const daemons: SystemWorkload[] = [
    { ns: 'kube-system', name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:v1.31.4`, privileged: true, hostNetwork: true, hostPaths: ['/run/xtables.lock', '/lib/modules'] },
    cni,
    { ns: 'kube-system', name: 'ebs-csi-node', image: 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.35.0', privileged: true, hostPaths: ['/var/lib/kubelet', '/var/lib/kubelet/plugins/ebs.csi.aws.com/', '/dev'] },
    { ns: monitoring.name, name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2', hostNetwork: true, hostPID: true, hostPaths: ['/proc', '/sys', '/'], runAsUser: 65534 },
    { ns: logging.name, name: 'fluent-bit', image: 'cr.fluentbit.io/fluent/fluent-bit:3.1.9', hostPaths: ['/var/log', '/var/lib/docker/containers', '/etc/machine-id'], runAsUser: 0 },
  ];
  if (r.chance(0.3)) daemons.push({ ns: 'kube-system', name: 'falco', image: 'docker.io/falcosecurity/falco:0.39.1', privileged: true, hostPID: true, hostPaths: ['/dev', '/proc', '/boot', '/lib/modules', '/usr', '/etc', '/var/run/containerd/containerd.sock'] });

  for (const w of daemons) {
    const nsCtx = b.namespaces.find((n) => n.name === w.ns) ?? kubeSystem;
    const selector = { 'app.kubernetes.io/name': w.name, 'k8s-app': w.name };
    const template = systemTemplate(b, w, selector);
    const ds = b.add('daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: b.meta(w.name, w.ns, { labels: { ...selector, 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'deprecated.daemonset.template.generation': String(r.int(1, 9)) } }),
      spec: {
        selector: { matchLabels: selector },
        template,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
      },
    });
    b.add('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: b.meta(w.name, w.ns) });
    nsCtx.serviceAccounts.push(w.name);
    const revision = r.suffix(10);
    for (const node of b.nodes) {
      b.add('pods', podFrom(b, template, { name: `${w.name}-${r.suffix(5)}`, ns: w.ns, owner: ds, node, extraLabels: { 'controller-revision-hash': revision, 'pod-template-generation': '1' }, maxDays: 60 }));
    }
  }

  // Static control-plane pods, seen through their mirror pods (owned by the Node, which is not a workload).
  for (const node of b.controlPlaneNodes) {
    for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd']) {
      const c = baseContainer(component, component === 'etcd' ? 'registry.k8s.io/etcd:3.5.15-0' : `registry.k8s.io/${component}:v1.31.4`);
      c.command = controlPlaneArgv(component, node);
      c.resources = { requests: { cpu: '250m' } };
      c.livenessProbe = { ...probe('/livez', 6443, 10), failureThreshold: 8, timeoutSeconds: 15 };
      c.volumeMounts = [{ name: 'k8s-certs', mountPath: '/etc/kubernetes/pki', readOnly: true }, { name: 'ca-certs', mountPath: '/etc/ssl/certs', readOnly: true }];
      const node0: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: node, uid: r.uid() } };
      const hash = r.hex(32);
      b.add('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: b.meta(`${component}-${node}`, 'kube-system', {
          labels: { component, tier: 'control-plane' },
          annotations: { 'kubernetes.io/config.hash': hash, 'kubernetes.io/config.mirror': hash, 'kubernetes.io/config.seen': b.timestamp(60), 'kubernetes.io/config.source': 'file' },
          owner: node0,
          maxDays: 60,
        }),
        spec: {
          containers: [c],
          hostNetwork: true,
          nodeName: node,
          priority: 2000001000,
          priorityClassName: 'system-node-critical',
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          tolerations: [{ effect: 'NoExecute', operator: 'Exists' }],
          volumes: [
            { name: 'k8s-certs', hostPath: { path: '/etc/kubernetes/pki', type: 'DirectoryOrCreate' } },
            { name: 'ca-certs', hostPath: { path: '/etc/ssl/certs', type: 'DirectoryOrCreate' } },
          ],
        },
      });
    }
  }

  // Cluster services as Deployments.
  const addons: Array<{ ns: NsCtx; name: string; replicas: number }> = [
    { ns: kubeSystem, name: 'coredns', replicas: 2 },
    { ns: kubeSystem, name: 'metrics-server', replicas: 1 },
    { ns: kubeSystem, name: 'cluster-autoscaler', replicas: 1 },
    { ns: ingress, name: 'ingress-nginx-controller', replicas: 3 },
    { ns: certManager, name: 'cert-manager', replicas: 1 },
    { ns: certManager, name: 'cert-manager-cainjector', replicas: 1 },
    { ns: certManager, name: 'cert-manager-webhook', replicas: 1 },
    { ns: monitoring, name: 'kube-state-metrics', replicas: 1 },
    { ns: monitoring, name: 'prometheus-operator', replicas: 1 },
    { ns: monitoring, name: 'grafana', replicas: 1 },
  ];
  for (const a of addons) {
    const app = appCtx(b, a.ns, a.name);
    addDeployment(b, a.ns, app, a.replicas, r.int(1, 4));
    addService(b, a.ns, app);
    b.add('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: b.meta(app.name, a.ns.name, { labels: app.labels }) });
    a.ns.serviceAccounts.push(app.name);
  }
  const prom = monitoring;
  addStatefulSet(b, prom);
  for (const ns of [kubeSystem, monitoring, ingress, certManager]) addNamespaceRbac(b, ns);
}
