/**
 * Composition root: the only place that builds adapters (database, cluster readers, report
 * writers) and hands them to the pure parts. Commands call these functions.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from './config/load.js';
import type { Logger } from './core/log.js';
import { UsageError } from './core/errors.js';
import { complydVersion } from './config/version.js';
import { collectCluster } from './collect/collector.js';
import { CATALOG_VERSION, CONTROLS } from './controls/index.js';
import { withCustomControls } from './controls/custom.js';
import { FRAMEWORKS, type Framework } from './core/control.js';
import type { CatalogControl } from './controls/define.js';
import type { ReportProfile } from './report/model.js';
import { scanFleet, type ClusterControls, type FleetScanResult, type ScanFleetOptions } from './scan/scan-fleet.js';
import { atOrAbove, clusterProfile, inProfile, profileOf, scopeToProfile, unknownEnforcementKeys } from './config/profiles.js';
import { openDatabase } from './store/db.js';
import { knexRunStore, type HistoryReader, type RunStore, type RunWriter } from './store/run-store.js';
import { processOwner } from './store/run-writer.js';
import { buildRunReport, type BuildReportInput, type RunReport } from './report/model.js';
import { renderJson, renderJsonChunks } from './report/json-report.js';
import { renderCsv, renderCsvChunks } from './report/csv-report.js';
import { renderSarif, renderSarifChunks } from './report/sarif-report.js';
import { renderJunit, renderJunitChunks } from './report/junit-report.js';
import { renderMarkdown } from './report/markdown-report.js';
import { renderPolicyReportChunks, renderPolicyReports } from './report/policy-report.js';
import { jobFileBase, pruneJobFiles, writeReportFile } from './report/report-files.js';
import { loadExceptions, type LoadedExceptions } from './config/load-exceptions.js';
import { exceptionsDigest, type Exception } from './core/exception.js';
import { errorMessage } from './core/errors.js';
import { REPORT_FORMATS, REPORT_MEDIA, type ReportFormat } from './core/report-formats.js';
import { alertEvents, type AlertEvent } from './alerts/events.js';
import { gatherRunFacts } from './alerts/facts.js';
import { sendAlerts, type WebhookResult } from './alerts/send.js';

export { REPORT_FORMATS, type ReportFormat };
const TEXT_RENDERERS: Record<Exclude<ReportFormat, 'pdf'>, (r: RunReport) => string> = {
  json: renderJson,
  csv: renderCsv,
  sarif: renderSarif,
  junit: renderJunit,
  md: renderMarkdown,
  policyreport: renderPolicyReports,
};

export async function openStore(config: Pick<Config, 'storage'>, log?: Logger): Promise<RunStore> {
  return knexRunStore(await openDatabase(config.storage, log));
}

/** The lease of a run whose owner cannot be checked (another host): this long without a heartbeat. */
const STALE_RUN_MS = 10 * 60_000;

/**
 * Runs left `running` by a process that died are closed as interrupted: at once when the owner
 * was on this host and its pid is gone, after the lease otherwise. Scans, the daemon and
 * `history` call this as they start, so a killed scan never shows as running for long.
 */
export async function interruptAbandonedRuns(store: RunWriter, log: Logger, now = new Date()): Promise<string[]> {
  const abandoned = await store.markAbandonedRuns(now, STALE_RUN_MS);
  if (abandoned.length > 0) log.warn({ runs: abandoned }, 'runs left unfinished by a stopped process marked interrupted');
  return abandoned;
}

const catalogs = new WeakMap<object, readonly CatalogControl[]>();

/** The catalog a configuration judges with: the built-in controls and its custom controls (controls.dirs). */
export function catalogOf(config: Partial<Pick<Config, 'customControls'>>): readonly CatalogControl[] {
  const custom = config.customControls ?? [];
  if (custom.length === 0) return CONTROLS;
  let catalog = catalogs.get(custom);
  if (!catalog) {
    catalog = withCustomControls(custom);
    catalogs.set(custom, catalog);
  }
  return catalog;
}

/**
 * The exceptions of the configuration's `exceptions.paths` and of `extraFiles` (`scan
 * --exceptions`), checked against the catalog. A refused file is logged and left out: its
 * findings stay open, which is never the lenient side.
 */
