/** What the run store reads and writes, in the application's terms (camelCase, parsed JSON). */
import type { ClusterScanStatus, Finding, Gap, Provider, ResourceKind, Severity, Status } from '../core/types.js';
import type { StatusCounts } from '../evaluate/evaluate.js';

export type RunStatus = 'running' | 'complete' | 'partial' | 'failed' | 'interrupted';
export type FinalRunStatus = Exclude<RunStatus, 'running'>;

export interface Run {
  id: string;
  startedAt: string;
  /** Absent while running. For an interrupted run: its last heartbeat. */
  finishedAt?: string;
  status: RunStatus;
  /** What started it: 'cli', 'schedule', 'demo', ... */
  trigger: string;
  catalogVersion: string;
  complydVersion: string;
  clusterCount: number;
  /** `hostname:pid` of the process running it. */
  owner: string;
  heartbeatAt: string;
}

export interface BeginRunInput {
  trigger: string;
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
}

export interface StoredGap extends Gap {
  runId: string;
  cluster: string;
}

export interface FindingFilter {
  cluster?: string;
  status?: Status;
  controlId?: string;
}
