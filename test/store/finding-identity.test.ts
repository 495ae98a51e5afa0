/**
 * Every verdict has its own fingerprint, and a verdict that was alone on its resource keeps the
 * fingerprint complyd 0.1.0 stored for it (lifecycles continue across the upgrade).
 */
import type { Knex } from 'knex';
import { fingerprint, matchKey, verdictDiscriminators } from '../../src/core/fingerprint.js';
import type { Control } from '../../src/core/control.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { evaluateCompact } from '../../src/scan/scan-fleet.js';
import type { Finding, KubeObject, Snapshot, Verdict } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { CLUSTER_SCOPE, clusterScan, f, runOn, workload } from './history-fixtures.js';

const S = 'staging';
const byId = (id: string) => CONTROLS.filter((c) => c.id === id);

function snapshot(over: Partial<Snapshot>): Snapshot {
  return { cluster: S, labels: {}, collectedAt: '2026-11-01T00:00:00Z', provider: 'kubeadm', objects: {}, controlPlane: [], kubelets: [], gaps: [], source: 'cluster', ...over };
}

const forbidden = (evidence: string) => ({ evidence, reason: 'forbidden' as const, message: `${evidence} is forbidden` });

describe('fingerprints', () => {
  it('are those of 0.1.0 for a verdict alone on its resource (frozen values)', () => {
    expect(fingerprint({ cluster: 'prod', controlId: 'CIS-5.2.2', resource: { kind: 'Deployment', namespace: 'shop', name: 'api', container: 'app' } })).toBe('c640fa2944ea906bdfe0fbc7a46b9b00');
    // apiVersion and uid are reported, not part of the identity.
    expect(fingerprint({ cluster: 'prod', controlId: 'CIS-5.2.2', resource: { kind: 'Deployment', namespace: 'shop', name: 'api', container: 'app', apiVersion: 'apps/v1', uid: 'u-1' } })).toBe(
      'c640fa2944ea906bdfe0fbc7a46b9b00',
    );
    expect(fingerprint({ cluster: S, controlId: 'CIS-3.1.2', resource: CLUSTER_SCOPE(S) })).toBe('47ae3b43b665a8256d8d3a1a50a2c2f0');
  });

  it('distinguish every verdict of a control on one resource; the one without a proposed discriminator keeps the plain identity', () => {
    const gapUnknown: Finding = f(S, 'C', 'unknown', CLUSTER_SCOPE(S), { message: 'secrets missing', discriminator: 'missing secrets' });
    const own: Finding = f(S, 'C', 'manual', CLUSTER_SCOPE(S), { message: 'look' });
    const a: Finding = f(S, 'C', 'fail', workload('a'), { evidence: { path: 'p', observed: '1', expected: '0' } });
    const a2: Finding = f(S, 'C', 'fail', workload('a'), { evidence: { path: 'p', observed: '2', expected: '0' } });
    const a3: Finding = f(S, 'C', 'fail', workload('a'), { evidence: { path: 'p', observed: '3', expected: '0' } });
    const lone: Finding = f(S, 'C', 'fail', workload('b'), { discriminator: 'proposed but alone' });
    const all = [gapUnknown, own, a, a2, a3, lone];
    const ds = verdictDiscriminators(all);
    all.forEach((x, i) => {
      if (ds?.[i] === undefined) delete x.discriminator;
      else x.discriminator = ds[i];
    });
    expect(all.map((x) => x.discriminator)).toEqual(['missing secrets', undefined, undefined, 'p', 'p#2', undefined]);
    expect(new Set(all.map(fingerprint)).size).toBe(all.length);
  });

  it('evaluate gives the verdicts seen colliding in the demo (CIS-3.1.2, CIS-5.1.7, CIS-5.6.4) distinct fingerprints', () => {
    const gaps = [forbidden('secrets'), forbidden('rolebindings')];
    const defaultSa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default', uid: 'sa-uid' } };
    const findings = evaluate(snapshot({ gaps, objects: { serviceaccounts: [defaultSa] } }), [...byId('CIS-3.1.2'), ...byId('CIS-5.1.7'), ...byId('CIS-5.6.4')], new Date());
    const clusterLevel = findings.filter((x) => x.resource.kind === 'Cluster').map((x) => [x.controlId, x.status, x.discriminator]);
    expect(clusterLevel).toEqual([
      ['CIS-3.1.2', 'unknown', 'missing secrets'],
      ['CIS-3.1.2', 'manual', undefined],
      ['CIS-5.1.7', 'unknown', 'missing rolebindings'],
      ['CIS-5.1.7', 'manual', undefined],
      ['CIS-5.6.4', 'unknown', undefined],
      ['CIS-5.6.4', 'unknown', 'missing secrets'],
    ]);
    expect(new Set(findings.map(fingerprint)).size).toBe(findings.length);
  });

  it('a verdict object a control gives twice on one resource is two verdicts with identities of their own, and is left as it was', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', uid: 'pod-uid' }, spec: { containers: [] } };
    const twice: Verdict = { status: 'pass', resource: { kind: 'Pod', namespace: 'shop', name: 'p' }, discriminator: 'proposed' };
    const control = { ...byId('PSS-privileged')[0], id: 'TWICE', evaluate: () => [twice, twice] } as Control<EvalContext>;
    const snap = snapshot({ objects: { pods: [pod] } });
    const findings = evaluate(snap, [control], new Date());
    expect(findings.map((x) => x.discriminator)).toEqual([undefined, 'proposed']);
    expect(twice).toEqual({ status: 'pass', resource: { kind: 'Pod', namespace: 'shop', name: 'p' }, discriminator: 'proposed' });
    // The scan folds them into its passes with the same two identities.
    const keys: string[] = [];
    return evaluateCompact(new EvalContext(snap, new Date()), [control]).then(({ findings: kept, passes }) => {
      passes.forEachKey((key) => keys.push(key));
      expect(kept).toEqual([]);
      expect(keys).toEqual(findings.map((x) => matchKey(x.controlId, x.resource, x.discriminator)));
    });
  });

  it('evaluate names the object read: apiVersion and uid', () => {
    const dep: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop', uid: 'dep-uid' },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'a:1', securityContext: { privileged: true } }] } } },
    };
    const [finding] = evaluate(snapshot({ objects: { deployments: [dep] } }), byId('PSS-privileged'), new Date());
    expect(finding?.resource).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'api', container: 'app', apiVersion: 'apps/v1', uid: 'dep-uid' });
  });
});

