/**
 * The admission side through the real collector against the fake API server: complyd's
 * policies and bindings reduced, engines installed or not (404), and a 403 a gap, never
 * "not installed".
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { collectCluster, type CollectOptions } from '../../src/collect/collector.js';
import { silentLogger } from '../../src/core/log.js';
import type { ClusterTarget } from '../../src/core/types.js';

const marks = (control: string) => ({ labels: { 'app.kubernetes.io/managed-by': 'complyd' }, annotations: { 'complyd.io/control': control } });
const OBJECTS: ApiObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'complyd-pss-privileged', ...marks('PSS-privileged') }, spec: { failurePolicy: 'Fail', validations: [{ expression: 'true' }] } },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'team-policy' }, spec: { validations: [{ expression: 'true' }] } },
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'complyd-pss-privileged', ...marks('PSS-privileged') },
    spec: { policyName: 'complyd-pss-privileged', validationActions: ['Deny', 'Bogus'], matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } } },
  },
  { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'require-labels' }, spec: {} },
  {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: { name: 'polr-shop', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'kyverno' } },
    summary: { pass: 4, fail: 1, warn: 0, error: 0, skip: 0 },
    results: [{ source: 'kyverno', policy: 'require-labels', result: 'fail', message: 'label "team" is required' }],
  },
];

describe('collecting the admission side', () => {
  let server: FakeApiServer;
  let dir: string;
  const target = (): ClusterTarget => {
    const path = join(dir, 'kubeconfig.yaml');
    writeFileSync(path, server.kubeconfig({ user: 'scanner', token: 'good-token' }));
    return { name: 'c1', kubeconfig: path, labels: {}, configPath: 'clusters[0]' };
  };
  const opts: CollectOptions = { pageSize: 50, requestTimeoutMs: 5000, clusterTimeoutMs: 20_000, now: () => new Date('2026-12-01T00:00:00Z'), log: silentLogger() };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-admission-'));
    server = await startFakeApiServer({ objects: OBJECTS, tokens: { 'good-token': 'scanner' } });
  });
  afterAll(() => server.close());
  afterEach(() => server.clearFaults());

  it('reads policies, bindings, engines and PolicyReports, reduced to what posture needs', async () => {
    const snap = await collectCluster(target(), opts);
    const a = snap.admission;
    expect(a?.policies).toEqual([
      { name: 'complyd-pss-privileged', managedByComplyd: true, control: 'PSS-privileged', failurePolicy: 'Fail' },
      { name: 'team-policy', managedByComplyd: false },
    ]);
    expect(a?.bindings).toEqual([
      {
        name: 'complyd-pss-privileged',
        policyName: 'complyd-pss-privileged',
        actions: ['Deny'],
        managedByComplyd: true,
        control: 'PSS-privileged',
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] },
      },
    ]);
    // Kyverno is installed (its CRD serves a list); Gatekeeper's group is not served: 404.
    expect(a?.engines).toEqual({ kyverno: { state: 'installed', policies: 1 }, gatekeeper: { state: 'not-installed' } });
    expect(a?.policyReports).toEqual([{ source: 'kyverno', kind: 'PolicyReport', name: 'polr-shop', namespace: 'shop', summary: { pass: 4, fail: 1, warn: 0, error: 0, skip: 0 } }]);
    // Their messages are not kept.
    expect(JSON.stringify(snap)).not.toContain('label \\"team\\" is required');
    expect(snap.gaps.filter((g) => g.evidence.startsWith('admission/'))).toEqual([]);
  });

  it('turns a 403 into a gap and an unknown engine, never "not installed"', async () => {
    server.setFault('validatingadmissionpolicybindings', { forbidden: true });
    server.setFault('constrainttemplates', { forbidden: true });
    const snap = await collectCluster(target(), opts);
    expect(snap.admission?.bindings).toBeUndefined();
    expect(snap.admission?.policies).toHaveLength(2);
    expect(snap.admission?.engines.gatekeeper.state).toBe('unknown');
    expect(snap.gaps.map((g) => [g.evidence, g.reason])).toEqual(
      expect.arrayContaining([
        ['admission/validatingadmissionpolicybindings', 'forbidden'],
        ['admission/gatekeeper', 'forbidden'],
      ]),
    );
  });
});
