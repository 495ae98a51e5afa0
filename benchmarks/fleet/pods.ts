/** Containers, security contexts, pod templates, and Pods made from them. */
import type { KubeObject } from '../../src/core/types.js';
import { baseContainer, clone, probe, type AppCtx, type ClusterBuilder, type Labels, type Obj, type Posture } from './builder.js';
import { injectIstio } from './istio.js';

export function resources(b: ClusterBuilder, heavy = false): Obj {
  const cpu = b.rng.pick(heavy ? ['500m', '1', '2'] : ['10m', '50m', '100m', '200m', '250m', '500m']);
  const mem = b.rng.pick(heavy ? ['1Gi', '2Gi', '4Gi'] : ['64Mi', '128Mi', '256Mi', '512Mi', '1Gi']);
  const r: Obj = { requests: { cpu, memory: mem } };
  if (b.rng.chance(0.8)) r.limits = b.rng.chance(0.5) ? { memory: mem } : { cpu: b.rng.pick(['500m', '1', '2']), memory: mem };
  return r;
}

export function appEnv(b: ClusterBuilder, app: AppCtx): Obj[] {
  const env: Obj[] = [
    { name: 'APP_ENV', value: app.env },
    { name: 'LOG_LEVEL', value: b.rng.pick(['info', 'debug', 'warn']) },
    { name: 'PORT', value: String(app.port) },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
  ];
  if (b.rng.chance(0.6)) {
    env.push({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: `${app.name}-secrets`, key: 'database-url' } },
    });
  }
  if (b.rng.chance(0.5)) env.push({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.monitoring.svc:4317' });
  if (b.rng.chance(0.4)) env.push({ name: 'OTEL_SERVICE_NAME', value: app.name });
  if (b.rng.chance(0.3)) env.push({ name: 'JAVA_TOOL_OPTIONS', value: '-XX:MaxRAMPercentage=75.0 -XX:+UseG1GC -Dfile.encoding=UTF-8' });
  if (b.rng.chance(0.3)) env.push({ name: 'REDIS_ADDR', value: `redis-master.${app.ns}.svc.cluster.local:6379` });
  const extra = b.rng.int(0, 8);
  for (let i = 0; i < extra; i++) {
    env.push({ name: `FEATURE_${b.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 6)}`, value: b.rng.pick(['true', 'false', '0', '1', 'on']) });
  }
  return env;
}

export function podSecurityContext(b: ClusterBuilder, posture: Posture): Obj {
  const r = b.rng;
  switch (posture) {
    case 'restricted': {
      const uid = r.pick([1000, 10001, 65532, 101, 1001]);
      return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
    }
    case 'partial':
      return r.pick<Obj>([
        { runAsNonRoot: true },
        { seccompProfile: { type: 'RuntimeDefault' } },
        { runAsUser: 1000, fsGroup: 1000 },
        { fsGroup: 2000 },
        { runAsNonRoot: true, runAsUser: 1001, fsGroup: 1001 },
      ]);
    case 'root':
      return r.chance(0.5) ? { runAsUser: 0 } : {};
    case 'default':
    case 'privileged':
      return {};
  }
}

export function containerSecurityContext(b: ClusterBuilder, posture: Posture): Obj | undefined {
  const r = b.rng;
  switch (posture) {
    case 'restricted': {
      const sc: Obj = {
        allowPrivilegeEscalation: false,
        capabilities: r.chance(0.08) ? { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } : { drop: ['ALL'] },
      };
      if (r.chance(0.7)) sc.readOnlyRootFilesystem = true;
      if (r.chance(0.3)) sc.runAsNonRoot = true;
      if (r.chance(0.15)) sc.seccompProfile = { type: 'RuntimeDefault' };
      return sc;
    }
    case 'partial':
      return r.pick<Obj | undefined>([
        { allowPrivilegeEscalation: false },
        { readOnlyRootFilesystem: true },
        { capabilities: { drop: ['ALL'] } },
        { runAsNonRoot: true, runAsUser: 1001 },
        { allowPrivilegeEscalation: false, capabilities: { drop: ['NET_RAW'] } },
        undefined,
      ]);
    case 'root':
      return r.pick<Obj>([
        { runAsUser: 0, capabilities: { add: ['NET_ADMIN'] } },
        { runAsUser: 0, allowPrivilegeEscalation: true, capabilities: { add: ['SYS_PTRACE'] } },
        { capabilities: { add: ['CHOWN', 'SETUID', 'SETGID', 'DAC_OVERRIDE'] } },
        { runAsUser: 0, runAsNonRoot: false },
        { capabilities: { add: ['NET_RAW'] } },
      ]);
    case 'privileged':
      return r.chance(0.8) ? { privileged: true } : { privileged: true, runAsUser: 0, allowPrivilegeEscalation: true };
    case 'default':
      return r.chance(0.15) ? {} : undefined;
  }
}

export function appContainer(b: ClusterBuilder, app: AppCtx, posture: Posture): Obj {
  const c = baseContainer(app.name, app.image);
  if (b.rng.chance(0.4)) c.args = ['--config=/etc/app/config.yaml', `--port=${app.port}`, `--metrics-port=9090`];
  c.ports = [
    { name: 'http', containerPort: app.port, protocol: 'TCP' },
    { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
  ];
  c.env = appEnv(b, app);
  if (b.rng.chance(0.5)) c.envFrom = [{ configMapRef: { name: `${app.name}-config` } }];
  c.resources = resources(b);
  c.livenessProbe = probe('/healthz', 'http', b.rng.pick([0, 5, 10, 30]));
  c.readinessProbe = probe('/ready', 'http', b.rng.pick([0, 5, 10]));
  if (b.rng.chance(0.2)) c.startupProbe = { ...probe('/healthz', 'http', 0), failureThreshold: 30 };
  c.volumeMounts = [{ name: 'config', mountPath: '/etc/app', readOnly: true }];
  if (b.rng.chance(0.5)) (c.volumeMounts as Obj[]).push({ name: 'tmp', mountPath: '/tmp' });
  const sc = containerSecurityContext(b, posture);
  if (sc) c.securityContext = sc;
  return c;
}

export function sidecarContainer(b: ClusterBuilder, posture: Posture): Obj {
  const kind = b.rng.pick(['log-shipper', 'oauth2-proxy', 'cloudsql-proxy', 'vault-agent'] as const);
  const images: Record<typeof kind, string> = {
    'log-shipper': 'cr.fluentbit.io/fluent/fluent-bit:3.1.9',
    'oauth2-proxy': 'quay.io/oauth2-proxy/oauth2-proxy:v7.7.1',
    'cloudsql-proxy': 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.13.0',
    'vault-agent': 'hashicorp/vault:1.17.6',
  };
  const c = baseContainer(kind, images[kind]);
  c.args = kind === 'oauth2-proxy' ? ['--http-address=0.0.0.0:4180', '--upstream=http://127.0.0.1:8080', '--provider=oidc'] : [];
  c.resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } };
  c.volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }];
  const sc = containerSecurityContext(b, posture === 'privileged' ? 'default' : posture);
  if (sc) c.securityContext = sc;
  return c;
}

