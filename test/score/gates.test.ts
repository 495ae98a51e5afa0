import { judgeClusterGates, judgeGates, scoreOfFindings, gateFindingLines, type GatedFinding } from '../../src/score/gates.js';
import { GATE_FINDINGS_SHOWN, thresholdProblems } from '../../src/core/gate.js';
import type { Severity, Status } from '../../src/core/types.js';

let n = 0;
function finding(severity: Severity, over: Partial<GatedFinding> & { status?: Status } = {}): GatedFinding {
  n++;
  return {
    cluster: 'prod',
    controlId: `CTL-${severity}`,
    severity,
    status: 'fail',
    resource: { kind: 'Deployment', namespace: 'shop', name: `app-${n}`, container: 'web' },
    fingerprint: `fp-${n}`,
    ...over,
  };
}

describe('judgeGates: --fail-on', () => {
  it('fails on a finding at the severity, not on one just below it', () => {
    const high = finding('high');
    const medium = finding('medium');
    expect(judgeGates({ findings: [medium], score: 50 }, { failOn: 'high' }).passed).toBe(true);
    const r = judgeGates({ findings: [medium, high], score: 50 }, { failOn: 'high' });
    expect(r.passed).toBe(false);
    expect(r.reasons).toEqual([expect.objectContaining({ gate: 'fail-on', severity: 'high', count: 1, message: '1 open failing finding at or above high' })]);
    expect(r.reasons[0]?.gate === 'fail-on' && r.reasons[0].findings.map((f) => f.fingerprint)).toEqual([high.fingerprint]);
  });

  it('counts a more severe finding too, and every severity with --fail-on info', () => {
    expect(judgeGates({ findings: [finding('critical')], score: null }, { failOn: 'low' }).passed).toBe(false);
    expect(judgeGates({ findings: [finding('info')], score: null }, { failOn: 'info' }).passed).toBe(false);
    expect(judgeGates({ findings: [finding('info')], score: null }, { failOn: 'low' }).passed).toBe(true);
  });

  it('counts only failures: unknown, manual and error findings never fail it', () => {
    const others = (['pass', 'unknown', 'manual', 'error', 'not-applicable'] as const).map((status) => finding('critical', { status }));
    expect(judgeGates({ findings: others, score: 100 }, { failOn: 'info' }).passed).toBe(true);
  });

  it('never counts a failure excepted by an exception in force; counts one whose exception expired', () => {
    const excepted = finding('critical', { disposition: { kind: 'excepted' } });
    expect(judgeGates({ findings: [excepted], score: 100 }, { failOn: 'critical' }).passed).toBe(true);
    const lapsed = finding('critical', { disposition: { kind: 'expired' } });
    const r = judgeGates({ findings: [excepted, lapsed], score: 100 }, { failOn: 'critical' });
    expect(r.passed).toBe(false);
    expect(r.reasons[0]).toMatchObject({ count: 1, findings: [{ fingerprint: lapsed.fingerprint }] });
  });

  it(`names the first ${GATE_FINDINGS_SHOWN}, most severe first, and counts them all`, () => {
    const many = [...Array.from({ length: 7 }, () => finding('medium')), finding('critical'), finding('high')];
    const r = judgeGates({ findings: many, score: 10 }, { failOn: 'medium' });
    const reason = r.reasons[0];
    if (reason?.gate !== 'fail-on') throw new Error('expected a fail-on reason');
    expect(reason.count).toBe(9);
    expect(reason.findings).toHaveLength(GATE_FINDINGS_SHOWN);
    expect(reason.findings.map((f) => f.severity)).toEqual(['critical', 'high', 'medium', 'medium', 'medium']);
    const lines = gateFindingLines(reason);
    expect(lines[0]).toBe(`CTL-critical (critical) prod/Deployment/shop/${many[7]?.resource.name}[web]`);
    expect(lines.at(-1)).toBe('... and 4 more');
  });

  it('names a manifest finding by the file, line and document it was read from, in the lines and the reason', () => {
    const source = { file: 'deploy/app.yaml', document: 3, line: 9 };
    const r = judgeGates({ findings: [finding('high', { cluster: 'manifests', source })], score: 10 }, { failOn: 'high' });
    const reason = r.reasons[0];
    if (reason?.gate !== 'fail-on') throw new Error('expected a fail-on reason');
    expect(reason.findings[0]?.source).toEqual(source);
    expect(gateFindingLines(reason)[0]).toMatch(/^CTL-high \(high\) deploy\/app\.yaml:9 \(document 3\) Deployment\/shop\/app-\d+\[web\]$/);
  });
});

