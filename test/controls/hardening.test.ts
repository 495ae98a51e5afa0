import type { Finding, KubeObject, Snapshot } from '../../src/core/types.js';
import { CONTROLS, controlsFor } from '../../src/controls/index.js';
import { evaluate, evaluateIn } from '../../src/evaluate/evaluate.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { normalizeObject, RESOURCE_OF_KIND } from '../../src/collect/normalize.js';
import { parseImage } from '../../src/controls/hardening/images.js';
import { NOW, snapshotOf } from './pss-helpers.js';

/**
 * The hardening and reliability controls on every workload kind with a pod template, with
 * init and ephemeral containers: one good and one bad container per kind, and the verdict
 * each container gets.
 */

type Spec = Record<string, unknown>;

function workload(kind: string, spec: Spec): KubeObject {
  const template = { metadata: { labels: { app: 'w' } }, spec };
  const meta = { name: 'w', namespace: 'team' };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: meta, spec };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { schedule: '@daily', jobTemplate: { spec: { template } } } };
    case 'Job':
      return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { template } };
    case 'ReplicationController':
      return { apiVersion: 'v1', kind, metadata: meta, spec: { selector: { app: 'w' }, template } };
    default:
      return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { selector: { matchLabels: { app: 'w' } }, template } };
  }
}

const KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'];

/** Through the collector's normalisation, so env values arrive redacted as they do from a cluster. */
function judge(id: string, object: KubeObject): Array<[string, string | undefined, string | undefined]> {
  const control = CONTROLS.find((c) => c.id === id);
  if (!control) throw new Error(`unknown control ${id}`);
  const resource = RESOURCE_OF_KIND[object.kind];
  if (!resource) throw new Error(object.kind);
  const normal = normalizeObject(object, resource);
  return evaluate(snapshotOf([normal]), [control], NOW).map((f: Finding) => [f.status, f.resource.container, f.evidence?.path]);
}

const good = {
  image: 'registry.example.com/team/app:1.2.3',
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
  securityContext: { readOnlyRootFilesystem: true },
  env: [{ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } }],
};
const bad = {
  image: 'registry.example.com/team/app',
  imagePullPolicy: 'IfNotPresent',
  securityContext: { readOnlyRootFilesystem: false },
  env: [{ name: 'API_TOKEN', value: 'abc123-literal' }],
};

/** A good main container, a bad init container and a bad ephemeral container. */
const spec = (): Spec => ({
  containers: [{ name: 'app', ...good }],
  initContainers: [{ name: 'init', ...bad }],
  ephemeralContainers: [{ name: 'debug', ...bad }],
});

const prefix = (kind: string): string =>
  ({ Pod: 'spec', CronJob: 'spec.jobTemplate.spec.template.spec' })[kind] ?? 'spec.template.spec';

