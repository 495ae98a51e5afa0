import { createHash } from 'node:crypto';
import { CONTROLS } from '../../src/controls/index.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { evaluateIn } from '../../src/evaluate/evaluate.js';
import { workloadRisks } from '../../src/score/risk.js';
import { generateSnapshot } from '../../benchmarks/fleet-generator.js';

/**
 * Workload risk on generated clusters equals what the first algorithm (one RBAC question per
 * pod, Services and Ingresses filtered per pod) computed: digests of its output recorded then.
 * References have since gained the object's apiVersion and uid; they are left out of the digest
 * so it still compares with that recording.
 */
const withoutIdentity = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === 'apiVersion' || key === 'uid' ? undefined : v));

describe('workloadRisks on generated clusters', () => {
  it.each([
    [7, 207, '846011a17e95b6b7f021d1d0c753e26d7992c68a46ea9c716ca9ba184dd63eea'],
    [11, 216, '49bc6aea26184dd53adc2d527af461b6b2ed406d69a8f0102f079134ea521c3f'],
  ])('seed %i: %i workloads, same factors, reasons and order', (seed, count, digest) => {
    const snapshot = generateSnapshot({ cluster: 'risk-fixture', objects: 3000, seed });
    const ctx = new EvalContext(snapshot, new Date('2026-01-01T00:00:00Z'));
    // The controls of the recording: the hardening and reliability controls came later and add failures of their own.
    const risks = workloadRisks(ctx, evaluateIn(ctx, CONTROLS.filter((c) => !c.id.startsWith('HARD-') && !c.id.startsWith('REL-'))));
    expect(risks).toHaveLength(count);
    expect(risks.some((r) => r.factors.some((f) => f.factor === 'rbac-secrets'))).toBe(true);
    expect(createHash('sha256').update(JSON.stringify(withoutIdentity(risks))).digest('hex')).toBe(digest);
  });
});
