/**
 * Scale benchmark (issue 12): one cluster of N bare Pods without owners (each failing a few
 * controls, benchmarks/ownerless-pods.ts) evaluated, recorded and reported in every format, on
 * SQLite and on PostgreSQL, each size and engine in a process of its own (so its peak RSS is
 * its own).
 *
 *   npm run bench:scale                                      # 20k, 50k, 200k pods; SQLite and PostgreSQL
 *   npm run bench:scale -- --pods 200000 --engines sqlite    # one size, one engine
 *   npm run bench:scale -- --floors false                    # memory only: no floors (they raise the RSS the report starts from)
 *
 * PostgreSQL: COMPLYD_BENCH_PG (default postgres://postgres@127.0.0.1:5432/postgres), where the
 * user may create databases; each measurement gets a new one, dropped after.
 *
 * Next to each step, its floor in the same process: for the record, the same number of rows
 * of the same width inserted into a table without indexes by the same engine (what any store
 * of those findings must pay); for the report, JSON.stringify of the report model. Peak RSS
 * per step comes from a sampler thread (it samples while the main thread is busy).
 * Markdown goes to stdout, progress to stderr.
 */
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { CATALOG_VERSION, CONTROLS } from '../src/controls/index.js';
import type { ClusterScan } from '../src/core/types.js';
import { EvalContext } from '../src/evaluate/context.js';
import { buildReport, REPORT_FORMATS, reportContent } from '../src/main.js';
import type { RunReport } from '../src/report/model.js';
import { writeReportFile } from '../src/report/report-files.js';
import { evaluateCompact, snapshotHash } from '../src/scan/scan-fleet.js';
import { workloadRisks } from '../src/score/risk.js';
import { openDatabase, type StorageConfig } from '../src/store/db.js';
import { dialectOf } from '../src/store/dialect.js';
import { knexRunStore } from '../src/store/run-store.js';
import { ownerlessPodsSnapshot } from './ownerless-pods.js';
import { boundHeapGrowth } from '../src/cli/heap-growth.js';

/** `report` is the whole report phase; `model` and each format are its parts, each measured on its own. */
const STEPS = ['generate', 'evaluate', 'record', 'floor', 'report', 'model', ...REPORT_FORMATS, 'stringify'] as const;
/** What complyd itself does; the floors (`floor`, `stringify`) are the benchmark's own and left out of the peak. */
const PRODUCT_STEPS: readonly Step[] = ['generate', 'evaluate', 'record', 'report'];
/** V8 cannot hold a string this long (about 512 MiB): a larger JSON report has no stringify floor. */
const MAX_STRINGIFY_BYTES = 400 * 2 ** 20;
type Step = (typeof STEPS)[number];

interface Result {
  engine: 'sqlite' | 'postgres';
  pods: number;
  verdicts: number;
  nonPass: number;
  ms: Record<Step, number>;
  /** Peak RSS per step, MiB (sampler thread); peakRssMiB is the highest of complyd's own steps. */
  rss: Record<Step, number>;
  peakRssMiB: number;
  reportMiB: number;
  /** JSON.stringify of the report model, and its size: the report's floor. */
  stringifyMs: number | null;
}

const SAMPLER = `
const { workerData } = require('node:worker_threads');
const step = new Int32Array(workerData.step);
const peaks = new Float64Array(workerData.peaks);
setInterval(() => { const r = process.memoryUsage.rss(); const s = Atomics.load(step, 0); if (r > peaks[s]) peaks[s] = r; }, 20);
`;

