import type { Finding, KubeObject } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { NOW, snapshotOf } from './pss-helpers.js';

/** RBAC verdicts: cluster-admin by another spelling, bindings to roles not read, latent roles (ADR 0016). */

function judge(controlId: string, objects: KubeObject[]): Finding[] {
  const control = CONTROLS.find((c) => c.id === controlId);
  if (!control) throw new Error(`unknown control ${controlId}`);
  return evaluate(snapshotOf(objects), [control], NOW);
}

const rbac = 'rbac.authorization.k8s.io/v1';
const clusterRole = (name: string, rules: unknown[], labels?: Record<string, string>): KubeObject => ({
  apiVersion: rbac,
  kind: 'ClusterRole',
  metadata: { name, ...(labels ? { labels } : {}) },
  rules,
});
const role = (namespace: string, name: string, rules: unknown[]): KubeObject => ({ apiVersion: rbac, kind: 'Role', metadata: { name, namespace }, rules });
const crb = (name: string, roleName: string, subjects: unknown[]): KubeObject => ({
  apiVersion: rbac,
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
});
const alice = { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' };
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const summary = (fs: Finding[]) => fs.map((f) => [f.status, `${f.resource.kind}/${f.resource.name}`, f.evidence?.path, f.message?.startsWith('latent:') ?? false]);

describe('CIS-5.1.1 cluster-admin equivalence', () => {
  it('counts a role listing every resource verb one by one on */* as cluster-admin', () => {
    const spelled = clusterRole('all-verbs', [{ apiGroups: ['*'], resources: ['*'], verbs: VERBS }]);
    expect(summary(judge('CIS-5.1.1', [spelled, crb('alice-all', 'all-verbs', [alice])]))).toEqual([['fail', 'ClusterRoleBinding/alice-all', 'subjects[0]', false]]);
  });

  it('does not count a role missing one verb (no delete) as cluster-admin', () => {
    const partial = clusterRole('no-delete', [{ apiGroups: ['*'], resources: ['*'], verbs: VERBS.filter((v) => v !== 'delete') }]);
    expect(summary(judge('CIS-5.1.1', [partial, crb('alice-most', 'no-delete', [alice])]))).toEqual([['pass', 'Cluster/test', undefined, false]]);
  });

  it('is unknown, never a pass, for a binding whose role is not among the manifests', () => {
    const findings = judge('CIS-5.1.1', [crb('alice-mystery', 'mystery', [alice])]);
    expect(summary(findings)).toEqual([['unknown', 'ClusterRoleBinding/alice-mystery', undefined, false]]);
  });

  it('fails a binding of cluster-admin by name even when the role itself was not read, without a second unknown', () => {
    expect(summary(judge('CIS-5.1.1', [crb('alice-admin', 'cluster-admin', [alice])]))).toEqual([['fail', 'ClusterRoleBinding/alice-admin', 'subjects[0]', false]]);
  });

  it('reports an unbound role equal to cluster-admin as a latent failure on the role', () => {
    const findings = judge('CIS-5.1.1', [clusterRole('god-mode', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }])]);
    expect(summary(findings)).toEqual([['fail', 'ClusterRole/god-mode', 'rules[0]', true]]);
  });

  it("leaves Kubernetes' own unbound cluster-admin role alone", () => {
    const own = clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], { 'kubernetes.io/bootstrapping': 'rbac-defaults' });
    const bound = crb('alice-view', 'view', [alice]);
    const view = clusterRole('view', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    expect(summary(judge('CIS-5.1.1', [own, view, bound]))).toEqual([['pass', 'Cluster/test', undefined, false]]);
  });
});

describe('latent RBAC findings of the permission controls', () => {
  const reader = clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);

  it('fails a ClusterRole that reads Secrets and that nothing binds, on the role, marked latent', () => {
    expect(summary(judge('CIS-5.1.2', [reader]))).toEqual([['fail', 'ClusterRole/secret-reader', 'rules[0]', true]]);
  });

  it('reports the binding, not the role, once the role is bound', () => {
    expect(summary(judge('CIS-5.1.2', [reader, crb('alice-secrets', 'secret-reader', [alice])]))).toEqual([['fail', 'ClusterRoleBinding/alice-secrets', 'subjects[0]', false]]);
  });

  it('counts a role as bound when a binding with no subjects references it', () => {
    const empty = crb('placeholder', 'secret-reader', []);
    expect(summary(judge('CIS-5.1.2', [reader, empty]))).toEqual([['pass', 'Cluster/test', undefined, false]]);
  });

  it('does not report a ClusterRole aggregated into another: the aggregating role carries it', () => {
    const part = clusterRole('secret-part', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], { 'example.com/aggregate-to-ops': 'true' });
    const ops: KubeObject = { ...clusterRole('ops', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-ops': 'true' } }] } } as KubeObject;
    expect(summary(judge('CIS-5.1.2', [part, ops]))).toEqual([['fail', 'ClusterRole/ops', 'aggregationRule (ClusterRole secret-part rules[0])', true]]);
  });

  it('does not report a Role for a cluster-scoped permission it can never grant', () => {
    const pvMaker = role('team', 'pv-maker', [{ apiGroups: [''], resources: ['persistentvolumes'], verbs: ['create'] }]);
    expect(summary(judge('CIS-5.1.9', [pvMaker])).filter((f) => f[0] === 'fail')).toEqual([]);
  });
});

describe('latent findings when the bindings were not all read', () => {
  const deployer = role('team', 'deployer', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }]);
  const reader = clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
  const withGap = (evidence: string, objects: KubeObject[], id: string) => {
    const control = CONTROLS.find((c) => c.id === id);
    if (!control) throw new Error(id);
    const snapshot = { ...snapshotOf(objects), source: 'cluster' as const, gaps: [{ evidence, reason: 'forbidden' as const, message: `list ${evidence}: HTTP 403` }] };
    return evaluate(snapshot, [control], NOW).filter((f) => f.status === 'fail');
  };

  it('still fails the role, but says it may be bound already when RoleBindings could not be read', () => {
    const [f] = withGap('rolebindings', [deployer], 'HARD-rbac-workload-write');
    expect([f?.status, `${f?.resource.kind}/${f?.resource.name}`, f?.evidence?.path]).toEqual(['fail', 'Role/deployer', 'rules[0]']);
    expect(f?.message).toBe('latent: no binding read references Role team/deployer (rolebindings could not be read, so it may be bound already); whoever it is bound to can create, update or patch workloads that run pods');
  });

  it('a ClusterRole may be bound by either kind of binding; a Role is not affected by a ClusterRoleBinding gap', () => {
    expect(withGap('clusterrolebindings', [reader], 'CIS-5.1.2')[0]?.message).toContain('(clusterrolebindings could not be read, so it may be bound already)');
    expect(withGap('clusterrolebindings', [deployer], 'HARD-rbac-workload-write')[0]?.message).toBe(
      'latent: no binding read references Role team/deployer; whoever it is bound to can create, update or patch workloads that run pods',
    );
  });
});
