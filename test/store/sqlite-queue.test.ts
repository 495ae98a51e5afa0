import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTROLS } from '../../src/controls/index.js';
import type { Finding } from '../../src/core/types.js';
import { buildRunReport } from '../../src/report/model.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { clusterScan, f, privileged, runOn, workload } from './history-fixtures.js';

/** Enough findings that each read of the run takes far longer than the acquire timeout below. */
const PODS = 3000;
const PARALLEL_REPORTS = 12;

function findings(cluster: string, day: number): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < PODS; i += 1) {
    const pod = workload(`pod-${i}`, `ns-${i % 20}`);
    out.push(f(cluster, 'PSS-privileged', i % 3 === day % 3 ? 'pass' : 'fail', pod, privileged(`true-${day}`), 'critical'));
    out.push(f(cluster, 'PSS-run-as-non-root', 'fail', pod, { evidence: { path: 'spec.securityContext.runAsNonRoot', observed: 'unset', expected: 'true' } }));
  }
  return out;
}

describe('SQLite store read by many reports at once', () => {
  let dir: string;
  let store: RunStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'complyd-queue-'));
    const path = join(dir, 'complyd.sqlite');
    // Created and migrated first with the usual timeout: on a busy CI machine, creating the
    // file and its schema alone has outlasted the short timeout below.
    await (await openDatabase({ kind: 'sqlite', path })).destroy();
    // An acquire timeout far shorter than one read of the run: waiting for SQLite's one
    // connection must not count against it.
    store = knexRunStore(await openDatabase({ kind: 'sqlite', path }, undefined, { acquireTimeoutMs: 250 }));
  }, 60_000);

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('queues the parallel reads instead of timing them out', async () => {
    await runOn(store, 0, [clusterScan('big', 0, findings('big', 0)), clusterScan('small', 0, findings('small', 0).slice(0, 10))]);
    const day1 = [...findings('big', 1), ...findings('small', 1).slice(0, 10)];
    const runId = await runOn(store, 1, [clusterScan('big', 1, day1.filter((x) => x.cluster === 'big')), clusterScan('small', 1, day1.filter((x) => x.cluster === 'small'))]);
    const build = () => buildRunReport({ store: store.history, runId, controls: CONTROLS, now: new Date('2025-01-03T00:00:00Z'), complydVersion: '0.1.0' });
    const reports = await Promise.all(Array.from({ length: PARALLEL_REPORTS }, build));
    // Every report read the whole run: same figures in each, and they add up to what was recorded.
    const failing = reports.map((r) => r.controls.reduce((n, c) => n + c.findings.filter((x) => x.status === 'fail').length, 0));
    expect(new Set(failing)).toEqual(new Set([failing[0]]));
    expect(failing[0]).toBe(day1.filter((x) => x.status === 'fail').length);
    expect(reports.every((r) => r.period.changes.compared)).toBe(true);
  }, 60_000);
});
