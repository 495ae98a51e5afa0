import type { HardeningPolicy } from '../core/hardening-policy.js';
import { snapshotHash } from './snapshot-hash.js';
import { performance } from 'node:perf_hooks';
import type { ClusterScan, ClusterTarget, Evidence, Finding, Snapshot } from '../core/types.js';
import { mapLimit } from '../core/concurrency.js';
import { PassSet } from '../core/passes.js';
import { errorMessage } from '../core/errors.js';
import { isolateCluster } from './cluster-faults.js';
import type { Logger } from '../core/log.js';
import type { Control, Framework } from '../core/control.js';
import { controlJudge, placeVerdict } from '../evaluate/evaluate.js';
import { EvalContext } from '../evaluate/context.js';
import { workloadRisks } from '../score/risk.js';
import { snapshotNetwork } from '../evaluate/network/shared.js';
import { assessPosture } from '../score/posture.js';
import type { ExpectedEnforcement } from '../core/admission.js';
import { applyExceptions, compileException, snapshotTarget, type CompiledException } from '../evaluate/exceptions.js';
import { exceptionsDigest, type Exception } from '../core/exception.js';
import type { FinalRunStatus, RecordClusterOptions, RunWriter } from '../store/run-store.js';

/** The controls one cluster is evaluated with, and the profile that chose them (ADR 0015). */
export interface ClusterControls {
  controls: readonly Control<EvalContext>[];
  /** Recorded with the cluster's scan: its profile's name (absent: the defaults) and the frameworks evaluated. */
  profile?: { name?: string; frameworks: readonly Framework[] };
  /** What the profile expects at admission (ADR 0020); absent: nothing expected. */
  enforcement?: ExpectedEnforcement;
}
import { describeNamespaces, resourceInScope } from '../core/namespace-scope.js';

export interface ScanFleetDeps {
  store: RunWriter;
  /** The controls of every cluster that `controlsFor` does not give its own. */
  controls: readonly Control<EvalContext>[];
  /** Each cluster's controls (its profile's); every cluster gets `controls` when absent. */
  controlsFor?: (target: ClusterTarget) => ClusterControls;
  /** Reads one cluster; throws when the cluster cannot be assessed at all. */
  collect: (target: ClusterTarget) => Promise<Snapshot>;
  /**
   * How long one cluster's collection may take in all before the cluster fails; a backstop
   * for a read that never settles (the collector's own deadline ends its requests).
   */
  collectDeadlineMs?: number;
  now: () => Date;
  log: Logger;
  catalogVersion: string;
  complydVersion: string;
  owner: string;
  /** Applied to every cluster's failing findings at the run's start; none when absent. */
  exceptions?: readonly Exception[];
  /** The configuration's image policy for the hardening controls; off when absent. */
  hardening?: HardeningPolicy;
}

/** What scanCluster needs beyond the deps: the exceptions compiled once per run, and the run's time. */
interface ClusterScanDeps extends Omit<ScanFleetDeps, 'store' | 'exceptions'> {
  exceptions?: { compiled: readonly CompiledException[]; at: Date };
  enforcement?: ExpectedEnforcement;
}

export interface ScanFleetOptions {
  trigger: string;
  concurrency: number;
  /** Aborting stops starting new clusters; clusters in flight finish and are recorded. */
  signal?: AbortSignal;
  /** Called (and awaited) once the run row exists, with its id (the daemon needs it to close the run on shutdown). */
  onStart?: (runId: string) => unknown;
  /** Called after each cluster is recorded, for progress output. */
  onCluster?: (scan: ClusterSummary) => void;
  heartbeatMs?: number;
  /**
   * Finish this run instead of beginning one: a daemon took over the slot of a daemon that died
   * mid-scan (ADR 0023). The run becomes this process's, and only the clusters it has not
   * recorded are scanned. Throws when the run is no longer running.
   */
  adopt?: string;
}

/** A recorded cluster without its findings (those are in the store). */
export type ClusterSummary = Omit<ClusterScan, 'findings' | 'passes'> & { findingCounts: Record<string, number> };

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
 * One evidence object and one message string per distinct value: a control gives hundreds of
 * thousands of resources the same path, observed and expected values (each built as a string
 * of its own), which made up most of a kept finding's memory. Evidence is never changed after
 * evaluation, so sharing it is safe.
 */