export function initContainer(b: ClusterBuilder, app: AppCtx, posture: Posture): Obj {
  const kind = b.rng.weighted<'wait' | 'migrate' | 'chown'>([
    ['wait', 5],
    ['migrate', 4],
    ['chown', 1],
  ]);
  if (kind === 'chown') {
    const c = baseContainer('fix-permissions', 'docker.io/library/busybox:1.36');
    c.command = ['sh', '-c', 'chown -R 1000:1000 /data'];
    c.securityContext = { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['CHOWN'], drop: ['ALL'] } };
    c.volumeMounts = [{ name: 'tmp', mountPath: '/data' }];
    return c;
  }
  const c =
    kind === 'wait'
      ? baseContainer('wait-for-db', 'docker.io/library/busybox:1.36')
      : baseContainer('migrate', app.image);
  c.command =
    kind === 'wait'
      ? ['sh', '-c', `until nc -z postgresql.${app.ns}.svc 5432; do echo waiting; sleep 2; done`]
      : ['/app/migrate', 'up'];
  c.resources = { requests: { cpu: '10m', memory: '16Mi' } };
  const sc = containerSecurityContext(b, posture === 'privileged' ? 'default' : posture);
  if (sc) c.securityContext = sc;
  return c;
}

/** A pod template for an app workload; posture and rare settings drawn here. */
export function appTemplate(b: ClusterBuilder, app: AppCtx, templateLabels: Labels): { metadata: Obj; spec: Obj } {
  const r = b.rng;
  const posture = r.weighted<Posture>([
    ['restricted', 50],
    ['default', 26],
    ['partial', 15],
    ['root', 6],
    ['privileged', 3],
  ]);
  const containers: Obj[] = [appContainer(b, app, posture)];
  const extra = r.weighted([
    [0, 70],
    [1, 22],
    [2, 8],
  ] as const);
  for (let i = 0; i < extra; i++) {
    const sidecar = sidecarContainer(b, posture);
    if (containers.some((c) => c.name === sidecar.name)) sidecar.name = `${String(sidecar.name)}-${i + 1}`;
    containers.push(sidecar);
  }

  const volumes: Obj[] = [
    { name: 'config', configMap: { name: `${app.name}-config`, defaultMode: 420 } },
    { name: 'tmp', emptyDir: {} },
  ];
  const spec: Obj = {
    containers,
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: r.pick([30, 30, 30, 60, 10]),
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    securityContext: podSecurityContext(b, posture),
  };
  addPodOptions(b, app, posture, spec);
  addRareSettings(b, app, spec, containers[0] as Obj, volumes);
  spec.volumes = volumes;
  const annotations = templateAnnotations(b, app);
  const metadata: Obj = { labels: templateLabels };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { metadata, spec };
}

