import { ALL_CONNS, connsOf, contains, formatConns, intersect, isEmpty, NO_CONNS, union } from '../../../src/evaluate/network/conns.js';
import { formatRange, parseCidr, splitAt, subtract, ALL_IPV4, type IpRange } from '../../../src/evaluate/network/ip.js';
import { analyzeSnapshot } from '../../../src/evaluate/network/analyze.js';
import type { KubeObject, Snapshot } from '../../../src/core/types.js';

const range = (cidr: string): IpRange => {
  const r = parseCidr(cidr);
  if (typeof r === 'string') throw new Error(r);
  return r;
};

describe('connection sets', () => {
  test('union merges adjacent and overlapping ranges; the full set prints as All Connections', () => {
    const c = union(union(connsOf('TCP', [80, 80]), connsOf('TCP', [81, 90])), connsOf('UDP', [53, 53]));
    expect(formatConns(c)).toBe('TCP 80-90,UDP 53');
    expect(formatConns(union(union(connsOf('TCP'), connsOf('UDP')), connsOf('SCTP')))).toBe('All Connections');
    expect(formatConns(NO_CONNS)).toBe('No Connections');
  });

  test('intersection and containment', () => {
    const a = union(connsOf('TCP', [1, 100]), connsOf('UDP', [53, 53]));
    const b = connsOf('TCP', [50, 200]);
    expect(formatConns(intersect(a, b))).toBe('TCP 50-100');
    expect(isEmpty(intersect(connsOf('UDP'), b))).toBe(true);
    expect(intersect(ALL_CONNS, b)).toBe(b);
    expect(contains(a, connsOf('TCP', [10, 20]))).toBe(true);
    expect(contains(a, connsOf('TCP', [90, 110]))).toBe(false);
  });
});

describe('IP ranges', () => {
  test('CIDRs of both families, host bits cleared as the API reads them', () => {
    expect(formatRange(range('10.1.2.3/16'))).toBe('10.1.0.0-10.1.255.255');
    expect(formatRange(range('0.0.0.0/0'))).toBe('0.0.0.0-255.255.255.255');
    expect(formatRange(range('2001:db8::/48'))).toBe('2001:db8::-2001:db8:0:ffff:ffff:ffff:ffff:ffff');
    expect(formatRange(range('::ffff:10.0.0.0/120'))).toBe('::ffff:a00:0-::ffff:a00:ff');
  });

  test('a bad CIDR is a message naming it', () => {
    expect(parseCidr('10.0.0.0')).toMatch(/"10\.0\.0\.0" is not a CIDR/);
    expect(parseCidr('10.0.0.300/8')).toMatch(/not an IPv4 address/);
    expect(parseCidr('10.0.0.0/33')).toMatch(/prefix length must be 0 to 32/);
    expect(parseCidr('2001:db8:::1/64')).toMatch(/not an IPv6 address/);
  });

  test('except holes, and the space split at every edge', () => {
    expect(subtract(range('10.0.0.0/8'), [range('10.1.0.0/16')]).map(formatRange)).toEqual(['10.0.0.0-10.0.255.255', '10.2.0.0-10.255.255.255']);
    expect(splitAt(ALL_IPV4, [range('10.0.0.0/8'), range('10.1.0.0/16')]).map(formatRange)).toEqual([
      '0.0.0.0-9.255.255.255',
      '10.0.0.0-10.0.255.255',
      '10.1.0.0-10.1.255.255',
      '10.2.0.0-10.255.255.255',
      '11.0.0.0-255.255.255.255',
    ]);
  });
});

describe('bad policies are problems, never silent allows', () => {
  const snap = (objects: KubeObject[]): Snapshot => ({
    cluster: 'c', labels: {}, collectedAt: '2026-12-01T00:00:00Z', provider: 'unknown', controlPlane: [], kubelets: [], gaps: [], source: 'manifests',
    objects: {
      pods: objects.filter((o) => o.kind === 'Pod'),
      networkpolicies: objects.filter((o) => o.kind === 'NetworkPolicy'),
    },
  });
  const pod = (name: string, labels: Record<string, string>): KubeObject => ({ kind: 'Pod', metadata: { name, namespace: 'ns', labels }, spec: { containers: [{ name: 'c' }] } });

  test('an unknown operator, a bad CIDR and an unknown protocol are named with their key path; the rule allows nothing', () => {
    const policy: KubeObject = {
      kind: 'NetworkPolicy',
      metadata: { name: 'bad', namespace: 'ns' },
      spec: {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [
          { from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['a'] }] } }] },
          { from: [{ ipBlock: { cidr: '10.0.0.0' } }] },
          { ports: [{ protocol: 'ICMP', port: 1 }] },
        ],
      },
    };
    const a = analyzeSnapshot(snap([pod('a', { app: 'a' }), pod('b', { app: 'b' }), policy]));
    expect(a.problems).toEqual([
      'NetworkPolicy ns/bad: spec.ingress[0].from[0].podSelector.matchExpressions[0]: unknown operator "Equals"; it is read as matching nothing',
      'NetworkPolicy ns/bad: spec.ingress[1].from[0].ipBlock: "10.0.0.0" is not a CIDR (no prefix length); ignored',
      'NetworkPolicy ns/bad: spec.ingress[2].ports[0]: unknown protocol "ICMP" (TCP, UDP or SCTP); ignored',
    ]);
    expect(a.connections.filter((l) => l.dst === 'ns/b[Pod]')).toEqual([]);
  });
});
