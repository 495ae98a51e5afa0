import type { Evidence, Finding, Gap, ResourceRef, Snapshot, Status, Verdict } from '../core/types.js';
import type { Control } from '../core/control.js';
import { verdictDiscriminators } from '../core/fingerprint.js';
import { errorMessage } from '../core/errors.js';
import { EvalContext } from './context.js';
import { objectIdentity } from './object-identity.js';

const CLUSTER_SCOPE = (cluster: string) => ({ kind: 'Cluster', name: cluster });

/**
 * Judge one snapshot against controls. Pure: no I/O, no clock (`now` is passed in).
 *
 * - A control whose evidence is missing (a gap) yields `unknown` for that evidence, never a
 *   pass; whatever evidence it does have is still judged.
 * - A manual control yields one `manual` finding, so coverage stays complete.
 * - A control that throws yields `error` for itself only; the others are unaffected.
 */
export function evaluate(snapshot: Snapshot, controls: readonly Control<EvalContext>[], now: Date): Finding[] {
  return evaluateIn(new EvalContext(snapshot, now), controls);
}

/** evaluate() on a context the caller keeps (to derive more from the same views, e.g. risk). */
export function evaluateIn(ctx: EvalContext, controls: readonly Control<EvalContext>[]): Finding[] {
  const judge = controlJudge(ctx);
  const findings: Finding[] = [];
  for (const control of controls) judge(control, (status, resource, evidence, message, discriminator) => findings.push(placeVerdict(ctx.snapshot.cluster, control, status, resource, evidence, message, discriminator)));
  return findings;
}

/** Receives one verdict of a control, its resource completed and its identity settled. */
export type VerdictSink = (status: Status, resource: ResourceRef, evidence: Evidence | undefined, message: string | undefined, discriminator: string | undefined) => void;

/**
 * Judges one control at a time and hands each verdict to a sink as plain values, so a caller
 * that keeps passes compactly (scan/scan-fleet.ts) never builds a Finding for them: on a large
 * cluster passes are millions of verdicts, and a Finding each was most of evaluation's garbage.
 */
export function controlJudge(ctx: EvalContext): (control: Control<EvalContext>, sink: VerdictSink) => void {
  const snapshot = ctx.snapshot;
  const gapsByEvidence = new Map(snapshot.gaps.map((g) => [g.evidence, g]));
  const complete = ctx.shared('evaluate/object-identity', () => objectIdentity(snapshot));
  return (control, sink) => {
    const verdicts = controlVerdicts(ctx, control, gapsByEvidence);
    const ds = verdictDiscriminators(verdicts);
    for (let i = 0; i < verdicts.length; i++) {
      const v = verdicts[i] as Verdict;
      sink(v.status, complete(v.resource), v.evidence, v.message, ds?.[i]);
    }
  };
}

/** One control's verdicts: an `unknown` per missing evidence, then its own (or `manual`, or `error`). */
function controlVerdicts(ctx: EvalContext, control: Control<EvalContext>, gapsByEvidence: ReadonlyMap<string, Gap>): Verdict[] {
  const cluster = ctx.snapshot.cluster;
  const missing: Verdict[] = [];
  for (const need of control.needs) {
    const gap = gapsByEvidence.get(need);
    if (gap) {
      missing.push({
        status: 'unknown',
        resource: CLUSTER_SCOPE(cluster),
        message: `evidence "${need}" could not be read: ${gap.reason}: ${gap.message}`,
        discriminator: `missing ${need}`,
      });
    }
  }
  let own: Verdict[];
  if (!control.evaluate) own = [{ status: 'manual', resource: CLUSTER_SCOPE(cluster), message: control.manual ?? control.remediation }];
  else {
    try {
      own = control.evaluate(ctx);
    } catch (err) {
      own = [{ status: 'error', resource: CLUSTER_SCOPE(cluster), message: `control ${control.id} failed: ${errorMessage(err)}` }];
    }
  }
  return missing.length === 0 ? own : [...missing, ...own];
}

/**
 * A verdict placed in its cluster and control, built whole: one object literal per shape, so
 * evidence and message sit in the object itself rather than in a property store added later
 * (a million findings in a large fleet). The discriminator is rare and added after.
 */
export function placeVerdict(
  cluster: string,
  control: Pick<Control<EvalContext>, 'id' | 'severity'>,
  status: Status,
  resource: ResourceRef,
  evidence: Evidence | undefined,
  message: string | undefined,
  discriminator: string | undefined,
): Finding {
  const controlId = control.id;
  const severity = control.severity;
  let f: Finding;
  if (evidence && message !== undefined) f = { status, resource, cluster, controlId, severity, evidence, message };
  else if (evidence) f = { status, resource, cluster, controlId, severity, evidence };
  else if (message !== undefined) f = { status, resource, cluster, controlId, severity, message };
  else f = { status, resource, cluster, controlId, severity };
  if (discriminator !== undefined) f.discriminator = discriminator;
  return f;
}
