import type { KubeObject } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { normalizeObject, RESOURCE_OF_KIND } from '../../src/collect/normalize.js';
import { cronJob, deployment, NOW, pod, snapshotOf } from './pss-helpers.js';

/**
 * Edge cases where Trivy's Kubernetes checks (KSV0xx) and complyd's workload controls could
 * decide differently (ADR 0031). Each row is a manifest written for this test and the verdicts
 * complyd gives, per container: where complyd agrees with Trivy the row says so, where it
 * differs on purpose the ADR and the control's rationale say why.
 */

type Verdict = [status: string, container: string | undefined, path: string | undefined];

function run(id: string, objects: KubeObject[]): Verdict[] {
  const control = CONTROLS.find((c) => c.id === id);
  if (!control) throw new Error(`unknown control ${id}`);
  const normal = objects.map((o) => {
    const resource = RESOURCE_OF_KIND[o.kind];
    if (!resource) throw new Error(o.kind);
    return normalizeObject(o, resource);
  });
  return evaluate(snapshotOf(normal), [control], NOW).map((f) => [f.status, f.resource.container, f.evidence?.path]);
}

const IMAGE = 'registry.example.com/team/app:1.0.0';
const app = (extra: Record<string, unknown>) => ({ name: 'app', image: IMAGE, ...extra });
const limitRange = (limits: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'team' }, spec: { limits } });

describe('resources (Trivy KSV011, KSV015, KSV016, KSV018)', () => {
  const CPU = 'HARD-cpu-requests-limits';
  const MEM = 'HARD-memory-requests-limits';

  it('a request written as 0 is a request of 0: the limit is not copied over it', () => {
    // The API server copies the limit into an *absent* request only; Trivy (has the key) passes this.
    const d = deployment({ containers: [app({ resources: { requests: { cpu: '0' }, limits: { cpu: '500m' } } })] });
    expect(run(CPU, [d])).toEqual([['fail', 'app', 'spec.template.spec.containers[app].resources.requests.cpu']]);
    // Absent, it is copied from the limit and passes (Trivy fails KSV015 here).
    const copied = deployment({ containers: [app({ resources: { limits: { cpu: '500m' } } })] });
    expect(run(CPU, [copied])).toEqual([['pass', 'app', undefined]]);
  });

  it('a LimitRange default does not replace a value written as 0 (LimitRanger fills absent fields only)', () => {
    const lr = limitRange([{ type: 'Container', default: { memory: '256Mi' }, defaultRequest: { memory: '128Mi' } }]);
    const zeroLimit = deployment({ containers: [app({ resources: { requests: { memory: '64Mi' }, limits: { memory: '0' } } })] });
    expect(run(MEM, [zeroLimit, lr])[0]).toEqual(['fail', 'app', 'spec.template.spec.containers[app].resources.limits.memory']);
    // A limit of 0 with no request: the request is copied from it (0), so the range's defaultRequest does not apply either.
    const zeroOnly = deployment({ containers: [app({ resources: { limits: { memory: '0Mi' } } })] });
    expect(run(MEM, [zeroOnly, lr])[0]).toEqual(['fail', 'app', 'spec.template.spec.containers[app].resources']);
    // Nothing written: the range fills both.
    const bare = deployment({ containers: [app({})] });
    expect(run(MEM, [bare, lr])[0]?.[0]).toBe('pass');
  });

  it('CronJob templates and restartable (sidecar) init containers are judged like Trivy, ephemeral containers are not', () => {
    const cj = cronJob({
      containers: [app({ resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } } })],
      initContainers: [{ name: 'sidecar', image: IMAGE, restartPolicy: 'Always' }],
      ephemeralContainers: [{ name: 'debug', image: IMAGE }],
    });
    expect(run(CPU, [cj])).toEqual([
      ['pass', 'app', undefined],
      ['fail', 'sidecar', 'spec.jobTemplate.spec.template.spec.initContainers[sidecar].resources'],
    ]);
  });
});

describe('image tag (Trivy KSV013)', () => {
  // Trivy's own test cases, in manifests written here: the same verdict for each image.
  const cases: Array<[string, 'pass' | 'fail']> = [
    ['busybox', 'fail'],
    ['busybox:latest', 'fail'],
    ['busybox:1.33.1', 'pass'],
    ['127.0.0.1:5000/busybox', 'fail'],
    ['127.0.0.1:5000/busybox:1.33.1', 'pass'],
    ['busybox@sha256:0123abcd', 'pass'],
    ['busybox:latest@sha256:0123abcd', 'pass'],
    ['busybox:1.33.1@sha256:0123abcd', 'pass'],
    ['gcr.io/google-containers/pause', 'fail'],
  ];
  it.each(cases)('%s: %s', (image, status) => {
    expect(run('HARD-image-tag', [pod({ containers: [{ name: 'a', image }] })])[0]?.[0]).toBe(status);
  });

  it('ephemeral containers are judged too (Trivy reads containers and init containers only)', () => {
    const p = pod({ containers: [{ name: 'a', image: 'busybox:1.33.1' }], ephemeralContainers: [{ name: 'debug', image: 'busybox' }] });
    expect(run('HARD-image-tag', [p])).toEqual([
      ['pass', 'a', undefined],
      ['fail', 'debug', 'spec.ephemeralContainers[debug].image'],
    ]);
  });
});

