/** What the store's parts read and write, in the application's terms (camelCase, parsed JSON). */
import type { ClusterScanStatus, Finding, Gap, Provider, ResourceKind, Severity, Status, WorkloadRisk } from '../core/types.js';
import type { ClusterPosture } from '../core/admission.js';
import type { NetworkAnalysis } from '../core/network.js';
import type { StatusCounts } from '../core/status.js';
import type { FrameworkMembership } from './spans.js';

export type RunStatus = 'running' | 'complete' | 'partial' | 'failed' | 'interrupted';
export type FinalRunStatus = Exclude<RunStatus, 'running'>;

export interface Run {
  id: string;
  /** Position in the store's sequence: runs in the order they began. */
  seq: number;
  startedAt: string;
  /** Absent while running. For an interrupted run: its last heartbeat. */
  finishedAt?: string;
  status: RunStatus;
  /** What started it: 'cli', 'schedule', 'demo', ... */
  trigger: string;
  catalogVersion: string;
  complydVersion: string;
  clusterCount: number;
  /** `host:pid@space` of the process writing it (see run-owner.ts); `host:pid` when its PID space is unknown or it predates them. */
  owner: string;
  heartbeatAt: string;
  /** SHA-256 of the exception set the run applied; absent for runs recorded before exceptions were stored. */
  exceptionsDigest?: string;
}

export interface BeginRunInput {
  trigger: string;
  /** SHA-256 of the exception set applied in the run (core/exception.ts exceptionsDigest); covered by the chain. */
  exceptionsDigest?: string;
  catalogVersion: string;
  complydVersion: string;
  clusterCount: number;
  now: Date;
  owner: string;
}

/** One cluster's part of a run, with its findings counted (passes included). */
export interface ClusterResult {
  runId: string;
  cluster: string;
  labels: Record<string, string>;
  status: ClusterScanStatus;
  startedAt: string;
  finishedAt: string;
  provider?: Provider;
  serverVersion?: string;
  objectCounts: Partial<Record<ResourceKind, number>>;
  objectTotal: number;
  snapshotHash?: string;
  error?: string;
  counts: StatusCounts;
  /** The profile the cluster was scanned under (absent: none, or recorded before migration 010). */
  profile?: string;
  /** The frameworks whose controls were evaluated (absent for scans recorded before migration 010). */
  frameworks?: string[];
  /** Enforcement at admission (absent: not assessed, a failed scan, or recorded before migration 012). */
  posture?: ClusterPosture;
  /** SHA-256 of its connectivity (absent: not kept, a failed scan, or recorded before migration 011). */
  networkDigest?: string;
  /** Why an assessed scan kept no connectivity. */
  networkNote?: string;
  /** Its entry in the cluster's hash chain (absent for scans recorded before migration 002). */
  chain?: { seq: number; resultsHash: string; prevChainHash: string; chainHash: string };
}

/** One control in one cluster: its findings folded into the worst status, and counted. */
export interface ControlResult {
  runId: string;
  cluster: string;
  controlId: string;
  severity: Severity;
  status: Status;
  counts: StatusCounts;
}

/** A stored (non-pass) finding. */
export interface StoredFinding extends Finding {
  runId: string;
  fingerprint: string;
  /** 1 the first time this fingerprint failed; more when it came back after being resolved. */
  episode: number;
  /** When this episode was first seen (the cluster's scan start). */
  firstSeenAt: string;
  /** False only with `includeUnseen`: open at that run, but not observed in it (its evidence was missing or its control not evaluated). */
  seen?: boolean;
  /** The evidence text was blanked by retention (pruneEvidence); the field path stays. */
  evidencePruned?: true;
}

export interface StoredGap extends Gap {
  runId: string;
  cluster: string;
}

export interface FindingFilter {
  cluster?: string;
  status?: Status;
  controlId?: string;
  /**
   * Also return findings open at that run but not observed in it: their control's evidence
   * was missing (a cluster-level `unknown`), the control failed (`error`) or was not evaluated.
   * By default only what the run observed is returned, which is what its counts add up to.
   */
  includeUnseen?: boolean;
  /** Leave the evidence texts out (path, observed, expected, message): for counting, as a report's diff does. */
  withoutEvidence?: boolean;
}

export interface RecordClusterOptions {
  /**
   * Ids of every control evaluated for this cluster (e.g. a framework-limited scan lists
   * fewer). An open finding of an evaluated control that is absent from the findings,
   * without a cluster-level `unknown`/`error` for its control, is resolved as its resource
   * having gone. Without this list, the controls that have findings count as evaluated
   * (then a control that found nothing at all cannot resolve anything).
   */
  evaluatedControls?: readonly string[];
  /**
   * The frameworks each evaluated control belongs to. With it, the scan's counts per
   * framework are kept as score spans (and covered by its results hash), so score trends
   * read those instead of every control's counts.
   */
  frameworks?: FrameworkMembership;
  /**
   * What the cluster was held to: its profile (none: the defaults) and the frameworks whose
   * controls were evaluated. Kept on the cluster's row and covered by its chain hash.
   */
  profile?: { name?: string; frameworks: readonly string[] };
  /** Largest connectivity kept, as canonical JSON bytes before compression; over it a note says so. Default 64 MiB. */
  networkCapBytes?: number;
}

