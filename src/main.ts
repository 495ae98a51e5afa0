/**
 * Composition root: the only place that builds adapters (database, cluster readers, report
 * writers) and hands them to the pure parts. Commands call these functions.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config/load.js';
import type { Logger } from './core/log.js';
import { complydVersion } from './core/version.js';
import { collectCluster } from './collect/collector.js';
import { CATALOG_VERSION, CONTROLS } from './controls/index.js';
import type { Control, Framework } from './controls/define.js';
import { scanFleet, type FleetScanResult, type ScanFleetOptions } from './scan/scan-fleet.js';
import { openDatabase } from './store/db.js';
import { KnexRunStore, processOwner, type RunStore } from './store/run-store.js';
import { buildRunReport, type RunReport } from './report/model.js';
import { renderJson } from './report/json-report.js';
import { renderPdf } from './report/pdf-report.js';
import { renderCsv } from './report/csv-report.js';
import { renderSarif } from './report/sarif-report.js';
import { renderJunit } from './report/junit-report.js';
import { renderMarkdown } from './report/markdown-report.js';

export const REPORT_FORMATS = ['json', 'pdf', 'csv', 'sarif', 'junit', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
/** File name endings for writeReports. */
const EXTENSION: Record<ReportFormat, string> = { json: 'json', pdf: 'pdf', csv: 'csv', sarif: 'sarif', junit: 'junit.xml', md: 'md' };
const TEXT_RENDERERS: Record<Exclude<ReportFormat, 'pdf'>, (r: RunReport) => string> = {
  json: renderJson,
  csv: renderCsv,
  sarif: renderSarif,
  junit: renderJunit,
  md: renderMarkdown,
};

export async function openStore(config: Pick<Config, 'storage'>): Promise<RunStore> {
  return new KnexRunStore(await openDatabase(config.storage));
}

/** Runs left `running` by a process that died are closed as interrupted before a new run starts. */
const STALE_RUN_MS = 10 * 60_000;

export async function runScan(
  config: Config,
  store: RunStore,
  log: Logger,
  opts: Omit<ScanFleetOptions, 'concurrency'> & { clusters?: readonly string[]; controls?: readonly Control[]; now?: () => Date },
): Promise<FleetScanResult> {
  // The demo passes a clock of simulated days; everything else scans at the real time.
  const now = opts.now ?? (() => new Date());
  const abandoned = await store.markAbandonedRuns(now(), STALE_RUN_MS);
  if (abandoned.length > 0) log.warn({ runs: abandoned }, 'runs left unfinished by a stopped process marked interrupted');
  const targets = opts.clusters ? config.clusters.filter((c) => opts.clusters?.includes(c.name)) : config.clusters;
  return scanFleet(
    targets,
    {
      store,
      controls: opts.controls ?? CONTROLS,
      collect: (target) =>
        collectCluster(target, {
          pageSize: config.collect.pageSize,
          requestTimeoutMs: config.collect.requestTimeout,
          clusterTimeoutMs: config.collect.clusterTimeout,
          now,
          log,
        }),
      now,
      log,
      catalogVersion: CATALOG_VERSION,
      complydVersion: complydVersion(),
      owner: processOwner(),
    },
    { ...opts, concurrency: config.collect.concurrency },
  );
}

export async function buildReport(store: RunStore, runId: string, scope: { clusters?: readonly string[]; framework?: Framework } = {}): Promise<RunReport> {
  return buildRunReport({ store, runId, controls: CONTROLS, now: new Date(), complydVersion: complydVersion(), ...scope });
}

export async function renderReport(report: RunReport, format: ReportFormat): Promise<Buffer> {
  return format === 'pdf' ? renderPdf(report) : Buffer.from(TEXT_RENDERERS[format](report), 'utf8');
}

/** Write a run's report in each format into `dir`; returns the paths written. */
export async function writeReports(store: RunStore, runId: string, dir: string, formats: readonly ReportFormat[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const report = await buildReport(store, runId);
  const written: string[] = [];
  for (const format of formats) {
    const path = join(dir, `complyd-report-${runId.slice(0, 8)}.${EXTENSION[format]}`);
    await writeFile(path, await renderReport(report, format));
    written.push(path);
  }
  return written;
}
