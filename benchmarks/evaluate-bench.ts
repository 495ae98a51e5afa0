/**
 * Evaluation benchmark: for N synthetic clusters of M objects, how long `evaluate` takes next
 * to the `JSON.parse` of the same snapshots, and the peak RSS, clusters handled one at a time
 * as the daemon does (evaluate a cluster, drop it, go on).
 *
 *   npm run bench -- --clusters 50 --objects 10000
 *
 * Per cluster: generate (untimed) -> serialize (untimed) -> gc (when exposed) -> JSON.parse
 * (timed) -> drop the JSON -> evaluate(parsed, CONTROLS, now) (timed) -> drop the findings ->
 * optional breakdown pass (podSubjects vs each control, on the same parsed snapshot, timed
 * separately and not counted in the evaluate total) -> drop the snapshot.
 *
 * Time: wall clock (process.hrtime.bigint) and process CPU time (process.cpuUsage, all threads,
 * so V8's parallel GC helpers count; less sensitive than wall time to a busy machine).
 *
 * RSS: sampled on the main thread after every step, by a setInterval sampler running in a
 * worker thread (a main-thread timer cannot fire while JSON.parse or evaluate run
 * synchronously; the worker reads the process-wide RSS meanwhile and attributes each sample to
 * the phase the main thread is in), and the kernel's high-water mark (getrusage maxrss).
 *
 * Markdown goes to stdout; progress goes to stderr.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CONTROLS } from '../src/controls/index.js';
import { EvalContext } from '../src/evaluate/context.js';
import { evaluate } from '../src/evaluate/evaluate.js';
import type { Snapshot, Status } from '../src/core/types.js';
import { generateSnapshot, snapshotJson } from './fleet-generator.js';
import { GcAccounting, PHASES, RssMonitor, type Phase } from './measure.js';

interface Options {
  clusters: number;
  objects: number;
  seed: number;
  warmup: number;
  breakdown: boolean;
  gc: boolean;
  /** Diagnostic: also collect between parse and evaluate, to see what GC of the fresh snapshot costs evaluate. */
  gcBeforeEvaluate: boolean;
  perCluster: boolean;
  sampleMs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { clusters: 50, objects: 10_000, seed: 1, warmup: 3, breakdown: true, gc: true, gcBeforeEvaluate: false, perCluster: false, sampleMs: 5 };
  const int = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--clusters': o.clusters = int(flag, value(), 1); break;
      case '--objects': o.objects = int(flag, value(), 100); break;
      case '--seed': o.seed = int(flag, value(), 0); break;
      case '--warmup': o.warmup = int(flag, value(), 0); break;
      case '--sample-ms': o.sampleMs = int(flag, value(), 1); break;
      case '--no-breakdown': o.breakdown = false; break;
      case '--no-gc': o.gc = false; break;
      case '--gc-before-evaluate': o.gcBeforeEvaluate = true; break;
      case '--per-cluster': o.perCluster = true; break;
      case '--help':
      case '-h':
        process.stdout.write(
          'usage: evaluate-bench [--clusters 50] [--objects 10000] [--seed 1] [--warmup 3] [--sample-ms 5]\n' +
            '                      [--no-breakdown] [--no-gc] [--gc-before-evaluate] [--per-cluster]\n',
        );
        return process.exit(0);
      default:
        throw new Error(`unknown option ${arg} (try --help)`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// The run.

interface ClusterResult {
  cluster: string;
  objects: number;
  bytes: number;
  parseNs: bigint;
  evalNs: bigint;
  /** Process CPU time (user + system, all threads: includes parallel GC helpers). */
  parseCpuUs: number;
  evalCpuUs: number;
  findings: number;
  podSubjects: number;
  podSubjectsNs: bigint;
  controlNs: Map<string, bigint>;
}

const ms = (ns: bigint): number => Number(ns) / 1e6;
const mib = (bytes: number): number => bytes / (1024 * 1024);
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const gc = (globalThis as { gc?: () => void }).gc;

function makeJson(cluster: string, objects: number, seed: number, rss: RssMonitor | undefined): string {
  rss?.enter('generate');
  const snapshot = generateSnapshot({ cluster, objects, seed });
  rss?.sample('generate');
  rss?.enter('serialize');
  return snapshotJson(snapshot);
}

function countObjects(s: Snapshot): number {
  let n = 0;
  for (const list of Object.values(s.objects)) n += list?.length ?? 0;
  return n;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const statusCounts = new Map<string, Record<Status, number>>();
  const totals: Record<Status, number> = { pass: 0, fail: 0, manual: 0, 'not-applicable': 0, unknown: 0, error: 0 };

  // Warm-up: JIT the generator, JSON.parse, evaluate and every control on a smaller cluster.
  const warmObjects = Math.min(opts.objects, 3000);
  for (let i = 0; i < opts.warmup; i++) {
    const parsed = JSON.parse(makeJson(`warmup-${i}`, warmObjects, 1_000_000 + i, undefined)) as Snapshot;
    const now = new Date(parsed.collectedAt);
    evaluate(parsed, CONTROLS, now);
    const ctx = new EvalContext(parsed, now);
    void ctx.podSubjects;
    for (const c of CONTROLS) c.evaluate?.(ctx);
  }
  gc?.();

  const rss = new RssMonitor(opts.sampleMs);
  const gcAcc = new GcAccounting();
  rss.enter('setup');
  await yieldToLoop();
  const baselineRss = rss.sample('setup');
  const results: ClusterResult[] = [];
  const loadBefore = loadavg();
  const t0 = performance.now();

  for (let i = 0; i < opts.clusters; i++) {
    const name = `bench-${String(i + 1).padStart(3, '0')}`;
    const box: { json?: string } = { json: makeJson(name, opts.objects, opts.seed + i, rss) };
    rss.sample('serialize');
    const bytes = Buffer.byteLength(box.json ?? '');
    rss.enter('idle');
    if (opts.gc) gc?.();

    rss.enter('parse');
    const ps = performance.now();
    const pc = process.cpuUsage();
    const p0 = process.hrtime.bigint();
    const parsed = JSON.parse(box.json ?? '') as Snapshot;
    const p1 = process.hrtime.bigint();
    const parseCpu = process.cpuUsage(pc);
    gcAcc.interval('parse', ps, performance.now());
    rss.sample('parse');
    delete box.json; // the daemon keeps the parsed snapshot, not its text
    if (opts.gcBeforeEvaluate) {
      rss.enter('idle');
      gc?.();
    }

    rss.enter('evaluate');
    const now = new Date(parsed.collectedAt);
    const es = performance.now();
    const ec = process.cpuUsage();
    const e0 = process.hrtime.bigint();
    let findings: ReturnType<typeof evaluate> | undefined = evaluate(parsed, CONTROLS, now);
    const e1 = process.hrtime.bigint();
    const evalCpu = process.cpuUsage(ec);
    gcAcc.interval('evaluate', es, performance.now());
    rss.sample('evaluate');
    rss.enter('idle');

    const findingCount = findings.length;
    for (const f of findings) {
      let c = statusCounts.get(f.controlId);
      if (!c) statusCounts.set(f.controlId, (c = { pass: 0, fail: 0, manual: 0, 'not-applicable': 0, unknown: 0, error: 0 }));
      c[f.status]++;
      totals[f.status]++;
    }
    findings = undefined;

    const result: ClusterResult = {
      cluster: name,
      objects: countObjects(parsed),
      bytes,
      parseNs: p1 - p0,
      evalNs: e1 - e0,
      parseCpuUs: parseCpu.user + parseCpu.system,
      evalCpuUs: evalCpu.user + evalCpu.system,
      findings: findingCount,
      podSubjects: 0,
      podSubjectsNs: 0n,
      controlNs: new Map(),
    };

    if (opts.breakdown) {
      rss.enter('breakdown');
      const ctx = new EvalContext(parsed, now);
      const b0 = process.hrtime.bigint();
      result.podSubjects = ctx.podSubjects.length;
      result.podSubjectsNs = process.hrtime.bigint() - b0;
      for (const control of CONTROLS) {
        if (!control.evaluate) continue;
        const c0 = process.hrtime.bigint();
        try {
          control.evaluate(ctx);
        } catch {
          // evaluate() already turned this into an `error` finding; only the time matters here.
        }
        result.controlNs.set(control.id, process.hrtime.bigint() - c0);
      }
      rss.sample('breakdown');
      rss.enter('idle');
    }
    results.push(result);
    process.stderr.write(
      `${name}: ${fmt(result.objects)} objects, ${fmt(mib(bytes), 1)} MiB JSON, parse ${fmt(ms(result.parseNs), 1)} ms, ` +
        `evaluate ${fmt(ms(result.evalNs), 1)} ms, ${fmt(findingCount)} findings, rss ${fmt(mib(process.memoryUsage.rss()))} MiB\n`,
    );
    await yieldToLoop(); // let the sampler's and the gc observer's callbacks run
  }
  const wallMs = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, 50));
  const gcTimes = gcAcc.totals();
  gcAcc.stop();
  const samplerPeaks = rss.samplerPeaks();
  const samplerCount = rss.samplerCount();
  await rss.stop();
  const maxRssKernel = process.resourceUsage().maxRSS * 1024;
  const load = { before: loadBefore, after: loadavg() };

  report(opts, results, { statusCounts, totals, baselineRss, samplerPeaks, samplerCount, stepPeaks: rss.stepPeaks, maxRssKernel, gcTimes, wallMs, load });
}