export type Resolution = 'fixed' | 'resource-gone';

/** A point of a cluster's history: one of its recorded scans. */
export interface ClusterRunRef {
  runId: string;
  seq: number;
  /** The cluster's scan start. */
  at: string;
}

/**
 * One finding's life: from the run that first saw it failing (or unknown, manual...) to the
 * run that saw it pass (`fixed`) or its resource gone (`resource-gone`). A fingerprint that
 * comes back after being resolved opens a new episode (episode 2, 3...).
 */
export interface FindingEpisode extends Finding {
  fingerprint: string;
  episode: number;
  firstSeen: ClusterRunRef;
  /** The last scan that observed it. Unknown for a past point at which it was not observed. */
  lastSeen?: ClusterRunRef;
  /** How the episode ended, if it has (for a past point: its eventual resolution, possibly later than that point). */
  resolved?: ClusterRunRef & { resolution: Resolution };
  /** Observed at the point asked for (or, for current episodes, in the cluster's latest assessed scan). */
  seen: boolean;
  evidencePruned?: true;
}

/**
 * A failing finding's episode that was resolved, reduced to what time to remediate needs: read
 * without the evidence, as a window can hold tens of thousands of them.
 */
export interface Remediated {
  cluster: string;
  controlId: string;
  severity: Severity;
  firstSeenAt: string;
  resolvedAt: string;
  resolution: Resolution;
}

/** Status counts of one control, or of one namespace and severity, in one cluster's scan. */
export interface CountsItem {
  /** A control id, or a namespace. */
  key: string;
  severity: Severity;
  counts: StatusCounts;
}

/**
 * One assessed cluster in one run, with its counts. Items are shared between points while
 * they do not change: treat them as read-only.
 */
export interface CountsPoint {
  runId: string;
  runSeq: number;
  /** The run's start. */
  runStartedAt: string;
  cluster: string;
  seq: number;
  items: readonly CountsItem[];
}

export interface ClusterDiff {
  cluster: string;
  /** Open in the later run, never seen before (episode 1). */
  new: FindingEpisode[];
  /** Open in the later run, seen before and resolved since (episode > 1), opened after the earlier run. */
  reopened: FindingEpisode[];
  /** Open in the earlier run, with no episode of that fingerprint open in the later run. As of the earlier run. */
  resolved: FindingEpisode[];
  /** The same episode open in both. As of the later run. */
  stillOpen: FindingEpisode[];
}

export interface RunDiff {
  /** The earlier of the two runs (the arguments are put in order). */
  fromRunId: string;
  toRunId: string;
  clusters: ClusterDiff[];
  /** Clusters not assessed in both runs, so not compared. */
  skipped: Array<{ cluster: string; reason: string }>;
}

export type ChainProblemKind =
  | 'chain-hash'
  | 'results-hash'
  | 'broken-link'
  | 'unchained'
  | 'head'
  | 'episode'
  | 'evidence'
  | 'network';

export interface ChainProblem {
  kind: ChainProblemKind;
  cluster: string;
  /** The row concerned: a run_clusters row, or the run an episode refers to. */
  runId?: string;
  seq?: number;
  /** Table and row, e.g. `run_clusters (run …, cluster east)`, `finding_episodes id 12`. */
  row: string;
  message: string;
}

export interface ChainReport {
  ok: boolean;
  clusters: number;
  /** run_clusters rows checked (in the chain). */
  rows: number;
  /** Rows recorded before migration 002: outside the chain, not checked. */
  legacyRows: number;
  episodes: number;
  problems: ChainProblem[];
  /** Each cluster's newest chain hash: keep it elsewhere to detect later truncation. */
  heads: Array<{ cluster: string; runId: string; seq: number; chainHash: string }>;
}

export interface PruneResult {
  episodes: number;
  revisions: number;
  /** Connectivity blobs deleted (every scan referring to them older than the cutoff, none the cluster's latest). */
  networkBlobs: number;
}

/** A cluster's connectivity as one of its scans stored it. */
export interface StoredNetwork {
  runId: string;
  cluster: string;
  /** The cluster's scan start. */
  at: string;
  digest?: string;
  /** Absent when not kept: `note` says why (evidence missing, over the size cap, pruned by retention). */
  analysis?: NetworkAnalysis;
  note?: string;
}

/** A workload's risk as recorded for a cluster's scan. */
export interface StoredWorkloadRisk extends WorkloadRisk {
  cluster: string;
}

/** A cluster's total risk (Σ workload risk) in one of its recorded scans. */
export interface ClusterRiskPoint {
  runId: string;
  runSeq: number;
  runStartedAt: string;
  cluster: string;
  seq: number;
  risk: number;
  /** Workloads with a failing finding. */
  workloads: number;
}
