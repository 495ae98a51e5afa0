import { emptyCounts } from '../../src/core/status.js';
import type { Exception } from '../../src/core/exception.js';
import type { Finding } from '../../src/core/types.js';
import { complianceScore } from '../../src/score/compliance.js';
import { acceptedByControl, riskWithExceptions, scoreWithExceptions } from '../../src/score/exceptions.js';
import { exceptionsRegister, scopeText } from '../../src/report/exceptions-register.js';

const counts = (pass: number, fail: number) => ({ ...emptyCounts(), pass, fail });
const fail = (name: string, controlId: string, disposition?: Finding['disposition']): Finding => ({
  cluster: 'c1',
  controlId,
  severity: 'high',
  status: 'fail',
  resource: { kind: 'Deployment', namespace: 'shop', name, container: 'app' },
  ...(disposition && { disposition }),
});

describe('scores with accepted exceptions', () => {
  const rows = [
    { cluster: 'c1', controlId: 'A', severity: 'high' as const, counts: counts(6, 2) },
    { cluster: 'c1', controlId: 'B', severity: 'low' as const, counts: counts(1, 1) },
  ];
  const findings = [
    fail('a', 'A', { kind: 'excepted', exceptionId: 'x' }),
    fail('b', 'A', { kind: 'expired', exceptionId: 'y' }),
    fail('c', 'B'),
    { ...fail('d', 'B', { kind: 'excepted', exceptionId: 'x' }), status: 'unknown' as const },
  ];

  it('leaves only failures excepted by an exception in force out of the decided checks', () => {
    const accepted = acceptedByControl(findings);
    expect([...accepted]).toEqual([['c1\u001fA', 1]]);
    // Measured: 100 x (4x6 + 1x1) / (4x8 + 1x2) = 73.5; with the accepted failure out: 100 x 25 / (4x7 + 2) = 83.3.
    expect(complianceScore(rows).score).toBeCloseTo(73.53, 2);
    expect(scoreWithExceptions(rows, accepted)).toBeCloseTo(83.33, 2);
    // Never more accepted than failed, and nothing accepted: the measured score.
    expect(scoreWithExceptions(rows, new Map([['c1\u001fB', 5]]))).toBeCloseTo((100 * 25) / 33, 2);
    expect(scoreWithExceptions(rows, new Map())).toBe(complianceScore(rows).score);
  });

  it('takes accepted failures out of their workload\'s severity, exposure unchanged', () => {
    const risks = [
      { cluster: 'c1', resource: { kind: 'Deployment', namespace: 'shop', name: 'a' }, severity: 8, exposure: 2 },
      { cluster: 'c1', resource: { kind: 'Deployment', namespace: 'shop', name: 'b' }, severity: 4, exposure: 3 },
    ];
    // a: (8 - 4) x 2 = 8; b's exception expired: 4 x 3 = 12.
    expect(riskWithExceptions(risks, findings)).toEqual(new Map([['c1', 20]]));
  });
});

describe('the exceptions register', () => {
  const e = (id: string, expires: string, over: Partial<Exception> = {}): Exception => ({ id, controls: ['A'], scope: {}, owner: 'o', reason: 'r', created: '2026-11-01T00:00:00.000Z', expires, source: { file: 'f', index: 0 }, ...over });

  it('lists each declared exception with its state at the run and what it matched, then ids only the run names', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    const declared = [e('active', '2027-03-01T00:00:00.000Z'), e('soon', '2026-12-20T00:00:00.000Z'), e('gone', '2026-11-20T00:00:00.000Z'), e('later', '2027-02-01T00:00:00.000Z', { created: '2026-12-10T00:00:00.000Z' })];
    const found = [fail('a', 'A', { kind: 'excepted', exceptionId: 'active' }), fail('b', 'A', { kind: 'excepted', exceptionId: 'active' }), fail('c', 'A', { kind: 'expired', exceptionId: 'gone' }), fail('d', 'A', { kind: 'excepted', exceptionId: 'removed-since' })];
    const rows = exceptionsRegister(declared, found, at);
    expect(rows.map((r) => [r.id, r.state, r.expired, r.matched, r.lapsed])).toEqual([
      ['active', 'active', false, 2, 0],
      ['soon', 'expiring', false, 0, 0],
      ['gone', 'expired', true, 0, 1],
      ['later', 'pending', false, 0, 0],
      ['removed-since', 'undeclared', false, 1, 0],
    ]);
  });

  it('says the scope in words', () => {
    expect(scopeText({ scope: {} })).toBe('everywhere');
    expect(scopeText({ scope: { clusters: ['prod-*'], clusterSelector: { matchLabels: { env: 'prod' } }, namespaces: ['a', 'b'], objectSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['x', 'y'] }, { key: 'tmp', operator: 'DoesNotExist' }] } } })).toBe(
      'clusters prod-*; clusters labelled env=prod; namespaces a, b; objects labelled team in (x,y),!tmp',
    );
  });
});
