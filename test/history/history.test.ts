import type { FindingEpisode, CountsPoint } from '../../src/store/run-types.js';
import { clusterScoreSeries, fleetScoreSeries, topRegressions } from '../../src/history/score-series.js';
import { ageBucket, median, openByAge, remediationOf, timeToRemediate } from '../../src/history/remediation.js';
import { sparkline } from '../../src/cli/render-history.js';
import { parseWindow } from '../../src/cli/window.js';
import { emptyCounts } from '../../src/core/status.js';
import type { Severity } from '../../src/core/types.js';

function point(runId: string, day: number, cluster: string, seq: number, items: Array<[string, Severity, number, number]>): CountsPoint {
  return {
    runId,
    runSeq: day,
    runStartedAt: new Date(Date.UTC(2026, 0, 1 + day)).toISOString(),
    cluster,
    seq,
    items: items.map(([key, severity, pass, fail]) => ({ key, severity, counts: { ...emptyCounts(), pass, fail, unknown: 1 } })),
  };
}

const POINTS = [
  point('r1', 0, 'east', 1, [['A', 'critical', 3, 1], ['B', 'low', 0, 4]]),
  point('r1', 0, 'west', 2, [['A', 'critical', 4, 0]]),
  point('r2', 1, 'east', 3, [['A', 'critical', 1, 3], ['B', 'low', 4, 0]]),
  point('r2', 1, 'west', 4, [['A', 'critical', 4, 0], ['C', 'high', 0, 2]]),
];

describe('score series', () => {
  it('folds every cluster of a run into the fleet point, severity-weighted, unknowns beside the score', () => {
    const s = fleetScoreSeries(POINTS);
    expect(s.map((p) => p.runId)).toEqual(['r1', 'r2']);
    // r1: critical w=8: pass 7 fail 1; low w=1: pass 0 fail 4 -> 56 / (64 + 4)
    expect(s[0]?.score).toBeCloseTo((100 * 56) / 68, 6);
    expect(s[0]?.counts.unknown).toBe(3);
    expect(s[0]?.clusters).toBe(2);
    // r2: critical 5/8 (w8), low 4/4 (w1), high 0/2 (w4) -> (40 + 4) / (64 + 4 + 8)
    expect(s[1]?.score).toBeCloseTo((100 * 44) / 76, 6);
  });

  it('limits the score to the controls kept (a framework)', () => {
    const onlyA = fleetScoreSeries(POINTS, (id) => id === 'A');
    expect(onlyA[1]?.score).toBeCloseTo((100 * 5) / 8, 6);
  });

  it('gives each cluster its own series, in name order', () => {
    const m = clusterScoreSeries(POINTS);
    expect([...m.keys()]).toEqual(['east', 'west']);
    expect(m.get('west')?.map((p) => p.score)).toEqual([100, (100 * 32) / 40]);
  });

  it('reports the controls whose failing count grew, worst first, ignoring improvements', () => {
    const r = topRegressions(POINTS);
    expect(r).toEqual([
      { controlId: 'A', severity: 'critical', before: 1, after: 3, delta: 2 },
      { controlId: 'C', severity: 'high', before: 0, after: 2, delta: 2 },
    ]);
  });
});

function episode(id: string, opts: { status?: 'fail' | 'unknown'; severity?: Severity; from: string; to?: string; how?: 'fixed' | 'resource-gone'; cluster?: string }): FindingEpisode {
  return {
    fingerprint: id,
    episode: 1,
    cluster: opts.cluster ?? 'east',
    controlId: id.split(':')[0] ?? id,
    severity: opts.severity ?? 'high',
    status: opts.status ?? 'fail',
    resource: { kind: 'Deployment', namespace: 'shop', name: id },
    firstSeen: { runId: 'a', seq: 1, at: opts.from },
    seen: true,
    ...(opts.to ? { resolved: { runId: 'b', seq: 2, at: opts.to, resolution: opts.how ?? 'fixed' } } : {}),
  };
}

describe('time to remediate', () => {
  const eps = [
    episode('A:1', { from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }),
    episode('A:2', { from: '2026-01-01T00:00:00Z', to: '2026-01-11T00:00:00Z', how: 'resource-gone', severity: 'critical', cluster: 'west' }),
    episode('B:1', { from: '2026-01-01T00:00:00Z', to: '2026-01-05T00:00:00Z' }),
    // Not a remediation: evidence that became readable.
    episode('C:1', { status: 'unknown', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }),
  ];

  const done = eps.map(remediationOf).filter((r) => r !== undefined);

  it('counts failing findings only, with mean, median and max in days, fixed and gone apart', () => {
    expect(done.map((r) => r.controlId)).toEqual(['A', 'A', 'B']);
    const { all, groups } = timeToRemediate(done, 'control');
    expect(all).toMatchObject({ resolved: 3, fixed: 2, resourceGone: 1, meanDays: 16 / 3, medianDays: 4, maxDays: 10 });
    expect(groups.map((g) => [g.key, g.resolved, g.medianDays])).toEqual([
      ['A', 2, 6],
      ['B', 1, 4],
    ]);
  });

  it('orders severities by severity', () => {
    expect(timeToRemediate(done, 'severity').groups.map((g) => g.key)).toEqual(['critical', 'high']);
  });

  it('ages open failing findings into 0-7, 8-30, 31-90 and >90 days', () => {
    expect([0, 7, 7.5, 30, 31, 90, 91].map(ageBucket)).toEqual(['0-7', '0-7', '8-30', '8-30', '31-90', '31-90', '>90']);
    const open = [
      episode('A:9', { from: '2026-03-01T00:00:00Z', severity: 'critical' }),
      episode('B:9', { from: '2025-10-01T00:00:00Z' }),
      episode('C:9', { from: '2025-10-01T00:00:00Z', status: 'unknown' }),
    ];
    const r = openByAge(open, new Date('2026-03-03T00:00:00Z'));
    expect(r.total).toEqual({ '0-7': 1, '8-30': 0, '31-90': 0, '>90': 1 });
    expect(r.bySeverity.critical['0-7']).toBe(1);
    expect(r.oldestDays).toBeCloseTo(153, 0);
  });

  it('median of an even count is the mean of the middle two', () => {
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe('CLI helpers', () => {
  it('sparkline scales to the series range and leaves gaps for missing points', () => {
    expect(sparkline([70, 71, null, 72])).toBe('▁▅ █');
    expect(sparkline([50, 50])).toBe('▄▄');
  });

  it('parses --since as a duration back from --until, or as a date', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    expect(parseWindow('90d', undefined, now).from.toISOString()).toBe('2026-08-24T12:00:00.000Z');
    expect(parseWindow('2026-01-31', '2026-02-01', now)).toEqual({ from: new Date('2026-01-31T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') });
    expect(() => parseWindow('soon', undefined, now)).toThrow('--since: not a duration or a date: "soon"');
    expect(() => parseWindow('2026-03-01', '2026-02-01', now)).toThrow('is after --until');
  });
});
