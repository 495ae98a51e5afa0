/** The events `complyd alerts test` sends: one of each kind, plainly marked as a test. */
import type { AlertEvent } from './events.js';

export function sampleEvents(cluster: string, now: Date): AlertEvent[] {
  const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString();
  return [
    { kind: 'score-drop', cluster, score: 81.5, previousScore: 92, drop: 10.5, previousRunId: 'test-previous-run' },
    { kind: 'new-critical', cluster, count: 1, findings: [{ fingerprint: 'test', controlId: 'PSS-privileged', resource: 'Deployment/complyd-test/sample[app]' }] },
    { kind: 'cluster-not-assessed', cluster, reason: 'test: no cluster was contacted' },
    { kind: 'exception-expired', exception: 'test-expired', owner: 'complyd-test', expires: inDays(-1), controls: ['PSS-privileged'] },
    { kind: 'exception-expiring', exception: 'test-expiring', owner: 'complyd-test', expires: inDays(3), controls: ['PSS-privileged'] },
    { kind: 'enforcement-drift', cluster, count: 1, controls: [{ controlId: 'PSS-privileged', expected: 'Deny', state: 'not-enforced' }] },
  ];
}
