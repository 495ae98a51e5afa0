/**
 * The scan analyses each cluster's connectivity (with its exposure) for the store, from the
 * analysis the network controls share; when evidence the analysis reads is missing it keeps
 * none and says why, rather than show connections the cluster may not allow.
 */
import { join } from 'node:path';
import { CONTROLS } from '../../src/controls/index.js';
import { silentLogger } from '../../src/core/log.js';
import type { Snapshot } from '../../src/core/types.js';
import { loadManifests } from '../../src/collect/manifests.js';
import { analyzeSnapshot } from '../../src/evaluate/network/analyze.js';
import { scanCluster } from '../../src/scan/scan-fleet.js';

const TARGET = { name: 'net', kubeconfig: '/dev/null', labels: {}, configPath: 'clusters[0]' };
const scanOf = (snapshot: Snapshot) =>
  scanCluster(TARGET, { controls: CONTROLS, collect: () => Promise.resolve(snapshot), now: () => new Date('2026-01-01T00:00:00Z'), log: silentLogger(), catalogVersion: 'x', complydVersion: 'x', owner: 'test' });

describe('scanCluster and connectivity', () => {
  it('keeps the analysis with exposure, or a note naming the evidence missing', async () => {
    const { snapshot } = await loadManifests([join(process.cwd(), 'test', 'fixtures', 'network', 'exposure.yaml')], { maxFileBytes: 1 << 20 });
    const scan = await scanOf(snapshot);
    expect(scan.network).toEqual(analyzeSnapshot(snapshot, { exposure: true }));
    expect(scan.network?.connections.length).toBeGreaterThan(0);
    expect(scan.networkNote).toBeUndefined();

    const partial = await scanOf({ ...snapshot, gaps: [{ evidence: 'networkpolicies', reason: 'forbidden', message: 'networkpolicies is forbidden' }] });
    expect(partial.status).toBe('partial');
    expect(partial.network).toBeUndefined();
    expect(partial.networkNote).toBe('connectivity not analysed: evidence missing: networkpolicies');
  });
});