/** Whether a file was read because `paths` lists it or its directory. */
const listsFile = (paths: readonly string[], file: string) => paths.some((p) => resolve(p) === file || dirname(file) === resolve(p));

export function loadRunExceptions(config: Pick<Config, 'exceptions'> & Partial<Pick<Config, 'profiles' | 'customControls'>>, log: Logger, extraFiles: readonly string[] = []): LoadedExceptions {
  const global = [...config.exceptions.paths, ...extraFiles];
  const profiles = config.profiles ?? [];
  const loaded = loadExceptions([...global, ...profiles.flatMap((p) => p.exceptions)], { maxLifetimeMs: config.exceptions.maxLifetime, knownControls: catalogOf(config).map((c) => c.id) });
  for (const bad of loaded.invalid) log.warn({ file: bad.file, issues: bad.issues }, 'exceptions file refused');
  if (profiles.length === 0) return loaded;
  // A file (or a directory's file) listed globally applies everywhere; one listed only by
  // profiles applies to the clusters of those profiles.
  const exceptions = loaded.exceptions.map((e) => {
    const owners = exceptionProfiles(config, extraFiles, e.source.file);
    if (owners.length === 0) return e;
    return scopeToProfile([e], { clusters: profiles.filter((p) => owners.includes(p.name)).flatMap((p) => p.clusters) })[0] as Exception;
  });
  return { ...loaded, exceptions };
}

/** The profiles whose `exceptions` brought in a file read by loadRunExceptions; none: a global file (it applies everywhere). */
export function exceptionProfiles(config: Pick<Config, 'exceptions'> & Partial<Pick<Config, 'profiles'>>, extraFiles: readonly string[], file: string): string[] {
  if (listsFile([...config.exceptions.paths, ...extraFiles], file)) return [];
  return (config.profiles ?? []).filter((p) => listsFile(p.exceptions, file)).map((p) => p.name);
}

/**
 * Each cluster's controls: its profile's frameworks at or above its severity floor (every
 * control for a cluster in no profile). `override` (`scan --framework`) replaces the
 * frameworks for every cluster; the profile's floor still holds.
 */
export function profileControls(config: Pick<Config, 'profiles'> & Partial<Pick<Config, 'customControls'>>, override?: readonly CatalogControl[]): (target: { name: string }) => ClusterControls {
  const shared = override ? FRAMEWORKS.filter((f) => override.every((c) => c.frameworks.includes(f))) : [];
  const unknown = unknownEnforcementKeys(config.profiles, catalogOf(config).map((c) => c.id));
  if (unknown.length > 0) throw new UsageError(`invalid profiles: ${unknown.join('; ')}`);
  return (target) => {
    const profile = clusterProfile(config.profiles, target.name);
    const name = profile.name !== undefined ? { name: profile.name } : {};
    const expected = profileOf(config.profiles, target.name)?.enforcement;
    const enforcement = expected ? { enforcement: expected } : {};
    if (override) return { controls: override.filter((c) => atOrAbove(c.severity, profile.severityFloor)), profile: { ...name, frameworks: shared }, ...enforcement };
    return { controls: catalogOf(config).filter((c) => inProfile(c, profile)), profile: { ...name, frameworks: profile.frameworks }, ...enforcement };
  };
}

/** How long after collect.clusterTimeout a cluster's collection that has not settled fails. */
const COLLECT_BACKSTOP_MS = 30_000;

/** The parts of the store a scan uses: its writer, and for alerts the history and dead letters. */
export type ScanStore = Pick<RunStore, 'runs' | 'history' | 'deadLetters'>;