describeEachDatabase('finding identity in the store', (db) => {
  let knex: Knex;
  let store: RunStore;
  beforeEach(async () => {
    knex = await openDatabase(await db.fresh());
    store = knexRunStore(knex);
  });
  afterEach(() => store.close());

  it('keeps both verdicts on one resource, each with its own lifecycle, and the chain verifies', async () => {
    const own = f(S, 'C-1', 'manual', CLUSTER_SCOPE(S), { message: 'look at it' });
    const missing = f(S, 'C-1', 'unknown', CLUSTER_SCOPE(S), { message: 'secrets forbidden', discriminator: 'missing secrets' });
    const dep = f(S, 'C-2', 'fail', { ...workload('a'), apiVersion: 'apps/v1', uid: 'uid-a' }, { evidence: { path: 'p', observed: '1', expected: '0' } });
    const r1 = await runOn(store, 1, [clusterScan(S, 1, [own, missing, dep])]);
    const listed = await store.history.findings(r1);
    expect(listed.map((x) => [x.controlId, x.status, x.fingerprint]).sort()).toEqual(
      [
        ['C-1', 'manual', fingerprint(own)],
        ['C-1', 'unknown', fingerprint(missing)],
        ['C-2', 'fail', fingerprint(dep)],
      ].sort(),
    );
    expect(listed.find((x) => x.controlId === 'C-2')?.resource).toEqual({ ...workload('a'), apiVersion: 'apps/v1', uid: 'uid-a' });
    // The evidence comes back: the unknown goes, the manual one stays open in the same episode.
    const r2 = await runOn(store, 2, [clusterScan(S, 2, [own, dep])]);
    expect((await store.history.findings(r2)).map((x) => [x.controlId, x.status, x.episode]).sort()).toEqual([
      ['C-1', 'manual', 1],
      ['C-2', 'fail', 1],
    ]);
    const resolved = await store.history.resolvedEpisodes(new Date(0), new Date('2100-01-01'), S);
    expect(resolved.map((e) => [e.fingerprint, e.resolved?.resolution])).toEqual([[fingerprint(missing), 'fixed']]);
    const report = await store.integrity.verifyChain();
    expect(report.problems).toEqual([]);
  });

  it('verify names an episode whose discriminator was changed', async () => {
    await runOn(store, 1, [clusterScan(S, 1, [f(S, 'C-1', 'manual', CLUSTER_SCOPE(S)), f(S, 'C-1', 'unknown', CLUSTER_SCOPE(S), { discriminator: 'missing secrets' })])]);
    await knex('finding_episodes').whereNotNull('discriminator').update({ discriminator: 'missing pods' });
    const report = await store.integrity.verifyChain();
    expect(report.problems.map((p) => p.message)).toEqual([expect.stringContaining('discriminator do not match fingerprint')]);
  });
});
