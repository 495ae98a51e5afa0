import type { Control } from '../../src/core/control.js';
import { CONTROLS } from '../../src/controls/index.js';
import { emptyCounts } from '../../src/core/status.js';
import { controlFilter, trend } from '../../src/history/history.js';
import { fleetScoreSeries, topRegressions, clusterScoreSeries } from '../../src/history/score-series.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore } from '../../src/store/run-store.js';
import { aggregateFrameworks, type Aggregate } from '../../src/store/spans.js';
import { ALL_CONTROLS } from '../../src/core/control.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { clusterScan, dayAt, f, runOn, workload } from './history-fixtures.js';

const counts = (pass: number, fail: number) => ({ ...emptyCounts(), pass, fail });

describe('aggregateFrameworks', () => {
  it('sums control counts per framework and severity, and over every control under *', () => {
    const controls: Aggregate[] = [
      { dim: 'control', key: 'A', severity: 'high', counts: counts(3, 1) },
      { dim: 'control', key: 'B', severity: 'high', counts: counts(1, 1) },
      { dim: 'control', key: 'C', severity: 'low', counts: counts(0, 2) },
    ];
    const sums = aggregateFrameworks(controls, { A: ['f1', 'f2'], B: ['f1'] });
    const view = Object.fromEntries(sums.map((s) => [`${s.key}/${s.severity}`, [s.counts.pass, s.counts.fail]]));
    expect(view).toEqual({ [`${ALL_CONTROLS}/high`]: [4, 2], [`${ALL_CONTROLS}/low`]: [0, 2], 'f1/high': [4, 2], 'f2/high': [3, 1] });
    expect(sums.every((s) => s.dim === 'framework')).toBe(true);
  });
});

// Real controls, so the catalog's framework filter and the recorded membership agree.
const baseline = CONTROLS.find((c) => c.frameworks.includes('pss-baseline')) as Control;
const restrictedOnly = CONTROLS.find((c) => c.frameworks.includes('pss-restricted') && !c.frameworks.includes('pss-baseline')) as Control;
const cisOnly = CONTROLS.find((c) => c.frameworks.includes('cis-1.12') && !c.frameworks.some((x) => x.startsWith('pss'))) as Control;
const MEMBERSHIP = Object.fromEntries(CONTROLS.map((c) => [c.id, c.frameworks]));
const EVALUATED = { evaluatedControls: [baseline.id, restrictedOnly.id, cisOnly.id], frameworks: MEMBERSHIP };

/** Day `day` of cluster `cluster`: `broken` of four workloads fail the baseline control, the restricted one fails on web. */
function findings(cluster: string, broken: number, cisFails: boolean) {
  const names = ['web', 'api', 'db', 'cache'];
  return [
    ...names.map((n, i) => f(cluster, baseline.id, i < broken ? 'fail' : 'pass', workload(n), {}, baseline.severity)),
    ...names.map((n) => f(cluster, restrictedOnly.id, n === 'web' ? 'fail' : 'pass', workload(n), {}, restrictedOnly.severity)),
    f(cluster, cisOnly.id, cisFails ? 'fail' : 'pass', { kind: 'Cluster', name: cluster }, {}, cisOnly.severity),
  ];
}

const DAYS: Array<[number, number, boolean]> = [
  [0, 1, true],
  [1, 1, true],
  [2, 3, true],
  [3, 0, false],
  [4, 2, false],
];

describeEachDatabase('score spans', (db) => {
  it('give the same scores and regressions as the control counts, per framework, and an unchanged scan adds none', async () => {
    const knex = await openDatabase(await db.fresh());
    const store = knexRunStore(knex);
    const spanRows = async () => Number((await knex('score_spans').count({ n: '*' }).first())?.['n']);
    try {
      let before = 0;
      for (const [day, broken, cis] of DAYS) {
        if (day === 1) before = await spanRows();
        await runOn(store, day, [clusterScan('east', day, findings('east', broken, cis)), clusterScan('west', day, findings('west', 4 - broken, !cis))], EVALUATED);
        // Day 1 repeats day 0: nothing to write.
        if (day === 1) expect(await spanRows()).toBe(before);
      }
      const window = { from: dayAt(0), to: dayAt(5) };
      for (const framework of [undefined, 'pss-baseline', 'pss-restricted', 'cis-1.12'] as const) {
        const sums = await store.history.frameworkCountsSeries(framework ?? ALL_CONTROLS, undefined, window.from, window.to);
        expect(sums).toHaveLength(10);
        const controls = await store.history.controlCountsSeries(undefined, window.from, window.to);
        const keep = controlFilter(framework);
        const t = await trend(store.history, window, framework ? { framework } : {});
        expect(t.score.map((p) => p.score)).toEqual(fleetScoreSeries(controls, keep).map((p) => p.score));
        expect(t.score.map((p) => p.counts)).toEqual(fleetScoreSeries(controls, keep).map((p) => p.counts));
        expect(t.clusters.map((c) => c.score.map((p) => p.score))).toEqual([...clusterScoreSeries(controls, keep).values()].map((s) => s.map((p) => p.score)));
        expect(t.regressions).toEqual(topRegressions(controls, keep));
      }
      // East: the baseline control went from 1 failing workload (day 0) to 2 (day 4).
      const t = await trend(store.history, window, { cluster: 'east', framework: 'pss-baseline' });
      expect(t.regressions.map((r) => [r.controlId, r.before, r.after])).toEqual([[baseline.id, 1, 2]]);
      expect(t.score).toHaveLength(5);
    } finally {
      await store.close();
    }
  });

  it('fall back to the control counts when a scan in the range was recorded without them', async () => {
    const store = knexRunStore(await openDatabase(await db.fresh()));
    try {
      await runOn(store, 0, [clusterScan('east', 0, findings('east', 1, true))], { evaluatedControls: EVALUATED.evaluatedControls });
      await runOn(store, 1, [clusterScan('east', 1, findings('east', 2, true))], EVALUATED);
      expect(await store.history.frameworkCountsSeries(ALL_CONTROLS, undefined, dayAt(0), dayAt(2))).toBeUndefined();
      expect(await store.history.frameworkCountsSeries(ALL_CONTROLS, undefined, dayAt(1), dayAt(2))).toHaveLength(1);
      const t = await trend(store.history, { from: dayAt(0), to: dayAt(2) });
      expect(t.score.map((p) => p.score === null)).toEqual([false, false]);
      expect(t.score[1]?.score).toBeLessThan(t.score[0]?.score ?? 0);
    } finally {
      await store.close();
    }
  });

  it('are covered by the hash chain: verify names a changed score span', async () => {
    const knex = await openDatabase(await db.fresh());
    const store = knexRunStore(knex);
    try {
      for (const [day, broken, cis] of DAYS.slice(0, 3)) await runOn(store, day, [clusterScan('east', day, findings('east', broken, cis))], EVALUATED);
      expect((await store.integrity.verifyChain()).ok).toBe(true);
      const row = (await knex('score_spans').where({ framework: ALL_CONTROLS }).whereNotNull('to_seq').first()) as { id: number; pass_count: number };
      await knex('score_spans').where({ id: row.id }).update({ pass_count: row.pass_count + 5 });
      const report = await store.integrity.verifyChain();
      expect(report.ok).toBe(false);
      expect(report.problems.map((p) => p.kind)).toContain('results-hash');
    } finally {
      await store.close();
    }
  });
});
