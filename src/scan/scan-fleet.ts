import { snapshotHash } from './snapshot-hash.js';
import { performance } from 'node:perf_hooks';
import type { ClusterScan, ClusterTarget, Finding, Snapshot } from '../core/types.js';
import { mapLimit } from '../core/concurrency.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Control } from '../core/control.js';
import { evaluateIn } from '../evaluate/evaluate.js';
import { EvalContext } from '../evaluate/context.js';
import { workloadRisks } from '../score/risk.js';
import { applyExceptions, compileException, snapshotTarget, type CompiledException } from '../evaluate/exceptions.js';
import { exceptionsDigest, type Exception } from '../core/exception.js';
import type { FinalRunStatus, RunWriter } from '../store/run-store.js';

export interface ScanFleetDeps {
  store: RunWriter;
  controls: readonly Control<EvalContext>[];
  /** Reads one cluster; throws when the cluster cannot be assessed at all. */
  collect: (target: ClusterTarget) => Promise<Snapshot>;
  now: () => Date;
  log: Logger;
  catalogVersion: string;
  complydVersion: string;
  owner: string;
  /** Applied to every cluster's failing findings at the run's start; none when absent. */
  exceptions?: readonly Exception[];
}

/** What scanCluster needs beyond the deps: the exceptions compiled once per run, and the run's time. */
interface ClusterScanDeps extends Omit<ScanFleetDeps, 'store' | 'exceptions'> {
  exceptions?: { compiled: readonly CompiledException[]; at: Date };
}

export interface ScanFleetOptions {
  trigger: string;
  concurrency: number;
  /** Aborting stops starting new clusters; clusters in flight finish and are recorded. */
  signal?: AbortSignal;
  /** Called once the run row exists, with its id (the daemon needs it to close the run on shutdown). */
  onStart?: (runId: string) => void;
  /** Called after each cluster is recorded, for progress output. */
  onCluster?: (scan: ClusterSummary) => void;
  heartbeatMs?: number;
}

/** A recorded cluster without its findings (those are in the store). */
export type ClusterSummary = Omit<ClusterScan, 'findings'> & { findingCounts: Record<string, number> };

export interface FleetScanResult {
  runId: string;
  status: FinalRunStatus;
  clusters: ClusterSummary[];
}

/** SHA-256 of the snapshot as evaluated: ties every stored figure to the evidence it came from. */
export { snapshotHash } from './snapshot-hash.js';

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Longest stretch evaluation runs without letting timers and I/O in. */
const EVALUATE_SLICE_MS = 50;

/**
 * evaluateIn, a few controls at a time with the event loop let in between (controls are judged
 * independently, so the findings are the same, in the same order): on a large cluster
 * evaluation takes seconds.
 */
