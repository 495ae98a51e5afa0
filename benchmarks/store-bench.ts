/**
 * Store benchmark: a simulated year of daily runs of a fleet (benchmarks/store-fleet.ts),
 * recorded through RunStore on SQLite and, when a PostgreSQL URL is given (--pg or
 * COMPLYD_TEST_PG, a user that may CREATE DATABASE), on a fresh PostgreSQL database.
 *
 * Prints: store size after the year, bytes added by an unchanged run, recording time, and
 * the time of the history queries (365-day trend of one cluster and of the fleet, MTTR,
 * open findings, a run's findings, verifyChain).
 *
 *   npm run -s build && node dist/benchmarks/store-bench.js [--clusters 50] [--days 365]
 *     [--workloads 400] [--controls 50] [--db sqlite|pg|both] [--pg URL] [--keep]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import pg from 'pg';
import { openDatabase, type StorageConfig } from '../src/store/db.js';
import { knexRunStore, type RunStore } from '../src/store/run-store.js';
import { remediation, trend } from '../src/history/history.js';
import { SimCluster } from './store-fleet.js';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '50' },
    days: { type: 'string', default: '365' },
    workloads: { type: 'string', default: '400' },
    controls: { type: 'string', default: '50' },
    namespaces: { type: 'string', default: '30' },
    db: { type: 'string', default: 'both' },
    pg: { type: 'string' },
    unchanged: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
  },
});

const CLUSTERS = Number(args.clusters);
const DAYS = Number(args.days);
const UNCHANGED = Number(args.unchanged);
const DAY0 = Date.UTC(2025, 0, 1, 2, 0, 0);
const dayAt = (d: number, ms = 0) => new Date(DAY0 + d * 86_400_000 + ms);
const MiB = 1024 * 1024;

interface Target {
  kind: 'sqlite' | 'postgres';
  cfg: StorageConfig;
  /** Bytes the database takes now. */
  size: (knex: Knex) => Promise<number>;
  /** Bytes of an empty database (PostgreSQL's catalog), subtracted from the figures. */
  baseline: number;
  tables: (knex: Knex) => Promise<Array<[string, number]>>;
  cleanup: () => Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'complyd-store-bench-'));
  const path = join(dir, 'complyd.sqlite');
  return {
    kind: 'sqlite',
    cfg: { kind: 'sqlite', path },
    baseline: 0,
    size: async (knex) => {
      await knex.raw('PRAGMA wal_checkpoint(TRUNCATE)');
      return (await stat(path)).size;
    },
    tables: async (knex) => {
      const rows = (await knex.raw('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC')) as Array<{ name: string; bytes: number }>;
      return rows.map((r) => [r.name, Number(r.bytes)]);
    },
    cleanup: () => (args.keep ? Promise.resolve() : rm(dir, { recursive: true, force: true })),
  };
}

