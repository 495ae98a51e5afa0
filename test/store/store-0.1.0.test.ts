/**
 * A store written by complyd 0.1.0 (test/fixtures/store-0.1.0) opens with this code: it is
 * migrated, its hash chain verifies, and the history reads give what 0.1.0 read from it.
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remediation, runHistory, trend } from '../../src/history/history.js';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';

const FIXTURE = join(process.cwd(), 'test', 'fixtures', 'store-0.1.0');
const DAY0 = Date.parse('2026-03-02T06:00:00.000Z');
const at = (day: number, seconds = 0) => new Date(DAY0 + day * 86_400_000 + seconds * 1000);
const WINDOW = { from: at(0), to: at(6, 60) };

/** As JSON holds it: no undefined fields. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

describe('a store written by complyd 0.1.0', () => {
  let dir: string;
  let store: RunStore;
  let knex: Knex;
  let expected: Record<string, unknown> & { perRun: Record<string, Record<string, unknown>> };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'complyd-0.1.0-'));
    const path = join(dir, 'complyd.sqlite');
    await copyFile(join(FIXTURE, 'complyd-0.1.0.db'), path);
    expected = JSON.parse(await readFile(join(FIXTURE, 'expected-reads.json'), 'utf8')) as typeof expected;
    knex = await openDatabase({ kind: 'sqlite', path });
    store = knexRunStore(knex);
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies: every row of both chains, the same heads', async () => {
    const report = await store.integrity.verifyChain();
    expect(report).toMatchObject({ ok: true, clusters: 2, rows: 13, episodes: 10, problems: [] });
    expect(report.heads).toEqual((expected['verify'] as { heads: unknown }).heads);
  });

  it('lists the same runs', async () => {
    expect(plain(await store.history.listRuns(20))).toEqual(expected['runs']);
  });

  it('gives the same trend, per cluster and per framework', async () => {
    const fleet = await trend(store.history, WINDOW);
    expect(fleet.score.map((p) => [p.clusters, p.counts.fail])).toEqual([
      [2, 4],
      [2, 4],
      [1, 3],
      [2, 2],
      [2, 4],
      [1, 3],
      [2, 3],
    ]);
    // Enforcement coverage came after 0.1.0: its runs have none, and the rest is as it was.
    const withoutEnforcement = (t: Awaited<ReturnType<typeof trend>>) => {
      const { enforcement, ...rest } = t;
      expect(enforcement).toEqual([]);
      return plain(rest);
    };
    expect(withoutEnforcement(fleet)).toEqual(expected['trend']);
    expect(withoutEnforcement(await trend(store.history, WINDOW, { cluster: 'east' }))).toEqual(expected['trendEast']);
    expect(withoutEnforcement(await trend(store.history, WINDOW, { framework: 'pss-baseline' }))).toEqual(expected['trendPssBaseline']);
    expect(plain(await runHistory(store.history, 10))).toEqual(expected['runHistory']);
    expect(plain(await store.history.namespaceCountsSeries(undefined, WINDOW.from, WINDOW.to))).toEqual(expected['namespaceCountsSeries']);
    expect(plain(await store.history.riskSeries(undefined, WINDOW.from, WINDOW.to))).toEqual(expected['riskSeries']);
  });

  it('gives the same open findings and time to remediate', async () => {
    const open = await store.history.openEpisodes();
    expect(open.map((e) => `${e.cluster} ${e.controlId} ${e.resource.name} #${e.episode}`)).toEqual([
      'east CIS-5.1.1 east #1',
      'east CIS-5.1.6 default #1',
      'east PSS-privileged web #2',
      'west CIS-5.1.1 west #1',
      'west PSS-privileged web #2',
    ]);
    expect(plain(open)).toEqual(expected['openEpisodes']);
    const mttr = await remediation(store.history, WINDOW);
    expect(mttr.all).toMatchObject({ resolved: 4, fixed: 3, resourceGone: 1, medianDays: 2, maxDays: 6 });
    expect(plain(mttr)).toEqual(expected['remediation']);
    expect(plain(await store.history.resolvedEpisodes(WINDOW.from, WINDOW.to))).toEqual(expected['resolvedEpisodes']);
  });

  it('reads every run as 0.1.0 did: results, findings, gaps, risks, and the diff of the first and last', async () => {
    const runs = Object.keys(expected.perRun);
    expect(runs).toHaveLength(7);
    for (const id of runs) {
      expect(
        plain({
          clusterResults: await store.history.clusterResults(id),
          controlResults: await store.history.controlResults(id),
          findings: await store.history.findings(id, { includeUnseen: true }),
          gaps: await store.history.gaps(id),
          openEpisodes: await store.history.openEpisodes({ runId: id }),
          workloadRisks: await store.history.workloadRisks(id),
        }),
      ).toEqual(expected.perRun[id]);
    }
    const diff = expected['diff'] as { fromRunId: string; toRunId: string };
    expect(plain(await store.history.diff(diff.fromRunId, diff.toRunId))).toEqual(diff);
  });

  it('goes on recording: a new run extends both chains', async () => {
    const runId = await store.runs.beginRun({ trigger: 'cli', catalogVersion: '1.12.0+1', complydVersion: 'next', clusterCount: 1, now: at(7), owner: 'test:1' });
    await store.runs.recordCluster(runId, {
      cluster: 'west',
      labels: { env: 'staging' },
      status: 'complete',
      startedAt: at(7, 1).toISOString(),
      finishedAt: at(7, 9).toISOString(),
      objectCounts: { deployments: 1 },
      gaps: [],
      findings: [{ cluster: 'west', controlId: 'PSS-privileged', severity: 'critical', status: 'pass', resource: { kind: 'Deployment', namespace: 'shop', name: 'web', container: 'app' } }],
    });
    await store.runs.finishRun(runId, 'complete', at(7, 30));
    expect((await store.history.openEpisodes({ cluster: 'west' })).map((e) => e.controlId)).toEqual(['CIS-5.1.1']);
    expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, rows: 14 });
  });

  it('records an excepted failure and the exceptions digest over the old rows, and the chain holds both', async () => {
    const digest = 'e'.repeat(64);
    const runId = await store.runs.beginRun({ trigger: 'cli', catalogVersion: '1.12.0+1', complydVersion: 'next', clusterCount: 1, now: at(8), owner: 'test:1', exceptionsDigest: digest });
    await store.runs.recordCluster(runId, {
      cluster: 'west',
      labels: { env: 'staging' },
      status: 'complete',
      startedAt: at(8, 1).toISOString(),
      finishedAt: at(8, 9).toISOString(),
      objectCounts: { deployments: 1 },
      gaps: [],
      findings: [
        {
          cluster: 'west',
          controlId: 'PSS-privileged',
          severity: 'critical',
          status: 'fail',
          resource: { kind: 'Deployment', namespace: 'shop', name: 'web', container: 'app' },
          disposition: { kind: 'excepted', exceptionId: 'shop-web-accepted' },
        },
      ],
    });
    await store.runs.finishRun(runId, 'complete', at(8, 30));
    expect((await store.history.getRun(runId))?.exceptionsDigest).toBe(digest);
    expect((await store.history.findings(runId, { status: 'fail' })).find((f) => f.controlId === 'PSS-privileged')).toMatchObject({
      status: 'fail',
      disposition: { kind: 'excepted', exceptionId: 'shop-web-accepted' },
    });
    // The 0.1.0 rows still hash as they did, and the new ones cover the disposition and the digest.
    expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, problems: [] });

    // Changing either after the fact is caught, at this run only.
    await knex('disposition_spans').update({ disposition: 'expired' });
    expect((await store.integrity.verifyChain()).problems.map((p) => [p.kind, p.runId])).toEqual([['results-hash', runId]]);
    await knex('disposition_spans').update({ disposition: 'excepted' });
    await knex('runs').where({ id: runId }).update({ exceptions_digest: 'f'.repeat(64) });
    expect((await store.integrity.verifyChain()).problems.map((p) => [p.kind, p.runId])).toEqual([['chain-hash', runId]]);
  });
});