describe('read-only root filesystem (Trivy KSV014)', () => {
  it('absent and false fail alike, on init and ephemeral containers too; only true passes', () => {
    const p = pod({
      containers: [app({ securityContext: { readOnlyRootFilesystem: true } }), { name: 'b', image: IMAGE }],
      initContainers: [{ name: 'init', image: IMAGE, securityContext: { readOnlyRootFilesystem: false } }],
      ephemeralContainers: [{ name: 'debug', image: IMAGE, securityContext: {} }],
    });
    expect(run('HARD-read-only-root-filesystem', [p]).map((v) => [v[0], v[1]])).toEqual([
      ['pass', 'app'],
      ['fail', 'b'],
      ['fail', 'init'],
      ['fail', 'debug'],
    ]);
  });
});

describe('seccomp (Trivy KSV030, KSV104) and CIS 5.6.2', () => {
  const CIS = 'CIS-5.6.2';

  it('a container Unconfined under a pod RuntimeDefault fails, as the container field wins (Trivy resolves it the same way)', () => {
    const p = pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [app({ securityContext: { seccompProfile: { type: 'Unconfined' } } })] });
    expect(run(CIS, [p])).toEqual([['fail', undefined, 'spec.containers[app].securityContext.seccompProfile.type']]);
  });

  it('the legacy pod annotation docker/default counts as RuntimeDefault in manifests (Trivy KSV030 asks for runtime/default exactly)', () => {
    const p = pod({ containers: [app({})] }, { 'seccomp.security.alpha.kubernetes.io/pod': 'docker/default' });
    expect(run(CIS, [p])).toEqual([['pass', undefined, undefined]]);
    const unconfined = pod({ containers: [app({})] }, { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' });
    expect(run(CIS, [unconfined])[0]?.[0]).toBe('fail');
  });

  it('a container Unconfined under the pod annotation runtime/default fails (Trivy KSV030 stops at the annotation)', () => {
    const p = pod({ containers: [app({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), { name: 'b', image: IMAGE }] }, { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' });
    expect(run(CIS, [p])).toEqual([['fail', undefined, 'spec.containers[app].securityContext.seccompProfile.type']]);
  });

  it('an init container Unconfined under a pod Localhost profile fails on the init container', () => {
    const d = deployment({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }, containers: [app({})], initContainers: [{ name: 'init', image: IMAGE, securityContext: { seccompProfile: { type: 'Unconfined' } } }] });
    expect(run(CIS, [d])).toEqual([['fail', undefined, 'spec.template.spec.initContainers[init].securityContext.seccompProfile.type']]);
  });
});

describe('capabilities (Trivy KSV003, KSV106, KSV119) and CIS 5.2.8', () => {
  it('NET_RAW kept by default fails CIS 5.2.8; Trivy KSV119 fails only an explicit add of NET_RAW', () => {
    const kept = pod({ containers: [app({})] });
    expect(run('CIS-5.2.8', [kept])).toEqual([['fail', 'app', 'spec.containers[app].securityContext.capabilities.drop']]);
    const added = pod({ containers: [app({ securityContext: { capabilities: { add: ['net_raw'], drop: ['ALL'] } } })] });
    expect(run('CIS-5.2.8', [added])).toEqual([['fail', 'app', 'spec.containers[app].securityContext.capabilities.add']]);
  });


  it('drop: [all] in lower case fails here; Trivy upper-cases it and passes (ADR 0016, one rule for capability case)', () => {
    const p = pod({ containers: [app({ securityContext: { capabilities: { drop: ['all'] } } })] });
    expect(run('PSS-capabilities-restricted', [p])[0]?.[0]).toBe('fail');
    expect(run('CIS-5.2.8', [p])[0]?.[0]).toBe('fail');
    const upper = pod({ containers: [app({ securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } })] });
    expect(run('PSS-capabilities-restricted', [upper])[0]?.[0]).toBe('pass');
  });
});

describe('service account token (Trivy KSV036) and CIS 5.1.6', () => {
  it('a pod that asks for the token of an account bound to nothing fails; Trivy fails on the explicit true alone', () => {
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: 'team' } };
    const p = pod({ serviceAccountName: 'app', automountServiceAccountToken: true, containers: [app({})] });
    expect(run('CIS-5.1.6', [p, sa])).toEqual([['fail', undefined, 'spec.automountServiceAccountToken']]);
    // Unset on the pod and on the account: the token is mounted, and complyd fails it where Trivy does not.
    const unset = pod({ serviceAccountName: 'app', containers: [app({})] });
    expect(run('CIS-5.1.6', [unset, sa])[0]?.[0]).toBe('fail');
  });
});

