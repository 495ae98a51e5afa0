import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Finding } from '../../src/core/types.js';
import { openDatabase, type StorageConfig } from '../../src/store/db.js';
import { ComplydMigrationSource, MIGRATIONS, MIGRATIONS_TABLE } from '../../src/store/migrations/index.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { clusterScan, dayAt, f, runOn, workload } from './history-fixtures.js';

const CONTROLS = 10;
const WORKLOADS = 20;
/** Workload w fails control c in period p (30 days) when (w + c + p) % 7 === 0. */
const failsOn = (day: number, c: number, w: number) => (w + c + Math.floor(day / 30)) % 7 === 0;

function dailyFindings(cluster: string, day: number): Finding[] {
  const out: Finding[] = [];
  for (let c = 0; c < CONTROLS; c++) {
    for (let w = 0; w < WORKLOADS; w++) out.push(f(cluster, `C-${c}`, failsOn(day, c, w) ? 'fail' : 'pass', workload(`w${w}`, `ns${w % 3}`), {}, 'medium'));
  }
  return out;
}

/** A database migrated to 001 only, as an older complyd left it. */
async function open001(cfg: StorageConfig): Promise<Knex> {
  if (cfg.kind === 'sqlite') await mkdir(dirname(cfg.path), { recursive: true });
  const k = knexFactory(cfg.kind === 'sqlite' ? { client: 'sqlite3', connection: { filename: cfg.path }, useNullAsDefault: true } : { client: 'pg', connection: cfg.url });
  await k.migrate.latest({ migrationSource: new ComplydMigrationSource(MIGRATIONS.slice(0, 1)), tableName: MIGRATIONS_TABLE });
  return k;
}