async function evaluateYielding(ctx: EvalContext, controls: readonly Control<EvalContext>[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  let sliceStart = performance.now();
  for (const control of controls) {
    for (const f of evaluateIn(ctx, [control])) findings.push(f);
    if (performance.now() - sliceStart > EVALUATE_SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  return findings;
}

function objectCounts(snapshot: Snapshot): ClusterScan['objectCounts'] {
  return Object.fromEntries(Object.entries(snapshot.objects).map(([k, v]) => [k, v?.length ?? 0]));
}

/** Collect and evaluate one cluster. Never throws: a cluster that cannot be read is a `failed` scan. */
export async function scanCluster(target: ClusterTarget, deps: ClusterScanDeps): Promise<ClusterScan> {
  const startedAt = deps.now().toISOString();
  try {
    const snapshot = await deps.collect(target);
    // Each CPU step runs to its end without a break; between them, timers (the run's heartbeat)
    // and other clusters' network reads get their turn.
    await yieldToEventLoop();
    const ctx = new EvalContext(snapshot, deps.now());
    const findings = await evaluateYielding(ctx, deps.controls);
    if (deps.exceptions) applyExceptions(findings, deps.exceptions.compiled, snapshotTarget(snapshot), deps.exceptions.at);
    await yieldToEventLoop();
    const risks = workloadRisks(ctx, findings);
    await yieldToEventLoop();
    const hash = snapshotHash(snapshot);
    return {
      cluster: target.name,
      labels: target.labels,
      status: snapshot.gaps.length > 0 ? 'partial' : 'complete',
      startedAt,
      // After evaluation, risk and hash: the cluster's duration is what its scan cost.
      finishedAt: deps.now().toISOString(),
      provider: snapshot.provider,
      ...(snapshot.serverVersion ? { serverVersion: snapshot.serverVersion.gitVersion } : {}),
      objectCounts: objectCounts(snapshot),
      snapshotHash: hash,
      gaps: snapshot.gaps,
      findings,
      risks,
    };
  } catch (err) {
    deps.log.warn({ cluster: target.name, err: errorMessage(err) }, 'cluster not assessed');
    return {
      cluster: target.name,
      labels: target.labels,
      status: 'failed',
      startedAt,
      finishedAt: deps.now().toISOString(),
      objectCounts: {},
      gaps: [],
      error: errorMessage(err),
      findings: [],
    };
  }
}

function summarize(scan: ClusterScan): ClusterSummary {
  const { findings, risks: _risks, ...rest } = scan;
  const findingCounts: Record<string, number> = {};
  for (const f of findings) findingCounts[f.status] = (findingCounts[f.status] ?? 0) + 1;
  return { ...rest, findingCounts };
}

export function runStatusOf(clusters: readonly ClusterSummary[], interrupted: boolean): FinalRunStatus {
  if (interrupted) return 'interrupted';
  if (clusters.length > 0 && clusters.every((c) => c.status === 'failed')) return 'failed';
  return clusters.every((c) => c.status === 'complete') ? 'complete' : 'partial';
}

/**
 * One run over the fleet: clusters are collected concurrently up to `concurrency`, each
 * evaluated and recorded in its own transaction as soon as it is done, so one slow or broken
 * cluster never holds back or spoils the others. The run row says how it ended.
 */
export async function scanFleet(targets: readonly ClusterTarget[], deps: ScanFleetDeps, opts: ScanFleetOptions): Promise<FleetScanResult> {
  const startedAt = deps.now();
  const exceptions = deps.exceptions ?? [];
  const runId = await deps.store.beginRun({
    trigger: opts.trigger,
    exceptionsDigest: exceptionsDigest(exceptions),
    catalogVersion: deps.catalogVersion,
    complydVersion: deps.complydVersion,
    clusterCount: targets.length,
    now: startedAt,
    owner: deps.owner,
  });
  opts.onStart?.(runId);
  const log = deps.log.child({ runId });
  log.info({ clusters: targets.length, trigger: opts.trigger }, 'run started');
  const beat = setInterval(() => {
    // One line: the next beat may well succeed, and the run is only lost once the lease lapses.
    deps.store.heartbeat(runId, deps.now()).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'heartbeat failed'));
  }, opts.heartbeatMs ?? 15_000);
  beat.unref();

  const compiled = exceptions.map(compileException);
  const evaluatedControls = deps.controls.map((c) => c.id);
  const frameworks = Object.fromEntries(deps.controls.map((c) => [c.id, c.frameworks]));
  const recorded: ClusterSummary[] = [];
  let storeFailure: unknown;
  try {
    await mapLimit(targets, opts.concurrency, async (target) => {
      if (opts.signal?.aborted || storeFailure) return;
      const scan = await scanCluster(target, { ...deps, log, exceptions: { compiled, at: startedAt } });
      try {
        await deps.store.recordCluster(runId, scan, { evaluatedControls, frameworks });
      } catch (err) {
        storeFailure ??= err;
        log.error({ cluster: target.name, err: errorMessage(err) }, 'cluster could not be recorded');
        return;
      }
      const summary = summarize(scan);
      recorded.push(summary);
      log.info({ cluster: scan.cluster, status: scan.status, gaps: scan.gaps.length, findings: summary.findingCounts }, 'cluster recorded');
      opts.onCluster?.(summary);
    });
  } catch (err) {
    // Whatever broke (a callback, a bug), the run ends as failed rather than `running` under a
    // live process; if the store is down too, the next start closes it once this process is gone.
    await deps.store.finishRun(runId, 'failed', deps.now()).catch(() => undefined);
    throw err;
  } finally {
    clearInterval(beat);
  }

  const interrupted = Boolean(opts.signal?.aborted) && recorded.length < targets.length;
  const status = storeFailure ? 'failed' : runStatusOf(recorded, interrupted);
  await deps.store.finishRun(runId, status, deps.now());
  log.info({ status }, 'run finished');
  if (storeFailure) throw storeFailure;
  const order = new Map(targets.map((t, i) => [t.name, i]));
  recorded.sort((a, b) => (order.get(a.cluster) ?? 0) - (order.get(b.cluster) ?? 0));
  return { runId, status, clusters: recorded };
}
