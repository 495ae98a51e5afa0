/**
 * Whole-pipeline benchmark: what a scan really costs per cluster, from the API server to the
 * store, next to two floors measured in the same run: JSON.parse of the collected snapshot, and a
 * raw paged GET (+ JSON.parse) of the same lists from the same server.
 *
 *   npm run bench:pipeline                                  # 2k, 10k, 50k objects, 5 repetitions each
 *   npm run bench:pipeline -- --objects 100000 --repeat 1   # one size
 *   npm run bench:pipeline -- --fleet 50 --objects 10000 --concurrency 2   # a fleet scan's wall time and peak RSS
 *
 * Each size runs in its own process (so its peak RSS is its own), against a fake HTTPS API server
 * (src/demo/apiserver) serving a generated cluster (benchmarks/fleet-generator.ts) from a third
 * process. Per repetition, in order: the raw fetch; collection through the real collector; the
 * JSON.parse floor; evaluate, risk, snapshot hash and the store write (SQLite in a temp dir: into
 * a new database, a cluster's first write, and again into one that has its last scan, the
 * daemon's usual case) timed one by one. Then, in a process of its own, the same scan end to end
 * through scanFleet, with the event loop's longest stall and the scan's peak RSS (`--scan-only`
 * skips the step-by-step process). Figures are medians.
 * Markdown goes to stdout, progress to stderr.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClusterScan, ClusterTarget, Snapshot } from '../src/core/types.js';
import { silentLogger } from '../src/core/log.js';
import { collectCluster, type CollectOptions } from '../src/collect/collector.js';
import { CATALOG_VERSION, CONTROLS } from '../src/controls/index.js';
import { EvalContext } from '../src/evaluate/context.js';
import { evaluateIn } from '../src/evaluate/evaluate.js';
import { workloadRisks } from '../src/score/risk.js';
import { scanFleet, snapshotHash } from '../src/scan/scan-fleet.js';
import { openDatabase } from '../src/store/db.js';
import { knexRunStore, type RunStore } from '../src/store/run-store.js';
import { rawFetch } from './raw-fetch.js';
import type { ServerReady } from './pipeline-server.js';

const PAGE_SIZE = 500;
const REQUEST_CONCURRENCY = 4;
const here = fileURLToPath(new URL('.', import.meta.url));

interface Options {
  objects: number[];
  repeat: number;
  warmup: number;
  seed: number;
  fleet: number;
  concurrency: number;
  measure: boolean;
  part: Part;
  /** Skip the step-by-step process (the biggest sizes before the fixes took many minutes). */
  scanOnly: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string', default: '2000,10000,50000' },
      repeat: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      fleet: { type: 'string', default: '0' },
      concurrency: { type: 'string', default: '1' },
      measure: { type: 'boolean', default: false },
      part: { type: 'string', default: 'steps' },
      'scan-only': { type: 'boolean', default: false },
    },
  });
  return {
    objects: values.objects.split(',').map(Number),
    repeat: Number(values.repeat),
    warmup: Number(values.warmup),
    seed: Number(values.seed),
    fleet: Number(values.fleet),
    concurrency: Number(values.concurrency),
    measure: values.measure,
    part: values.part === 'scan' ? 'scan' : 'steps',
    scanOnly: values['scan-only'],
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring process.

const STEPS = ['raw', 'rawParse', 'collect', 'parse', 'evaluate', 'risk', 'hash', 'store', 'storeAgain'] as const;
const SCAN = ['scan', 'reported', 'stall'] as const;
type Step = (typeof STEPS)[number] | (typeof SCAN)[number];
type Part = 'steps' | 'scan';

export interface PartResult {
  objects: number;
  pods: number;
  /** Median milliseconds per step (or, for the scan, its figures). */
  ms: Partial<Record<Step, number>>;
  peakRssMiB: number;
}

export interface SizeResult {
  objects: number;
  pods: number;
  ms: Partial<Record<Step, number>>;
  /** The scan process's: nothing else runs in it. */
  peakRssMiB: number;
}

export interface FleetResult {
  clusters: number;
  objects: number;
  concurrency: number;
  wallMs: number;
  stallMs: number;
  peakRssMiB: number;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024;

async function startServer(objects: number, seed: number): Promise<{ child: ChildProcess; ready: ServerReady }> {
  const child = fork(join(here, 'pipeline-server.js'), [String(objects), String(seed)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ServerReady));
    child.once('exit', (code) => reject(new Error(`pipeline server exited (${code})`)));
  });
  return { child, ready };
}

async function openTempStore(dir: string, name: string): Promise<RunStore> {
  return knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, `${name}.sqlite`) }));
}

const scanDeps = (collect: (t: ClusterTarget) => Promise<Snapshot>) => ({
  controls: CONTROLS,
  collect,
  now: () => new Date(),
  log: silentLogger(),
  catalogVersion: CATALOG_VERSION,
  complydVersion: 'bench',
  owner: 'bench',
});

