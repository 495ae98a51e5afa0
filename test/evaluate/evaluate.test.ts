import type { KubeObject, Snapshot } from '../../src/core/types.js';
import { defineControl, type CatalogControl } from '../../src/controls/define.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { podSubjects } from '../../src/evaluate/pod-specs.js';
import { fail, pass } from '../../src/controls/verdicts.js';
import { fingerprint } from '../../src/core/fingerprint.js';

const NOW = new Date('2026-11-01T00:00:00Z');

function snapshot(over: Partial<Snapshot>): Snapshot {
  return { cluster: 'prod-eu', labels: {}, collectedAt: NOW.toISOString(), provider: 'kubeadm', objects: {}, controlPlane: [], kubelets: [], gaps: [], source: 'cluster', ...over };
}

const privilegedSpec = { containers: [{ name: 'app', image: 'app:1', securityContext: { privileged: true } }] };
const plainSpec = { containers: [{ name: 'app', image: 'app:1' }] };

function deployment(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'web' }, spec: { template: { spec } } };
}

function replicaSet(name: string, owner: string | undefined, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'web', ...(owner ? { ownerReferences: [{ kind: 'Deployment', name: owner, controller: true }] } : {}) },
    spec: { template: { spec } },
  };
}

function pod(name: string, owner: { kind: string; name: string } | undefined, spec: Record<string, unknown>, namespace = 'web'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}) },
    spec,
  };
}

const privileged = CONTROLS.find((c) => c.id === 'PSS-privileged') as CatalogControl;

describe('evaluate: missing evidence', () => {
  it('says unknown for the missing list and still judges the evidence it has', () => {
    const snap = snapshot({
      objects: { deployments: [deployment('api', privilegedSpec), deployment('web', plainSpec)] },
      gaps: [{ evidence: 'pods', reason: 'forbidden', message: 'pods is forbidden: User "complyd" cannot list resource "pods"' }],
    });
    const findings = evaluate(snap, [privileged], NOW);
    expect(findings.map((f) => [f.status, f.resource.kind, f.resource.name])).toEqual([
      ['unknown', 'Cluster', 'prod-eu'],
      ['fail', 'Deployment', 'api'],
      ['pass', 'Deployment', 'web'],
    ]);
    expect(findings[0]?.message).toBe(
      'evidence "pods" could not be read: forbidden: pods is forbidden: User "complyd" cannot list resource "pods"',
    );
    expect(findings.every((f) => f.controlId === 'PSS-privileged' && f.severity === 'critical' && f.cluster === 'prod-eu')).toBe(true);
  });

  it('never passes when all of the evidence is missing', () => {
    const gaps = privileged.needs.map((need) => ({ evidence: need, reason: 'timeout' as const, message: 'cluster deadline exceeded' }));
    const findings = evaluate(snapshot({ gaps }), [privileged], NOW);
    expect(findings.length).toBe(privileged.needs.length);
    expect(findings.every((f) => f.status === 'unknown')).toBe(true);
  });

  it('ignores gaps in evidence the control does not need', () => {
    const findings = evaluate(
      snapshot({ objects: { pods: [pod('p', undefined, plainSpec)] }, gaps: [{ evidence: 'secrets', reason: 'forbidden', message: 'no' }] }),
      [privileged],
      NOW,
    );
    expect(findings.map((f) => f.status)).toEqual(['pass']);
  });
});

