import { CONTROLS } from '../../src/controls/index.js';
import { matchKey } from '../../src/core/fingerprint.js';
import { silentLogger } from '../../src/core/log.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { evaluateIn } from '../../src/evaluate/evaluate.js';
import { workloadRisks } from '../../src/score/risk.js';
import { scanCluster, snapshotHash } from '../../src/scan/scan-fleet.js';
import { generateSnapshot } from '../../benchmarks/fleet-generator.js';

describe('scanCluster', () => {
  it('finds, scores and hashes what evaluate, risk and the hash find on their own (passes kept compactly), though it lets the event loop in between controls', async () => {
    const snapshot = generateSnapshot({ cluster: 'steps', objects: 2000, seed: 3 });
    const now = new Date('2026-01-01T00:00:00Z');
    const scan = await scanCluster(
      { name: 'steps', kubeconfig: '/dev/null', labels: {}, configPath: 'clusters[0]' },
      { controls: CONTROLS, collect: () => Promise.resolve(snapshot), now: () => now, log: silentLogger(), catalogVersion: 'x', complydVersion: 'x', owner: 'test' },
    );
    const ctx = new EvalContext(snapshot, now);
    const findings = evaluateIn(ctx, CONTROLS);
    // Passes are kept apart, compactly: the other verdicts as they are, in order, and the passes counted.
    expect(scan.findings).toEqual(findings.filter((f) => f.status !== 'pass'));
    const passes = findings.filter((f) => f.status === 'pass');
    expect(passes.length).toBeGreaterThan(1000);
    expect(scan.passes?.size).toBe(passes.length);
    const perControl = new Map<string, number>();
    for (const f of passes) perControl.set(f.controlId, (perControl.get(f.controlId) ?? 0) + 1);
    expect(new Map(scan.passes?.byControl().map((c) => [c.key, c.count]))).toEqual(perControl);
    const keys: string[] = [];
    scan.passes?.forEachKey((key) => keys.push(key));
    expect(keys.sort()).toEqual(passes.map((f) => matchKey(f.controlId, f.resource, f.discriminator)).sort());
    expect(scan.risks).toEqual(workloadRisks(ctx, findings));
    expect(scan.snapshotHash).toBe(snapshotHash(snapshot));
  });
});