async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** One repetition of every step, timed one by one; returns milliseconds per step. */
async function stepsOnce(target: ClusterTarget, collectOpts: CollectOptions, dir: string, rep: number): Promise<Partial<Record<Step, number>> & { pods: number }> {
  gc();
  const raw = await rawFetch(target, PAGE_SIZE, REQUEST_CONCURRENCY);
  gc();
  const [snapshot, collect] = await timed(() => collectCluster(target, collectOpts));
  const json = JSON.stringify(snapshot);
  gc();
  const [, parse] = await timed(() => JSON.parse(json) as unknown);
  const ctx = new EvalContext(snapshot, collectOpts.now());
  const [findings, evaluate] = await timed(() => evaluateIn(ctx, CONTROLS));
  const [risks, risk] = await timed(() => workloadRisks(ctx, findings));
  const [hash, hashMs] = await timed(() => snapshotHash(snapshot));
  const store = await openTempStore(dir, `steps-${rep}`);
  const now = new Date();
  const scan: ClusterScan = {
    cluster: target.name,
    labels: target.labels,
    status: snapshot.gaps.length > 0 ? 'partial' : 'complete',
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    provider: snapshot.provider,
    objectCounts: Object.fromEntries(Object.entries(snapshot.objects).map(([k, v]) => [k, v?.length ?? 0])),
    snapshotHash: hash,
    gaps: snapshot.gaps,
    findings,
    risks,
  };
  const runId = await store.runs.beginRun({ trigger: 'bench', catalogVersion: CATALOG_VERSION, complydVersion: 'bench', clusterCount: 1, now, owner: 'bench' });
  const evaluatedControls = CONTROLS.map((c) => c.id);
  const [, storeMs] = await timed(() => store.runs.recordCluster(runId, scan, { evaluatedControls }));
  await store.close();
  // The daemon's usual case: the same cluster again, into a store that has its last scan.
  const again = await openTempStore(dir, 'again');
  const againRun = await again.runs.beginRun({ trigger: 'bench', catalogVersion: CATALOG_VERSION, complydVersion: 'bench', clusterCount: 1, now, owner: 'bench' });
  const [, storeAgain] = await timed(() => again.runs.recordCluster(againRun, scan, { evaluatedControls }));
  await again.close();
  return { raw: raw.ms, rawParse: raw.parseMs, collect, parse, evaluate, risk, hash: hashMs, store: storeMs, storeAgain, pods: snapshot.objects.pods?.length ?? 0 };
}

/** The same scan as `complyd scan` runs it, with the event loop's longest stall and the duration the scan reports. */
async function scanOnce(target: ClusterTarget, collectOpts: CollectOptions, dir: string, rep: number): Promise<Partial<Record<Step, number>> & { pods: number }> {
  gc();
  const store = await openTempStore(dir, `scan-${rep}`);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const [result, scan] = await timed(() => scanFleet([target], { ...scanDeps((t) => collectCluster(t, collectOpts)), store: store.runs }, { trigger: 'bench', concurrency: 1 }));
  loop.disable();
  await store.close();
  const c = result.clusters[0];
  const reported = c ? Date.parse(c.finishedAt) - Date.parse(c.startedAt) : NaN;
  return { scan, reported, stall: loop.max / 1e6, pods: c?.objectCounts.pods ?? 0 };
}

const COLLECT: CollectOptions = { pageSize: PAGE_SIZE, requestTimeoutMs: 120_000, clusterTimeoutMs: 1_800_000, now: () => new Date(), log: silentLogger() };

/** Serve a generated cluster from another process while `fn` runs; `fn` gets a kubeconfig for it and a temp dir. */
async function withServer<T>(o: Options, objects: number, fn: (kubeconfig: string, dir: string, served: number) => Promise<T>): Promise<T> {
  const { child, ready } = await startServer(objects, o.seed);
  const dir = await mkdtemp(join(tmpdir(), 'complyd-pipeline-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeFile(kubeconfig, ready.kubeconfig, { mode: 0o600 });
    return await fn(kubeconfig, dir, ready.objects);
  } finally {
    child.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

function measurePart(o: Options, objects: number, part: Part): Promise<PartResult> {
  return withServer(o, objects, async (kubeconfig, dir, served) => {
    const target: ClusterTarget = { name: 'bench', kubeconfig, labels: {}, configPath: 'clusters[0]' };
    const runs: Array<Awaited<ReturnType<typeof stepsOnce>>> = [];
    for (let rep = 0; rep < o.warmup + o.repeat; rep++) {
      const r = await (part === 'steps' ? stepsOnce : scanOnce)(target, COLLECT, dir, rep);
      process.stderr.write(`  ${objects} objects, ${part}, ${rep < o.warmup ? 'warm-up' : `repetition ${rep - o.warmup + 1}`}: ${(r.collect ?? r.scan ?? 0).toFixed(0)} ms\n`);
      if (rep >= o.warmup) runs.push(r);
    }
    const names = part === 'steps' ? STEPS : SCAN;
    const ms = Object.fromEntries(names.map((s) => [s, median(runs.map((r) => r[s] ?? NaN))]));
    return { objects: served, pods: runs[0]?.pods ?? 0, ms, peakRssMiB: peakRssMiB() };
  });
}

/** Many clusters scanned as the daemon scans them; all are served by one server, so they have the same content. */
function measureFleet(o: Options, objects: number): Promise<FleetResult> {
  return withServer(o, objects, async (kubeconfig, dir, served) => {
    const targets: ClusterTarget[] = Array.from({ length: o.fleet }, (_, i) => ({ name: `c${String(i + 1).padStart(2, '0')}`, kubeconfig, labels: {}, configPath: `clusters[${i}]` }));
    const store = await openTempStore(dir, 'fleet');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let done = 0;
    const [, wallMs] = await timed(() =>
      scanFleet(targets, { ...scanDeps((t) => collectCluster(t, COLLECT)), store: store.runs }, {
        trigger: 'bench',
        concurrency: o.concurrency,
        onCluster: (c) => process.stderr.write(`  [${++done}/${o.fleet}] ${c.cluster} ${c.status} rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MiB\n`),
      }),
    );
    loop.disable();
    await store.close();
    return { clusters: o.fleet, objects: served, concurrency: o.concurrency, wallMs, stallMs: loop.max / 1e6, peakRssMiB: peakRssMiB() };
  });
}

// ---------------------------------------------------------------------------------------------
// Orchestration and output.

function inChild<T>(args: string[]): Promise<T> {
  const child = fork(fileURLToPath(import.meta.url), [...args, '--measure'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`measuring process exited (${code})`)));
  });
}