class EvidencePool {
  private readonly evidence = new Map<string, Evidence>();
  private readonly messages = new Map<string, string>();
  evidenceOf(e: Evidence | undefined): Evidence | undefined {
    if (!e) return undefined;
    const key = `${e.path}\u0000${e.observed}\u0000${e.expected}`;
    const held = this.evidence.get(key);
    if (held) return held;
    this.evidence.set(key, e);
    return e;
  }
  messageOf(m: string | undefined): string | undefined {
    if (m === undefined) return undefined;
    const held = this.messages.get(m);
    if (held !== undefined) return held;
    this.messages.set(m, m);
    return m;
  }
}

/** A cluster's verdicts as a scan keeps them: every other status a Finding, passes compactly. */
export interface Judged {
  findings: Finding[];
  passes: PassSet;
}

/**
 * evaluateIn, a few controls at a time with the event loop let in between (controls are judged
 * independently, so the verdicts are the same, in the same order): on a large cluster
 * evaluation takes seconds. Each control's passes are folded into the PassSet as soon as it
 * is judged, so the memory of a scan grows with what is not passing (ADR 0013).
 */
export async function evaluateCompact(ctx: EvalContext, controls: readonly Control<EvalContext>[], inScope?: (ref: Finding['resource']) => boolean): Promise<Judged> {
  const findings: Finding[] = [];
  const passes = new PassSet();
  const shared = new EvidencePool();
  const judge = controlJudge(ctx);
  const cluster = ctx.snapshot.cluster;
  let sliceStart = performance.now();
  for (const control of controls) {
    judge(control, (status, resource, evidence, message, discriminator) => {
      if (inScope && !inScope(resource)) return;
      if (status === 'pass') passes.addPass(control.id, control.severity, resource, discriminator);
      else findings.push(placeVerdict(cluster, control, status, resource, shared.evidenceOf(evidence), shared.messageOf(message), discriminator));
    });
    if (performance.now() - sliceStart > EVALUATE_SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  return { findings, passes };
}

/** What the connectivity analysis reads: without any of it, it would report connections the cluster may not allow. */
const NETWORK_EVIDENCE = ['networkpolicies', 'namespaces', 'services', 'ingresses', 'pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'replicationcontrollers', 'jobs', 'cronjobs'] as const;

function networkEvidenceMissing(snapshot: Snapshot): string[] {
  return NETWORK_EVIDENCE.filter((n) => snapshot.gaps.some((g) => g.evidence === n || g.evidence.startsWith(`${n}/`)));
}

function objectCounts(snapshot: Snapshot): ClusterScan['objectCounts'] {
  return Object.fromEntries(Object.entries(snapshot.objects).map(([k, v]) => [k, v?.length ?? 0]));
}

/** A cluster's scan that assessed nothing, with why. */
function failedScan(target: Pick<ClusterTarget, 'name' | 'labels'>, startedAt: string, finishedAt: string, error: string): ClusterScan {
  return { cluster: target.name, labels: target.labels, status: 'failed', startedAt, finishedAt, objectCounts: {}, gaps: [], error, findings: [] };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Rejects with a named error when `work` has not settled within `ms` (undefined: no limit). */
function within<T>(work: Promise<T>, ms: number | undefined, what: string): Promise<T> {
  // Beyond Node's timer range a limit would fire at once: no backstop rather than a false one.
  if (ms === undefined || ms > MAX_TIMER_MS) return work;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/**
 * Collect and evaluate one cluster. Never throws: whatever goes wrong (the cluster cannot be
 * read, collection never ends, a control or the risk score throws on a strange object, an error
 * raised in a callback of this cluster's work) is this cluster's `failed` scan, with a message
 * that says at which step.
 */
export async function scanCluster(target: ClusterTarget, deps: ClusterScanDeps): Promise<ClusterScan> {
  const startedAt = deps.now().toISOString();
  try {
    return await isolateCluster(target.name, async (work) => {
      // The collector's own errors already say what failed; later steps are named here.
      const snapshot = await within(deps.collect(target), deps.collectDeadlineMs, 'collection');
      const step = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
        work.stage(name);
        // Each CPU step runs to its end without a break; between them, timers (the run's
        // heartbeat) and other clusters' network reads get their turn.
        await yieldToEventLoop();
        try {
          return await fn();
        } catch (err) {
          throw new Error(`${name} failed: ${errorMessage(err)}`, { cause: err });
        }
      };
      const ctx = await step('evaluation', () => new EvalContext(snapshot, deps.now(), deps.hardening));
      // Judged over every namespace (RBAC reach needs all roles), kept for the selected ones only.
      const inScope = resourceInScope(target.namespaces);
      const { findings, passes } = await step('evaluation', () => evaluateCompact(ctx, deps.controls, inScope));
      const exceptions = deps.exceptions;
      if (exceptions) await step('exceptions', () => applyExceptions(findings, exceptions.compiled, snapshotTarget(snapshot), exceptions.at));
      const risks = await step('risk scoring', () => workloadRisks(ctx, findings));
      const posture = await step('enforcement posture', () => assessPosture(snapshot, deps.controls, deps.enforcement));
      const missing = networkEvidenceMissing(snapshot);
      // Shared with the network controls when they ran: then this costs nothing more.
      const network = missing.length === 0 ? await step('network analysis', () => snapshotNetwork(ctx).analysis) : undefined;
      const hash = await step('snapshot hashing', () => snapshotHash(snapshot));
      const scan: ClusterScan = {
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
        passes,
        ...(inScope && target.namespaces ? { namespaces: target.namespaces } : {}),
        risks,
        ...(posture ? { posture } : {}),
        ...(network ? { network } : { networkNote: `connectivity not analysed: evidence missing: ${missing.join(', ')}` }),
      };
      return scan;
    });
  } catch (err) {
    const error = errorMessage(err);
    deps.log.warn({ cluster: target.name, err: error }, 'cluster not assessed');
    return failedScan(target, startedAt, deps.now().toISOString(), error);
  }
}

function summarize(scan: ClusterScan): ClusterSummary {
  const { findings, passes, risks: _risks, network: _network, networkNote: _note, ...rest } = scan;
  const findingCounts: Record<string, number> = {};
  if (passes && passes.size > 0) findingCounts['pass'] = passes.size;
  for (const f of findings) findingCounts[f.status] = (findingCounts[f.status] ?? 0) + 1;
  return { ...rest, findingCounts };
}

/**
 * The trigger with the namespace selection appended when one applies (text column, no
 * migration), so a run cut to some namespaces is never read as a whole one: `cli (namespaces
 * exclude kube-system)`, or per cluster when they differ.
 */
export function withNamespaces(trigger: string, targets: readonly Pick<ClusterTarget, 'name' | 'namespaces'>[]): string {
  const described = targets.map((t) => ({ name: t.name, text: describeNamespaces(t.namespaces) }));
  if (described.every((d) => d.text === undefined)) return trigger;
  const texts = new Set(described.map((d) => d.text));
  const scope = texts.size === 1 ? `namespaces ${described[0]?.text ?? ''}` : `namespaces ${described.map((d) => `${d.name}: ${d.text ?? 'all'}`).join(', ')}`;
  const full = `${trigger} (${scope})`;
  // Bounded: a fleet of hundreds of clusters each with its own selection.
  return full.length > 500 ? `${full.slice(0, 496)}...)` : full;
}

export function runStatusOf(clusters: ReadonlyArray<Pick<ClusterSummary, 'status'>>, interrupted: boolean): FinalRunStatus {
  if (interrupted) return 'interrupted';
  if (clusters.length > 0 && clusters.every((c) => c.status === 'failed')) return 'failed';
  return clusters.every((c) => c.status === 'complete') ? 'complete' : 'partial';
}

/**
 * One run over the fleet: clusters are collected concurrently up to `concurrency`, each
 * evaluated and recorded in its own transaction as soon as it is done, so one slow or broken
 * cluster never holds back or spoils the others. The run row says how it ended.
 */
export async function scanFleet(fleet: readonly ClusterTarget[], deps: ScanFleetDeps, opts: ScanFleetOptions): Promise<FleetScanResult> {
  let targets = fleet;
  const startedAt = deps.now();
  const exceptions = deps.exceptions ?? [];
  // Clusters the adopted run recorded before its daemon died: kept as they are, not scanned again.
  let inherited: Array<{ cluster: string; status: ClusterScan['status'] }> = [];
  let runId: string;
  if (opts.adopt !== undefined) {
    const adopted = await deps.store.adoptRun(opts.adopt, deps.owner, startedAt);
    if (!adopted.adopted) throw new Error(`run ${opts.adopt} cannot be taken over: it is ${adopted.status}`);
    runId = opts.adopt;
    inherited = adopted.recorded;
    const done = new Set(inherited.map((c) => c.cluster));
    targets = targets.filter((t) => !done.has(t.name));
  } else {
    runId = await deps.store.beginRun({
      trigger: withNamespaces(opts.trigger, targets),
      exceptionsDigest: exceptionsDigest(exceptions),
      catalogVersion: deps.catalogVersion,
      complydVersion: deps.complydVersion,
      clusterCount: targets.length,
      now: startedAt,
      owner: deps.owner,
    });
  }
  await opts.onStart?.(runId);
  const log = deps.log.child({ runId });
  if (opts.adopt !== undefined) log.info({ inherited: inherited.length, clusters: targets.length }, 'run taken over');
  else log.info({ clusters: targets.length, trigger: opts.trigger }, 'run started');
  const beat = setInterval(() => {
    // One line: the next beat may well succeed, and the run is only lost once the lease lapses.
    deps.store.heartbeat(runId, deps.now()).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'heartbeat failed'));
  }, opts.heartbeatMs ?? 15_000);
  beat.unref();

  const compiled = exceptions.map(compileException);
  const recorded: ClusterSummary[] = [];
  let storeFailure: unknown;
  const selectionOf = (target: ClusterTarget): ClusterControls => deps.controlsFor?.(target) ?? { controls: deps.controls };
  const optionsOf = (s: ClusterControls): RecordClusterOptions => ({
    evaluatedControls: s.controls.map((c) => c.id),
    frameworks: Object.fromEntries(s.controls.map((c) => [c.id, c.frameworks])),
    ...(s.profile ? { profile: s.profile } : {}),
  });
  /**
   * Records the scan; when the store refuses it (a value the database cannot hold, a constraint
   * a strange object breaks), records the cluster as failed with the reason instead, so the run
   * still accounts for it. Throws only when even that fails: then the store itself is at fault.
   */
  const record = async (scan: ClusterScan, options: RecordClusterOptions): Promise<ClusterScan> => {
    try {
      await deps.store.recordCluster(runId, scan, options);
      return scan;
    } catch (err) {
      if (scan.status === 'failed') throw err;
      log.error({ cluster: scan.cluster, err: errorMessage(err) }, 'cluster could not be recorded; recording it as failed');
      const failed = failedScan({ name: scan.cluster, labels: scan.labels }, scan.startedAt, deps.now().toISOString(), `could not be recorded: ${errorMessage(err)}`);
      await deps.store.recordCluster(runId, failed, options);
      return failed;
    }
  };
  try {
    await mapLimit(targets, opts.concurrency, async (target) => {
      if (opts.signal?.aborted || storeFailure) return;
      const selection = selectionOf(target);
      let scan = await scanCluster(target, { ...deps, controls: selection.controls, log, exceptions: { compiled, at: startedAt }, ...(selection.enforcement ? { enforcement: selection.enforcement } : {}) });
      try {
        scan = await record(scan, optionsOf(selection));
      } catch (err) {
        // The store is down or refuses even a failed cluster: starting more clusters would only
        // lose their work too.
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
  const status = storeFailure ? 'failed' : runStatusOf([...inherited, ...recorded], interrupted);
  // Only while still this process's: a daemon that stalled past its slot lease must not close
  // the run another daemon took over (ADR 0023).
  await deps.store.finishRun(runId, status, deps.now(), deps.owner);
  log.info({ status }, 'run finished');
  if (storeFailure) throw storeFailure;
  const order = new Map(targets.map((t, i) => [t.name, i]));
  recorded.sort((a, b) => (order.get(a.cluster) ?? 0) - (order.get(b.cluster) ?? 0));
  return { runId, status, clusters: recorded };
}