class StepRss {
  private readonly stepBuf = new SharedArrayBuffer(4);
  private readonly peaksBuf = new SharedArrayBuffer(8 * STEPS.length);
  private readonly worker = new Worker(SAMPLER, { eval: true, workerData: { step: this.stepBuf, peaks: this.peaksBuf } });
  enter(step: Step): void {
    Atomics.store(new Int32Array(this.stepBuf), 0, STEPS.indexOf(step));
  }
  peaks(): Record<Step, number> {
    const p = new Float64Array(this.peaksBuf);
    return Object.fromEntries(STEPS.map((s, i) => [s, (p[i] ?? 0) / 2 ** 20])) as Record<Step, number>;
  }
  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const PG_ADMIN = process.env['COMPLYD_BENCH_PG'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty database of the engine; `drop` removes it. */
async function freshStorage(engine: Result['engine'], dir: string): Promise<{ cfg: StorageConfig; drop: () => Promise<void> }> {
  if (engine === 'sqlite') return { cfg: { kind: 'sqlite', path: join(dir, 'complyd.sqlite') }, drop: async () => undefined };
  const name = `complyd_scale_${process.pid}`;
  await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await pgAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return { cfg: { kind: 'postgres', url: url.toString() }, drop: () => pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** A step's figures on stderr as soon as it ends: the biggest sizes take many minutes. */
function progress(step: string, ms: number, extra = ''): void {
  process.stderr.write(`  ${step}: ${Math.round(ms)} ms, peak RSS so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB${extra}\n`);
}

async function measure(engine: Result['engine'], pods: number, floors: boolean): Promise<Result> {
  const rss = new StepRss();
  const dir = await mkdtemp(join(tmpdir(), 'complyd-scale-'));
  const { cfg, drop } = await freshStorage(engine, dir);
  const ms = {} as Record<Step, number>;
  try {
    rss.enter('generate');
    let snapshot: ReturnType<typeof ownerlessPodsSnapshot> | undefined;
    [snapshot, ms.generate] = await timed(() => ownerlessPodsSnapshot({ cluster: 'huge', pods }));
    rss.enter('evaluate');
    // As the scan does it (scan-fleet.ts): passes kept compactly, the other verdicts as Findings.
    const evaluated = await timed(async () => {
      const ctx = new EvalContext(snapshot as NonNullable<typeof snapshot>, new Date());
      const { findings, passes } = await evaluateCompact(ctx, CONTROLS);
      return { findings, passes, risks: workloadRisks(ctx, findings), hash: snapshotHash(snapshot as NonNullable<typeof snapshot>) };
    });
    ms.evaluate = evaluated[1];
    const { findings, passes, risks, hash } = evaluated[0];
    const nonPass = findings.length;
    const verdicts = findings.length + passes.size;
    progress('evaluate', ms.evaluate, ` (${verdicts} verdicts, ${nonPass} not passing)`);
    const objectCounts = Object.fromEntries(Object.entries(snapshot.objects).map(([k, v]) => [k, v?.length ?? 0]));
    snapshot = undefined;
    gc();

    rss.enter('record');
    const store = knexRunStore(await openDatabase(cfg));
    const now = new Date();
    const scan: ClusterScan = { cluster: 'huge', labels: { env: 'bench' }, status: 'complete', startedAt: now.toISOString(), finishedAt: now.toISOString(), provider: 'kubeadm', objectCounts, snapshotHash: hash, gaps: [], findings, passes, risks };
    const runId = await store.runs.beginRun({ trigger: 'bench', catalogVersion: CATALOG_VERSION, complydVersion: 'bench', clusterCount: 1, now, owner: 'bench' });
    const evaluatedControls = CONTROLS.map((c) => c.id);
    const frameworks = Object.fromEntries(CONTROLS.map((c) => [c.id, c.frameworks]));
    [, ms.record] = await timed(() => store.runs.recordCluster(runId, scan, { evaluatedControls, frameworks }));
    await store.runs.finishRun(runId, 'complete', new Date());
    progress('record', ms.record);

    // The floor: as many rows, as wide as a finding episode's identity and evidence, into a bare table.
    // It raises the RSS the report then starts from: `--floors false` leaves it out for memory.
    ms.floor = Number.NaN;
    if (floors) {
    rss.enter('floor');
    const db = await openDatabase(cfg);
    await db.schema.createTable('floor_rows', (t) => {
      for (const c of ['fingerprint', 'cluster', 'control_id', 'kind', 'namespace', 'name', 'container', 'status', 'severity', 'evidence_path', 'observed', 'expected', 'message']) t.text(c);
    });
    const rows = findings.map((f, i) => ({
        fingerprint: i.toString(16).padStart(64, '0'),
        cluster: f.cluster,
        control_id: f.controlId,
        kind: f.resource.kind,
        namespace: f.resource.namespace ?? null,
        name: f.resource.name,
        container: f.resource.container ?? null,
        status: f.status,
        severity: f.severity,
        evidence_path: f.evidence?.path ?? null,
        observed: f.evidence?.observed ?? null,
        expected: f.evidence?.expected ?? null,
        message: f.message ?? null,
      }));
    [, ms.floor] = await timed(() => db.transaction((trx) => dialectOf(db).insertRows(trx, 'floor_rows', 13, rows)));
    progress('floor', ms.floor, ` (${rows.length} rows)`);
    await db.schema.dropTable('floor_rows');
    await db.destroy();
    }
    findings.length = 0;
    gc();

    // As writeReports does it (main.ts), a step per part: the model, then each format in turn.
    rss.enter('model');
    const out = join(dir, 'reports');
    await mkdir(out, { recursive: true });
    const reportStart = performance.now();
    let report: RunReport | undefined;
    [report, ms.model] = await timed(() => buildReport(store.history, runId));
    progress('model', ms.model);
    const written: string[] = [];
    for (const format of REPORT_FORMATS) {
      gc();
      rss.enter(format);
      const path = join(out, `report.${format}`);
      [, ms[format]] = await timed(async () => writeReportFile(path, await reportContent(report as RunReport, format)));
      written.push(path);
      progress(format, ms[format], ` (${((await stat(path)).size / 2 ** 20).toFixed(1)} MiB)`);
    }
    report = undefined;
    ms.report = performance.now() - reportStart;
    progress('report', ms.report);
    let bytes = 0;
    for (const p of written) bytes += (await stat(p)).size;
    // The floor of a report: serialising a JSON document of the same size.
    const json = written.find((p) => p.endsWith('.json')) ?? '';
    gc();
    rss.enter('stringify');
    let stringifyMs = Number.NaN;
    if (floors && (await stat(json)).size <= MAX_STRINGIFY_BYTES) {
      const { readFile } = await import('node:fs/promises');
      const model = JSON.parse(await readFile(json, 'utf8')) as unknown;
      [, stringifyMs] = await timed(() => JSON.stringify(model));
    }
    await store.close();
    const peaks = rss.peaks();
    // The report phase's peak is the highest of its parts'.
    peaks.report = Math.max(peaks.report, peaks.model, ...REPORT_FORMATS.map((f) => peaks[f]));
    return { engine, pods, verdicts, nonPass, ms, rss: peaks, peakRssMiB: Math.max(...PRODUCT_STEPS.map((p) => peaks[p])), reportMiB: bytes / 2 ** 20, stringifyMs };
  } finally {
    await rss.stop();
    await drop();
    await rm(dir, { recursive: true, force: true });
  }
}

function inChild(engine: string, pods: number, floors: boolean): Promise<Result> {
  const child = fork(fileURLToPath(import.meta.url), ['--measure', '--engines', engine, '--pods', String(pods), '--floors', String(floors)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as Result));
    child.once('exit', (code) => reject(new Error(`measuring process exited (${code})`)));
  });
}

/** A skipped measure is NaN, and null once sent from the measuring process. */
const f0 = (n: number | null): string => (n === null || Number.isNaN(n) ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: 0 }));