const f0 = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const x = (n: number): string => `${n.toFixed(2)}×`;

function sizeTable(results: readonly SizeResult[]): string {
  const head = ['objects (pods)', 'JSON.parse', 'raw GET', 'collect', 'evaluate', 'risk', 'hash', 'store (first / again)', 'after collection (first / again)', 'scan end to end', 'reported duration', 'longest stall', 'peak RSS'];
  const rows = results.map((r) => {
    const m = (k: Step): number => r.ms[k] ?? NaN;
    const parse = m('parse');
    const after = m('evaluate') + m('risk') + m('hash');
    const p = (v: number): string => (Number.isNaN(v) ? '–' : `${f0(v)} ms (${x(v / parse)})`);
    return [
      `${f0(r.objects)} (${f0(r.pods)})`,
      Number.isNaN(parse) ? '–' : `${f0(parse)} ms`,
      Number.isNaN(m('raw')) ? '–' : `${f0(m('raw'))} ms (parse ${f0(m('rawParse'))})`,
      Number.isNaN(m('collect')) ? '–' : `${f0(m('collect'))} ms (${x(m('collect') / m('raw'))} raw)`,
      p(m('evaluate')),
      p(m('risk')),
      p(m('hash')),
      `${p(m('store'))} / ${p(m('storeAgain'))}`,
      `${p(after + m('store'))} / ${x((after + m('storeAgain')) / parse)}`,
      `${f0(m('scan'))} ms`,
      `${f0(m('reported'))} ms`,
      `${f0(m('stall'))} ms`,
      `${f0(r.peakRssMiB)} MiB`,
    ];
  });
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const o = parseOptions();
  if (o.measure) {
    const objects = o.objects[0] ?? 10_000;
    process.send?.(o.fleet > 0 ? await measureFleet(o, objects) : await measurePart(o, objects, o.part));
    return;
  }
  const common = ['--repeat', String(o.repeat), '--warmup', String(o.warmup), '--seed', String(o.seed)];
  process.stdout.write(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  if (o.fleet > 0) {
    const objects = o.objects[0] ?? 10_000;
    process.stderr.write(`fleet: ${o.fleet} clusters × ${objects} objects, concurrency ${o.concurrency}\n`);
    const r = await inChild<FleetResult>([...common, '--objects', String(objects), '--fleet', String(o.fleet), '--concurrency', String(o.concurrency)]);
    process.stdout.write(
      `fleet of ${r.clusters} × ${f0(r.objects)} objects, concurrency ${r.concurrency}: ${(r.wallMs / 1000).toFixed(1)} s ` +
        `(${f0(r.wallMs / r.clusters)} ms per cluster), longest stall ${f0(r.stallMs)} ms, peak RSS ${f0(r.peakRssMiB)} MiB\n`,
    );
    return;
  }
  const results: SizeResult[] = [];
  for (const objects of o.objects) {
    process.stderr.write(`${objects} objects\n`);
    const steps = o.scanOnly ? undefined : await inChild<PartResult>([...common, '--objects', String(objects), '--part', 'steps']);
    const scan = await inChild<PartResult>([...common, '--objects', String(objects), '--part', 'scan']);
    results.push({ objects: scan.objects, pods: scan.pods, ms: { ...steps?.ms, ...scan.ms }, peakRssMiB: scan.peakRssMiB });
  }
  process.stdout.write(
    `${sizeTable(results)}\n\nMedians of ${o.repeat} (after ${o.warmup} warm-up); ratios to JSON.parse of the collected snapshot, collect to the raw GET.\n`,
  );
  process.stdout.write(`\n${JSON.stringify(results)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`pipeline-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