interface Extras {
  statusCounts: Map<string, Record<Status, number>>;
  totals: Record<Status, number>;
  baselineRss: number;
  samplerPeaks: Map<Phase, number>;
  samplerCount: number;
  stepPeaks: Map<Phase, number>;
  maxRssKernel: number;
  gcTimes: { parse: number; evaluate: number };
  wallMs: number;
  load: { before: number[]; after: number[] };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[idx] ?? NaN;
}

interface Totals {
  parseMs: number;
  evalMs: number;
  findings: number;
  peakAll: number;
}

type Line = (s?: string) => void;

function report(opts: Options, results: readonly ClusterResult[], x: Extras): void {
  const out: string[] = [];
  const line: Line = (s = '') => {
    out.push(s);
  };
  const t = summaryTable(line, opts, results, x);
  rssTable(line, opts, x);
  if (opts.breakdown) breakdownTable(line, results, x, t.evalMs);
  if (opts.perCluster) perClusterTable(line, results);
  const meets = (ok: boolean): string => (ok ? 'meets' : 'MISSES');
  const ratio = t.evalMs / t.parseMs;
  line(
    `SUMMARY: ${results.length} clusters × ${fmt(opts.objects)} objects, ${CONTROLS.length} controls: ` +
      `parse ${fmt(t.parseMs)} ms, evaluate ${fmt(t.evalMs)} ms, ratio ${fmt(ratio, 3)}× (${meets(ratio <= 1)} ≤ 1×), ` +
      `${fmt(t.findings)} findings (${fmt(t.findings / (t.evalMs / 1000))}/s), peak RSS ${fmt(mib(t.peakAll))} MiB (${meets(t.peakAll < 1024 ** 3)} < 1 GiB)`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

function sumOf(results: readonly ClusterResult[], f: (r: ClusterResult) => number): number {
  return results.reduce((a, r) => a + f(r), 0);
}

function summaryTable(line: Line, opts: Options, results: readonly ClusterResult[], x: Extras): Totals {
  const sum = (f: (r: ClusterResult) => number): number => sumOf(results, f);
  const parseMs = sum((r) => ms(r.parseNs));
  const evalMs = sum((r) => ms(r.evalNs));
  const findings = sum((r) => r.findings);
  const bytes = sum((r) => r.bytes);
  const objects = sum((r) => r.objects);
  const ratios = results.map((r) => Number(r.evalNs) / Number(r.parseNs)).sort((a, b) => a - b);
  const parseCpuMs = sum((r) => r.parseCpuUs) / 1000;
  const evalCpuMs = sum((r) => r.evalCpuUs) / 1000;
  const peakSampler = Math.max(...x.samplerPeaks.values());
  const peakStep = Math.max(...x.stepPeaks.values());
  const peakAll = Math.max(peakSampler, peakStep, x.maxRssKernel);
  const automated = CONTROLS.filter((c) => c.evaluate).length;
  const la = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' ');
  const statuses = (Object.entries(x.totals) as Array<[Status, number]>)
    .filter(([, n]) => n > 0)
    .map(([st, n]) => `${st} ${fmt(n)} (${fmt((100 * n) / findings, 1)}%)`)
    .join(', ');

  line(`## evaluate-bench: ${opts.clusters} clusters × ${fmt(opts.objects)} objects`);
  line();
  line(
    `node ${process.version}, ${CONTROLS.length} controls in CONTROLS (${automated} automated), seed ${opts.seed}, ` +
      `warm-up ${opts.warmup}, gc before each parse: ${opts.gc && gc ? 'yes' : 'no'}` +
      `${opts.gcBeforeEvaluate ? ', **gc between parse and evaluate (diagnostic)**' : ''}, breakdown pass: ${opts.breakdown ? 'yes' : 'no'}`,
  );
  line();
  line(`${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}; load average before ${la(x.load.before)}, after ${la(x.load.after)}`);
  line();
  line('| metric | value |');
  line('|---|---:|');
  line(`| objects evaluated | ${fmt(objects)} |`);
  line(`| JSON bytes total | ${fmt(bytes)} (${fmt(mib(bytes), 1)} MiB, ${fmt(bytes / objects)} B/object) |`);
  line(`| JSON.parse total | ${fmt(parseMs, 1)} ms (${fmt(bytes / 1e6 / (parseMs / 1000), 0)} MB/s) |`);
  line(`| evaluate total | ${fmt(evalMs, 1)} ms |`);
  line(
    `| **ratio evaluate / parse** | **${fmt(evalMs / parseMs, 3)}×** (per cluster: min ${fmt(quantile(ratios, 0), 3)}, ` +
      `median ${fmt(quantile(ratios, 0.5), 3)}, max ${fmt(quantile(ratios, 1), 3)}) |`,
  );
  line(`| CPU time parse / evaluate (process, all threads) | ${fmt(parseCpuMs, 1)} ms / ${fmt(evalCpuMs, 1)} ms: ratio ${fmt(evalCpuMs / parseCpuMs, 3)}× |`);
  line(`| gc pauses inside parse / evaluate | ${fmt(x.gcTimes.parse, 1)} ms / ${fmt(x.gcTimes.evaluate, 1)} ms |`);
  line(`| findings | ${fmt(findings)} (${fmt(findings / results.length)} per cluster) |`);
  line(`| findings per second (evaluate) | ${fmt(findings / (evalMs / 1000))} |`);
  line(`| statuses | ${statuses} |`);
  line(`| **peak RSS** | **${fmt(mib(peakAll), 0)} MiB** (kernel maxrss ${fmt(mib(x.maxRssKernel))}, sampler ${fmt(mib(peakSampler))}, after-step ${fmt(mib(peakStep))}) |`);
  line(`| RSS right after parse / after evaluate (max over clusters) | ${fmt(mib(x.stepPeaks.get('parse') ?? 0))} / ${fmt(mib(x.stepPeaks.get('evaluate') ?? 0))} MiB |`);
  line(`| RSS before the first cluster | ${fmt(mib(x.baselineRss))} MiB |`);
  line(`| wall time (incl. generation) | ${fmt(x.wallMs / 1000, 1)} s |`);
  line();
  return { parseMs, evalMs, findings, peakAll };
}

function rssTable(line: Line, opts: Options, x: Extras): void {
  line('### Peak RSS by phase (MiB)');
  line();
  line(`| phase | sampler (worker, every ${opts.sampleMs} ms) | after-step sample |`);
  line('|---|---:|---:|');
  for (const p of PHASES) {
    const sampled = x.samplerPeaks.get(p) ?? 0;
    const after = x.stepPeaks.get(p) ?? 0;
    if (sampled === 0 && after === 0) continue;
    line(`| ${p} | ${sampled ? fmt(mib(sampled)) : '–'} | ${after ? fmt(mib(after)) : '–'} |`);
  }
  line();
  line(
    `${fmt(x.samplerCount)} sampler ticks. The sampler's parse figure can include pages the harness freed after ` +
      'generate/serialize that the OS has not reclaimed yet; the after-step figures are the parse/evaluate working set.',
  );
  line();
}

function breakdownTable(line: Line, results: readonly ClusterResult[], x: Extras, evalMs: number): void {
  const psMs = sumOf(results, (r) => ms(r.podSubjectsNs));
  const subjects = sumOf(results, (r) => r.podSubjects);
  const perControl = new Map<string, number>();
  for (const r of results) for (const [id, ns] of r.controlNs) perControl.set(id, (perControl.get(id) ?? 0) + ms(ns));
  const controlsMs = [...perControl.values()].reduce((a, b) => a + b, 0);
  const breakdownMs = psMs + controlsMs;
  const share = (v: number): string => `${fmt((100 * v) / breakdownMs, 1)}%`;
  line('### Where evaluation time goes (separate pass on the same parsed snapshots)');
  line();
  line(`podSubjects: ${fmt(subjects)} subjects in total (${fmt(subjects / results.length)} per cluster).`);
  line(
    `Not in the breakdown: evaluate total − breakdown total = ${fmt(evalMs - breakdownMs, 1)} ms ` +
      `(${fmt((100 * (evalMs - breakdownMs)) / evalMs, 1)}% of evaluate): placing each verdict into a Finding, gap checks, and the GC ` +
      "that keeping ~all verdicts and findings alive causes (the breakdown pass drops each control's verdicts at once).",
  );
  line();
  line('| part | ms | share of breakdown | fail | total verdicts | fail rate |');
  line('|---|---:|---:|---:|---:|---:|');
  line(`| podSubjects derivation | ${fmt(psMs, 1)} | ${share(psMs)} | | | |`);
  for (const [id, t] of [...perControl.entries()].sort((a, b) => b[1] - a[1])) {
    const c = x.statusCounts.get(id);
    const fails = c?.fail ?? 0;
    const total = c ? Object.values(c).reduce((a, b) => a + b, 0) : 0;
    line(`| ${id} | ${fmt(t, 1)} | ${share(t)} | ${fmt(fails)} | ${fmt(total)} | ${total ? `${fmt((100 * fails) / total, 1)}%` : '–'} |`);
  }
  line(`| **all controls** | ${fmt(controlsMs, 1)} | ${share(controlsMs)} | | | |`);
  line();
}

function perClusterTable(line: Line, results: readonly ClusterResult[]): void {
  line('### Per cluster');
  line();
  line('| cluster | objects | JSON MiB | parse ms | evaluate ms | ratio | CPU ratio | findings |');
  line('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    line(
      `| ${r.cluster} | ${fmt(r.objects)} | ${fmt(mib(r.bytes), 1)} | ${fmt(ms(r.parseNs), 1)} | ${fmt(ms(r.evalNs), 1)} | ` +
        `${fmt(Number(r.evalNs) / Number(r.parseNs), 3)} | ${fmt(r.evalCpuUs / r.parseCpuUs, 3)} | ${fmt(r.findings)} |`,
    );
  }
  line();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
