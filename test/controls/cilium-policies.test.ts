import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { collectCluster, type CollectOptions } from '../../src/collect/collector.js';
import { silentLogger } from '../../src/core/log.js';
import type { ClusterTarget, KubeObject, Snapshot } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { NOW, snapshotOf } from './pss-helpers.js';

/** CIS 5.3.2 counts Cilium's policies; the collector reads them where the CRDs exist, and a 404 is "not installed". */

const control = CONTROLS.find((c) => c.id === 'CIS-5.3.2');
const judge = (snapshot: Snapshot) => {
  if (!control) throw new Error('CIS-5.3.2');
  return evaluate(snapshot, [control], NOW).map((f) => [f.resource.name, f.status]);
};

const ns = (name: string): ApiObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (namespace: string): ApiObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace }, spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0' }] } });
const cnp = (namespace: string): ApiObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'deny', namespace }, spec: { endpointSelector: {}, ingress: [{}] } });
const ccnp = (name: string, endpointSelector: unknown, asList = false): ApiObject => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name },
  ...(asList ? { specs: [{ endpointSelector, ingress: [{}] }] } : { spec: { endpointSelector, ingress: [{}] } }),
});

describe('CIS-5.3.2 and Cilium network policies', () => {
  it('counts a CiliumNetworkPolicy for its own namespace only', () => {
    expect(judge(snapshotOf([pod('shop'), pod('web'), cnp('shop')] as unknown as KubeObject[]))).toEqual([
      ['shop', 'pass'],
      ['web', 'fail'],
    ]);
  });

  it('counts a cluster-wide policy with an empty endpointSelector for every namespace', () => {
    expect(judge(snapshotOf([pod('shop'), pod('web'), ccnp('default-deny', {})] as unknown as KubeObject[]))).toEqual([
      ['shop', 'pass'],
      ['web', 'pass'],
    ]);
  });

  it('counts a cluster-wide policy for the namespace its selector names (specs form too), and not one it cannot place', () => {
    const named = ccnp('shop-only', { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } }, true);
    const byApp = ccnp('by-app', { matchLabels: { app: 'web' } });
    expect(judge(snapshotOf([pod('shop'), pod('web'), named, byApp] as unknown as KubeObject[]))).toEqual([
      ['shop', 'pass'],
      ['web', 'fail'],
    ]);
  });

  it('does not count a cluster-wide policy that restricts nothing: no rule section, empty sections, or allows with default deny off', () => {
    const clusterwide = (name: string, spec: Record<string, unknown>): ApiObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec: { endpointSelector: {}, ...spec } });
    const judged = (spec: Record<string, unknown>) => judge(snapshotOf([pod('web'), clusterwide('c', spec)] as unknown as KubeObject[]));
    expect(judged({})).toEqual([['web', 'fail']]);
    expect(judged({ ingress: [], egress: [] })).toEqual([['web', 'fail']]);
    expect(judged({ ingress: [{}], egress: [{}], enableDefaultDeny: { ingress: false, egress: false } })).toEqual([['web', 'fail']]);
    // Default deny off in one direction only, or an explicit deny, still restricts.
    expect(judged({ ingress: [{}], egress: [{}], enableDefaultDeny: { ingress: false } })).toEqual([['web', 'pass']]);
    expect(judged({ ingressDeny: [{ fromEntities: ['world'] }], enableDefaultDeny: { ingress: false, egress: false } })).toEqual([['web', 'pass']]);
    expect(judged({ egress: [{ toEntities: ['kube-apiserver'] }] })).toEqual([['web', 'pass']]);
  });

  it('is unknown, not fail, for a namespace without a NetworkPolicy when the Cilium lists could not be read', () => {
    const snapshot = { ...snapshotOf([pod('web')] as unknown as KubeObject[]), gaps: [{ evidence: 'ciliumnetworkpolicies', reason: 'forbidden' as const, message: 'forbidden' }] };
    expect(judge(snapshot)).toEqual([['web', 'unknown']]);
  });
});