describe('judgeGates: --fail-below-score', () => {
  it('passes at the threshold and fails just below it', () => {
    expect(judgeGates({ findings: [], score: 80 }, { failBelowScore: 80 }).passed).toBe(true);
    const r = judgeGates({ findings: [], score: 79.96 }, { failBelowScore: 80 });
    expect(r.passed).toBe(false);
    // Rounded to one decimal it would read 80.0: the message keeps the digit that shows it is below.
    expect(r.reasons).toEqual([{ gate: 'fail-below-score', score: 79.96, threshold: 80, message: 'compliance score 79.96 is below 80' }]);
  });

  it('fails when there is no score at all: nothing decided never clears a bar', () => {
    const r = judgeGates({ findings: [], score: null }, { failBelowScore: 0 });
    expect(r.passed).toBe(false);
    expect(r.reasons[0]?.message).toBe('no compliance score (nothing was decided), so it cannot reach 0');
  });

  it('refuses a threshold outside 0 to 100', () => {
    expect(thresholdProblems({ failBelowScore: 101 })).toEqual(['failBelowScore: must be a number from 0 to 100, not 101']);
    expect(thresholdProblems({ failBelowScore: Number.NaN })).toHaveLength(1);
    expect(thresholdProblems({ failBelowScore: 0 })).toEqual([]);
  });
});

describe('judgeGates: --fail-on-new', () => {
  it('counts only failures whose fingerprint the baseline lacks', () => {
    const old = finding('critical');
    const fresh = finding('low');
    const baseline = new Set([old.fingerprint]);
    const any = judgeGates({ findings: [old, fresh], score: 0, baseline }, { failOnNew: true });
    expect(any.reasons).toEqual([expect.objectContaining({ gate: 'fail-on-new', count: 1, message: '1 open failing finding not in the baseline' })]);
    expect(any.reasons[0]).not.toHaveProperty('severity');
    // With --fail-on, a new failure below the bar does not count, and an old one above it neither.
    expect(judgeGates({ findings: [old, fresh], score: 0, baseline }, { failOnNew: true, failOn: 'high' }).passed).toBe(true);
    const worse = finding('high');
    const r = judgeGates({ findings: [old, fresh, worse], score: 0, baseline }, { failOnNew: true, failOn: 'high' });
    expect(r.reasons[0]).toMatchObject({ gate: 'fail-on-new', severity: 'high', count: 1, message: '1 open failing finding at or above high not in the baseline', findings: [{ fingerprint: worse.fingerprint }] });
  });

  it('passes when everything failing was already in the baseline, and needs a baseline', () => {
    const a = finding('critical');
    expect(judgeGates({ findings: [a], score: 0, baseline: new Set([a.fingerprint]) }, { failOnNew: true }).passed).toBe(true);
    expect(() => judgeGates({ findings: [a], score: 0 }, { failOnNew: true })).toThrow(/baseline/);
  });

  it('reports every failed gate, each with its reason', () => {
    const r = judgeGates({ findings: [finding('critical')], score: 12.5, baseline: new Set() }, { failOn: 'critical', failOnNew: true, failBelowScore: 50 });
    expect(r.reasons.map((x) => x.gate)).toEqual(['fail-on-new', 'fail-below-score']);
    expect(r.thresholds).toEqual({ failOn: 'critical', failOnNew: true, failBelowScore: 50 });
  });
});

describe('scoreOfFindings', () => {
  it('weights by severity and leaves accepted failures out of the decided checks', () => {
    const rows = [finding('critical', { status: 'pass' }), finding('critical'), finding('low', { status: 'pass' })];
    // critical weight 8, low 1: (8 + 1) / (8 + 8 + 1)
    expect(scoreOfFindings(rows)).toBeCloseTo((100 * 9) / 17, 10);
    const accepted = [finding('critical', { status: 'pass' }), finding('critical', { disposition: { kind: 'excepted' } })];
    expect(scoreOfFindings(accepted)).toBe(100);
    const lapsed = [finding('critical', { status: 'pass' }), finding('critical', { disposition: { kind: 'expired' } })];
    expect(scoreOfFindings(lapsed)).toBe(50);
    expect(scoreOfFindings([finding('high', { status: 'unknown' })])).toBeNull();
  });
});

