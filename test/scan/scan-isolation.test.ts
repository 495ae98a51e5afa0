/**
 * One cluster's failure, however strange, is that cluster's result: a control that throws what
 * cannot be printed, a scan the store refuses, an error raised in a callback of the cluster's
 * work, a collection that never settles. The run finishes and the other clusters are kept.
 */
import { CONTROLS } from '../../src/controls/index.js';
import type { Control } from '../../src/core/control.js';
import { silentLogger } from '../../src/core/log.js';
import type { ClusterScan, ClusterTarget, Snapshot } from '../../src/core/types.js';
import type { EvalContext } from '../../src/evaluate/context.js';
import { claimClusterFault } from '../../src/scan/cluster-faults.js';
import { scanFleet, type ScanFleetDeps } from '../../src/scan/scan-fleet.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import type { RunWriter } from '../../src/store/run-writer.js';
import { generateSnapshot } from '../../benchmarks/fleet-generator.js';
import { describeEachDatabase } from '../helpers/databases.js';

const target = (name: string, i: number): ClusterTarget => ({ name, kubeconfig: '/dev/null', labels: { team: name }, configPath: `clusters[${i}]` });
const NAMES = ['healthy', 'bad-control', 'refused', 'async-fault', 'hangs', 'also-healthy'];
const TARGETS = NAMES.map(target);

/** Throws a value that String() cannot convert (once the whole cluster's undoing), but only when judging the cluster `bad-control`. */
const unprintable: Control<EvalContext> = {
  id: 'TEST-unprintable',
  title: 'throws what cannot be printed',
  section: 'test',
  severity: 'low',
  frameworks: [],
  refs: {},
  needs: [],
  rationale: 'test',
  remediation: 'test',
  evaluate: (ctx) => {
    if (ctx.snapshot.cluster === 'bad-control') throw Object.create(null) as unknown as Error;
    return [];
  },
};

/** The real store, except that it refuses the first, assessed scan of the cluster `refused`. */
function refusing(store: RunWriter): RunWriter {
  return {
    beginRun: (i) => store.beginRun(i),
    finishRun: (...a) => store.finishRun(...a),
    heartbeat: (...a) => store.heartbeat(...a),
    markAbandonedRuns: (...a) => store.markAbandonedRuns(...a),
    adoptRun: (...a) => store.adoptRun(...a),
    recordCluster: (runId: string, scan: ClusterScan, options) => {
      if (scan.cluster === 'refused' && scan.status !== 'failed') return Promise.reject(new Error('value too long for type character varying(255)'));
      return store.recordCluster(runId, scan, options);
    },
  };
}

function collect(t: ClusterTarget): Promise<Snapshot> {
  const snapshot = generateSnapshot({ cluster: t.name, objects: 60, seed: t.name.length });
  if (t.name === 'async-fault') {
    // What the process's uncaughtException handler does with an error thrown from a timer of
    // this cluster's work (the real handler is exercised through the CLI in cluster-fault-cli).
    setTimeout(() => claimClusterFault(new Error('socket hang up in an event nobody listened to')), 5);
    return new Promise(() => undefined);
  }
  if (t.name === 'hangs') return new Promise(() => undefined);
  return Promise.resolve(snapshot);
}

describeEachDatabase('scanFleet isolates each cluster', (db) => {
  let store: RunStore;
  beforeEach(async () => {
    store = knexRunStore(await openDatabase(await db.fresh()));
  });
  afterEach(async () => {
    await store.close();
  });

  const deps = (writer: RunWriter): ScanFleetDeps => ({
    store: writer,
    controls: [...CONTROLS, unprintable],
    collect,
    collectDeadlineMs: 1500,
    now: () => new Date(),
    log: silentLogger(),
    catalogVersion: 'test',
    complydVersion: '0.0.0-test',
    owner: 'test:1',
  });

  it('fails the strange clusters alone, each with a message naming the step, and records the others whole', async () => {
    const result = await scanFleet(TARGETS, deps(refusing(store.runs)), { trigger: 'test', concurrency: 3 });

    expect(result.status).toBe('partial');
    const stored = new Map((await store.history.clusterResults(result.runId)).map((c) => [c.cluster, c]));
    expect(NAMES.map((n) => [n, stored.get(n)?.status])).toEqual([
      ['healthy', 'partial'],
      // A control that throws is that control's error, not the cluster's: the rest is judged.
      ['bad-control', 'partial'],
      ['refused', 'failed'],
      ['async-fault', 'failed'],
      ['hangs', 'failed'],
      ['also-healthy', 'partial'],
    ]);
    expect(stored.get('bad-control')?.error).toBeUndefined();
    const judged = await store.history.findings(result.runId, { cluster: 'bad-control' });
    expect(judged.filter((f) => f.controlId === 'TEST-unprintable').map((f) => [f.status, f.message])).toEqual([['error', 'control TEST-unprintable failed: {}']]);
    expect(judged.filter((f) => f.controlId !== 'TEST-unprintable').length).toBeGreaterThan(0);
    expect(stored.get('refused')?.error).toBe('could not be recorded: value too long for type character varying(255)');
    expect(stored.get('async-fault')?.error).toBe('uncaught error during collection: socket hang up in an event nobody listened to');
    expect(stored.get('hangs')?.error).toBe('collection did not finish within 1500 ms');
    expect(result.clusters.map((c) => c.cluster)).toEqual(NAMES);

    // The healthy clusters' findings are there as a scan without the others would have them.
    const healthy = await store.history.findings(result.runId, { cluster: 'healthy' });
    expect(healthy.length).toBeGreaterThan(0);
    expect((await store.history.getRun(result.runId))?.status).toBe('partial');
  });

  it('ends the run as failed, not running, when the store refuses even a failed cluster', async () => {
    const broken: RunWriter = { ...refusing(store.runs), recordCluster: () => Promise.reject(new Error('database is locked')) };
    let runId: string | undefined;
    await expect(scanFleet(TARGETS.slice(0, 2), deps(broken), { trigger: 'test', concurrency: 1, onStart: (id) => (runId = id) })).rejects.toThrow('database is locked');
    expect((await store.history.getRun(String(runId)))?.status).toBe('failed');
  });
});