describe('evaluate: manual and failing controls', () => {
  const manual = defineControl({
    id: 'TEST-manual',
    title: 'A human reviews the audit policy',
    section: 'test',
    severity: 'medium',
    frameworks: ['cis-1.12'],
    refs: { cis: '3.2.2' },
    needs: [],
    rationale: 'The audit policy file is not visible through the API.',
    remediation: 'Review the audit policy file on each control-plane node.',
  });
  const throwing = defineControl({
    ...manual,
    id: 'TEST-throws',
    needs: ['pods'],
    evaluate: () => {
      throw new TypeError("Cannot read properties of undefined (reading 'containers')");
    },
  });
  const healthy = defineControl({
    ...manual,
    id: 'TEST-healthy',
    needs: ['pods'],
    evaluate: (ctx) => ctx.podSubjects.map((s) => (s.spec.hostPID ? fail(s.resource, `${s.specPath}.hostPID`, true, 'false') : pass(s.resource))),
  });
  const snap = snapshot({ objects: { pods: [pod('a', undefined, plainSpec), pod('b', undefined, { ...plainSpec, hostPID: true })] } });

  it('gives a manual control one manual finding with its remediation', () => {
    expect(evaluate(snap, [manual], NOW)).toEqual([
      {
        status: 'manual',
        resource: { kind: 'Cluster', name: 'prod-eu' },
        message: 'Review the audit policy file on each control-plane node.',
        cluster: 'prod-eu',
        controlId: 'TEST-manual',
        severity: 'medium',
      },
    ]);
  });

  it('turns a control that throws into one error for that control only', () => {
    const findings = evaluate(snap, [throwing, healthy, manual], NOW);
    expect(findings.map((f) => [f.controlId, f.status, f.resource.name])).toEqual([
      ['TEST-throws', 'error', 'prod-eu'],
      ['TEST-healthy', 'pass', 'a'],
      ['TEST-healthy', 'fail', 'b'],
      ['TEST-manual', 'manual', 'prod-eu'],
    ]);
    expect(findings[0]?.message).toBe("control TEST-throws failed: Cannot read properties of undefined (reading 'containers')");
  });
});

describe('evaluate: workloads and pods are judged once', () => {
  it('judges a Deployment, not its ReplicaSet and Pods', () => {
    const snap = snapshot({
      objects: {
        deployments: [deployment('api', privilegedSpec)],
        replicasets: [replicaSet('api-7d9c', 'api', privilegedSpec)],
        pods: [pod('api-7d9c-a1', { kind: 'ReplicaSet', name: 'api-7d9c' }, privilegedSpec), pod('api-7d9c-b2', { kind: 'ReplicaSet', name: 'api-7d9c' }, privilegedSpec)],
      },
    });
    expect(evaluate(snap, [privileged], NOW).map((f) => [f.status, f.resource.kind, f.resource.name, f.resource.container])).toEqual([
      ['fail', 'Deployment', 'api', 'app'],
    ]);
  });

  it('judges a Pod whose owner is not in the snapshot as a Pod', () => {
    const snap = snapshot({
      objects: {
        deployments: [deployment('api', plainSpec)],
        pods: [
          // Owned by a ReplicaSet that was not collected (or by an operator's custom resource).
          pod('worker-5f6d-x', { kind: 'ReplicaSet', name: 'worker-5f6d' }, privilegedSpec),
          pod('db-0', { kind: 'PerconaXtraDBCluster', name: 'db' }, plainSpec),
          // A static pod's mirror is owned by its Node.
          pod('kube-apiserver-cp-1', { kind: 'Node', name: 'cp-1' }, plainSpec, 'kube-system'),
        ],
      },
    });
    expect(evaluate(snap, [privileged], NOW).map((f) => [f.status, f.resource.kind, f.resource.name])).toEqual([
      ['pass', 'Deployment', 'api'],
      ['fail', 'Pod', 'worker-5f6d-x'],
      ['pass', 'Pod', 'db-0'],
      ['pass', 'Pod', 'kube-apiserver-cp-1'],
    ]);
  });

  it('judges a ReplicaSet whose Deployment is not in the snapshot, and skips its Pods', () => {
    const snap = snapshot({
      objects: {
        replicasets: [replicaSet('api-7d9c', 'api', privilegedSpec)],
        pods: [pod('api-7d9c-a1', { kind: 'ReplicaSet', name: 'api-7d9c' }, privilegedSpec)],
      },
    });
    expect(podSubjects(snap).map((s) => `${s.resource.kind}/${s.resource.name}`)).toEqual(['ReplicaSet/api-7d9c']);
  });

  it('follows CronJob -> Job -> Pod', () => {
    const snap = snapshot({
      objects: {
        cronjobs: [{ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: 'web' }, spec: { jobTemplate: { spec: { template: { spec: plainSpec } } } } }],
        jobs: [
          { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'backup-2911', namespace: 'web', ownerReferences: [{ kind: 'CronJob', name: 'backup', controller: true }] }, spec: { template: { spec: plainSpec } } },
        ],
        pods: [pod('backup-2911-q', { kind: 'Job', name: 'backup-2911' }, plainSpec)],
      },
    });
    expect(podSubjects(snap).map((s) => [`${s.resource.kind}/${s.resource.name}`, s.specPath, s.metadataPath])).toEqual([
      ['CronJob/backup', 'spec.jobTemplate.spec.template.spec', 'spec.jobTemplate.spec.template.metadata'],
    ]);
  });

  it('does not match an owner of the same name in another namespace', () => {
    const snap = snapshot({
      objects: {
        replicasets: [{ ...replicaSet('api-7d9c', undefined, plainSpec), metadata: { name: 'api-7d9c', namespace: 'other' } }],
        pods: [pod('api-7d9c-a1', { kind: 'ReplicaSet', name: 'api-7d9c' }, plainSpec)],
      },
    });
    expect(podSubjects(snap).map((s) => `${s.resource.kind}/${s.resource.namespace}/${s.resource.name}`)).toEqual([
      'ReplicaSet/other/api-7d9c',
      'Pod/web/api-7d9c-a1',
    ]);
  });
});

