import { createHash } from 'node:crypto';
import { CONTROLS } from '../../src/controls/index.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { evaluateIn } from '../../src/evaluate/evaluate.js';
import { workloadRisks } from '../../src/score/risk.js';
import { generateSnapshot } from '../../benchmarks/fleet-generator.js';

/**
 * Workload risk on generated clusters equals what the first algorithm (one RBAC question per
 * pod, filtered per pod) computed: digests of its output recorded then, and recorded again when
 * reachability moved from Services and Ingresses to the connectivity analysis and the lateral
 * factor came (ADR 0024). References have since gained the object's apiVersion and uid; they are
 * left out of the digest so it still compares with that recording.
 */
const withoutIdentity = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === 'apiVersion' || key === 'uid' ? undefined : v));

describe('workloadRisks on generated clusters', () => {
  it.each([
    [7, 207, 'a327b80644d75c4acc7749f97271e6dbb1bd20c86a5716fd35bf7c519f1f3b12'],
    [11, 216, 'b37e6f61edb43a11496f5d5457ee2c1979c804e84eed7693d28bffbd905500ed'],
  ])('seed %i: %i workloads, same factors, reasons and order', (seed, count, digest) => {
    const snapshot = generateSnapshot({ cluster: 'risk-fixture', objects: 3000, seed });
    const ctx = new EvalContext(snapshot, new Date('2026-01-01T00:00:00Z'));
    // The controls of the recording: the hardening and reliability controls came later and add failures of their own.
    const risks = workloadRisks(ctx, evaluateIn(ctx, CONTROLS.filter((c) => !c.id.startsWith('HARD-') && !c.id.startsWith('REL-'))));
    expect(risks).toHaveLength(count);
    expect(risks.some((r) => r.factors.some((f) => f.factor === 'rbac-secrets'))).toBe(true);
    expect(risks.some((r) => r.factors.some((f) => f.factor === 'lateral'))).toBe(true);
    expect(createHash('sha256').update(JSON.stringify(withoutIdentity(risks))).digest('hex')).toBe(digest);
  });
});