describeEachDatabase('history reads', (db) => {
  it('answers a 365-day trend from spans: one point per run, the counts of that day', async () => {
    const knex = await openDatabase(await db.fresh());
    const store = knexRunStore(knex);
    try {
      const runs: string[] = [];
      for (let day = 0; day < 365; day++) {
        const scans = [clusterScan('east', day, dailyFindings('east', day))];
        if (day % 100 === 0) scans.push(clusterScan('west', day, dailyFindings('west', day)));
        runs.push(await runOn(store, day, scans));
      }
      // 13 periods of 30 days: each control's counts change at most once per period.
      const spans = (await knex('count_spans').where({ cluster: 'east', dim: 'control' }).count({ n: '*' }).first()) as { n: number | string };
      expect(Number(spans.n)).toBeLessThanOrEqual(13 * CONTROLS);

      const started = performance.now();
      const series = await store.history.controlCountsSeries('east', dayAt(0), dayAt(364, 100));
      const ms = performance.now() - started;
      expect(ms).toBeLessThan(2000); // a loose bound for a shared CI machine; benchmarks/ measures it
      expect(series).toHaveLength(365);
      expect(series.map((p) => p.runId)).toEqual(runs);
      for (const day of [0, 29, 30, 31, 200, 364]) {
        const point = series[day]!;
        expect(point.cluster).toBe('east');
        expect(point.items.map((i) => i.key)).toEqual(Array.from({ length: CONTROLS }, (_, c) => `C-${c}`));
        for (let c = 0; c < CONTROLS; c++) {
          const fail = Array.from({ length: WORKLOADS }, (_, w) => failsOn(day, c, w)).filter(Boolean).length;
          expect([day, point.items[c]?.counts.fail, point.items[c]?.counts.pass]).toEqual([day, fail, WORKLOADS - fail]);
        }
      }
      // Unchanged days share their items.
      expect(series[31]?.items).toBe(series[32]?.items);

      const fleet = await store.history.controlCountsSeries(undefined, dayAt(0), dayAt(364, 100));
      expect(fleet).toHaveLength(365 + 4);
      expect(fleet.filter((p) => p.cluster === 'west').map((p) => p.runId)).toEqual([runs[0], runs[100], runs[200], runs[300]]);

      expect((await store.history.runsBetween(dayAt(100), dayAt(199, 100))).map((r) => r.id)).toEqual(runs.slice(100, 200));
      expect((await store.history.runsBetween(dayAt(0), dayAt(365), 'west')).map((r) => r.seq)).toEqual([0, 100, 200, 300].map((d) => series[d]!.runSeq));

      // An old run answers with the failures of its own period.
      const day45 = await store.history.findings(runs[45]!, { cluster: 'east' });
      const expected = [];
      for (let c = 0; c < CONTROLS; c++) for (let w = 0; w < WORKLOADS; w++) if (failsOn(45, c, w)) expected.push(`C-${c}/w${w}`);
      expect(day45.map((x) => `${x.controlId}/${x.resource.name}`).sort()).toEqual(expected.sort());
      expect((await store.integrity.verifyChain()).ok).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('migrates a 001 database: old runs keep their counts, numbered in time order, outside the chain; their per-run findings go; lifecycles start after', async () => {
    const cfg = await db.fresh();
    const old = await open001(cfg);
    const legacyRuns = ['00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001'];
    try {
      for (const [i, id] of legacyRuns.entries()) {
        const at = dayAt(i === 0 ? 2 : 1).toISOString();
        await old('runs').insert({ id, started_at: at, finished_at: at, status: 'complete', trigger: 'cli', catalog_version: 'c', complyd_version: '0.0.9', cluster_count: 1, owner: 'o', heartbeat_at: at });
        await old('run_clusters').insert({ run_id: id, cluster: 'east', labels: '{}', status: 'complete', started_at: at, finished_at: at, object_counts: '{}', object_total: 0, fail_count: 1, pass_count: 1 });
        await old('control_results').insert({ run_id: id, cluster: 'east', control_id: 'C-1', severity: 'high', status: 'fail', fail_count: 1, pass_count: 1 });
        await old('findings').insert({
          run_id: id, cluster: 'east', control_id: 'C-1', fingerprint: 'f'.repeat(32), status: 'fail', severity: 'high', kind: 'Deployment', namespace: 'shop', name: 'a',
          container: 'app', evidence_path: 'spec.x', observed: 'true', expected: 'false',
        });
      }
    } finally {
      await old.destroy();
    }

    const store = knexRunStore(await openDatabase(cfg));
    try {
      const listed = await store.history.listRuns(10);
      expect(listed.map((r) => [r.id, r.seq])).toEqual([
        [legacyRuns[0], 3],
        [legacyRuns[1], 1],
      ]);
      // 006 kept their control counts as spans of their own scan, and dropped the per-run findings.
      expect(await store.history.findings(legacyRuns[0]!)).toEqual([]);
      expect((await store.history.controlResults(legacyRuns[0]!)).map((c) => [c.controlId, c.status, c.counts.fail])).toEqual([['C-1', 'fail', 1]]);
      expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, rows: 0, legacyRows: 2 });

      const next = await runOn(store, 3, [clusterScan('east', 3, [f('east', 'C-1', 'fail', workload('a'))])]);
      expect((await store.history.getRun(next))?.seq).toBe(5);
      expect((await store.history.findings(next)).map((x) => [x.resource.name, x.episode, x.firstSeenAt])).toEqual([['a', 1, dayAt(3, 1).toISOString()]]);
      expect(await store.integrity.verifyChain()).toMatchObject({ ok: true, rows: 1, legacyRows: 2 });
      // The trend runs on across the upgrade.
      const series = await store.history.controlCountsSeries('east', dayAt(0), dayAt(4));
      expect(series.map((p) => [p.runId, p.items.map((i) => `${i.key}/${i.counts.pass}/${i.counts.fail}`)])).toEqual([
        [legacyRuns[1], ['C-1/1/1']],
        [legacyRuns[0], ['C-1/1/1']],
        [next, ['C-1/0/1']],
      ]);
    } finally {
      await store.close();
    }
  });
});
