import { CONTROLS } from '../../src/controls/index.js';
import { buildRunReport } from '../../src/report/model.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import type { WorkloadRisk } from '../../src/core/types.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { clusterScan, dayAt, f, runOn, workload } from '../store/history-fixtures.js';

const risk = (name: string, value: number): WorkloadRisk => ({ resource: { kind: 'Deployment', namespace: 'shop', name }, severity: value, failing: 1, factors: [], exposure: 1, risk: value });

describeEachDatabase('report period', (db) => {
  it('scores, changes, time to remediate and chain entries of the period equal what the store holds', async () => {
    const store = knexRunStore(await openDatabase(await db.fresh()));
    try {
      // PSS-privileged is critical in the catalog; the store keeps the severity it is given.
      const scan = (day: number, failing: string[], passing: string[], risks: WorkloadRisk[]) =>
        clusterScan('east', day, [...failing.map((n) => f('east', 'PSS-privileged', 'fail', workload(n), {}, 'critical')), ...passing.map((n) => f('east', 'PSS-privileged', 'pass', workload(n), {}, 'critical'))], { risks });
      await runOn(store, 0, [scan(0, ['a', 'b'], ['c', 'd'], [risk('a', 8), risk('b', 8)])]);
      await runOn(store, 1, [scan(1, ['b'], ['a', 'c', 'd'], [risk('b', 8)])]); // a fixed after 1 day
      const last = await runOn(store, 4, [scan(4, ['b', 'e'], ['a', 'c', 'd'], [risk('b', 8), risk('e', 8)])]); // e new

      const report = await buildRunReport({ store: store.history, runId: last, controls: CONTROLS, now: dayAt(5), complydVersion: 't', sinceMs: 10 * 86_400_000 });
      const p = report.period;
      expect(p.runs).toBe(3);
      // No exceptions in this history: the risk with accepted exceptions is the measured one.
      expect(p.fleet).toEqual({ score: 60, first: 50, risk: 16, firstRisk: 16, riskWithExceptions: 16 });
      expect(report.fleet.score).toBe(60);
      expect(p.changes).toEqual({ new: 1, reopened: 0, resolved: 1, stillOpen: 1, compared: true });
      expect(p.remediation).toMatchObject({ resolved: 1, fixed: 1, resourceGone: 0, medianDays: 1 });
      expect(p.remediation.open).toEqual({ '0-7': 2, '8-30': 0, '31-90': 0, '>90': 0 });
      expect(p.trend.fleet.map((x) => x.score)).toEqual([50, 75, 60]);
      expect(p.topRisks.map((r) => r.resource.name)).toEqual(['b', 'e']);
      const heads = (await store.integrity.verifyChain()).heads;
      expect(p.integrity.chain.map((c) => [c.cluster, c.chainHash])).toEqual(heads.map((h) => [h.cluster, h.chainHash]));

      // A shorter period that starts after the first run compares against the second.
      const short = await buildRunReport({ store: store.history, runId: last, controls: CONTROLS, now: dayAt(5), complydVersion: 't', sinceMs: 3.5 * 86_400_000 });
      expect(short.period.runs).toBe(2);
      expect(short.period.fleet.first).toBe(75);
    } finally {
      await store.close();
    }
  });
});
