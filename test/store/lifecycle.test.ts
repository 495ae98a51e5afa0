import type { Knex } from 'knex';
import { fingerprint } from '../../src/core/fingerprint.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { remediationOf } from '../../src/history/remediation.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { CLUSTER_SCOPE, clusterScan, dayAt, f, names, privileged, runOn, tableCounts, workload } from './history-fixtures.js';

const E = 'east';
const fp = (controlId: string, name: string) => fingerprint({ cluster: E, controlId, resource: workload(name) });

describeEachDatabase('finding lifecycles', (db) => {
  let knex: Knex;
  let store: RunStore;

  beforeEach(async () => {
    knex = await openDatabase(await db.fresh());
    store = knexRunStore(knex);
  });
  afterEach(async () => {
    await store.close();
  });

  it('opens an episode for a new finding and leaves it alone while nothing changes', async () => {
    const day = (n: number) => clusterScan(E, n, [f(E, 'C-1', 'fail', workload('a'), privileged('true')), f(E, 'C-1', 'pass', workload('b'))]);
    const r1 = await runOn(store, 1, [day(1)]);
    const before = await tableCounts(knex);
    const r2 = await runOn(store, 2, [day(2)]);
    const after = await tableCounts(knex);

    // An unchanged run adds its run and cluster rows, and nothing else.
    expect(after).toEqual({ ...before, runs: before['runs']! + 1, run_clusters: before['run_clusters']! + 1 });

    const [a1] = await store.history.findings(r1);
    const [a2] = await store.history.findings(r2);
    expect(a2).toEqual({ ...a1, runId: r2 });
    expect(a2).toMatchObject({ fingerprint: fp('C-1', 'a'), status: 'fail', episode: 1, firstSeenAt: dayAt(1, 1).toISOString() });

    const [open] = await store.history.openEpisodes();
    expect(open).toMatchObject({
      fingerprint: fp('C-1', 'a'),
      episode: 1,
      seen: true,
      firstSeen: { runId: r1, at: dayAt(1, 1).toISOString() },
      lastSeen: { runId: r2, at: dayAt(2, 1).toISOString() },
    });
    expect(open?.resolved).toBeUndefined();
    expect((await store.history.controlResults(r2)).map((c) => [c.controlId, c.status, c.counts.pass, c.counts.fail])).toEqual([['C-1', 'fail', 1, 1]]);
  });

  it('resolves a finding that passes as fixed, and opens episode 2 when it fails again', async () => {
    const a = (status: 'pass' | 'fail') => f(E, 'C-1', status, workload('a'), status === 'fail' ? privileged('true') : {});
    const c = f(E, 'C-1', 'fail', workload('c'), privileged('true'));
    const r1 = await runOn(store, 1, [clusterScan(E, 1, [a('fail'), c])]);
    const r2 = await runOn(store, 2, [clusterScan(E, 2, [a('fail'), c])]);
    const r3 = await runOn(store, 3, [clusterScan(E, 3, [a('pass'), c])]);
    const r4 = await runOn(store, 4, [clusterScan(E, 4, [a('fail'), c])]);

    expect(names(await store.history.findings(r3))).toEqual(['c']);
    const reopened = (await store.history.findings(r4)).find((x) => x.resource.name === 'a');
    expect(reopened).toMatchObject({ episode: 2, firstSeenAt: dayAt(4, 1).toISOString() });
    // An older run still answers with what was open then.
    expect((await store.history.findings(r2)).map((x) => `${x.resource.name}#${x.episode}`)).toEqual(['a#1', 'c#1']);

    const [fixed] = await store.history.resolvedEpisodes(dayAt(0), dayAt(10));
    expect(fixed).toMatchObject({
      fingerprint: fp('C-1', 'a'),
      episode: 1,
      firstSeen: { runId: r1 },
      lastSeen: { runId: r2 },
      resolved: { runId: r3, at: dayAt(3, 1).toISOString(), resolution: 'fixed' },
    });
    expect(await store.history.resolvedEpisodes(dayAt(3, 2), dayAt(10))).toEqual([]);

    const d13 = await store.history.diff(r3, r1); // put in order
    expect(d13.fromRunId).toBe(r1);
    expect(d13.clusters.map((x) => [names(x.new), names(x.reopened), names(x.resolved), names(x.stillOpen)])).toEqual([[[], [], ['a'], ['c']]]);
    const d24 = await store.history.diff(r2, r4);
    expect(d24.clusters.map((x) => [names(x.new), names(x.reopened), names(x.resolved), names(x.stillOpen)])).toEqual([[[], ['a'], [], ['c']]]);
    // Read without evidence (for counting): the same episodes, without their evidence texts.
    const lean = await store.history.diff(r2, r4, undefined, { withoutEvidence: true });
    expect(lean.clusters.map((x) => [names(x.new), names(x.reopened), names(x.resolved), names(x.stillOpen)])).toEqual([[[], ['a'], [], ['c']]]);
    expect(d24.clusters[0]?.stillOpen[0]?.evidence).toMatchObject({ observed: 'true' });
    expect(lean.clusters[0]?.stillOpen[0]?.evidence).toBeUndefined();
    const open = await store.history.openEpisodes();
    const openLean = await store.history.openEpisodes({ withoutEvidence: true });
    expect(openLean.map(({ fingerprint, episode, status, firstSeen }) => ({ fingerprint, episode, status, firstSeen }))).toEqual(
      open.map(({ fingerprint, episode, status, firstSeen }) => ({ fingerprint, episode, status, firstSeen })),
    );
    expect(openLean.some((e) => e.evidence !== undefined)).toBe(false);
    expect(open.some((e) => e.evidence !== undefined)).toBe(true);
    const d34 = await store.history.diff(r3, r4);
    expect(d34.clusters[0]?.reopened.map((x) => x.episode)).toEqual([2]);
  });

  it('resolves the findings of a resource that disappeared as resource-gone', async () => {
    await runOn(store, 1, [clusterScan(E, 1, [f(E, 'C-1', 'fail', workload('a')), f(E, 'C-1', 'fail', workload('b'))])]);
    const r2 = await runOn(store, 2, [clusterScan(E, 2, [f(E, 'C-1', 'fail', workload('b')), f(E, 'C-1', 'pass', workload('new'))])]);
    const resolved = await store.history.resolvedEpisodes(dayAt(0), dayAt(10));
    expect(resolved.map((x) => [x.resource.name, x.resolved?.resolution, x.resolved?.runId])).toEqual([['a', 'resource-gone', r2]]);
    const diff = await store.history.diff((await store.history.runsBetween(dayAt(1), dayAt(1, 100)))[0]!.id, r2);
    expect(names(diff.clusters[0]!.resolved)).toEqual(['a']);
  });

  it('keeps findings open, unseen, while their control lacks evidence or fails; resolves them once it is judged again', async () => {
    const a = f(E, 'C-1', 'fail', workload('a'), privileged('true'));
    const unknown = f(E, 'C-1', 'unknown', CLUSTER_SCOPE(E), { message: 'evidence "pods" could not be read: forbidden: no' });
    const r1 = await runOn(store, 1, [clusterScan(E, 1, [a])]);
    const r2 = await runOn(store, 2, [clusterScan(E, 2, [unknown, f(E, 'C-1', 'pass', workload('b'))], { status: 'partial' })]);
    const r3 = await runOn(store, 3, [clusterScan(E, 3, [f(E, 'C-1', 'error', CLUSTER_SCOPE(E), { message: 'control C-1 failed: boom' })])]);

    // The runs report what they observed; the open finding is still there behind includeUnseen.
    expect((await store.history.findings(r2)).map((x) => `${x.resource.kind}/${x.status}`)).toEqual(['Cluster/unknown']);
    expect((await store.history.findings(r2, { includeUnseen: true })).map((x) => `${x.resource.name}/${x.status}/${x.seen}`)).toEqual(['a/fail/false', 'east/unknown/true']);
    expect((await store.history.findings(r3, { includeUnseen: true, status: 'fail' })).map((x) => `${x.resource.name}/${x.seen}`)).toEqual(['a/false']);
    expect(await store.history.resolvedEpisodes(dayAt(0), dayAt(3))).toEqual([]);
    const [openA] = await store.history.openEpisodes({ cluster: E }).then((l) => l.filter((x) => x.resource.name === 'a'));
    expect(openA).toMatchObject({ seen: false, lastSeen: { runId: r1 } });

    // Judged again: 'a' is seen again with new evidence; the unknown and the error are resolved.
    const r4 = await runOn(store, 4, [clusterScan(E, 4, [f(E, 'C-1', 'fail', workload('a'), privileged('1'))])]);
    const [a4] = await store.history.findings(r4);
    expect(a4).toMatchObject({ episode: 1, evidence: { observed: '1' }, firstSeenAt: dayAt(1, 1).toISOString() });
    expect((await store.history.findings(r1))[0]?.evidence?.observed).toBe('true');
    // The cluster-scoped unknown (run 2) and error (run 3) of C-1 share a fingerprint: one episode whose status changed.
    expect((await store.history.findings(r3)).map((x) => `${x.status}#${x.episode}`)).toEqual(['error#1']);
    expect((await store.history.resolvedEpisodes(dayAt(0), dayAt(10))).map((x) => [x.resource.kind, x.status, x.resolved?.resolution, x.resolved?.runId])).toEqual([
      ['Cluster', 'error', 'fixed', r4],
    ]);
    const [current] = await store.history.openEpisodes();
    expect(current).toMatchObject({ seen: true, lastSeen: { runId: r4 } });

    // An unseen finding whose control is then judged cleanly without it: gone.
    await runOn(store, 5, [clusterScan(E, 5, [unknown])]);
    await runOn(store, 6, [clusterScan(E, 6, [f(E, 'C-1', 'pass', workload('b'))])]);
    const gone = (await store.history.resolvedEpisodes(dayAt(6), dayAt(7))).filter((x) => x.resource.name === 'a');
    expect(gone.map((x) => [x.resolved?.resolution, x.lastSeen?.at])).toEqual([['resource-gone', dayAt(4, 1).toISOString()]]);
    // Time to remediate reads the failing ones only, without evidence: the same as its rule applied to the full episodes.
    const remediated = await store.history.remediated(dayAt(0), dayAt(10));
    expect(remediated).toEqual((await store.history.resolvedEpisodes(dayAt(0), dayAt(10))).map(remediationOf).filter((r) => r !== undefined));
    expect(remediated.map((r) => [r.controlId, r.resolution, r.firstSeenAt])).toEqual([['C-1', 'resource-gone', dayAt(1, 1).toISOString()]]);
    expect((await store.integrity.verifyChain()).problems).toEqual([]);
  });

  it('leaves the findings of controls a framework-limited scan did not evaluate open, and its counts out', async () => {
    const both = (day: number) => clusterScan(E, day, [f(E, 'CIS-1', 'fail', workload('a')), f(E, 'PSS-1', 'fail', workload('x'), {}, 'medium')]);
    await runOn(store, 1, [both(1)]);
    const r2 = await runOn(store, 2, [clusterScan(E, 2, [f(E, 'CIS-1', 'fail', workload('a'))])], { evaluatedControls: ['CIS-1'] });
    expect((await store.history.controlResults(r2)).map((c) => c.controlId)).toEqual(['CIS-1']);
    expect(names(await store.history.findings(r2))).toEqual(['a']);
    expect(names(await store.history.openEpisodes())).toEqual(['a', 'x']);
    expect(await store.history.resolvedEpisodes(dayAt(0), dayAt(10))).toEqual([]);

    const r3 = await runOn(store, 3, [both(3)]);
    expect((await store.history.controlResults(r3)).map((c) => c.controlId)).toEqual(['CIS-1', 'PSS-1']);
    expect((await store.history.findings(r3)).map((x) => `${x.resource.name}#${x.episode}`)).toEqual(['a#1', 'x#1']);

    // Evaluated, with nothing to judge at all (its only workload was deleted): gone.
    await runOn(store, 4, [clusterScan(E, 4, [f(E, 'CIS-1', 'fail', workload('a'))])], { evaluatedControls: ['CIS-1', 'PSS-1'] });
    expect((await store.history.resolvedEpisodes(dayAt(0), dayAt(10))).map((x) => [x.resource.name, x.resolved?.resolution])).toEqual([['x', 'resource-gone']]);
    expect((await store.integrity.verifyChain()).ok).toBe(true);
  });

  it('changes nothing for a cluster that failed, and keeps its row in the chain', async () => {
    const ok = (day: number) => clusterScan(E, day, [f(E, 'C-1', 'fail', workload('a'))]);
    await runOn(store, 1, [ok(1)]);
    const before = await tableCounts(knex);
    const r2 = await runOn(store, 2, [clusterScan(E, 2, [], { status: 'failed', error: 'connect ECONNREFUSED', objectCounts: {}, snapshotHash: undefined })]);
    expect(await tableCounts(knex)).toEqual({ ...before, runs: before['runs']! + 1, run_clusters: before['run_clusters']! + 1 });
    expect(await store.history.findings(r2)).toEqual([]);
    expect(await store.history.controlResults(r2)).toEqual([]);
    const r3 = await runOn(store, 3, [ok(3)]);
    expect((await store.history.findings(r3)).map((x) => x.firstSeenAt)).toEqual([dayAt(1, 1).toISOString()]);
    const [open] = await store.history.openEpisodes();
    expect(open?.lastSeen?.runId).toBe(r3);
    expect((await store.integrity.verifyChain()).rows).toBe(3);
  });

  it('folds several verdicts on one resource into one episode, the worst status winning', async () => {
    const r1 = await runOn(store, 1, [
      clusterScan(E, 1, [
        f(E, 'C-1', 'pass', workload('a'), { evidence: { path: 'spec.a', observed: 'ok', expected: 'ok' } }),
        f(E, 'C-1', 'fail', workload('a'), { evidence: { path: 'spec.b', observed: 'bad', expected: 'ok' } }),
        f(E, 'C-1', 'manual', workload('a')),
      ]),
    ]);
    const found = await store.history.findings(r1);
    expect(found.map((x) => [x.status, x.evidence?.path])).toEqual([['fail', 'spec.b']]);
    expect((await store.history.controlResults(r1))[0]?.counts).toMatchObject({ pass: 1, fail: 1, manual: 1 });
  });

  it('keeps namespace × severity counts, and cluster-scoped resources out of them', async () => {
    const r1 = await runOn(store, 1, [
      clusterScan(E, 1, [
        f(E, 'C-1', 'fail', workload('a', 'shop')),
        f(E, 'C-1', 'pass', workload('b', 'shop')),
        f(E, 'C-2', 'pass', workload('a', 'shop'), {}, 'low'),
        f(E, 'C-2', 'pass', workload('z', 'web'), {}, 'low'),
        f(E, 'C-3', 'manual', CLUSTER_SCOPE(E)),
      ]),
    ]);
    const series = await store.history.namespaceCountsSeries(E, dayAt(0), dayAt(2));
    expect(series.map((p) => [p.runId, p.items.map((i) => `${i.key}/${i.severity}/${i.counts.pass}/${i.counts.fail}`)])).toEqual([
      [r1, ['shop/high/1/1', 'shop/low/1/0', 'web/low/1/0']],
    ]);
  });

  it('records the same cluster from two runs at once one after the other (lock on the cluster)', async () => {
    const mk = () => store.runs.beginRun({ trigger: 'cli', catalogVersion: 'c', complydVersion: 'v', clusterCount: 1, now: dayAt(1), owner: 't' });
    const [ra, rb] = await Promise.all([mk(), mk()]);
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.runs.recordCluster(i % 2 ? ra : rb, clusterScan(`c${Math.floor(i / 2)}`, 1, [f(`c${Math.floor(i / 2)}`, 'C-1', 'fail', workload(`w${i}`))]))),
    );
    const report = await store.integrity.verifyChain();
    expect(report.problems).toEqual([]);
    expect(report.rows).toBe(6);
    // In each cluster, the later of the two scans saw the other's workload disappear.
    expect((await store.history.openEpisodes()).length).toBe(3);
    expect((await store.history.resolvedEpisodes(dayAt(0), dayAt(2))).length).toBe(3);
  });
});
