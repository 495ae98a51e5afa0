import { CONTROLS } from '../../src/controls/index.js';
import { silentLogger } from '../../src/core/log.js';
import { EvalContext } from '../../src/evaluate/context.js';
import { evaluateIn } from '../../src/evaluate/evaluate.js';
import { workloadRisks } from '../../src/score/risk.js';
import { scanCluster, snapshotHash } from '../../src/scan/scan-fleet.js';
import { generateSnapshot } from '../../benchmarks/fleet-generator.js';

describe('scanCluster', () => {
  it('finds, scores and hashes what evaluate, risk and the hash find on their own, though it lets the event loop in between controls', async () => {
    const snapshot = generateSnapshot({ cluster: 'steps', objects: 2000, seed: 3 });
    const now = new Date('2026-01-01T00:00:00Z');
    const scan = await scanCluster(
      { name: 'steps', kubeconfig: '/dev/null', labels: {}, configPath: 'clusters[0]' },
      { controls: CONTROLS, collect: () => Promise.resolve(snapshot), now: () => now, log: silentLogger(), catalogVersion: 'x', complydVersion: 'x', owner: 'test' },
    );
    const ctx = new EvalContext(snapshot, now);
    const findings = evaluateIn(ctx, CONTROLS);
    expect(scan.findings).toEqual(findings);
    expect(scan.risks).toEqual(workloadRisks(ctx, findings));
    expect(scan.snapshotHash).toBe(snapshotHash(snapshot));
  });
});
