import type { Finding, KubeObject } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { NOW, container, pod, snapshotOf } from './pss-helpers.js';

/**
 * CIS section 5 on the edge cases where kube-bench and Kubescape decide differently (ADR 0027):
 * each verdict here is the one the benchmark's text supports, and the control's rationale says
 * how the scanners differ.
 */

function judge(controlId: string, objects: KubeObject[]): Finding[] {
  const control = CONTROLS.find((c) => c.id === controlId);
  if (!control) throw new Error(`unknown control ${controlId}`);
  return evaluate(snapshotOf(objects), [control], NOW);
}
const verdicts = (fs: Finding[]) => fs.map((f) => [f.status, `${f.resource.kind}/${f.resource.name}`, f.evidence?.path]);

const rbac = 'rbac.authorization.k8s.io/v1';
const clusterRole = (name: string, rules: unknown[]): KubeObject => ({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name }, rules });
const binding = (kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, roleName: string, subjects: unknown[]): KubeObject => ({
  apiVersion: rbac,
  kind,
  metadata: kind === 'RoleBinding' ? { name, namespace: 'team' } : { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
});
const alice = { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' };
const masters = { kind: 'Group', name: 'system:masters', apiGroup: 'rbac.authorization.k8s.io' };
const account = (name: string, automount?: boolean): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: 'team' },
  ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
});

describe('CIS 5.1 RBAC edge cases', () => {
  it('5.1.1: a RoleBinding of cluster-admin fails (Kubescape reads ClusterRoleBindings only)', () => {
    expect(verdicts(judge('CIS-5.1.1', [binding('RoleBinding', 'ns-admin', 'cluster-admin', [alice])]))).toEqual([['fail', 'RoleBinding/ns-admin', 'subjects[0]']]);
  });

  it('5.1.1: the ClusterRoleBinding named cluster-admin is judged by its subjects, not passed by its name (kube-bench)', () => {
    expect(verdicts(judge('CIS-5.1.1', [binding('ClusterRoleBinding', 'cluster-admin', 'cluster-admin', [masters])]))).toEqual([['pass', 'Cluster/test', undefined]]);
    expect(verdicts(judge('CIS-5.1.1', [binding('ClusterRoleBinding', 'cluster-admin', 'cluster-admin', [masters, alice])]))).toEqual([
      ['fail', 'ClusterRoleBinding/cluster-admin', 'subjects[1]'],
    ]);
  });

  it('5.1.2: get on one named Secret is not read access to Secrets (as kubectl auth can-i answers); get on all of them is', () => {
    const named = clusterRole('one-secret', [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'], verbs: ['get'] }]);
    expect(verdicts(judge('CIS-5.1.2', [named, binding('ClusterRoleBinding', 'b', 'one-secret', [alice])])).map((v) => v[0])).toEqual(['pass']);
    const all = clusterRole('all-secrets', [{ apiGroups: ['*'], resources: ['*'], verbs: ['watch'] }]);
    expect(verdicts(judge('CIS-5.1.2', [all, binding('ClusterRoleBinding', 'b', 'all-secrets', [alice])]))).toEqual([['fail', 'ClusterRoleBinding/b', 'subjects[0]']]);
  });

  it('5.1.4: system:authenticated holding create pods fails, as kube-bench\'s can-i check does', () => {
    const role = clusterRole('pod-maker', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]);
    const everyone = { kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' };
    expect(verdicts(judge('CIS-5.1.4', [role, binding('ClusterRoleBinding', 'open', 'pod-maker', [everyone])]))).toEqual([['fail', 'ClusterRoleBinding/open', 'subjects[0]']]);
  });

  it('5.1.8: bind on clusterroles granted by a RoleBinding fails: the API server checks it in the binding\'s namespace', () => {
    const grantor = clusterRole('role-grantor', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] }]);
    expect(verdicts(judge('CIS-5.1.8', [grantor, binding('RoleBinding', 'grantor', 'role-grantor', [alice])]))).toEqual([['fail', 'RoleBinding/grantor', 'subjects[0]']]);
    // escalate on clusterroles is checked cluster-wide: a RoleBinding does not give it.
    const escalator = clusterRole('escalator', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['escalate'] }]);
    expect(verdicts(judge('CIS-5.1.8', [escalator, binding('RoleBinding', 'esc', 'escalator', [alice])])).map((v) => v[0])).toEqual(['pass']);
  });

  it('5.1.6: a mounted token passes when its ServiceAccount is bound, and fails when it is not (both scanners fail both)', () => {
    const role = clusterRole('reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    const app = (sa: string): KubeObject => ({ ...pod({ serviceAccountName: sa, containers: [container('a')] }), metadata: { name: sa, namespace: 'team' } });
    const findings = judge('CIS-5.1.6', [
      account('bound'),
      account('idle'),
      role,
      binding('RoleBinding', 'b', 'reader', [{ kind: 'ServiceAccount', name: 'bound' }]),
      app('bound'),
      app('idle'),
    ]);
    expect(verdicts(findings)).toEqual([
      ['pass', 'Pod/bound', undefined],
      ['fail', 'Pod/idle', 'spec.automountServiceAccountToken'],
    ]);
  });
});

describe('CIS 5.2 to 5.4 edge cases', () => {
  it('5.2.1: enforce=privileged enforces nothing and fails (Kubescape passes any enforce label)', () => {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } };
    expect(judge('CIS-5.2.1', [namespace, pod({ containers: [container('a')] })]).map((f) => f.status)).toEqual(['fail']);
  });

  it('5.2.3 to 5.2.5: an explicit false passes (kube-bench\'s audit reports any value it reads as non-compliant)', () => {
    const explicit = pod({ hostPID: false, hostIPC: false, hostNetwork: false, containers: [container('a')] });
    for (const id of ['PSS-host-pid', 'PSS-host-ipc', 'PSS-host-network']) expect([id, judge(id, [explicit]).map((f) => f.status)]).toEqual([id, ['pass']]);
  });

  it('5.4.1: envFrom secretRef and an ephemeral container\'s secretKeyRef both fail (Kubescape reads secretKeyRef in containers and init containers only)', () => {
    const spec = {
      containers: [container('a', undefined, { envFrom: [{ secretRef: { name: 'db' } }] })],
      ephemeralContainers: [container('debug', undefined, { env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } }] })],
    };
    expect(verdicts(judge('CIS-5.4.1', [pod(spec)]))).toEqual([
      ['fail', 'Pod/p', 'spec.containers[a].envFrom[0].secretRef'],
      ['fail', 'Pod/p', 'spec.ephemeralContainers[debug].env[TOKEN].valueFrom.secretKeyRef'],
    ]);
  });

  it('5.3.2: a namespace where nothing runs is not applicable (Kubescape fails it)', () => {
    const empty: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } };
    expect(judge('CIS-5.3.2', [empty]).map((f) => [f.status, f.resource.name])).toEqual([['not-applicable', 'empty']]);
  });
});
