/** The pure alert stage: events from a cluster's previous and new scan, and exception expiries announced once. */
import { alertEvents, ALERT_KINDS, type AlertInput, type ClusterFacts } from '../../src/alerts/events.js';
import { ALERT_EVENT_NAMES } from '../../src/config/schema.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const DAY = 86_400_000;
const scan = (over: Partial<ClusterFacts>): ClusterFacts => ({ cluster: 'prod', runId: 'run-2', startedAt: NOW.toISOString(), status: 'complete', score: 90, critical: [], ...over });
const crit = (fingerprint: string, excepted = false) => ({ fingerprint, controlId: 'PSS-privileged', resource: `Deployment/shop/${fingerprint}`, excepted });
const input = (over: Partial<AlertInput>): AlertInput => ({
  run: { id: 'run-2', startedAt: NOW.toISOString() },
  clusters: [],
  previous: new Map(),
  previousRunAt: new Date(NOW.getTime() - DAY).toISOString(),
  exceptions: [],
  now: NOW,
  thresholds: { scoreDrop: 5, expiringWithinMs: 7 * DAY, maxFindings: 2 },
  ...over,
});

it('names the same kinds as the configuration accepts', () => {
  expect([...ALERT_KINDS]).toEqual([...ALERT_EVENT_NAMES]);
});

it('reports a score drop beyond the threshold only', () => {
  const previous = new Map([['prod', scan({ runId: 'run-1', score: 90 })]]);
  expect(alertEvents(input({ clusters: [scan({ score: 85 })], previous }))).toEqual([]);
  expect(alertEvents(input({ clusters: [scan({ score: 84.5 })], previous }))).toEqual([{ kind: 'score-drop', cluster: 'prod', score: 84.5, previousScore: 90, drop: 5.5, previousRunId: 'run-1' }]);
  // No score on either side (nothing decided) is no drop: missing evidence is not a regression signal here.
  expect(alertEvents(input({ clusters: [scan({ score: null })], previous }))).toEqual([]);
});

it('reports critical failures not failing before, leaves excepted ones out, and lists a bounded number', () => {
  const previous = new Map([['prod', scan({ runId: 'run-1', critical: [crit('a')] })]]);
  const now = scan({ critical: [crit('a'), crit('d'), crit('c'), crit('b'), crit('e', true)] });
  expect(alertEvents(input({ clusters: [now], previous }))).toEqual([
    { kind: 'new-critical', cluster: 'prod', count: 3, findings: [{ fingerprint: 'b', controlId: 'PSS-privileged', resource: 'Deployment/shop/b' }, { fingerprint: 'c', controlId: 'PSS-privileged', resource: 'Deployment/shop/c' }] },
  ]);
});

it('reports a cluster not assessed, with when it last was', () => {
  const previous = new Map([['prod', scan({ runId: 'run-1', startedAt: '2026-03-09T12:00:00.000Z' })]]);
  expect(alertEvents(input({ clusters: [scan({ status: 'failed', error: 'connect ECONNREFUSED', score: null })], previous }))).toEqual([
    { kind: 'cluster-not-assessed', cluster: 'prod', reason: 'connect ECONNREFUSED', lastAssessedAt: '2026-03-09T12:00:00.000Z' },
  ]);
});

it('announces an expiry once: expired since the previous run, or come within the window since then', () => {
  const exc = (id: string, expiresIn: number) => ({ id, owner: 'team', expires: new Date(NOW.getTime() + expiresIn).toISOString(), controls: ['PSS-*'] });
  const exceptions = [exc('lapsed-today', -DAY / 2), exc('lapsed-long-ago', -3 * DAY), exc('entering-window', 7 * DAY - DAY / 2), exc('already-in-window', 3 * DAY), exc('far', 60 * DAY)];
  const events = alertEvents(input({ exceptions }));
  expect(events.map((e) => [e.kind, 'exception' in e ? e.exception : ''])).toEqual([
    ['exception-expired', 'lapsed-today'],
    ['exception-expiring', 'entering-window'],
  ]);
  // The first run of all announces every expired and expiring exception.
  const { previousRunAt: _, ...first } = input({ exceptions });
  expect(alertEvents(first).map((e) => e.kind)).toEqual(['exception-expired', 'exception-expired', 'exception-expiring', 'exception-expiring']);
});

it('reports controls that newly drift from the enforcement the profile expects, and nothing without a posture', () => {
  const d = (controlId: string) => ({ controlId, expected: 'Deny', state: 'not-enforced' });
  const previous = new Map([['prod', scan({ runId: 'run-1', drift: [d('PSS-privileged')] })]]);
  expect(alertEvents(input({ clusters: [scan({ drift: [d('PSS-privileged'), d('PSS-host-network'), d('PSS-capabilities'), d('PSS-host-path')] })], previous }))).toEqual([
    { kind: 'enforcement-drift', cluster: 'prod', count: 3, controls: [d('PSS-capabilities'), d('PSS-host-network')] },
  ]);
  // The same drift again, or no posture assessed (unknown is not drift): nothing.
  expect(alertEvents(input({ clusters: [scan({ drift: [d('PSS-privileged')] })], previous }))).toEqual([]);
  expect(alertEvents(input({ clusters: [scan({})], previous }))).toEqual([]);
});
