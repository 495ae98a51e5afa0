import type { Knex } from 'knex';
import { exceptionsDigest, type Exception } from '../../src/core/exception.js';
import type { ClusterScan } from '../../src/core/types.js';
import { applyExceptions, compileException } from '../../src/evaluate/exceptions.js';
import { remediation } from '../../src/history/history.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { clusterScan, dayAt, f, workload } from './history-fixtures.js';

/** Accepted from day 2, lapsing at the start of day 4 (06:00 UTC, when that day's run begins). */
const accepted: Exception = {
  id: 'shop-a-accepted',
  controls: ['C-*'],
  scope: { namespaces: ['shop'], names: ['a'] },
  owner: 'shop-team',
  reason: 'vendor image',
  created: dayAt(2).toISOString(),
  expires: dayAt(4).toISOString(),
  source: { file: 'shop.yaml', index: 0 },
};
const digest = exceptionsDigest([accepted]);

/** The stage as a scan runs it: at the run's start, on the cluster's findings. */
function scanOn(day: number, aFails: boolean, exceptions: readonly Exception[] = [accepted]): ClusterScan {
  const findings = [f('east', 'C-1', aFails ? 'fail' : 'pass', workload('a')), f('east', 'C-1', 'fail', workload('b'))];
  applyExceptions(findings, exceptions.map(compileException), { cluster: 'east', clusterLabels: {}, objectLabels: () => undefined }, dayAt(day));
  return clusterScan('east', day, findings);
}

async function runOn(store: RunStore, day: number, scan: ClusterScan, exceptionsDigest = digest): Promise<string> {
  const runId = await store.runs.beginRun({ trigger: 'schedule', catalogVersion: 'cat-1', complydVersion: '0.1.0', clusterCount: 1, now: dayAt(day), owner: 'test:1', exceptionsDigest });
  await store.runs.recordCluster(runId, scan);
  await store.runs.finishRun(runId, 'complete', dayAt(day, 30));
  return runId;
}

describeEachDatabase('dispositions in the history', (db) => {
  let knex: Knex;
  let store: RunStore;
  let runs: string[];
  beforeEach(async () => {
    knex = await openDatabase(await db.fresh());
    store = knexRunStore(knex);
    runs = [];
    // a fails days 1-5 and is fixed on day 6; b fails throughout and no exception covers it.
    for (let day = 1; day <= 6; day++) runs.push(await runOn(store, day, scanOn(day, day <= 5)));
  });
  afterEach(() => store.close());

  it('shows when a failure was accepted and when the acceptance lapsed, its status staying fail', async () => {
    const perRun = await Promise.all(runs.map((r) => store.history.findings(r, { status: 'fail' })));
    const of = (name: string) => perRun.map((list) => list.find((x) => x.resource.name === name)?.disposition?.kind ?? (list.some((x) => x.resource.name === name) ? 'open' : '-'));
    expect(of('a')).toEqual(['open', 'excepted', 'excepted', 'expired', 'expired', '-']);
    expect(of('b')).toEqual(['open', 'open', 'open', 'open', 'open', 'open']);
    expect(perRun[1]?.find((x) => x.resource.name === 'a')).toMatchObject({ status: 'fail', disposition: { kind: 'excepted', exceptionId: 'shop-a-accepted' } });
    expect((await store.history.getRun(runs[0] as string))?.exceptionsDigest).toBe(digest);
  });

  it('keeps one row per disposition while it holds, closed when it changes or the finding is fixed', async () => {
    const rows = (await knex('disposition_spans').select('disposition', 'exception_id', 'from_seq', 'to_seq').orderBy('from_seq')) as Array<Record<string, unknown>>;
    const seqs = (await knex('run_clusters').select('seq').orderBy('seq')).map((r: { seq: number | string }) => Number(r.seq));
    expect(rows.map((r) => [r['disposition'], r['exception_id'], Number(r['from_seq']), Number(r['to_seq'])])).toEqual([
      ['excepted', 'shop-a-accepted', seqs[1], seqs[3]],
      ['expired', 'shop-a-accepted', seqs[3], seqs[5]],
    ]);
  });

  it('leaves time to remediate as it is without the exception: an accepted failure is open until it is fixed', async () => {
    const without = knexRunStore(await openDatabase(await db.fresh()));
    try {
      for (let day = 1; day <= 6; day++) await runOn(without, day, scanOn(day, day <= 5, []), exceptionsDigest([]));
      const window = { from: dayAt(0), to: dayAt(7) };
      const measured = await remediation(store.history, window);
      // a: first failing on day 1 (accepted days 2-3), fixed on day 6.
      expect(measured.all).toMatchObject({ resolved: 1, fixed: 1, maxDays: 5 });
      expect(measured).toEqual(await remediation(without.history, window));
    } finally {
      await without.close();
    }
  });

  it('chains the dispositions and the exceptions digest', async () => {
    expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, problems: [] });

    await knex('disposition_spans').where({ disposition: 'expired' }).update({ disposition: 'excepted' });
    const relabelled = (await store.integrity.verifyChain()).problems;
    expect(relabelled.map((p) => [p.kind, p.runId])).toEqual([['results-hash', runs[3]], ['results-hash', runs[4]]]);
    await knex('disposition_spans').where({ disposition: 'excepted' }).andWhere('from_seq', '>', 2).update({ disposition: 'expired' });

    await knex('disposition_spans').where({ disposition: 'excepted' }).delete();
    expect((await store.integrity.verifyChain()).problems.map((p) => [p.kind, p.runId])).toEqual([['results-hash', runs[1]], ['results-hash', runs[2]]]);
  });

  it('chains the digest of the exceptions a run applied', async () => {
    await knex('runs').where({ id: runs[2] }).update({ exceptions_digest: 'f'.repeat(64) });
    expect((await store.integrity.verifyChain()).problems.map((p) => [p.kind, p.runId])).toEqual([['chain-hash', runs[2]]]);
    // Passing the run off as one recorded before 008 also drops its dispositions from its results.
    await knex('runs').where({ id: runs[2] }).update({ exceptions_digest: null });
    expect((await store.integrity.verifyChain()).problems.map((p) => [p.kind, p.runId])).toEqual([['results-hash', runs[2]], ['chain-hash', runs[2]]]);
  });
});
