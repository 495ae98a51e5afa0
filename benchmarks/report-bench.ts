/**
 * Report benchmark: a store holding 50 clusters × 90 days of daily runs (the store
 * benchmark's synthetic fleet, findings changing a little each day), then the time to build
 * the report model from the store (scores, 90-day trends, diff, time to remediate) and to
 * render it as a PDF and the other formats. Figures, not a test: see RESULTS.md.
 *
 *   npm run build && node --expose-gc dist/benchmarks/report-bench.js [--clusters 50] [--days 90] [--workloads 100]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/store/db.js';
import { knexRunStore, type RunStore } from '../src/store/run-store.js';
import { buildReport, renderReport, REPORT_FORMATS } from '../src/main.js';
import { SimCluster } from './store-fleet.js';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '50' },
    days: { type: 'string', default: '90' },
    workloads: { type: 'string', default: '100' },
    controls: { type: 'string', default: '50' },
    repeat: { type: 'string', default: '3' },
    /** Keep the store here and reuse it when it exists (to profile rendering alone). */
    store: { type: 'string' },
  },
});

const DAY0 = Date.UTC(2025, 0, 1, 2, 0, 0);
const dayAt = (d: number, ms = 0) => new Date(DAY0 + d * 86_400_000 + ms);
const MiB = 1024 * 1024;

/** Daily runs of the synthetic fleet; returns the last run's id. */
async function record(store: RunStore, clusters: number, days: number): Promise<string> {
  const fleet = Array.from({ length: clusters }, (_, i) => new SimCluster(`cluster-${String(i).padStart(2, '0')}`, 1000 + i, { workloads: Number(args.workloads), controls: Number(args.controls), namespaces: 20 }));
  const t0 = performance.now();
  let last = '';
  for (let day = 0; day < days; day++) {
    last = await store.runs.beginRun({ trigger: 'bench', catalogVersion: 'bench', complydVersion: '0.1.0', clusterCount: clusters, now: dayAt(day), owner: 'bench:1' });
    for (const [i, c] of fleet.entries()) await store.runs.recordCluster(last, c.scan(dayAt(day, 1000 + i * 10_000)), { evaluatedControls: c.controlIds(), frameworks: c.frameworks() });
    await store.runs.finishRun(last, 'complete', dayAt(day, 3_600_000));
    for (const c of fleet) c.advance();
    if ((day + 1) % 10 === 0) process.stderr.write(`  ${day + 1}/${days} days recorded\n`);
  }
  console.log(`store: ${clusters} clusters x ${days} days recorded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return last;
}

async function main(): Promise<void> {
  const clusters = Number(args.clusters);
  const days = Number(args.days);
  const dir = await mkdtemp(join(tmpdir(), 'complyd-report-bench-'));
  const path = args.store ?? join(dir, 'bench.sqlite');
  const reuse = args.store !== undefined && existsSync(args.store);
  const store = knexRunStore(await openDatabase({ kind: 'sqlite', path }));
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const last = reuse ? ((await store.history.latestRun())?.id ?? '') : await record(store, clusters, days);
    const repeat = Number(args.repeat);
    const times: Record<string, number[]> = { model: [] };
    let report = await buildReport(store.history, last, { sinceMs: days * 86_400_000 });
    for (let r = 0; r < repeat; r++) {
      const t = performance.now();
      report = await buildReport(store.history, last, { sinceMs: days * 86_400_000 });
      times['model']?.push(performance.now() - t);
    }
    const failing = report.controls.reduce((n, c) => n + c.findings.filter((f) => f.status === 'fail').length, 0);
    console.log(`report model: ${report.clusters.length} clusters, ${report.period.trend.fleet.length} trend points, ${failing} failing findings listed`);
    const sizes: Record<string, number> = {};
    for (const format of REPORT_FORMATS) {
      times[format] = [];
      for (let r = 0; r < repeat; r++) {
        const t = performance.now();
        const bytes = await renderReport(report, format);
        times[format]?.push(performance.now() - t);
        sizes[format] = bytes.length;
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    console.log('| step | median of ' + repeat + ' (ms) | output |');
    console.log('|---|---:|---:|');
    console.log(`| build model from the store | ${median(times['model'] ?? []).toFixed(0)} | |`);
    for (const format of REPORT_FORMATS) console.log(`| render ${format} | ${median(times[format] ?? []).toFixed(0)} | ${(sizes[format] ?? 0) >= MiB ? `${((sizes[format] ?? 0) / MiB).toFixed(1)} MiB` : `${((sizes[format] ?? 0) / 1024).toFixed(0)} KiB`} |`);
    console.log(`peak RSS ${(peak / MiB).toFixed(0)} MiB; node ${process.version}`);
  } finally {
    clearInterval(sample);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