/** Service account, pull secrets and scheduling hints, drawn independently of posture. */
function addPodOptions(b: ClusterBuilder, app: AppCtx, posture: Posture, spec: Obj): void {
  const r = b.rng;
  if (r.chance(0.2)) spec.initContainers = [initContainer(b, app, posture)];
  if (r.chance(0.5)) spec.serviceAccountName = app.name;
  if (r.chance(0.2)) spec.automountServiceAccountToken = false;
  if (r.chance(0.3)) spec.imagePullSecrets = [{ name: 'registry-credentials' }];
  if (r.chance(0.4)) spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
  if (r.chance(0.3)) {
    spec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: { labelSelector: { matchLabels: app.selector }, topologyKey: 'kubernetes.io/hostname' },
          },
        ],
      },
    };
  }
  if (r.chance(0.15)) {
    spec.topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: app.selector } },
    ];
  }

}

/** Rare settings, independent of posture: host namespaces and ports, hostPath, unsafe sysctls... */
function addRareSettings(b: ClusterBuilder, app: AppCtx, spec: Obj, main: Obj, volumes: Obj[]): void {
  const r = b.rng;
  const psc = spec.securityContext as Obj;
  if (r.chance(0.015)) spec.hostNetwork = true;
  if (r.chance(0.005)) spec.hostPID = true;
  if (r.chance(0.003)) spec.hostIPC = true;
  if (r.chance(0.02)) (main.ports as Obj[]).push({ name: 'host', containerPort: 8443, hostPort: 8443, protocol: 'TCP' });
  if (r.chance(0.03)) {
    const hp = r.pick([
      { path: '/var/run/docker.sock', type: 'Socket' },
      { path: '/var/log', type: 'Directory' },
      { path: '/etc/ssl/certs', type: 'DirectoryOrCreate' },
      { path: '/var/lib/app-cache', type: 'DirectoryOrCreate' },
    ]);
    volumes.push({ name: 'host', hostPath: hp });
    (main.volumeMounts as Obj[]).push({ name: 'host', mountPath: hp.path, readOnly: true });
  }
  if (r.chance(0.005)) volumes.push({ name: 'shared', nfs: { server: 'nfs.internal.example.com', path: '/exports/shared' } });
  if (r.chance(0.1)) volumes.push({ name: 'secrets', secret: { secretName: `${app.name}-secrets`, defaultMode: 420 } });
  if (r.chance(0.015)) psc.seccompProfile = { type: 'Unconfined' };
  if (r.chance(0.005)) psc.sysctls = [{ name: 'net.core.somaxconn', value: '4096' }];
  else if (r.chance(0.01)) psc.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
  if (r.chance(0.005)) psc.seLinuxOptions = { type: 'spc_t' };
  else if (r.chance(0.01)) psc.seLinuxOptions = { type: 'container_t', level: 's0:c123,c456' };
  if (r.chance(0.002)) {
    main.securityContext = { ...((main.securityContext as Obj | undefined) ?? {}), procMount: 'Unmasked' };
    spec.hostUsers = false;
  }
}