describe.each(KINDS)('hardening controls on a %s', (kind) => {
  const p = prefix(kind);
  it('HARD-image-tag: a missing tag fails on init and ephemeral containers', () => {
    expect(judge('HARD-image-tag', workload(kind, spec()))).toEqual([
      ['pass', 'app', undefined],
      ['fail', 'init', `${p}.initContainers[init].image`],
      ['fail', 'debug', `${p}.ephemeralContainers[debug].image`],
    ]);
  });

  it('HARD-image-pull-policy: IfNotPresent on an untagged image fails', () => {
    expect(judge('HARD-image-pull-policy', workload(kind, spec()))).toEqual([
      ['pass', 'app', undefined],
      ['fail', 'init', `${p}.initContainers[init].imagePullPolicy`],
      ['fail', 'debug', `${p}.ephemeralContainers[debug].imagePullPolicy`],
    ]);
  });

  it('HARD-read-only-root-filesystem: every container list is judged', () => {
    expect(judge('HARD-read-only-root-filesystem', workload(kind, spec()))).toEqual([
      ['pass', 'app', undefined],
      ['fail', 'init', `${p}.initContainers[init].securityContext.readOnlyRootFilesystem`],
      ['fail', 'debug', `${p}.ephemeralContainers[debug].securityContext.readOnlyRootFilesystem`],
    ]);
  });

  it('HARD-env-literal-credentials: names the variable, never the value', () => {
    const object = workload(kind, spec());
    const control = CONTROLS.find((c) => c.id === 'HARD-env-literal-credentials');
    const resource = RESOURCE_OF_KIND[kind];
    if (!control || !resource) throw new Error('setup');
    const findings = evaluate(snapshotOf([normalizeObject(object, resource)]), [control], NOW);
    expect(findings.map((f) => [f.status, f.resource.container, f.evidence?.path, f.evidence?.observed])).toEqual([
      ['pass', 'app', undefined, undefined],
      ['fail', 'init', `${p}.initContainers[init].env[API_TOKEN].value`, 'literal, 14 chars'],
      ['fail', 'debug', `${p}.ephemeralContainers[debug].env[API_TOKEN].value`, 'literal, 14 chars'],
    ]);
    expect(JSON.stringify(findings)).not.toContain('abc123-literal');
  });

  it('HARD-memory-requests-limits and HARD-cpu-requests-limits: init containers judged, ephemeral ones cannot set resources', () => {
    for (const [id, r] of [['HARD-memory-requests-limits', 'memory'], ['HARD-cpu-requests-limits', 'cpu']] as const) {
      expect(judge(id, workload(kind, spec()))).toEqual([
        ['pass', 'app', undefined],
        ['fail', 'init', `${p}.initContainers[init].resources`],
      ]);
      // The API server copies a limit into a missing request; a request alone leaves the limit unset.
      const onlyLimit = { containers: [{ name: 'app', image: good.image, resources: { limits: { [r]: '1' } } }] };
      expect(judge(id, workload(kind, onlyLimit))).toEqual([['pass', 'app', undefined]]);
      const onlyRequest = { containers: [{ name: 'app', image: good.image, resources: { requests: { [r]: '1' } } }] };
      expect(judge(id, workload(kind, onlyRequest))).toEqual([['fail', 'app', `${p}.containers[app].resources.limits.${r}`]]);
    }
  });

  it('HARD-image-digest and HARD-image-registry, when the configuration turns them on: every container list', () => {
    const policy = { requireDigest: true, allowedRegistries: ['registry.example.com/team'], noInternetEgress: { namespaces: [] } };
    const pinned = { ...good, image: 'registry.example.com/team/app:1.2.3@sha256:abc' };
    const object = workload(kind, { containers: [{ name: 'app', ...pinned }], initContainers: [{ name: 'init', ...bad }], ephemeralContainers: [{ name: 'debug', ...bad, image: 'docker.io/tool:1' }] });
    const run = (id: string) => {
      const control = CONTROLS.find((c) => c.id === id);
      const resource = RESOURCE_OF_KIND[kind];
      if (!control || !resource) throw new Error('setup');
      return evaluateIn(new EvalContext(snapshotOf([normalizeObject(object, resource)]), NOW, policy), [control]).map((f) => [f.status, f.resource.container, f.evidence?.path]);
    };
    expect(run('HARD-image-digest')).toEqual([
      ['pass', 'app', undefined],
      ['fail', 'init', `${p}.initContainers[init].image`],
      ['fail', 'debug', `${p}.ephemeralContainers[debug].image`],
    ]);
    expect(run('HARD-image-registry')).toEqual([
      ['pass', 'app', undefined],
      ['pass', 'init', undefined],
      ['fail', 'debug', `${p}.ephemeralContainers[debug].image`],
    ]);
  });

  it('REL probes: regular containers and sidecars; Jobs and CronJobs are not applicable', () => {
    const probed = {
      containers: [{ name: 'app', image: good.image, livenessProbe: { tcpSocket: { port: 80 } }, readinessProbe: { tcpSocket: { port: 80 } } }],
      initContainers: [
        { name: 'sidecar', image: good.image, restartPolicy: 'Always' },
        { name: 'init', image: good.image },
      ],
    };
    for (const id of ['REL-liveness-probe', 'REL-readiness-probe']) {
      const verdicts = judge(id, workload(kind, probed));
      if (kind === 'Job' || kind === 'CronJob') expect(verdicts).toEqual([['not-applicable', undefined, undefined]]);
      else expect(verdicts).toEqual([['pass', 'app', undefined], ['fail', 'sidecar', `${p}.initContainers[sidecar].${id === 'REL-liveness-probe' ? 'livenessProbe' : 'readinessProbe'}`]]);
    }
  });
});

