import { createHash } from 'node:crypto';
import type { Snapshot } from '../../src/core/types.js';
import { snapshotHash } from '../../src/scan/snapshot-hash.js';
import { generateSnapshot } from '../../benchmarks/fleet-generator.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('snapshotHash', () => {
  it('is the SHA-256 of the whole snapshot as JSON, as stores written before it was incremental recorded it', () => {
    const snapshot = generateSnapshot({ cluster: 'risk-fixture', objects: 3000, seed: 7 });
    // Recorded with the hash of JSON.stringify(snapshot) that stores' hash chains were built on.
    expect(snapshotHash(snapshot)).toBe('987076695a8b9e02ee3d0cb40bbd61364a815da48711748f4cf08c98370005d7');
  });

  it('writes what JSON.stringify writes: skipped undefined properties, null for holes in lists, escapes, empty maps', () => {
    const snapshot = {
      cluster: 'odd "name"\u2028',
      labels: {},
      skipped: undefined,
      collectedAt: new Date(0),
      objects: {
        pods: [{ kind: 'Pod', metadata: { name: 'a', namespace: undefined }, spec: { n: [1, undefined, () => 1] } }, undefined],
        '1': [],
        empty: undefined,
      },
      controlPlane: [undefined, null, 'x', { deep: { deeper: [undefined] } }],
      kubelets: [],
      gaps: [],
      fn: () => 1,
      source: 'cluster',
    } as unknown as Snapshot;
    expect(snapshotHash(snapshot)).toBe(sha256(JSON.stringify(snapshot)));
  });
});
