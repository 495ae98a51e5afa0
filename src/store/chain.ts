/**
 * The canonical forms that the hash chain covers. Pure: recordCluster hashes what it is about
 * to write, verifyChain hashes what it reads back, with the same functions.
 *
 * results_hash covers one cluster's scan as the store can reproduce it later:
 * - its control counts and its namespace × severity counts (the spans valid at that row),
 * - every finding episode open at that row: fingerprint, episode number, status, severity,
 *   whether the scan observed it, and the hash of its evidence (not the evidence text, which
 *   retention may blank; the evidence hash stays and covers it while it exists),
 * - its gaps,
 * - from migration 004 on, its counts per framework and severity (score spans),
 * - from migration 008 on, for a run with an exceptions digest, the disposition of every
 *   open episode that has one (fingerprint, episode, excepted or expired, exception id).
 * chain_hash covers the run_clusters row itself (and the immutable fields of its run: seq,
 * start and, from 008 on, the digest of the exceptions it applied; from 010 on, the row's
 * profile and frameworks; from 012 on, its enforcement posture; from 011 on, the digest of its connectivity) and the previous row's chain_hash. Rows of runs without a digest,
 * and rows without frameworks, hash exactly as before.
 */
import { createHash } from 'node:crypto';
import type { Severity, Status } from '../core/types.js';
import type { StatusCounts } from '../core/status.js';

export const ZERO_HASH = '0'.repeat(64);

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash of a finding's evidence and message, kept after the text itself is pruned. */
export function evidenceHash(path: string | null, observed: string | null, expected: string | null, message: string | null): string {
  return sha256(JSON.stringify(['complyd.evidence/v1', path, observed, expected, message]));
}

export interface CountsEntry {
  key: string;
  severity: Severity;
  counts: StatusCounts;
}

export interface OpenFindingEntry {
  fingerprint: string;
  episode: number;
  status: Status;
  severity: Severity;
  seen: boolean;
  evidenceHash: string;
}

export interface GapEntry {
  evidence: string;
  reason: string;
  message: string;
}

export interface DispositionEntry {
  fingerprint: string;
  episode: number;
  disposition: string;
  exceptionId: string;
}

export interface ResultsInput {
  controls: readonly CountsEntry[];
  namespaces: readonly CountsEntry[];
  findings: readonly OpenFindingEntry[];
  /**
   * More open findings, already in canonical order (compareFindings), merged with `findings`:
   * a large cluster's first scan opens millions, given one at a time rather than as an array.
   */
  sortedFindings?: Iterable<OpenFindingEntry>;
  gaps: readonly GapEntry[];
  /** Per framework and severity; absent for scans recorded without score spans (their hash is unchanged). */
  frameworks?: readonly CountsEntry[];
  /** Of a run with an exceptions digest; absent before migration 008 (their hash is unchanged). */
  dispositions?: readonly DispositionEntry[];
}

/** Code-unit order: the same in every process, independent of locale and database collation. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const compareCounts = (a: CountsEntry, b: CountsEntry): number => cmp(a.key, b.key) || cmp(a.severity, b.severity);
export const compareFindings = (a: OpenFindingEntry, b: OpenFindingEntry): number => cmp(a.fingerprint, b.fingerprint) || a.episode - b.episode;
export const compareGaps = (a: GapEntry, b: GapEntry): number => cmp(a.evidence, b.evidence) || cmp(a.reason, b.reason) || cmp(a.message, b.message);

function countsLine(tag: string, e: CountsEntry): string {
  const c = e.counts;
  return JSON.stringify([tag, e.key, e.severity, c.pass, c.fail, c.manual, c['not-applicable'], c.unknown, c.error]);
}

export function findingLine(f: OpenFindingEntry): string {
  return JSON.stringify(['F', f.fingerprint, f.episode, f.status, f.severity, f.seen ? 1 : 0, f.evidenceHash]);
}

/**
 * sha256 over the sorted lines. Sorting already-sorted input is linear (TimSort), so callers
 * that keep their entries in canonical order pay nothing for it.
 */
