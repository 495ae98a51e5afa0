/**
 * Gates: the bar a result must clear for a pipeline to go on (`--fail-on`, `--fail-below-score`,
 * `--fail-on-new`). The thresholds live in the core so the configuration (profiles, per cluster
 * group) can declare the same ones the command line takes; score/gates.ts judges them.
 */
import type { ResourceRef, Severity, SourceLocation } from './types.js';

export interface GateThresholds {
  /** Fail when an open failing finding has this severity or a higher one. */
  readonly failOn?: Severity;
  /** Fail when the compliance score with exceptions is below this (0 to 100). */
  readonly failBelowScore?: number;
  /** Only failing findings whose fingerprint the baseline lacks count for failOn (or, without failOn, any such finding fails). */
  readonly failOnNew?: boolean;
}

/** A failing finding named in a gate's reason. */
export interface GateFinding {
  readonly cluster: string;
  readonly controlId: string;
  readonly severity: Severity;
  readonly resource: Pick<ResourceRef, 'kind' | 'namespace' | 'name' | 'container'>;
  readonly fingerprint: string;
  /** Where a manifest's object was read (`evaluate`), so a pipeline's log points at the file. */
  readonly source?: SourceLocation;
}

/** Which cluster, and under which profile, a reason was judged for (profile gates only). */
export interface GateSubject {
  readonly cluster?: string;
  readonly profile?: string;
}

export type GateReason = GateSubject &
  (
    | {
        /** fail-on-new: only findings whose fingerprint the baseline lacks were counted. */
        readonly gate: 'fail-on' | 'fail-on-new';
        /** Undefined with --fail-on-new alone: a new open failure of any severity counts. */
        readonly severity?: Severity;
        readonly count: number;
        /** The first of them (most severe first), at most GATE_FINDINGS_SHOWN. */
        readonly findings: readonly GateFinding[];
        readonly message: string;
      }
    | {
        readonly gate: 'fail-below-score';
        /** null: nothing was decided, so there is no score to clear the bar with. */
        readonly score: number | null;
        readonly threshold: number;
        readonly message: string;
      }
  );

/** A cluster held to its profile's thresholds, and how it fared. */
export interface ClusterThresholds {
  readonly cluster: string;
  /** The profile the thresholds come from. */
  readonly profile?: string;
  readonly thresholds: GateThresholds;
}

export interface ClusterGateVerdict extends ClusterThresholds {
  readonly passed: boolean;
}

export interface GateResult {
  readonly passed: boolean;
  /** Why it failed; empty when it passed. */
  readonly reasons: readonly GateReason[];
  /** The thresholds judged, as given (the command line's; empty when the profiles' were judged). */
  readonly thresholds: GateThresholds;
  /** With profile gates (no gate flag given): each cluster judged alone against its profile's thresholds. */
  readonly clusters?: readonly ClusterGateVerdict[];
}

/** How many findings a reason names; the count says how many there are. */
export const GATE_FINDINGS_SHOWN = 5;

/** What is wrong with thresholds taken from a flag or a file, each naming the threshold. */
export function thresholdProblems(t: GateThresholds): string[] {
  const problems: string[] = [];
  const s = t.failBelowScore;
  if (s !== undefined && !(Number.isFinite(s) && s >= 0 && s <= 100)) problems.push(`failBelowScore: must be a number from 0 to 100, not ${String(s)}`);
  return problems;
}

export function hasGates(t: GateThresholds): boolean {
  return t.failOn !== undefined || t.failBelowScore !== undefined || t.failOnNew === true;
}