describe('judgeClusterGates: each cluster held alone to its profile', () => {
  const prod = { cluster: 'prod-a', profile: 'prod', thresholds: { failOn: 'high' as const, failBelowScore: 80 } };
  const dev = { cluster: 'dev-a', profile: 'dev', thresholds: { failOn: 'critical' as const } };

  it("judges each cluster's findings and score against its own thresholds, naming the cluster and profile", () => {
    const findings = [finding('high', { cluster: 'prod-a' }), finding('high', { cluster: 'dev-a' })];
    const r = judgeClusterGates({ findings, scores: new Map([['prod-a', 90], ['dev-a', 10]]) }, [prod, dev]);
    // dev's high failure and low score are under dev's bar (critical only, no score gate).
    expect(r.passed).toBe(false);
    expect(r.reasons).toEqual([expect.objectContaining({ gate: 'fail-on', cluster: 'prod-a', profile: 'prod', count: 1, message: 'cluster prod-a (profile prod): 1 open failing finding at or above high' })]);
    expect(r.clusters).toEqual([
      { ...prod, passed: false },
      { ...dev, passed: true },
    ]);
  });

  it("fails a cluster's score gate on its own score, not the fleet's", () => {
    const r = judgeClusterGates({ findings: [], scores: new Map([['prod-a', 79.96], ['dev-a', 100]]) }, [prod, dev]);
    expect(r.reasons).toEqual([expect.objectContaining({ gate: 'fail-below-score', cluster: 'prod-a', score: 79.96, threshold: 80, message: 'cluster prod-a (profile prod): compliance score 79.96 is below 80' })]);
  });

  it('leaves out a cluster with no score entry (not assessed), fails one assessed with nothing decided', () => {
    const missing = judgeClusterGates({ findings: [finding('critical', { cluster: 'prod-a' })], scores: new Map([['dev-a', 100]]) }, [prod, dev]);
    expect(missing.passed).toBe(true);
    expect(missing.clusters?.map((c) => c.cluster)).toEqual(['dev-a']);
    const undecided = judgeClusterGates({ findings: [], scores: new Map([['prod-a', null]]) }, [prod]);
    expect(undecided.reasons[0]).toMatchObject({ gate: 'fail-below-score', score: null, cluster: 'prod-a' });
  });

  it('failOnNew: counts only findings outside the baseline; without one every open failure is new, and says so', () => {
    const known = finding('high', { cluster: 'prod-a' });
    const fresh = finding('high', { cluster: 'prod-a' });
    const gate = [{ cluster: 'prod-a', profile: 'prod', thresholds: { failOn: 'high' as const, failOnNew: true } }];
    const scores = new Map([['prod-a', 50]]);
    const withBaseline = judgeClusterGates({ findings: [known, fresh], scores, baseline: new Set([known.fingerprint]) }, gate);
    expect(withBaseline.reasons).toEqual([expect.objectContaining({ gate: 'fail-on-new', count: 1, message: 'cluster prod-a (profile prod): 1 open failing finding at or above high not in the baseline' })]);
    const without = judgeClusterGates({ findings: [known, fresh], scores }, gate);
    expect(without.reasons[0]).toMatchObject({ count: 2, message: expect.stringContaining('(no --baseline given: every open failure counts as new)') as unknown });
    expect(judgeClusterGates({ findings: [known], scores, baseline: new Set([known.fingerprint]) }, gate).passed).toBe(true);
  });

  it('never counts an excepted failure; a cluster without gates is not judged', () => {
    const excepted = finding('critical', { cluster: 'prod-a', disposition: { kind: 'excepted' } });
    const r = judgeClusterGates({ findings: [excepted, finding('critical', { cluster: 'other' })], scores: new Map([['prod-a', 95], ['other', 0]]) }, [prod, { cluster: 'other', thresholds: {} }]);
    expect(r.passed).toBe(true);
    expect(r.clusters?.map((c) => c.cluster)).toEqual(['prod-a']);
  });
});
