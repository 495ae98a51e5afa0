/** Workloads and their companions: Deployments with ReplicaSets and Pods, StatefulSets, CronJobs, Services, Ingresses, Secrets. */
import type { KubeObject } from '../../src/core/types.js';
import { COLLECTED_AT_MS, JOB_NAMES, STATEFUL, appCtx, baseContainer, clone, workloadAnnotations, type AppCtx, type ClusterBuilder, type Labels, type NsCtx, type Obj } from './builder.js';
import { appTemplate, podFrom, resources } from './pods.js';

export function addDeployment(b: ClusterBuilder, ns: NsCtx, app: AppCtx, replicas: number, oldRevisions: number): void {
  const r = b.rng;
  const template = appTemplate(b, app, { ...app.selector, ...(app.style === 'helm' ? {} : { team: app.team }) });
  const revision = oldRevisions + 1 + r.int(0, 3);
  const annotations = { 'deployment.kubernetes.io/revision': String(revision), ...workloadAnnotations(b, app) };
  const deploy: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: b.meta(app.name, ns.name, { labels: app.labels, annotations }),
    spec: {
      replicas,
      selector: { matchLabels: app.selector },
      template,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };
  b.add('deployments', deploy);

  // ReplicaSets: old revisions scaled to zero, then the current one.
  for (let rev = revision - oldRevisions; rev <= revision; rev++) {
    const current = rev === revision;
    const hash = r.suffix(10);
    const rsTemplate = clone(template);
    (rsTemplate.metadata.labels as Labels)['pod-template-hash'] = hash;
    if (!current) {
      const c0 = (rsTemplate.spec.containers as Obj[])[0];
      if (c0 && typeof c0.image === 'string' && !c0.image.includes('@')) c0.image = c0.image.replace(/:[^:]+$/, `:${r.int(0, 4)}.${r.int(0, 30)}.${r.int(0, 20)}`);
    }
    const rs = b.add('replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: b.meta(`${app.name}-${hash}`, ns.name, {
        labels: { ...app.selector, 'pod-template-hash': hash },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)),
          'deployment.kubernetes.io/revision': String(rev),
          ...workloadAnnotations(b, app),
        },
        owner: deploy,
        maxDays: current ? 60 : 300,
      }),
      spec: {
        replicas: current ? replicas : 0,
        selector: { matchLabels: { ...app.selector, 'pod-template-hash': hash } },
        template: rsTemplate,
      },
    });
    if (current) {
      for (let i = 0; i < replicas; i++) {
        b.add(
          'pods',
          podFrom(b, rsTemplate, {
            name: `${app.name}-${hash}-${r.suffix(5)}`,
            ns: ns.name,
            owner: rs,
            node: r.pick(b.nodes),
            istio: ns.istio,
          }),
        );
      }
    }
  }
}

export function addService(b: ClusterBuilder, ns: NsCtx, app: AppCtx, opts: { headless?: boolean; port?: number; name?: string } = {}): void {
  const r = b.rng;
  const type = opts.headless ? 'ClusterIP' : r.weighted<string>([['ClusterIP', 92], ['NodePort', 3], ['LoadBalancer', 5]]);
  const port = opts.port ?? 80;
  const ip = `10.96.${r.int(0, 255)}.${r.int(1, 254)}`;
  const spec: Obj = {
    type,
    selector: app.selector,
    ports: [
      { name: 'http', port, targetPort: opts.port ?? 'http', protocol: 'TCP', ...(type === 'ClusterIP' ? {} : { nodePort: r.int(30000, 32767) }) },
    ],
    clusterIP: opts.headless ? 'None' : ip,
    clusterIPs: [opts.headless ? 'None' : ip],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
  };
  if (type === 'LoadBalancer') spec.externalTrafficPolicy = r.pick(['Cluster', 'Local']);
  if (!opts.headless && r.chance(0.4)) (spec.ports as Obj[]).push({ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' });
  const annotations = workloadAnnotations(b, app);
  if (type === 'LoadBalancer') {
    annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = 'nlb';
    annotations['service.beta.kubernetes.io/aws-load-balancer-scheme'] = r.pick(['internal', 'internet-facing']);
  }
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: b.meta(b.unique(`svc/${ns.name}`, opts.name ?? app.name), ns.name, { labels: app.labels, annotations }),
    spec,
  };
  if (type === 'LoadBalancer') {
    svc.status = { loadBalancer: { ingress: [{ hostname: `k8s-${ns.name.slice(0, 8)}-${r.hex(10)}-${r.hex(16)}.elb.eu-west-1.amazonaws.com` }] } };
  }
  b.add('services', svc);
}

export function addIngress(b: ClusterBuilder, ns: NsCtx, app: AppCtx): void {
  const r = b.rng;
  const host = `${app.name}.${ns.env === 'prod' ? '' : `${ns.env}.`}example.com`;
  const tls = r.chance(0.75);
  const annotations: Labels = { ...workloadAnnotations(b, app), 'nginx.ingress.kubernetes.io/proxy-body-size': r.pick(['1m', '8m', '50m']) };
  if (tls) annotations['cert-manager.io/cluster-issuer'] = 'letsencrypt-prod';
  if (r.chance(0.3)) annotations['nginx.ingress.kubernetes.io/ssl-redirect'] = tls ? 'true' : 'false';
  if (r.chance(0.05)) annotations['nginx.ingress.kubernetes.io/configuration-snippet'] = 'more_set_headers "X-Frame-Options: DENY";';
  const spec: Obj = {
    ingressClassName: r.pick(['nginx', 'nginx', 'alb']),
    rules: [
      {
        host,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: app.name, port: { number: 80 } } } }] },
      },
    ],
  };
  if (tls) spec.tls = [{ hosts: [host], secretName: `${app.name}-tls` }];
  b.add('ingresses', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: b.meta(app.name, ns.name, { labels: app.labels, annotations }),
    spec,
  });
  if (tls) addSecret(b, ns, `${app.name}-tls`, 'kubernetes.io/tls', app);
}