export async function runScan(
  config: Config,
  parts: ScanStore,
  log: Logger,
  opts: Omit<ScanFleetOptions, 'concurrency'> & {
    clusters?: readonly string[];
    controls?: readonly CatalogControl[];
    now?: () => Date;
    exceptions?: readonly Exception[];
    /** Told what the run's alerts were and how each webhook's delivery went (the daemon's metrics). */
    onAlerts?: (result: AlertRunResult) => void;
  },
): Promise<FleetScanResult> {
  // The demo passes a clock of simulated days; everything else scans at the real time.
  const now = opts.now ?? (() => new Date());
  const store = parts.runs;
  await interruptAbandonedRuns(store, log, now());
  // Read at every scan, so the daemon applies the files as they are in git today.
  const exceptions = opts.exceptions ?? loadRunExceptions(config, log).exceptions;
  const targets = opts.clusters ? config.clusters.filter((c) => opts.clusters?.includes(c.name)) : config.clusters;
  const result = await scanFleet(
    targets,
    {
      store,
      controls: opts.controls ?? catalogOf(config),
      hardening: config.hardening,
      controlsFor: profileControls(config, opts.controls),
      collect: (target) =>
        collectCluster(target, {
          pageSize: config.collect.pageSize,
          requestTimeoutMs: config.collect.requestTimeout,
          clusterTimeoutMs: config.collect.clusterTimeout,
          maxResponseBytes: config.collect.maxResponseSize,
          maxPages: config.collect.maxPages,
          now,
          log,
        }),
      // The collector ends its requests at clusterTimeout; this backstop fails a cluster whose
      // collection still has not settled a while later (a credential plugin that hangs, a bug).
      collectDeadlineMs: config.collect.clusterTimeout + COLLECT_BACKSTOP_MS,
      now,
      log,
      catalogVersion: CATALOG_VERSION,
      complydVersion: complydVersion(),
      owner: processOwner(),
      exceptions,
    },
    { ...opts, concurrency: config.collect.concurrency },
  );
  // After the run is recorded: alerts are bounded by their deadline and never fail the scan.
  if (config.alerts.webhooks.length > 0) {
    const alerts = await alertRun(config, parts, result.runId, log, { exceptions, now: now() });
    opts.onAlerts?.(alerts);
  }
  return result;
}

export interface AlertRunResult {
  events: AlertEvent[];
  webhooks: WebhookResult[];
}

/**
 * The alert events of a recorded run, sent to the configured webhooks. Bounded by
 * `alerts.deadline` (reading the facts included) and never throws: a failure is logged, and
 * an undelivered alert is kept as a dead letter.
 */
export async function alertRun(
  config: Pick<Config, 'alerts'>,
  store: Pick<RunStore, 'history' | 'deadLetters'>,
  runId: string,
  log: Logger,
  opts: { exceptions: readonly Exception[]; now?: Date },
): Promise<AlertRunResult> {
  const started = Date.now();
  const deadline = started + config.alerts.deadline;
  let timer: NodeJS.Timeout | undefined;
  const work = async (): Promise<AlertRunResult> => {
    const facts = await gatherRunFacts(store.history, runId);
    if (!facts) return { events: [], webhooks: [] };
    const events = alertEvents({
      run: { id: facts.run.id, startedAt: facts.run.startedAt },
      clusters: facts.clusters,
      previous: facts.previous,
      ...(facts.previousRunAt !== undefined ? { previousRunAt: facts.previousRunAt } : {}),
      exceptions: opts.exceptions.map((e) => ({ id: e.id, owner: e.owner, expires: e.expires, controls: e.controls })),
      now: opts.now ?? new Date(),
      thresholds: { scoreDrop: config.alerts.scoreDrop, expiringWithinMs: config.alerts.expiringWithin, maxFindings: config.alerts.maxFindings },
    });
    if (events.length === 0) return { events, webhooks: [] };
    const context = { run: { id: facts.run.id, startedAt: facts.run.startedAt }, complydVersion: complydVersion(), sentAt: new Date() };
    const webhooks = await sendAlerts(events, { webhooks: config.alerts.webhooks, context, deadline, deadLetters: store.deadLetters, log });
    return { events, webhooks };
  };
  try {
    // Deliveries end themselves at the deadline; this backstop covers a store that hangs.
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`alerts not done within alerts.deadline (${config.alerts.deadline} ms)`)), config.alerts.deadline + 5_000);
      timer.unref();
    });
    return await Promise.race([work(), backstop]);
  } catch (err) {
    log.error({ run: runId, error: errorMessage(err) }, 'alerts of the run not sent');
    return { events: [], webhooks: [] };
  } finally {
    clearTimeout(timer);
  }
}