describe('image references', () => {
  it.each([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['registry:5000/team/app', { repository: 'registry:5000/team/app' }],
    ['registry:5000/team/app:latest', { repository: 'registry:5000/team/app', tag: 'latest' }],
    ['app@sha256:abc', { repository: 'app', digest: 'sha256:abc' }],
    ['app:1.0@sha256:abc', { repository: 'app', tag: '1.0', digest: 'sha256:abc' }],
  ])('%s', (image, expected) => expect(parseImage(image)).toEqual(expected));

  it('passes latest pinned by digest', () => {
    expect(judge('HARD-image-tag', workload('Pod', { containers: [{ name: 'a', image: 'app:latest@sha256:abc' }] }))).toEqual([['pass', 'a', undefined]]);
  });
});

describe('frameworks', () => {
  it('lists the hardening and reliability controls under their own frameworks', () => {
    expect(controlsFor('hardening').map((c) => c.id)).toEqual([
      'HARD-memory-requests-limits',
      'HARD-cpu-requests-limits',
      'HARD-image-tag',
      'HARD-image-pull-policy',
      'HARD-image-digest',
      'HARD-image-registry',
      'HARD-read-only-root-filesystem',
      'HARD-env-literal-credentials',
      'HARD-configmap-literal-credentials',
      'HARD-rbac-pod-exec',
      'HARD-rbac-workload-write',
      'HARD-rbac-cluster-management',
      'HARD-service-exposure',
      'HARD-network-ingress-isolation',
      'HARD-network-egress-isolation',
      'HARD-network-open-to-cluster',
      'HARD-network-stale-policy',
      'HARD-network-internet-egress',
    ]);
    expect(controlsFor('reliability').map((c) => c.id)).toEqual(['REL-liveness-probe', 'REL-readiness-probe']);
    // Every one carries the kubescape control it matches, but those kubescape has no control for:
    // the digest policy, and the network controls beyond "some policy selects the workload" (C-0260).
    const noKubescape = new Set(['HARD-image-digest', 'HARD-network-egress-isolation', 'HARD-network-open-to-cluster', 'HARD-network-stale-policy', 'HARD-network-internet-egress']);
    for (const c of [...controlsFor('hardening'), ...controlsFor('reliability')].filter((x) => !noKubescape.has(x.id))) expect(c.refs.kubescape?.length).toBeGreaterThan(0);
  });
});

describe('LimitRange defaults', () => {
  const bare = workload('Deployment', { containers: [{ name: 'app', image: 'registry.example.com/team/app:1.0' }] });
  const limitRange = (limits: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'team' }, spec: { limits } });
  const run = (id: string, objects: KubeObject[], gaps: Snapshot['gaps'] = []) => {
    const control = CONTROLS.find((c) => c.id === id);
    if (!control) throw new Error(id);
    return evaluate({ ...snapshotOf(objects), gaps }, [control], NOW).map((f) => [f.status, f.evidence?.path]);
  };

  it('a Container default and defaultRequest count as set', () => {
    const lr = limitRange([{ type: 'Container', default: { memory: '256Mi' }, defaultRequest: { memory: '128Mi' } }]);
    expect(run('HARD-memory-requests-limits', [bare, lr])).toEqual([['pass', undefined]]);
    expect(run('HARD-cpu-requests-limits', [bare, lr])).toEqual([
      ['fail', 'spec.template.spec.containers[app].resources'],
    ]);
  });

  it('max alone defaults both the limit and the request, as the API server defaults the LimitRange', () => {
    expect(run('HARD-cpu-requests-limits', [bare, limitRange([{ type: 'Container', max: { cpu: '2' } }])])).toEqual([['pass', undefined]]);
  });

  it('a Pod-type item or another namespace does not count', () => {
    const podItem = limitRange([{ type: 'Pod', max: { cpu: '2' } }]);
    const elsewhere: KubeObject = { ...limitRange([{ type: 'Container', default: { cpu: '1' } }]), metadata: { name: 'x', namespace: 'other' } };
    expect(run('HARD-cpu-requests-limits', [bare, podItem, elsewhere])).toEqual([['fail', 'spec.template.spec.containers[app].resources']]);
  });

  it('is unknown, not fail, when LimitRanges could not be read', () => {
    expect(run('HARD-cpu-requests-limits', [bare], [{ evidence: 'limitranges', reason: 'forbidden', message: 'forbidden' }])).toEqual([['unknown', undefined]]);
  });
});