describe('evaluate: findings name the apiVersion and uid of the object they judge', () => {
  const base = { title: 'test', section: 'test', severity: 'medium' as const, frameworks: ['cis-1.12' as const], refs: {}, rationale: 'r', remediation: 'r' };
  // References built by hand, as node, namespace and control-plane controls build them.
  const byHand = defineControl({
    ...base,
    id: 'TEST-by-hand',
    needs: ['nodes', 'namespaces', 'pods'],
    evaluate: () => [
      fail({ kind: 'Node', name: 'n1' }, 'spec.x', 'a', 'b'),
      fail({ kind: 'Namespace', name: 'web' }, 'metadata.labels', 'a', 'b'),
      fail({ kind: 'Pod', namespace: 'kube-system', name: 'kube-apiserver-cp-1', container: 'kube-apiserver' }, 'spec.x', 'a', 'b'),
      fail({ kind: 'Namespace', name: 'gone' }, 'metadata.labels', 'a', 'b'),
      fail({ kind: 'Node', name: 'twice' }, 'spec.x', 'a', 'b'),
    ],
  });
  const node = (name: string, uid: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid } });
  const snap = snapshot({
    objects: {
      nodes: [node('n1', 'u-n1'), node('twice', 'u-t1'), node('twice', 'u-t2')],
      namespaces: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', uid: 'u-web' } }],
      pods: [{ ...pod('kube-apiserver-cp-1', undefined, plainSpec, 'kube-system'), metadata: { name: 'kube-apiserver-cp-1', namespace: 'kube-system', uid: 'u-api' } }],
    },
  });

  it('completes a reference the control built by hand from the object it names, and leaves the identity alone', () => {
    const refs = evaluate(snap, [byHand], NOW).map((f) => f.resource);
    expect(refs).toEqual([
      { kind: 'Node', name: 'n1', apiVersion: 'v1', uid: 'u-n1' },
      { kind: 'Namespace', name: 'web', apiVersion: 'v1', uid: 'u-web' },
      { kind: 'Pod', namespace: 'kube-system', name: 'kube-apiserver-cp-1', container: 'kube-apiserver', apiVersion: 'v1', uid: 'u-api' },
      // Not among the objects read, or two objects answer to the name: nothing is guessed.
      { kind: 'Namespace', name: 'gone' },
      { kind: 'Node', name: 'twice' },
    ]);
  });

  it('keeps the fingerprint a reference without them had', () => {
    const bare = snapshot({});
    const withIds = evaluate(snap, [byHand], NOW).map((f) => fingerprint(f));
    const without = evaluate(bare, [byHand], NOW).map((f) => fingerprint(f));
    expect(withIds).toEqual(without);
  });
});
