import type { Finding, Snapshot, Verdict } from '../core/types.js';
import type { Control } from '../core/control.js';
import { distinguishVerdicts } from '../core/fingerprint.js';
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
  const snapshot = ctx.snapshot;
  const gapsByEvidence = new Map(snapshot.gaps.map((g) => [g.evidence, g]));
  const findings: Finding[] = [];
  const complete = ctx.shared('evaluate/object-identity', () => objectIdentity(snapshot));

  for (const control of controls) {
    // Built field by field, not by spreading: this runs once per finding (a million in a
    // large fleet) and a spread of differently shaped verdicts is V8's slow path.
    const place = (v: Verdict): Finding => {
      const f: Finding = { status: v.status, resource: complete(v.resource), cluster: snapshot.cluster, controlId: control.id, severity: control.severity };
      if (v.evidence) f.evidence = v.evidence;
      if (v.message !== undefined) f.message = v.message;
      if (v.discriminator !== undefined) f.discriminator = v.discriminator;
      return f;
    };

    const first = findings.length;
    for (const need of control.needs) {
      const gap = gapsByEvidence.get(need);
      if (gap) {
        findings.push(
          place({
            status: 'unknown',
            resource: CLUSTER_SCOPE(snapshot.cluster),
            message: `evidence "${need}" could not be read: ${gap.reason}: ${gap.message}`,
            discriminator: `missing ${need}`,
          }),
        );
      }
    }

    if (!control.evaluate) {
      findings.push(place({ status: 'manual', resource: CLUSTER_SCOPE(snapshot.cluster), message: control.manual ?? control.remediation }));
      distinguishVerdicts(findings, first);
      continue;
    }
    try {
      for (const v of control.evaluate(ctx)) findings.push(place(v));
    } catch (err) {
      findings.push(
        place({
          status: 'error',
          resource: CLUSTER_SCOPE(snapshot.cluster),
          message: `control ${control.id} failed: ${errorMessage(err)}`,
        }),
      );
    }
    distinguishVerdicts(findings, first);
  }
  return findings;
}