export function resultsHash(input: ResultsInput, lineOf: (f: OpenFindingEntry) => string = findingLine): string {
  const h = createHash('sha256');
  // Each line followed by a newline, fed to the hash a batch at a time: the same bytes as the
  // joined section, without holding a cluster's hundreds of thousands of lines at once.
  let pending = '';
  const section = <T>(entries: Iterable<T>, line: (e: T) => string) => {
    for (const e of entries) {
      pending += `${line(e)}\n`;
      if (pending.length >= HASH_BATCH_CHARS) {
        h.update(pending);
        pending = '';
      }
    }
  };
  h.update('complyd.results/v1\n');
  section([...input.controls].sort(compareCounts), (e) => countsLine('C', e));
  section([...input.namespaces].sort(compareCounts), (e) => countsLine('N', e));
  section(merged([...input.findings].sort(compareFindings), input.sortedFindings ?? []), lineOf);
  section([...input.gaps].sort(compareGaps), (g) => JSON.stringify(['G', g.evidence, g.reason, g.message]));
  if (input.frameworks) section([...input.frameworks].sort(compareCounts), (e) => countsLine('S', e));
  if (input.dispositions) {
    const lines = input.dispositions.map((d) => JSON.stringify(['D', d.fingerprint, d.episode, d.disposition, d.exceptionId]));
    section(lines.sort(), (l) => l);
  }
  h.update(pending);
  return h.digest('hex');
}

const HASH_BATCH_CHARS = 1 << 16;

/** Two sorted sequences as one, `a` first between equals: the order of sorting `a` followed by `b` (a stable sort). */
function* merged(a: readonly OpenFindingEntry[], b: Iterable<OpenFindingEntry>): Generator<OpenFindingEntry> {
  let i = 0;
  for (const e of b) {
    while (i < a.length && compareFindings(a[i] as OpenFindingEntry, e) <= 0) yield a[i++] as OpenFindingEntry;
    yield e;
  }
  while (i < a.length) yield a[i++] as OpenFindingEntry;
}

/** The run_clusters fields the chain covers, as stored (JSON columns as their text). */
export interface ChainFields {
  prevChainHash: string;
  runId: string;
  runSeq: number;
  runStartedAt: string;
  cluster: string;
  seq: number;
  labels: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  provider: string | null;
  serverVersion: string | null;
  objectCounts: string;
  objectTotal: number;
  snapshotHash: string | null;
  error: string | null;
  counts: StatusCounts;
  resultsHash: string;
  /** The run's exceptions digest; null or absent for runs recorded before migration 008. */
  exceptionsDigest?: string | null;
  /** The row's profile (null: none) and frameworks (JSON text); frameworks null or absent before migration 010. */
  profile?: string | null;
  frameworks?: string | null;
  /** The row's enforcement posture (JSON text); null or absent before migration 012 and for scans without one. */
  posture?: string | null;
  /** SHA-256 of the row's connectivity (network_blobs); null or absent before migration 011 and for scans without one. */
  networkDigest?: string | null;
}

export function chainHash(f: ChainFields): string {
  const c = f.counts;
  const fields: unknown[] = [
    f.runId,
    f.runSeq,
    f.runStartedAt,
    f.cluster,
    f.seq,
    f.labels,
    f.status,
    f.startedAt,
    f.finishedAt,
    f.provider,
    f.serverVersion,
    f.objectCounts,
    f.objectTotal,
    f.snapshotHash,
    f.error,
    [c.pass, c.fail, c.manual, c['not-applicable'], c.unknown, c.error],
    f.resultsHash,
  ];
  // Appended only when present, so every row recorded before keeps its hash.
  if (f.exceptionsDigest !== null && f.exceptionsDigest !== undefined) fields.push(f.exceptionsDigest);
  // Tagged, so that a row with a profile never hashes like one whose digest had that text.
  if (f.frameworks !== null && f.frameworks !== undefined) fields.push(['P', f.profile ?? null, f.frameworks]);
  if (f.posture !== null && f.posture !== undefined) fields.push(['E', f.posture]);
  if (f.networkDigest !== null && f.networkDigest !== undefined) fields.push(['W', f.networkDigest]);
  return sha256(`complyd.chain/v1\n${f.prevChainHash}\n${JSON.stringify(fields)}`);
}
