import type { Finding } from '../../src/core/types.js';
import { openDatabase } from '../../src/store/db.js';
import { processOwner } from '../../src/store/run-owner.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { clusterScan, dayAt, f, workload } from './history-fixtures.js';

/** A cluster whose write takes long enough for several heartbeats to come while it lasts. */
const PODS = 6000;
const LEASE_MS = 10 * 60_000;

function bigScan(): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < PODS; i += 1) {
    const pod = { ...workload(`adhoc-${i}`, `ns-${i % 50}`), kind: 'Pod' };
    out.push(f('huge', 'PSS-capabilities-restricted', 'fail', pod, { evidence: { path: 'spec.containers[main].securityContext.capabilities.drop', observed: 'unset', expected: '["ALL"]' } }));
    out.push(f('huge', 'CIS-5.2.8', 'fail', pod, { evidence: { path: 'spec.containers[main].securityContext.capabilities.drop', observed: 'unset', expected: 'NET_RAW or ALL' } }));
  }
  return out;
}

describeEachDatabase('heartbeats while a large cluster is written', (dbs) => {
  let store: RunStore;
  beforeEach(async () => {
    // On SQLite a short acquire timeout: a heartbeat queued behind the write must not fail for
    // it. (PostgreSQL's pool opens connections on demand, which the timeout also bounds.)
    const cfg = await dbs.fresh();
    store = knexRunStore(await openDatabase(cfg, undefined, cfg.kind === 'sqlite' ? { acquireTimeoutMs: 100 } : {}));
  });
  afterEach(() => store.close());

  it('wait for the write instead of failing, and the writer never takes its own run over', async () => {
    const runId = await store.runs.beginRun({ trigger: 'cli', catalogVersion: 'cat-1', complydVersion: '0.1.0', clusterCount: 1, now: dayAt(0), owner: processOwner() });
    const recording = store.runs.recordCluster(runId, clusterScan('huge', 0, bigScan()));
    let done = false;
    void recording.finally(() => (done = true));
    const beats: Array<Promise<boolean>> = [];
    const takenOver: string[] = [];
    let sweep: Promise<unknown> | undefined;
    // Beats every 20 ms while the write lasts, and one stale-run sweep at a time that sees the run's
    // heartbeat far past the lease (the clock handed to them is a day later).
    while (!done) {
      beats.push(store.runs.heartbeat(runId, dayAt(0, 30)));
      sweep ??= store.runs
        .markAbandonedRuns(dayAt(1), LEASE_MS)
        .then((ids) => takenOver.push(...ids))
        .finally(() => (sweep = undefined));
      await new Promise((r) => setTimeout(r, 20));
    }
    await recording;
    await sweep;
    expect(beats.length).toBeGreaterThan(3);
    expect(await Promise.all(beats)).toEqual(beats.map(() => true));
    expect(takenOver).toEqual([]);
    const run = await store.history.getRun(runId);
    expect(run?.status).toBe('running');
    // The write itself refreshed the heartbeat: the evaluation's end plus the write's duration.
    expect(Date.parse(run?.heartbeatAt ?? '')).toBeGreaterThanOrEqual(dayAt(0, 30).getTime());
    await store.runs.finishRun(runId, 'complete', dayAt(0, 60));
    expect((await store.history.getRun(runId))?.status).toBe('complete');
  }, 60_000);

  it('still lets another owner’s stale run lapse', async () => {
    const other = await store.runs.beginRun({ trigger: 'cli', catalogVersion: 'cat-1', complydVersion: '0.1.0', clusterCount: 1, now: dayAt(0), owner: 'other-host:42@0123456789abcdef' });
    expect(await store.runs.markAbandonedRuns(dayAt(1), LEASE_MS)).toEqual([other]);
  });
});