function table(results: readonly Result[]): string {
  const head = ['engine', 'pods', 'verdicts (non-pass)', 'evaluate', 'record', 'floor (ratio)', `report, ${REPORT_FORMATS.length} formats (MiB)`, 'JSON.stringify (ratio)', 'peak RSS: evaluate / record / report', 'peak RSS', 'MiB per 1k pods'];
  const rows = results.map((r) => [
    r.engine,
    f0(r.pods),
    `${f0(r.verdicts)} (${f0(r.nonPass)})`,
    `${f0(r.ms.evaluate)} ms`,
    `${f0(r.ms.record)} ms`,
    r.ms.floor === null || Number.isNaN(r.ms.floor) ? 'n/a (--floors false)' : `${f0(r.ms.floor)} ms (${(r.ms.record / r.ms.floor).toFixed(1)}×)`,
    `${f0(r.ms.report)} ms (${r.reportMiB.toFixed(0)})`,
    // NaN comes back from the measuring process as null.
    r.stringifyMs === null || Number.isNaN(r.stringifyMs) ? 'n/a (JSON over 400 MiB)' : `${f0(r.stringifyMs)} ms (${(r.ms.report / r.stringifyMs).toFixed(1)}×)`,
    `${f0(r.rss.evaluate)} / ${f0(r.rss.record)} / ${f0(r.rss.report)} MiB`,
    `${f0(r.peakRssMiB)} MiB`,
    (r.peakRssMiB / (r.pods / 1000)).toFixed(1),
  ]);
  const parts = ['model', ...REPORT_FORMATS] as const;
  const partHead = ['engine', 'pods', ...parts.map((p) => `${p}: time / peak RSS`)];
  const partRows = results.map((r) => [r.engine, f0(r.pods), ...parts.map((p) => `${f0(r.ms[p])} ms / ${f0(r.rss[p])} MiB`)]);
  const md = (h: string[], body: string[][]) => [`| ${h.join(' | ')} |`, `|${h.map(() => '---:').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  return `${md(head, rows)}\n\nThe report phase by part:\n\n${md(partHead, partRows)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { pods: { type: 'string', default: '20000,50000,200000' }, engines: { type: 'string', default: 'sqlite,postgres' }, measure: { type: 'boolean', default: false }, floors: { type: 'string', default: 'true' } } });
  const floors = values.floors !== 'false';
  const sizes = values.pods.split(',').map(Number);
  const engines = values.engines.split(',') as Array<Result['engine']>;
  if (values.measure) {
    // As the CLI does at start (src/cli/bin.ts); `node --heap-growing-percent=N` measures another bound.
    boundHeapGrowth();
    process.send?.(await measure(engines[0] ?? 'sqlite', sizes[0] ?? 20_000, floors));
    return;
  }
  process.stdout.write(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  const results: Result[] = [];
  for (const engine of engines) {
    for (const pods of sizes) {
      process.stderr.write(`${engine}: ${pods} pods\n`);
      results.push(await inChild(engine, pods, floors));
      process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
    }
  }
  process.stdout.write(`${table(results)}\n`);
}

await main();