async function postgresTarget(adminUrl: string): Promise<Target> {
  const name = `complyd_bench_${randomBytes(4).toString('hex')}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const baseline = await admin(async (c) => Number((await c.query('SELECT pg_database_size($1) AS n', [name])).rows[0].n));
  return {
    kind: 'postgres',
    cfg: { kind: 'postgres', url: url.toString() },
    baseline,
    size: async (knex) => Number(((await knex.raw('SELECT pg_database_size(current_database()) AS n')) as { rows: Array<{ n: string }> }).rows[0]?.n),
    tables: async (knex) => {
      const res = (await knex.raw(
        "SELECT relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY bytes DESC",
      )) as { rows: Array<{ name: string; bytes: string }> };
      return res.rows.map((r) => [r.name, Number(r.bytes)]);
    },
    cleanup: () => (args.keep ? Promise.resolve() : admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined)),
  };
}

async function runDay(store: RunStore, fleet: SimCluster[], day: number): Promise<number> {
  const runId = await store.runs.beginRun({ trigger: 'bench', catalogVersion: 'bench', complydVersion: '0.1.0', clusterCount: fleet.length, now: dayAt(day), owner: 'bench:1' });
  const started = performance.now();
  for (const [i, c] of fleet.entries()) {
    await store.runs.recordCluster(runId, c.scan(dayAt(day, 1000 + i * 10_000)), { evaluatedControls: c.controlIds(), frameworks: c.frameworks() });
  }
  const ms = performance.now() - started;
  await store.runs.finishRun(runId, 'complete', dayAt(day, 3_600_000));
  return ms;
}

async function timed<T>(fn: () => Promise<T>, repeat = 7): Promise<{ ms: number; value: T }> {
  let value = await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    value = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] ?? NaN, value };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function bench(target: Target): Promise<void> {
  const label = `[${target.kind}]`;
  const knex = await openDatabase(target.cfg);
  const store = knexRunStore(knex);
  try {
    const fleet = Array.from({ length: CLUSTERS }, (_, i) => new SimCluster(`cluster-${String(i).padStart(2, '0')}`, 1000 + i, { workloads: Number(args.workloads), controls: Number(args.controls), namespaces: Number(args.namespaces) }));
    const findingsPerCluster = fleet[0]?.scan(dayAt(0)).findings.length ?? 0;
    console.log(`${label} ${CLUSTERS} clusters x ${DAYS} days, ~${findingsPerCluster} findings per cluster scan`);
    let recordMs = 0;
    for (let day = 0; day < DAYS; day++) {
      if (day > 0) for (const c of fleet) c.advance();
      recordMs += await runDay(store, fleet, day);
      if (day % 30 === 29) console.log(`${label} day ${day + 1}: ${fmt((await target.size(knex) - target.baseline) / MiB)} MiB, ${fmt(recordMs / ((day + 1) * CLUSTERS))} ms per cluster scan`);
    }
    const yearBytes = (await target.size(knex)) - target.baseline;

    // Unchanged runs: one to settle (the last day may have had a gap or a failed cluster), then measure.
    for (const c of fleet) c.quiet();
    await runDay(store, fleet, DAYS);
    const before = await target.size(knex);
    let unchangedMs = 0;
    for (let i = 1; i <= UNCHANGED; i++) unchangedMs += await runDay(store, fleet, DAYS + i);
    const unchangedBytes = ((await target.size(knex)) - before) / UNCHANGED;

    const from = dayAt(0);
    const to = dayAt(DAYS - 1, 86_399_000);
    // `complyd trend`'s query: score spans, and the control counts at each cluster's range ends (regressions).
    const one = await timed(() => trend(store.history, { from, to }, { cluster: 'cluster-07' }));
    const all = await timed(() => trend(store.history, { from, to }), 3);
    const oneFramework = await timed(() => trend(store.history, { from, to }, { cluster: 'cluster-07', framework: 'pss-restricted' }));
    // What the same trend costs from the control spans (scans recorded before score spans existed).
    const oneControls = await timed(() => store.history.controlCountsSeries('cluster-07', from, to));
    const allControls = await timed(() => store.history.controlCountsSeries(undefined, from, to), 3);
    // What `complyd mttr` computes over the window: resolved failing episodes and open ones by age.
    const mttr = await timed(() => remediation(store.history, { from, to }));
    const open = await timed(() => store.history.openEpisodes(), 3);
    const latest = (await store.history.listRuns(1))[0]?.id ?? '';
    const runFindings = await timed(() => store.history.findings(latest), 3);
    const verifyStart = performance.now();
    const report = await store.integrity.verifyChain();
    const verifyMs = performance.now() - verifyStart;

    console.log(`\n${label} RESULTS`);
    console.log(`${label} store after ${DAYS} days: ${fmt(yearBytes / MiB)} MiB (${target.kind === 'postgres' ? `pg_database_size minus ${fmt(target.baseline / MiB)} MiB of an empty database` : 'SQLite file after a WAL checkpoint'})`);
    console.log(`${label} unchanged run: ${fmt(unchangedBytes / 1024)} KiB per fleet run of ${CLUSTERS} clusters = ${fmt(unchangedBytes / CLUSTERS, 0)} B per cluster scan (mean of ${UNCHANGED})`);
    console.log(`${label} recording: ${fmt(recordMs / (DAYS * CLUSTERS))} ms per cluster scan over the year, ${fmt(unchangedMs / (UNCHANGED * CLUSTERS))} ms when unchanged`);
    console.log(`${label} trend, 1 cluster x ${one.value.score.length} runs: ${fmt(one.ms)} ms (median of 7); limited to pss-restricted: ${fmt(oneFramework.ms)} ms`);
    console.log(`${label} trend, fleet, ${all.value.score.length} runs (${all.value.clusters.length} clusters): ${fmt(all.ms)} ms (median of 3)`);
    console.log(`${label} the same from control spans (fallback for scans without score spans): 1 cluster ${fmt(oneControls.ms)} ms, fleet ${fmt(allControls.ms)} ms (${allControls.value.length} cluster scans, read only)`);
    const sev = mttr.value.bySeverity.map((s) => `${s.key} ${fmt(s.meanDays)} d (${s.resolved})`).join(', ');
    const openAged = Object.values(mttr.value.open.total).reduce((a, b) => a + b, 0);
    console.log(`${label} MTTR (complyd mttr) over ${mttr.value.all.resolved} resolved failing episodes, ${openAged} open ones aged: ${fmt(mttr.ms)} ms (median of 7); mean days to resolve: ${sev}`);
    console.log(`${label} open episodes now: ${open.value.length} in ${fmt(open.ms)} ms; findings of the latest run: ${runFindings.value.length} in ${fmt(runFindings.ms)} ms`);
    console.log(`${label} verifyChain: ${report.ok ? 'ok' : `${report.problems.length} problems`}, ${report.rows} rows, ${report.episodes} episodes in ${fmt(verifyMs / 1000)} s`);
    console.log(`${label} tables (bytes incl. indexes): ${(await target.tables(knex)).slice(0, 14).map(([n, b]) => `${n} ${fmt(b / MiB)} MiB`).join(', ')}`);
    const counts: string[] = [];
    for (const t of ['runs', 'run_clusters', 'gaps', 'finding_episodes', 'finding_revisions', 'count_spans', 'score_spans']) counts.push(`${t} ${Number((await knex(t).count({ n: '*' }).first())?.['n'])}`);
    console.log(`${label} rows: ${counts.join(', ')}`);
  } finally {
    await store.close();
    await target.cleanup();
  }
}

async function main(): Promise<void> {
  const pgUrl = args.pg ?? process.env['COMPLYD_TEST_PG'];
  const kinds = args.db === 'both' ? ['sqlite', 'postgres'] : [args.db];
  console.log(`node ${process.version}; ${new Date().toISOString()}`);
  for (const kind of kinds) {
    if (kind === 'sqlite') await bench(await sqliteTarget());
    else if (kind === 'postgres' || kind === 'pg') {
      if (!pgUrl) console.log('[postgres] skipped: no --pg URL and no COMPLYD_TEST_PG');
      else await bench(await postgresTarget(pgUrl));
    } else throw new Error(`--db must be sqlite, pg or both, not ${kind}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