function templateAnnotations(b: ClusterBuilder, app: AppCtx): Labels {
  const r = b.rng;
  const annotations: Labels = {};
  if (r.chance(0.6)) annotations['checksum/config'] = r.hex(64);
  if (r.chance(0.5)) {
    annotations['prometheus.io/scrape'] = 'true';
    annotations['prometheus.io/port'] = '9090';
    annotations['prometheus.io/path'] = '/metrics';
  }
  if (r.chance(0.2)) annotations['kubectl.kubernetes.io/restartedAt'] = b.timestamp(30);
  if (r.chance(0.01)) annotations[`container.apparmor.security.beta.kubernetes.io/${app.name}`] = 'unconfined';
  else if (r.chance(0.05)) annotations[`container.apparmor.security.beta.kubernetes.io/${app.name}`] = 'runtime/default';
  return annotations;
}

export function podFrom(
  b: ClusterBuilder,
  template: { metadata: Obj; spec: Obj },
  opts: { name: string; ns: string; owner?: KubeObject; node: string; extraLabels?: Labels; istio?: boolean; maxDays?: number },
): KubeObject {
  const spec = clone(template.spec);
  const labels: Labels = { ...((template.metadata.labels as Labels | undefined) ?? {}), ...(opts.extraLabels ?? {}) };
  const annotations: Labels = { ...((template.metadata.annotations as Labels | undefined) ?? {}) };
  const sa = (spec.serviceAccountName as string | undefined) ?? 'default';
  spec.serviceAccountName = sa;
  spec.serviceAccount = sa;
  spec.nodeName = opts.node;
  spec.priority = 0;
  spec.enableServiceLinks = true;
  spec.preemptionPolicy = 'PreemptLowerPriority';
  spec.tolerations = [
    ...((spec.tolerations as Obj[] | undefined) ?? []),
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  spec.volumes ??= [];
  if (opts.istio) injectIstio(b, spec, annotations, String((spec.containers as Obj[])[0]?.name ?? 'app'));
  if (spec.automountServiceAccountToken !== false) {
    const vol = `kube-api-access-${b.rng.chars('bcdfghjklmnpqrstvwxz2456789', 5)}`;
    (spec.volumes as Obj[]).push({
      name: vol,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
        ],
      },
    });
    for (const list of ['containers', 'initContainers'] as const) {
      for (const c of (spec[list] as Obj[] | undefined) ?? []) {
        c.volumeMounts = [...((c.volumeMounts as Obj[] | undefined) ?? []), { name: vol, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }];
      }
    }
  }
  if (b.provider === 'kubeadm' || b.provider === 'rke2') {
    annotations['cni.projectcalico.org/containerID'] = b.rng.hex(64);
    annotations['cni.projectcalico.org/podIP'] = `10.${b.rng.int(0, 255)}.${b.rng.int(0, 255)}.${b.rng.int(1, 254)}/32`;
  }
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: b.meta(opts.name, opts.ns, {
      labels,
      annotations,
      ...(opts.owner ? { owner: opts.owner } : {}),
      maxDays: opts.maxDays ?? 30,
    }),
    spec,
  };
  return pod;
}