export function addSecret(b: ClusterBuilder, ns: NsCtx, name: string, type: string, app?: AppCtx, extra: { labels?: Labels; annotations?: Labels } = {}): void {
  const annotations: Labels = { ...(extra.annotations ?? {}) };
  if (type === 'kubernetes.io/tls') {
    annotations['cert-manager.io/alt-names'] = `${app?.name ?? name}.example.com`;
    annotations['cert-manager.io/certificate-name'] = name;
    annotations['cert-manager.io/common-name'] = `${app?.name ?? name}.example.com`;
    annotations['cert-manager.io/issuer-kind'] = 'ClusterIssuer';
    annotations['cert-manager.io/issuer-name'] = 'letsencrypt-prod';
  }
  b.add('secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: b.meta(b.unique(`secret/${ns.name}`, name), ns.name, { labels: extra.labels ?? (app ? app.selector : {}), annotations }),
    type,
  });
}

export function addStatefulSet(b: ClusterBuilder, ns: NsCtx): void {
  const r = b.rng;
  const kind = r.pick(STATEFUL);
  const app = appCtx(b, ns, kind.name);
  app.image = kind.image;
  app.port = kind.port;
  const replicas = r.pick([1, 1, 3, 3, 2]);
  const template = appTemplate(b, app, app.selector);
  const main = (template.spec.containers as Obj[])[0] as Obj;
  main.resources = resources(b, true);
  main.volumeMounts = [...((main.volumeMounts as Obj[] | undefined) ?? []), { name: 'data', mountPath: `/var/lib/${kind.name}` }];
  const sts = b.add('statefulsets', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: b.meta(app.name, ns.name, { labels: app.labels, annotations: workloadAnnotations(b, app) }),
    spec: {
      replicas,
      serviceName: `${app.name}-headless`,
      selector: { matchLabels: app.selector },
      template,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: r.pick(['8Gi', '20Gi', '100Gi']) } }, storageClassName: 'gp3', volumeMode: 'Filesystem' },
        },
      ],
    },
  });
  const revision = `${app.name}-${r.suffix(10)}`;
  for (let i = 0; i < replicas; i++) {
    const podTemplate = clone(template);
    (podTemplate.spec.volumes as Obj[]).unshift({ name: 'data', persistentVolumeClaim: { claimName: `data-${app.name}-${i}` } });
    podTemplate.spec.hostname = `${app.name}-${i}`;
    podTemplate.spec.subdomain = `${app.name}-headless`;
    b.add(
      'pods',
      podFrom(b, podTemplate, {
        name: `${app.name}-${i}`,
        ns: ns.name,
        owner: sts,
        node: r.pick(b.nodes),
        istio: ns.istio,
        extraLabels: {
          'apps.kubernetes.io/pod-index': String(i),
          'controller-revision-hash': revision,
          'statefulset.kubernetes.io/pod-name': `${app.name}-${i}`,
        },
      }),
    );
  }
  addService(b, ns, app, { headless: true, port: kind.port, name: `${app.name}-headless` });
  addService(b, ns, app, { port: kind.port });
  addSecret(b, ns, `${app.name}-auth`, 'Opaque', app);
}