describe('the network isolation controls where Cilium policies apply', () => {
  const run = (objects: ApiObject[]) =>
    evaluate(snapshotOf(objects as unknown as KubeObject[]), CONTROLS.filter((c) => ['HARD-network-ingress-isolation', 'HARD-network-egress-isolation', 'HARD-network-open-to-cluster'].includes(c.id)), NOW)
      .filter((f) => f.status !== 'not-applicable')
      .map((f) => [f.controlId, f.resource.namespace ?? f.resource.name, f.status]);

  it('say unknown, not fail, for what the NetworkPolicies leave open in a namespace a Cilium policy covers (the analysis does not model it)', () => {
    const findings = run([ns('shop'), ns('web'), pod('shop'), pod('web'), cnp('shop')]);
    expect(findings).toEqual(
      expect.arrayContaining([
        ['HARD-network-ingress-isolation', 'shop', 'unknown'],
        ['HARD-network-ingress-isolation', 'web', 'fail'],
        ['HARD-network-egress-isolation', 'shop', 'unknown'],
        ['HARD-network-egress-isolation', 'web', 'fail'],
        ['HARD-network-open-to-cluster', 'shop', 'unknown'],
        ['HARD-network-open-to-cluster', 'web', 'fail'],
      ]),
    );
    expect(findings).toHaveLength(6);
  });

  it('and everywhere a cluster-wide policy selects every pod', () => {
    expect(run([ns('web'), pod('web'), ccnp('default-deny', {})]).map((f) => f[2])).toEqual(['unknown', 'unknown', 'unknown']);
  });
});

describe('collecting Cilium policies from a fake API server', () => {
  let dir: string;
  const servers: FakeApiServer[] = [];
  const opts: CollectOptions = { pageSize: 50, requestTimeoutMs: 5000, clusterTimeoutMs: 20_000, now: () => NOW, log: silentLogger() };
  const target = (kubeconfig: string): ClusterTarget => {
    const path = join(dir, `${servers.length}.yaml`);
    writeFileSync(path, kubeconfig);
    return { name: 'c', kubeconfig: path, labels: {}, configPath: 'clusters[0]' };
  };
  const start = async (objects: ApiObject[], crds?: string[]) => {
    const s = await startFakeApiServer({ objects, tokens: { tok: 'scanner' }, ...(crds ? { crds } : {}) });
    servers.push(s);
    return collectCluster(target(s.kubeconfig({ user: 'scanner', token: 'tok' })), opts);
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-cilium-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('without Cilium: the 404 is "not installed", an empty list and no gap', async () => {
    const snap = await start([ns('web'), pod('web')]);
    expect(snap.objects.ciliumnetworkpolicies).toEqual([]);
    expect(snap.objects.ciliumclusterwidenetworkpolicies).toEqual([]);
    expect(snap.gaps.filter((g) => g.evidence.startsWith('cilium'))).toEqual([]);
    expect(judge(snap)).toEqual([['web', 'fail']]);
  });

  it('with Cilium installed: its policies are read and judged', async () => {
    const snap = await start([ns('shop'), ns('web'), pod('shop'), pod('web'), cnp('shop')], ['cilium.io']);
    expect(snap.objects.ciliumnetworkpolicies?.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['shop/deny']);
    expect(snap.objects.ciliumclusterwidenetworkpolicies).toEqual([]);
    expect(judge(snap)).toEqual([
      ['shop', 'pass'],
      ['web', 'fail'],
    ]);
  });

  it('a Cilium list refused is a gap, and the namespace without a NetworkPolicy is unknown', async () => {
    const s = await startFakeApiServer({ objects: [ns('web'), pod('web')], tokens: { tok: 'scanner' }, crds: ['cilium.io'], faults: { ciliumnetworkpolicies: { forbidden: true } } });
    servers.push(s);
    const snap = await collectCluster(target(s.kubeconfig({ user: 'scanner', token: 'tok' })), opts);
    expect(snap.gaps.map((g) => [g.evidence, g.reason])).toContainEqual(['ciliumnetworkpolicies', 'forbidden']);
    expect(judge(snap)).toEqual([['web', 'unknown']]);
  });
});
