/**
 * `complyd network` and `network diff` over the store: the connectivity each scan kept for a
 * cluster (ADR 0017), printed in the formats of the path form, and compared between two runs
 * or over a window.
 */
import { focusNetwork, diffConnections, type ConnectionDiff, type NetworkAnalysis } from '../core/network.js';
import { UsageError } from '../core/errors.js';
import type { HistoryReader, StoredNetwork } from '../store/run-store.js';
import { setup, DEFAULT_CONFIG } from './context.js';
import { openStore } from '../main.js';
import { resolveRun } from './commands/report.js';
import { parseWindow } from './window.js';
import { writeAll } from './evaluate-output.js';
import { EXIT } from './exit-codes.js';

export interface StoreSource {
  config?: string;
  cluster?: string;
  run?: string[];
  logLevel?: string;
}

/** The store form is chosen by --cluster; paths and --cluster together are refused, as is -c or --run without it. */
export function storeForm(paths: readonly string[], opts: StoreSource): boolean {
  if (opts.cluster === undefined) {
    if (opts.config !== undefined || (opts.run?.length ?? 0) > 0) throw new UsageError('-c and --run read the store: name the cluster with --cluster NAME');
    return false;
  }
  if (opts.cluster.trim() === '') throw new UsageError('--cluster needs a cluster name');
  if (paths.length > 0) throw new UsageError(`give manifest paths or --cluster ${opts.cluster}, not both`);
  return true;
}

/** Opens the configured store for `fn`, closed after. */
export async function withHistory<T>(opts: StoreSource, fn: (history: HistoryReader) => Promise<T>): Promise<T> {
  const { config, log } = setup({ config: opts.config ?? DEFAULT_CONFIG, ...(opts.logLevel !== undefined ? { logLevel: opts.logLevel } : {}) });
  const store = await openStore(config, log);
  try {
    return await fn(store.history);
  } finally {
    await store.close();
  }
}

const scanName = (n: StoredNetwork): string => `run ${n.runId} (scan of ${n.at})`;

/** The analysis a stored scan holds, or why it cannot be shown (exit 3: not assessed, like an input not read). */
async function held(n: StoredNetwork | undefined, cluster: string, what: string): Promise<(StoredNetwork & { analysis: NetworkAnalysis }) | undefined> {
  if (n?.analysis) return n as StoredNetwork & { analysis: NetworkAnalysis };
  await writeAll(process.stderr, [n ? `complyd: cluster ${cluster}, ${scanName(n)}: ${n.note ?? 'no connectivity'}\n` : `complyd: no connectivity stored for cluster ${cluster}${what}: no scan of it holds one (recorded before complyd kept connectivity, never assessed, or not a cluster of this store)\n`]);
  process.exitCode = EXIT.notAssessed;
  return undefined;
}

/** The stored analysis as the path form would print it: exposure only when asked, cut to a workload when asked. */
export async function storedNetwork(history: HistoryReader, opts: StoreSource & { exposure?: boolean; focusWorkload?: string }): Promise<NetworkAnalysis | undefined> {
  const cluster = opts.cluster ?? '';
  if ((opts.run?.length ?? 0) > 1) throw new UsageError('network reads one run: give --run once');
  const wanted = opts.run?.[0];
  const runId = wanted !== undefined ? await resolveRun(history, wanted) : undefined;
  const n = await held(await history.network(cluster, runId), cluster, runId ? ` at run ${runId}` : '');
  if (!n) return undefined;
  await writeAll(process.stderr, [`cluster ${cluster}: connectivity of ${scanName(n)}\n`, ...n.analysis.problems.map((p) => `complyd: ${p}\n`)]);
  const { exposure: _exposure, ...bare } = n.analysis;
  const shown = opts.exposure ? n.analysis : bare;
  return opts.focusWorkload ? focusNetwork(shown, opts.focusWorkload) : shown;
}

/** The two stored scans a diff compares, each holding connectivity; undefined (and said) when one does not. */
async function diffEnds(history: HistoryReader, cluster: string, ids: readonly string[], since: string | undefined, until: string | undefined): Promise<[StoredNetwork, StoredNetwork] | undefined> {
  const at = (id: string | undefined) => (id ? ` at run ${id}` : '');
  if (since !== undefined) {
    const after = await held(await history.network(cluster, ids[0]), cluster, at(ids[0]));
    if (!after) return undefined;
    const { from } = parseWindow(since, until);
    const before = await held(await history.networkSince(cluster, from, after.at), cluster, ` since ${from.toISOString()}`);
    return before ? [before, after] : undefined;
  }
  const before = await held(await history.network(cluster, ids[0]), cluster, at(ids[0]));
  const after = await held(await history.network(cluster, ids[1]), cluster, at(ids[1]));
  return before && after ? [before, after] : undefined;
}

export interface StoredDiff extends ConnectionDiff {
  cluster: string;
  from: { runId: string; at: string };
  to: { runId: string; at: string };
}

/**
 * Between two runs (--run A --run B), from one run to the newest (--run A), or over a window
 * (--since, to the newest or to --run B): the base of a window is the newest connectivity held
 * at its start, else the oldest within it.
 */
export async function storedDiff(history: HistoryReader, opts: StoreSource & { since?: string; until?: string }): Promise<StoredDiff | undefined> {
  const cluster = opts.cluster ?? '';
  const runs = opts.run ?? [];
  if (runs.length > 2) throw new UsageError('network diff compares two runs: give --run at most twice');
  if (opts.since !== undefined && runs.length > 1) throw new UsageError('give --since, or two --run, not both');
  if (opts.since === undefined && runs.length === 0) throw new UsageError('network diff --cluster: give --since (e.g. 30d) or --run A [--run B]');
  const ids = await Promise.all(runs.map((r) => resolveRun(history, r)));
  const ends = await diffEnds(history, cluster, ids, opts.since, opts.until);
  if (!ends) return undefined;
  const [before, after] = ends;
  // In time order, whichever way the runs were given.
  const [a, b] = before.at > after.at ? [after, before] : [before, after];
  await writeAll(process.stderr, [`cluster ${cluster}: from ${scanName(a)} to ${scanName(b)}${a.runId === b.runId ? ' (the only scan holding connectivity in that range)' : ''}\n`]);
  return { cluster, from: { runId: a.runId, at: a.at }, to: { runId: b.runId, at: b.at }, ...diffConnections(a.analysis?.connections ?? [], b.analysis?.connections ?? []) };
}