export function jobTemplate(b: ClusterBuilder, app: AppCtx): { metadata: Obj; spec: Obj } {
  const t = appTemplate(b, app, app.selector);
  t.spec.restartPolicy = b.rng.pick(['OnFailure', 'Never']);
  for (const c of t.spec.containers as Obj[]) {
    delete c.livenessProbe;
    delete c.readinessProbe;
    delete c.startupProbe;
    delete c.ports;
  }
  const main = (t.spec.containers as Obj[])[0] as Obj;
  main.command = ['/app/bin/run-task', app.name];
  return t;
}

export function addCronJob(b: ClusterBuilder, ns: NsCtx): void {
  const r = b.rng;
  const app = appCtx(b, ns, r.pick(JOB_NAMES));
  const template = jobTemplate(b, app);
  const history = r.int(1, 3);
  const cron = b.add('cronjobs', {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: b.meta(app.name, ns.name, { labels: app.labels, annotations: workloadAnnotations(b, app) }),
    spec: {
      schedule: r.pick(['0 2 * * *', '*/15 * * * *', '30 4 * * 0', '0 * * * *', '*/5 * * * *']),
      concurrencyPolicy: r.pick(['Forbid', 'Allow', 'Replace']),
      suspend: r.chance(0.05),
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      startingDeadlineSeconds: 300,
      jobTemplate: { metadata: {}, spec: { backoffLimit: r.pick([0, 3, 6]), template } },
    },
  });
  const base = Math.floor(COLLECTED_AT_MS / 60_000);
  for (let i = 0; i < history; i++) {
    const jobName = `${app.name}-${base - i * r.int(5, 1440)}`;
    const controllerUid = r.uid();
    const jobT = clone(template);
    (jobT.metadata.labels as Labels)['batch.kubernetes.io/controller-uid'] = controllerUid;
    (jobT.metadata.labels as Labels)['batch.kubernetes.io/job-name'] = jobName;
    const job = b.add('jobs', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: b.meta(jobName, ns.name, { labels: { ...app.selector, 'batch.kubernetes.io/job-name': jobName }, owner: cron, maxDays: 2 }),
      spec: {
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        completions: 1,
        parallelism: 1,
        suspend: false,
        manualSelector: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': controllerUid } },
        template: jobT,
      },
    });
    if (b.remaining > 1) {
      b.add(
        'pods',
        podFrom(b, jobT, {
          name: `${jobName}-${r.suffix(5)}`,
          ns: ns.name,
          owner: job,
          node: r.pick(b.nodes),
          maxDays: 2,
        }),
      );
    }
  }
}

export function addStandaloneJob(b: ClusterBuilder, ns: NsCtx): void {
  const r = b.rng;
  const app = appCtx(b, ns, r.pick(['db-migrate', 'seed-data', 'helm-hook-pre-upgrade', 'schema-check']));
  const template = jobTemplate(b, app);
  const controllerUid = r.uid();
  (template.metadata.labels as Labels)['batch.kubernetes.io/controller-uid'] = controllerUid;
  const annotations = workloadAnnotations(b, app);
  if (app.style === 'helm') {
    annotations['helm.sh/hook'] = 'pre-upgrade,pre-install';
    annotations['helm.sh/hook-weight'] = '-5';
  }
  const job = b.add('jobs', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: b.meta(app.name, ns.name, { labels: app.labels, annotations }),
    spec: {
      backoffLimit: 3,
      completions: 1,
      parallelism: 1,
      ttlSecondsAfterFinished: r.chance(0.5) ? 86400 : undefined,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': controllerUid } },
      template,
    },
  });
  b.add('pods', podFrom(b, template, { name: `${app.name}-${r.suffix(5)}`, ns: ns.name, owner: job, node: r.pick(b.nodes) }));
}

export function addBarePod(b: ClusterBuilder, ns: NsCtx): void {
  const r = b.rng;
  const app = appCtx(b, ns, r.pick(['debug', 'netshoot', 'tmp-shell', 'curl-test']));
  const c = baseContainer(app.name, r.pick(['nicolaka/netshoot:v0.13', 'docker.io/library/busybox:1.36', 'curlimages/curl:8.10.1']));
  c.command = ['sleep', 'infinity'];
  c.stdin = true;
  c.tty = true;
  if (r.chance(0.5)) c.securityContext = { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } };
  else if (r.chance(0.2)) c.securityContext = { privileged: true };
  const template = { metadata: { labels: { run: app.name } }, spec: { containers: [c], restartPolicy: 'Never', dnsPolicy: 'ClusterFirst', securityContext: {} } as Obj };
  b.add('pods', podFrom(b, template, { name: app.name, ns: ns.name, node: r.pick(b.nodes), maxDays: 10 }));
}