describe('pod-level resources (spec.resources, 1.32+)', () => {
  const run = (id: string, podResources: Record<string, unknown>) => {
    const control = CONTROLS.find((c) => c.id === id);
    if (!control) throw new Error(id);
    const object = workload('Deployment', {
      resources: podResources,
      containers: [{ name: 'app', image: 'registry.example.com/team/app:1.0' }],
      initContainers: [{ name: 'init', image: 'registry.example.com/team/app:1.0' }],
    });
    return evaluate(snapshotOf([object]), [control], NOW).map((f) => [f.status, f.resource.container, f.evidence?.path ?? f.message]);
  };
  const covered = (fields: string) => `what the container leaves unset is covered: ${fields} by the pod-level spec.template.spec.resources`;

  it('a pod-level request and limit cover every container, init containers included', () => {
    const both = { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };
    for (const id of ['HARD-cpu-requests-limits', 'HARD-memory-requests-limits']) {
      expect(run(id, both)).toEqual([
        ['pass', 'app', covered('requests and limits')],
        ['pass', 'init', covered('requests and limits')],
      ]);
    }
  });

  it('a pod-level limit alone also stands for the request', () => {
    expect(run('HARD-memory-requests-limits', { limits: { memory: '512Mi' } }).map((v) => v[0])).toEqual(['pass', 'pass']);
  });

  it('a pod-level request alone leaves the limit unset, and one resource does not cover the other', () => {
    expect(run('HARD-cpu-requests-limits', { requests: { cpu: '500m' } })).toEqual([
      ['fail', 'app', 'spec.template.spec.containers[app].resources.limits.cpu'],
      ['fail', 'init', 'spec.template.spec.initContainers[init].resources.limits.cpu'],
    ]);
    expect(run('HARD-cpu-requests-limits', { limits: { memory: '512Mi' } }).map((v) => v[2])).toEqual([
      'spec.template.spec.containers[app].resources',
      'spec.template.spec.initContainers[init].resources',
    ]);
  });
});

describe('probes on pods that run to completion by their restartPolicy', () => {
  const app = { name: 'app', image: 'registry.example.com/team/app:1.0' };
  const run = (object: KubeObject) => {
    const control = CONTROLS.find((c) => c.id === 'REL-liveness-probe');
    if (!control) throw new Error('REL-liveness-probe');
    return evaluate(snapshotOf([object]), [control], NOW).map((f) => [f.status, f.resource.container, f.evidence?.path ?? f.message]);
  };

  it.each(['Never', 'OnFailure'])('a bare Pod with restartPolicy %s is not applicable', (policy) => {
    expect(run(workload('Pod', { restartPolicy: policy, containers: [app] }))).toEqual([
      ['not-applicable', undefined, `the pod runs to completion (spec.restartPolicy: ${policy}): a livenessProbe does not apply`],
    ]);
  });

  it('a Job\'s pod whose Job was not collected is not applicable either', () => {
    const pod = workload('Pod', { restartPolicy: 'Never', containers: [app] });
    pod.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly', uid: 'u1', controller: true }];
    expect(run(pod).map((v) => v[0])).toEqual(['not-applicable']);
  });

  it('restartPolicy Always, or none (Always by default), is judged', () => {
    for (const spec of [{ restartPolicy: 'Always', containers: [app] }, { containers: [app] }]) {
      expect(run(workload('Pod', spec))).toEqual([['fail', 'app', 'spec.containers[app].livenessProbe']]);
    }
  });
});