describe('Pod Security Standards fields (Trivy KSV001, KSV012, KSV017, KSV023, KSV024)', () => {
  it('runAsNonRoot: false on a container under a pod true fails (PSS); Trivy KSV012 passes it once the pod sets true', () => {
    const p = pod({ securityContext: { runAsNonRoot: true }, containers: [app({ securityContext: { runAsNonRoot: false } }), { name: 'b', image: IMAGE }] });
    expect(run('PSS-run-as-non-root', [p]).map((v) => [v[0], v[1]])).toEqual([
      ['fail', 'app'],
      ['pass', 'b'],
    ]);
  });

  it('runAsUser 0 is allowed in a user namespace (hostUsers: false, PSS 1.35); Trivy KSV105 fails any runAsUser 0', () => {
    const p = pod({ hostUsers: false, securityContext: { runAsUser: 0 }, containers: [app({})] });
    const inUserNs = run('PSS-run-as-user', [p]).map((v) => v[0]);
    expect(inUserNs.length).toBeGreaterThan(0);
    expect(inUserNs).not.toContain('fail');
    const host = pod({ securityContext: { runAsUser: 0 }, containers: [app({})] });
    expect(run('PSS-run-as-user', [host]).map((v) => v[0])).toContain('fail');
  });

  it('hostPort 0 means no host port and passes (PSS); Trivy KSV024 fails any hostPort key', () => {
    const p = pod({ containers: [app({ ports: [{ containerPort: 8080, hostPort: 0 }] })] });
    expect(run('PSS-host-ports', [p]).every((v) => v[0] === 'pass')).toBe(true);
    const open = pod({ containers: [app({ ports: [{ containerPort: 8080, hostPort: 8080 }] })] });
    expect(run('PSS-host-ports', [open]).some((v) => v[0] === 'fail')).toBe(true);
  });

  it('allowPrivilegeEscalation absent fails, as in Trivy KSV001, init containers of a CronJob included', () => {
    const cj = cronJob({ containers: [app({ securityContext: { allowPrivilegeEscalation: false } })], initContainers: [{ name: 'init', image: IMAGE }] });
    expect(run('PSS-allow-privilege-escalation', [cj]).map((v) => [v[0], v[1]])).toEqual([
      ['pass', 'app'],
      ['fail', 'init'],
    ]);
  });

  it('a hostPath volume in a CronJob template fails (Trivy KSV023 reads CronJob templates too)', () => {
    const cj = cronJob({ containers: [app({})], volumes: [{ name: 'h', hostPath: { path: '/var/log' } }] });
    expect(run('PSS-host-path-volumes', [cj])[0]?.[0]).toBe('fail');
  });

  it('privileged on an ephemeral container fails (Trivy KSV017 does not read ephemeral containers)', () => {
    const p = pod({ containers: [app({})], ephemeralContainers: [{ name: 'debug', image: IMAGE, securityContext: { privileged: true } }] });
    expect(run('PSS-privileged', [p]).filter((v) => v[0] === 'fail').map((v) => v[1])).toEqual(['debug']);
  });
});

describe('a token projected by hand (Trivy KSV036 mounts at the token path) and CIS 5.1.6', () => {
  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: 'team' }, automountServiceAccountToken: false };
  const projecting = (token: Record<string, unknown>) =>
    deployment({
      serviceAccountName: 'app',
      automountServiceAccountToken: false,
      containers: [app({ volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] })],
      volumes: [{ name: 'token', projected: { sources: [{ configMap: { name: 'ca' } }, { serviceAccountToken: { path: 'token', ...token } }] } }],
    });
  const binding: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'app', namespace: 'team' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: 'team' }],
  };
  const role: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'team' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] };

  it('automount off but an API token projected into the pod: the token is mounted and judged (fails for an account bound to nothing)', () => {
    expect(run('CIS-5.1.6', [projecting({}), sa])).toEqual([['fail', undefined, 'spec.template.spec.volumes[token].projected.sources[1].serviceAccountToken']]);
    // Bound to a role, the token is presumably used: pass.
    expect(run('CIS-5.1.6', [projecting({}), sa, binding, role]).map((v) => v[0])).toEqual(['pass']);
  });

  it('a token for another audience (workload identity, Vault) is not an API token: automount off passes', () => {
    expect(run('CIS-5.1.6', [projecting({ audience: 'vault' }), sa])).toEqual([['pass', undefined, undefined]]);
  });
});

describe('Secrets in RBAC (Trivy KSV041) and CIS 5.1.2', () => {
  const bind = (role: string): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `to-${role}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
  });
  const clusterRole = (name: string, rules: unknown[]): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules });

  it('get through a resource wildcard fails (Trivy matches the resource secrets literally and passes it)', () => {
    const role = clusterRole('reader', [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }]);
    expect(run('CIS-5.1.2', [role, bind('reader')]).map((v) => v[0])).toContain('fail');
  });

  it('create alone on secrets is not reading them: no failure (Trivy KSV041 counts write verbs)', () => {
    const role = clusterRole('writer', [{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] }]);
    expect(run('CIS-5.1.2', [role, bind('writer')]).map((v) => v[0])).toEqual(['pass']);
    // The same binding with get on the same resource does fail.
    const reader = clusterRole('writer', [{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get'] }]);
    expect(run('CIS-5.1.2', [reader, bind('writer')]).map((v) => v[0])).toEqual(['fail']);
  });
});
