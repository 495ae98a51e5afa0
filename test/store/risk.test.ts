import type { WorkloadRisk } from '../../src/core/types.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { planRiskSpans } from '../../src/store/risk-spans.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { clusterScan, dayAt, f, runOn, tableCounts, workload } from './history-fixtures.js';

function risk(name: string, severity: number, factors: WorkloadRisk['factors'] = []): WorkloadRisk {
  const exposure = 1 + factors.reduce((s, x) => s + x.contribution, 0);
  return { resource: { kind: 'Deployment', namespace: 'shop', name }, severity, failing: 1, factors, exposure, risk: severity * exposure };
}

const REACHABLE = [{ factor: 'reachability' as const, contribution: 1, reason: 'exposed by Service web of type LoadBalancer' }];
const findings = (cluster: string) => [f(cluster, 'PSS-1', 'fail', workload('web'))];

describe('planRiskSpans', () => {
  it('keeps an unchanged workload, replaces a changed one and closes a gone one', () => {
    const open = [
      { id: 1, risk: risk('web', 4) },
      { id: 2, risk: risk('api', 4) },
      { id: 3, risk: risk('old', 2) },
    ];
    const plan = planRiskSpans(open, [risk('web', 4), risk('api', 4, REACHABLE), risk('new', 1)]);
    expect(plan.close.sort()).toEqual([2, 3]);
    expect(plan.insert.map((r) => r.resource.name).sort()).toEqual(['api', 'new']);
  });
});

describeEachDatabase('workload risk in the store', (db) => {
  it('records risk as spans: an unchanged scan adds no risk row; the series and the per-run view agree', async () => {
    const knex = await openDatabase(await db.fresh());
    const store = knexRunStore(knex);
    try {
      const r1 = await runOn(store, 0, [clusterScan('east', 0, findings('east'), { risks: [risk('web', 4, REACHABLE), risk('api', 2)] })]);
      const before = await tableCounts(knex);
      const spansBefore = Number((await knex('risk_spans').count({ n: '*' }).first())?.['n']);
      const r2 = await runOn(store, 1, [clusterScan('east', 1, findings('east'), { risks: [risk('web', 4, REACHABLE), risk('api', 2)] })]);
      const spansAfter = Number((await knex('risk_spans').count({ n: '*' }).first())?.['n']);
      expect(spansAfter).toBe(spansBefore);
      expect((await tableCounts(knex)).run_clusters).toBe((before.run_clusters ?? 0) + 1);
      // Day 2: api fixed, web loses its exposure.
      const r3 = await runOn(store, 2, [clusterScan('east', 2, findings('east'), { risks: [risk('web', 4)] })]);

      const series = await store.history.riskSeries('east', dayAt(0), dayAt(3));
      expect(series.map((p) => [p.runId, p.risk, p.workloads])).toEqual([
        [r1, 10, 2],
        [r2, 10, 2],
        [r3, 4, 1],
      ]);
      const atR1 = await store.history.workloadRisks(r1);
      expect(atR1.map((r) => [r.cluster, r.resource.name, r.risk])).toEqual([
        ['east', 'web', 8],
        ['east', 'api', 2],
      ]);
      expect(atR1[0]?.factors).toEqual(REACHABLE);
      expect((await store.history.workloadRisks(r3)).map((r) => r.risk)).toEqual([4]);
    } finally {
      await store.close();
    }
  });

  it('leaves scans recorded without risk out of the series instead of showing zero', async () => {
    const store = knexRunStore(await openDatabase(await db.fresh()));
    try {
      await runOn(store, 0, [clusterScan('east', 0, findings('east'))]);
      const r2 = await runOn(store, 1, [clusterScan('east', 1, findings('east'), { risks: [risk('web', 3)] })]);
      const series = await store.history.riskSeries(undefined, dayAt(0), dayAt(2));
      expect(series.map((p) => p.runId)).toEqual([r2]);
      expect(series[0]?.risk).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('a failed scan keeps the cluster risk spans open for the next assessed scan', async () => {
    const store = knexRunStore(await openDatabase(await db.fresh()));
    try {
      await runOn(store, 0, [clusterScan('east', 0, findings('east'), { risks: [risk('web', 3)] })]);
      await runOn(store, 1, [clusterScan('east', 1, [], { status: 'failed', error: 'unreachable', objectCounts: {} })]);
      const r3 = await runOn(store, 2, [clusterScan('east', 2, findings('east'), { risks: [risk('web', 3)] })]);
      const series = await store.history.riskSeries('east', dayAt(0), dayAt(3));
      expect(series.map((p) => p.risk)).toEqual([3, 3]);
      expect(series[1]?.runId).toBe(r3);
    } finally {
      await store.close();
    }
  });
});