describe('which of request and limit are required (hardening.resources)', () => {
  const only = (resources: Record<string, unknown>): KubeObject => workload('Deployment', { containers: [{ name: 'app', image: 'registry.example.com/team/app:1.0', resources }], initContainers: [{ name: 'init', image: 'registry.example.com/team/app:1.0' }] });
  const run = (id: string, objects: KubeObject[], resources?: { cpu: Array<'requests' | 'limits'>; memory: Array<'requests' | 'limits'> }) => {
    const control = CONTROLS.find((c) => c.id === id);
    if (!control) throw new Error(id);
    const policy = { requireDigest: false, allowedRegistries: [], noInternetEgress: { namespaces: [] }, ...(resources ? { resources } : {}) };
    return evaluateIn(new EvalContext(snapshotOf(objects), NOW, policy), [control]).map((f) => [f.status, f.resource.container, f.evidence?.path]);
  };
  const requestOnly = only({ requests: { cpu: '100m', memory: '64Mi' } });

  it('asks both by default: a request alone fails on the limit', () => {
    expect(run('HARD-cpu-requests-limits', [requestOnly])).toEqual([
      ['fail', 'app', 'spec.template.spec.containers[app].resources.limits.cpu'],
      ['fail', 'init', 'spec.template.spec.initContainers[init].resources'],
    ]);
  });

  it('cpu: [requests] passes a container with a CPU request and no limit, and still fails one with neither', () => {
    const policy = { cpu: ['requests' as const], memory: ['requests' as const, 'limits' as const] };
    expect(run('HARD-cpu-requests-limits', [requestOnly], policy)).toEqual([
      ['pass', 'app', undefined],
      ['fail', 'init', 'spec.template.spec.initContainers[init].resources.requests.cpu'],
    ]);
    // Memory keeps its default: both.
    expect(run('HARD-memory-requests-limits', [requestOnly], policy)[0]).toEqual(['fail', 'app', 'spec.template.spec.containers[app].resources.limits.memory']);
  });

  it('limits only: a limit passes, a request alone fails; a LimitRange default limit counts', () => {
    const policy = { cpu: ['limits' as const], memory: ['limits' as const] };
    expect(run('HARD-memory-requests-limits', [only({ limits: { memory: '1Gi' } }), ], policy)[0]).toEqual(['pass', 'app', undefined]);
    expect(run('HARD-memory-requests-limits', [requestOnly], policy)[0]).toEqual(['fail', 'app', 'spec.template.spec.containers[app].resources.limits.memory']);
    const lr: KubeObject = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'team' }, spec: { limits: [{ type: 'Container', default: { memory: '256Mi' } }] } };
    expect(run('HARD-memory-requests-limits', [requestOnly, lr], policy).map((v) => v[0])).toEqual(['pass', 'pass']);
  });

  it('an empty list turns the control off: not applicable per workload, never a pass', () => {
    expect(run('HARD-cpu-requests-limits', [requestOnly], { cpu: [], memory: ['requests', 'limits'] })).toEqual([['not-applicable', undefined, undefined]]);
  });
});