export interface ReportScope {
  clusters?: readonly string[];
  /** The catalog the run was judged with (custom controls included: catalogOf(config)); the built-in one by default. */
  controls?: readonly CatalogControl[];
  framework?: Framework;
  /** The profile the clusters are the group of, named on the report. */
  profile?: ReportProfile;
  /** The controls kept (`report --control/--skip-control/--severity`), named on the report. */
  selection?: BuildReportInput['selection'];
  /** The period looked back over, ending at the run (default 30 days). */
  sinceMs?: number;
  /** The exceptions declared now, for the register (the dispositions themselves are the run's). */
  exceptions?: readonly Exception[];
}

export async function buildReport(store: HistoryReader, runId: string, scope: ReportScope = {}): Promise<RunReport> {
  const { exceptions, ...rest } = scope;
  return buildRunReport({
    store,
    runId,
    controls: CONTROLS,
    now: new Date(),
    complydVersion: complydVersion(),
    ...rest,
    ...(exceptions && { exceptions, exceptionsDigest: exceptionsDigest(exceptions) }),
  });
}

/**
 * The PDF renderer with its libraries (pdfkit, fontkit, Vega) is loaded on first use: about
 * half a second that the other formats and commands need not pay.
 */
let pdfModule: Promise<typeof import('./report/pdf-report.js')> | undefined;

export async function renderReport(report: RunReport, format: ReportFormat): Promise<Buffer> {
  if (format === 'pdf') return (await (pdfModule ??= import('./report/pdf-report.js'))).renderPdf(report);
  return Buffer.from(TEXT_RENDERERS[format](report), 'utf8');
}

/** The formats whose text can run to gigabytes on a large cluster: written piece by piece. */
const PIECEWISE: Partial<Record<ReportFormat, (r: RunReport) => Iterable<string>>> = {
  json: renderJsonChunks,
  csv: renderCsvChunks,
  sarif: renderSarifChunks,
  junit: renderJunitChunks,
  policyreport: renderPolicyReportChunks,
};

/** A report's content for writeReportFile: pieces of text where the format allows, else its bytes. */
export async function reportContent(report: RunReport, format: ReportFormat): Promise<Buffer | Iterable<string>> {
  return PIECEWISE[format]?.(report) ?? renderReport(report, format);
}

export interface ReportOptions {
  scope?: ReportScope;
  base?: string;
}

/**
 * Write a run's report in each format into `dir`, each with its .sha256 beside it; returns the
 * paths written. Files are named `<base>.<ending>` (default base: complyd-report-<run id prefix>).
 */
export async function writeReports(
  store: HistoryReader,
  runId: string,
  dir: string,
  formats: readonly ReportFormat[],
  opts: ReportOptions = {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const report = await buildReport(store, runId, opts.scope);
  const written: string[] = [];
  for (const format of formats) {
    const path = join(dir, `${opts.base ?? `complyd-report-${runId.slice(0, 8)}`}.${REPORT_MEDIA[format].ending}`);
    await writeReportFile(path, await reportContent(report, format));
    written.push(path);
  }
  return written;
}

export type ReportJob = Config['reports'][number];

/**
 * One scheduled report: the latest finished run (never one still being written), in the
 * job's scope and formats, into its directory; then the job's oldest files beyond `keep`
 * are deleted. Returns undefined when the store has no finished run yet.
 */
export async function runReportJob(
  store: HistoryReader,
  job: ReportJob,
  exceptions?: readonly Exception[],
  controls?: readonly CatalogControl[],
): Promise<{ runId: string; written: string[]; deleted: string[] } | undefined> {
  const run = await store.latestRun();
  if (!run) return undefined;
  const scope: ReportScope = {
    sinceMs: job.since,
    ...(job.clusters ? { clusters: job.clusters } : {}),
    ...(job.framework ? { framework: job.framework } : {}),
    // A profile's job: its clusters (set when the configuration was loaded), and the profile named on the report.
    ...(job.profile ? { profile: job.profile } : {}),
    // The register shows owner, reason and expiry only from the declared exceptions.
    ...(exceptions ? { exceptions } : {}),
    ...(controls ? { controls } : {}),
  };
  const written = await writeReports(store, run.id, job.dir, job.formats, { scope, base: jobFileBase(job.name, run.startedAt, run.id) });
  const deleted = await pruneJobFiles(job.dir, job.name, job.keep);
  return { runId: run.id, written, deleted };
}
