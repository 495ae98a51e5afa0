import type { Exception } from '../../src/core/exception.js';
import type { Finding, Snapshot } from '../../src/core/types.js';
import { applyExceptions, compileException, selectorMatches, snapshotTarget, type ExceptionTarget } from '../../src/evaluate/exceptions.js';

function exception(id: string, over: Partial<Exception> = {}): Exception {
  return { id, controls: ['PSS-privileged'], scope: {}, owner: 'team', reason: 'why', created: '2026-11-01T00:00:00.000Z', expires: '2027-01-01T00:00:00.000Z', source: { file: 'x.yaml', index: 0 }, ...over };
}

function finding(over: Partial<Finding> = {}): Finding {
  return { cluster: 'prod-eu', controlId: 'PSS-privileged', severity: 'high', status: 'fail', resource: { kind: 'DaemonSet', namespace: 'payments', name: 'node-agent' }, ...over };
}

const labels: Record<string, Record<string, string>> = { 'DaemonSet/payments/node-agent': { team: 'payments', tier: 'system' } };
const target: ExceptionTarget = {
  cluster: 'prod-eu',
  clusterLabels: { env: 'prod', region: 'eu' },
  objectLabels: (r) => labels[`${r.kind}/${r.namespace ?? ''}/${r.name}`],
};
const at = new Date('2026-12-06T10:00:00Z');

const dispositionOf = (e: Exception | Exception[], f: Finding = finding(), when = at, t = target) =>
  applyExceptions([f], (Array.isArray(e) ? e : [e]).map(compileException), t, when)[0]?.disposition;

