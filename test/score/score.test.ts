import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadManifests } from '../../src/collect/manifests.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { CONTROLS } from '../../src/controls/index.js';
import { complianceScore } from '../../src/score/compliance.js';
import { riskByNamespace, workloadRisks } from '../../src/score/risk.js';
import { emptyCounts } from '../../src/core/status.js';
import type { Gap } from '../../src/core/types.js';

const NOW = new Date('2026-11-01T00:00:00Z');

describe('compliance score', () => {
  const counts = (pass: number, fail: number, unknown = 0) => ({ ...emptyCounts(), pass, fail, unknown });

  it('is the severity-weighted share of decided checks that passed', () => {
    const s = complianceScore([
      { controlId: 'a', severity: 'critical', counts: counts(1, 1) }, // 8 of 16
      { controlId: 'b', severity: 'low', counts: counts(4, 0, 7) }, // 4 of 4
    ]);
    expect(s.weightedPass).toBe(12);
    expect(s.weightedDecided).toBe(20);
    expect(s.score).toBeCloseTo(60);
    expect(s.counts.unknown).toBe(7);
  });

  it('never counts unknown as passed, and has no score without decided checks', () => {
    expect(complianceScore([{ controlId: 'a', severity: 'high', counts: counts(0, 0, 9) }]).score).toBeNull();
    expect(complianceScore([{ controlId: 'a', severity: 'high', counts: counts(0, 3, 9) }]).score).toBe(0);
  });
});

function deployment(name: string, opts: { privileged?: boolean; replicas?: number; sa?: string; automount?: boolean } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      replicas: opts.replicas ?? 1,
      template: {
        metadata: { labels: { app: name } },
        spec: {
          serviceAccountName: opts.sa ?? 'default',
          ...(opts.automount === undefined ? {} : { automountServiceAccountToken: opts.automount }),
          containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 8080 }], securityContext: { privileged: opts.privileged ?? false } }],
        },
      },
    },
  };
}

const loadBalancer = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 443, targetPort: 8080 }] } });
const policy = (name: string, podSelector: object, spec: object = {}) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec: { podSelector, ...spec } });

async function risks(objects: object[], gaps: Gap[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'complyd-risk-'));
  writeFileSync(join(dir, 'all.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  const { snapshot } = await loadManifests([dir], { collectedAt: NOW });
  snapshot.gaps.push(...gaps);
  const findings = evaluate(snapshot, CONTROLS, NOW);
  return workloadRisks(new EvalContext(snapshot, NOW), findings);
}

describe('workload risk', () => {
  it('multiplies severity by exposure and shows every factor', async () => {
    const r = await risks([
      deployment('front', { privileged: true, replicas: 12, sa: 'reader' }),
      deployment('quiet'),
      deployment('db'),
      loadBalancer('front'),
      // quiet admits nothing and sends nothing: no reachability; db is open to every pod.
      policy('quiet-closed', { matchLabels: { app: 'quiet' } }, { policyTypes: ['Ingress', 'Egress'] }),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: 'shop' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'shop' }],
      },
    ]);
    const front = r.find((x) => x.resource.name === 'front');
    const quiet = r.find((x) => x.resource.name === 'quiet');
    expect(front?.factors.map((f) => f.factor)).toEqual(['privilege', 'reachability', 'lateral', 'blast-radius', 'rbac-secrets']);
    expect(front?.factors.find((f) => f.factor === 'reachability')).toEqual({
      factor: 'reachability',
      contribution: 1.5,
      reason: 'reachable from the internet through Service shop/front[LoadBalancer] on TCP 8080; open to every pod of the cluster (All Connections)',
    });
    // front reaches db (open to all), not quiet (closed).
    expect(front?.factors.find((f) => f.factor === 'lateral')).toEqual({ factor: 'lateral', contribution: 0.1, reason: 'once reached, can connect to 1 workload(s): shop/db[Deployment]' });
    expect(front?.factors.find((f) => f.factor === 'rbac-secrets')?.reason).toBe('service account reader can read Secrets in every namespace');
    expect(front?.exposure).toBeCloseTo(5.6);
    expect(front?.risk).toBeCloseTo((front?.severity ?? 0) * 5.6);
    const db = r.find((x) => x.resource.name === 'db');
    expect(db?.factors).toEqual([
      { factor: 'reachability', contribution: 0.5, reason: 'open to every pod of the cluster (All Connections)' },
      { factor: 'lateral', contribution: 0.1, reason: 'once reached, can connect to 1 workload(s): shop/front[Deployment]' },
    ]);
    expect(quiet?.factors).toEqual([]);
    expect(quiet?.risk).toBe(quiet?.severity);
    expect(r[0]?.resource.name).toBe('front');
    expect(riskByNamespace(r).get('shop')).toBeCloseTo((front?.risk ?? 0) + (quiet?.risk ?? 0) + (db?.risk ?? 0));
  });

  it('takes reachability from what the policies let in, not from the Service alone', async () => {
    const objects = [
      deployment('front'),
      deployment('api'),
      loadBalancer('front'),
      // Default deny for ingress; api admits front on 8080: front is behind its LoadBalancer but nothing gets in.
      policy('default-deny', {}, { policyTypes: ['Ingress'] }),
      policy('api-from-front', { matchLabels: { app: 'api' } }, { ingress: [{ from: [{ podSelector: { matchLabels: { app: 'front' } } }], ports: [{ port: 8080 }] }] }),
    ];
    const r = await risks(objects);
    expect(r.find((x) => x.resource.name === 'front')?.factors.filter((f) => f.factor === 'reachability' || f.factor === 'lateral')).toEqual([]);
    expect(r.find((x) => x.resource.name === 'api')?.factors.filter((f) => f.factor === 'reachability' || f.factor === 'lateral')).toEqual([]);
    // Unread NetworkPolicies are not read as "none": Services and Ingresses alone, said so.
    const unread = await risks(objects, [{ evidence: 'networkpolicies', reason: 'forbidden', message: 'networkpolicies is forbidden' }]);
    expect(unread.find((x) => x.resource.name === 'front')?.factors.find((f) => f.factor === 'reachability')).toEqual({
      factor: 'reachability',
      contribution: 1,
      reason: 'exposed by Service front of type LoadBalancer (NetworkPolicies not read: from Services and Ingresses alone)',
    });
    expect(unread.find((x) => x.resource.name === 'api')?.factors.some((f) => f.factor === 'reachability')).toBe(false);
  });

  it('ignores RBAC rights of a service account whose token is not mounted', async () => {
    const r = await risks([
      deployment('front', { sa: 'reader', automount: false }),
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'all' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'all' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'all' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'shop' }],
      },
    ]);
    expect(r.find((x) => x.resource.name === 'front')?.factors.filter((f) => f.factor.startsWith('rbac'))).toEqual([]);
  });
});
