import type { Snapshot } from '../core/types.js';
import { podSubjects, type PodSubject } from './pod-specs.js';

/**
 * What a control's evaluate receives: the snapshot and views derived from it once per
 * snapshot (not once per control), so twenty workload controls walk the pod specs that
 * were extracted a single time.
 */
export class EvalContext {
  private podSubjectsCache?: PodSubject[];

  constructor(
    readonly snapshot: Snapshot,
    /** Evaluation time; controls never read the clock themselves. */
    readonly now: Date,
  ) {}

  get podSubjects(): PodSubject[] {
    this.podSubjectsCache ??= podSubjects(this.snapshot);
    return this.podSubjectsCache;
  }
}