describe('image policy from the configuration', () => {
  const pod = workload('Pod', { containers: [{ name: 'a', image: 'nginx:1.27' }], initContainers: [{ name: 'i', image: 'ghcr.io/team/tool:2@sha256:abc' }] });
  const run = (id: string, policy: { requireDigest: boolean; allowedRegistries: string[] }) => {
    const control = CONTROLS.find((c) => c.id === id);
    if (!control) throw new Error(id);
    return evaluateIn(new EvalContext(snapshotOf([pod]), NOW, { ...policy, noInternetEgress: { namespaces: [] } }), [control]).map((f) => [f.status, f.resource.container, f.evidence?.path]);
  };

  it('is not applicable while off (the default)', () => {
    expect(run('HARD-image-digest', { requireDigest: false, allowedRegistries: [] })).toEqual([['not-applicable', undefined, undefined]]);
    expect(run('HARD-image-registry', { requireDigest: false, allowedRegistries: [] })).toEqual([['not-applicable', undefined, undefined]]);
  });

  it('judges every container when on', () => {
    expect(run('HARD-image-digest', { requireDigest: true, allowedRegistries: [] })).toEqual([
      ['fail', 'a', 'spec.containers[a].image'],
      ['pass', 'i', undefined],
    ]);
    expect(run('HARD-image-registry', { requireDigest: false, allowedRegistries: ['ghcr.io/team'] })).toEqual([
      ['fail', 'a', 'spec.containers[a].image'],
      ['pass', 'i', undefined],
    ]);
    expect(run('HARD-image-registry', { requireDigest: false, allowedRegistries: ['docker.io/library', 'ghcr.io'] }).map((v) => v[0])).toEqual(['pass', 'pass']);
  });
});

describe('HARD-env-literal-credentials: names the scanners also read as secrets', () => {
  it('a password abbreviated pwd, a bearer, a name ending in jwt fail; PWD (the working directory) and JWT_ISSUER do not', () => {
    const env = [
      { name: 'MYSQL_PWD', value: 'pw-1' },
      { name: 'BEARER', value: 'b-22' },
      { name: 'SERVICE_JWT', value: 'eyJ-333' },
      { name: 'PWD', value: '/app' },
      { name: 'JWT_ISSUER', value: 'https://issuer.example.com' },
    ];
    const [verdict] = judge('HARD-env-literal-credentials', workload('Deployment', { containers: [{ name: 'app', image: good.image, env }] }));
    expect(verdict).toEqual(['fail', 'app', 'spec.template.spec.containers[app].env']);
    const control = CONTROLS.find((c) => c.id === 'HARD-env-literal-credentials');
    if (!control) throw new Error('setup');
    const [finding] = evaluate(snapshotOf([normalizeObject(workload('Deployment', { containers: [{ name: 'app', image: good.image, env }] }), 'deployments')]), [control], NOW);
    expect(JSON.parse(finding?.evidence?.observed ?? '{}')).toEqual({ '[MYSQL_PWD].value': 'literal, 4 chars', '[BEARER].value': 'literal, 4 chars', '[SERVICE_JWT].value': 'literal, 7 chars' });
  });
});