describe('the exceptions stage', () => {
  it('excepts a matching failure and leaves its status fail; other statuses get no disposition', () => {
    const f = finding();
    expect(dispositionOf(exception('a'), f)).toEqual({ kind: 'excepted', exceptionId: 'a' });
    expect(f.status).toBe('fail');
    for (const status of ['pass', 'unknown', 'manual', 'error', 'not-applicable'] as const) {
      expect(dispositionOf(exception('a'), finding({ status }))).toBeUndefined();
    }
  });

  it('matches controls by id and by * pattern, nothing else', () => {
    const cis = (controlId: string) => finding({ controlId });
    const e = exception('p', { controls: ['CIS-5.2.*', 'CIS-1.2.1'] });
    expect(dispositionOf(e, cis('CIS-5.2.2'))?.kind).toBe('excepted');
    expect(dispositionOf(e, cis('CIS-5.2.13'))?.kind).toBe('excepted');
    expect(dispositionOf(e, cis('CIS-1.2.1'))?.kind).toBe('excepted');
    expect(dispositionOf(e, cis('CIS-1.2.10'))).toBeUndefined();
    expect(dispositionOf(e, cis('CIS-5.20.1'))).toBeUndefined();
    expect(dispositionOf(e, cis('XCIS-5.2.2'))).toBeUndefined();
    // The dot is literal, not "any character".
    expect(dispositionOf(exception('d', { controls: ['CIS-1.2.1'] }), cis('CIS-1x2x1'))).toBeUndefined();
  });

  it('holds every given part of the scope: clusters, cluster labels, namespaces, kinds, names, object labels', () => {
    const scoped = (scope: Exception['scope']) => dispositionOf(exception('s', { scope }))?.kind;
    expect(scoped({ clusters: ['prod-eu'] })).toBe('excepted');
    expect(scoped({ clusters: ['prod-*'] })).toBe('excepted');
    expect(scoped({ clusters: ['dev'] })).toBeUndefined();
    expect(scoped({ clusterSelector: { matchLabels: { env: 'prod' } } })).toBe('excepted');
    expect(scoped({ clusterSelector: { matchLabels: { env: 'dev' } } })).toBeUndefined();
    expect(scoped({ namespaces: ['kube-system', 'pay*'] })).toBe('excepted');
    expect(scoped({ namespaces: ['kube-system'] })).toBeUndefined();
    expect(scoped({ kinds: ['DaemonSet'] })).toBe('excepted');
    expect(scoped({ kinds: ['Deployment'] })).toBeUndefined();
    expect(scoped({ names: ['node-agent'] })).toBe('excepted');
    expect(scoped({ names: ['node-*'] })).toBe('excepted');
    expect(scoped({ names: ['agent'] })).toBeUndefined();
    expect(scoped({ objectSelector: { matchLabels: { team: 'payments' } } })).toBe('excepted');
    expect(scoped({ objectSelector: { matchLabels: { team: 'search' } } })).toBeUndefined();
    // All parts must hold together.
    expect(scoped({ clusters: ['prod-eu'], namespaces: ['payments'], kinds: ['Deployment'] })).toBeUndefined();
    // A namespace scope never matches a cluster-level finding, an object selector never an object without known labels.
    expect(dispositionOf(exception('n', { scope: { namespaces: ['*'] } }), finding({ resource: { kind: 'Cluster', name: 'prod-eu' } }))).toBeUndefined();
    expect(dispositionOf(exception('o', { scope: { objectSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } } }), finding({ resource: { kind: 'Cluster', name: 'prod-eu' } }))).toBeUndefined();
  });

  it('reads label selectors the Kubernetes way', () => {
    const l = { env: 'prod', tier: 'web' };
    expect(selectorMatches({ matchLabels: { env: 'prod', tier: 'web' } }, l)).toBe(true);
    expect(selectorMatches({ matchLabels: { env: 'prod', tier: 'db' } }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, l)).toBe(true);
    expect(selectorMatches({ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, l)).toBe(false);
  });

  it('expires exactly at its boundary: excepted in the runs before, expired in the runs from then on', () => {
    const e = exception('q', { expires: '2026-12-15T00:00:00.000Z' });
    // One exception, a reporting period of daily runs across its expiry.
    const days = ['2026-12-13T00:00:00Z', '2026-12-14T23:59:59.999Z', '2026-12-15T00:00:00Z', '2026-12-16T00:00:00Z'];
    expect(days.map((d) => dispositionOf(e, finding(), new Date(d)))).toEqual([
      { kind: 'excepted', exceptionId: 'q' },
      { kind: 'excepted', exceptionId: 'q' },
      { kind: 'expired', exceptionId: 'q' },
      { kind: 'expired', exceptionId: 'q' },
    ]);
    // Before it was created it does not apply at all.
    expect(dispositionOf(e, finding(), new Date('2026-10-31T23:59:59Z'))).toBeUndefined();
    expect(dispositionOf(e, finding(), new Date('2026-11-01T00:00:00Z'))?.kind).toBe('excepted');
  });

  it('prefers an exception in force over a lapsed one, and names the one that lapsed last', () => {
    const old = exception('old', { expires: '2026-11-20T00:00:00.000Z' });
    const older = exception('older', { created: '2026-10-01T00:00:00.000Z', expires: '2026-11-10T00:00:00.000Z' });
    const renewed = exception('renewed', { created: '2026-11-20T00:00:00.000Z', expires: '2027-02-01T00:00:00.000Z' });
    expect(dispositionOf([older, old, renewed])).toEqual({ kind: 'excepted', exceptionId: 'renewed' });
    expect(dispositionOf([older, old])).toEqual({ kind: 'expired', exceptionId: 'old' });
    expect(dispositionOf([old, older])).toEqual({ kind: 'expired', exceptionId: 'old' });
  });

  it('replaces a disposition given at another time', () => {
    const f = finding({ disposition: { kind: 'excepted', exceptionId: 'gone' } });
    expect(dispositionOf([], f)).toBeUndefined();
    expect(f.disposition).toBeUndefined();
  });

  it('finds object labels in the snapshot', () => {
    const snapshot = {
      cluster: 'c1',
      labels: { env: 'dev' },
      objects: { daemonsets: [{ kind: 'DaemonSet', metadata: { name: 'node-agent', namespace: 'payments', labels: { team: 'payments' } } }], namespaces: [{ kind: 'Namespace', metadata: { name: 'payments' } }] },
    } as unknown as Snapshot;
    const t = snapshotTarget(snapshot);
    expect(t.cluster).toBe('c1');
    expect(t.clusterLabels).toEqual({ env: 'dev' });
    expect(t.objectLabels({ kind: 'DaemonSet', namespace: 'payments', name: 'node-agent' })).toEqual({ team: 'payments' });
    expect(t.objectLabels({ kind: 'Namespace', name: 'payments' })).toEqual({});
    expect(t.objectLabels({ kind: 'DaemonSet', namespace: 'other', name: 'node-agent' })).toBeUndefined();
  });
});