describe('HARD-configmap-literal-credentials', () => {
  const control = CONTROLS.find((c) => c.id === 'HARD-configmap-literal-credentials');
  const VALUE = 'hunter2-never-shown';
  /** Through the collector's normalisation, which keeps key names and lengths only. */
  const run = (raw: Record<string, unknown>, gaps: Snapshot['gaps'] = []) => {
    if (!control) throw new Error('setup');
    const cm = normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'team' }, ...raw }, 'configmaps');
    const findings = evaluate({ ...snapshotOf([cm]), gaps }, [control], NOW);
    expect(JSON.stringify(findings)).not.toContain(VALUE);
    return findings.map((f) => [f.status, f.resource.kind, f.evidence?.path, f.evidence?.observed]);
  };

  it.each([
    ['a password in data', { data: { DB_PASSWORD: VALUE } }, [['fail', 'ConfigMap', 'data[DB_PASSWORD]', `literal, ${VALUE.length} chars`]]],
    ['camelCase and dotted names', { data: { 'smtp.authToken': VALUE, apiKey: 'k' } }, [['fail', 'ConfigMap', 'data', JSON.stringify({ '[smtp.authToken]': `literal, ${VALUE.length} chars`, '[apiKey]': 'literal, 1 chars' })]]],
    ['a private key in binaryData, in bytes', { binaryData: { 'tls.key': Buffer.from(VALUE).toString('base64') } }, [['fail', 'ConfigMap', 'binaryData[tls.key]', `literal, ${VALUE.length} bytes`]]],
    ['settings only', { data: { LOG_LEVEL: 'debug', 'ca.crt': VALUE, TOKEN_TTL: '1h', PASSWORD_FILE: '/run/secrets/p' } }, [['pass', 'ConfigMap', undefined, undefined]]],
    ['an empty password placeholder', { data: { DB_PASSWORD: '' } }, [['pass', 'ConfigMap', undefined, undefined]]],
    ['no data', {}, [['pass', 'ConfigMap', undefined, undefined]]],
  ])('%s', (_name, raw, expected) => expect(run(raw)).toEqual(expected));

  it('counts secrets among the keys beyond the bound, so a flood of keys cannot hide one', () => {
    const data: Record<string, string> = {};
    for (let i = 0; i < 300; i++) data[`secret_${i}`] = VALUE;
    const [verdict] = run({ data });
    expect(verdict?.[0]).toBe('fail');
    expect(verdict?.[3]).toContain('44 more keys named as secrets');
  });

  it('is unknown, never pass, when ConfigMaps could not be listed', () => {
    expect(run({ data: { LOG_LEVEL: 'x' } }, [{ evidence: 'configmaps', reason: 'forbidden', message: 'list configmaps: HTTP 403' }])[0]).toEqual(['unknown', 'Cluster', undefined, undefined]);
  });
});

describe('internet egress from namespaces that need none', () => {
  const policy = (name: string, namespace: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
  const app = (namespace: string): KubeObject => ({ ...workload('Deployment', { containers: [{ name: 'app', image: 'registry.example.com/team/app:1.0' }] }), metadata: { name: 'app', namespace } });
  const run = (objects: KubeObject[], noInternetEgress: { namespaces: string[] }) => {
    const control = CONTROLS.find((c) => c.id === 'HARD-network-internet-egress');
    if (!control) throw new Error('HARD-network-internet-egress');
    return evaluateIn(new EvalContext(snapshotOf(objects), NOW, { requireDigest: false, allowedRegistries: [], noInternetEgress }), [control]).map((f) => [f.status, f.resource.namespace ?? f.resource.name, f.evidence?.observed ?? f.message]);
  };

  it('judges no namespace while none is configured (the default)', () => {
    expect(run([app('team'), app('payments')], { namespaces: [] })).toEqual([
      ['not-applicable', 'payments', 'not declared as needing no internet (hardening.noInternetEgress)'],
      ['not-applicable', 'team', 'not declared as needing no internet (hardening.noInternetEgress)'],
    ]);
  });

  it('counts IPv6 as the internet too, and a default deny with DNS only as none', () => {
    const dnsOnly = policy('dns-only', 'payments', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }] }] });
    expect(run([app('payments'), dnsOnly], { namespaces: ['payments'] })).toEqual([['pass', 'payments', 'no internet address allowed']]);
    const v6 = policy('v6', 'payments', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0', except: ['fc00::/7'] } }], ports: [{ port: 443 }] }] });
    const [verdict] = run([app('payments'), v6], { namespaces: ['payments'] });
    expect(verdict?.[0]).toBe('fail');
    expect(verdict?.[2]).toMatch(/^may connect to the internet: ::-fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff \(TCP 443\)/);
  });

  it('is unknown, not pass, when NetworkPolicies could not be read', () => {
    const control = CONTROLS.find((c) => c.id === 'HARD-network-internet-egress');
    if (!control) throw new Error('HARD-network-internet-egress');
    const snapshot = { ...snapshotOf([app('payments')]), gaps: [{ evidence: 'networkpolicies', reason: 'forbidden' as const, message: 'forbidden' }] };
    const found = evaluateIn(new EvalContext(snapshot, NOW, { requireDigest: false, allowedRegistries: [], noInternetEgress: { namespaces: ['payments'] } }), [control]);
    expect(found.map((f) => f.status)).toEqual(['unknown']);
  });
});
