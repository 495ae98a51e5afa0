import { join } from 'node:path';
import { loadManifests } from '../../../src/collect/manifests.js';
import { analyzeSnapshot, INGRESS_CONTROLLER, type AnalyzeOptions, type NetworkAnalysis } from '../../../src/evaluate/network/analyze.js';
import { formatNetwork } from '../../../src/evaluate/network/format.js';

/** One fixture per rule of the NetworkPolicy specification, each with the connection lines it must give. */

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'network');

async function analyze(fixture: string, options: AnalyzeOptions = {}): Promise<NetworkAnalysis> {
  const loaded = await loadManifests([join(FIXTURES, fixture)]);
  expect(loaded.unreadable).toEqual([]);
  return analyzeSnapshot(loaded.snapshot, options);
}

async function lines(fixture: string, options: AnalyzeOptions = {}): Promise<string[]> {
  return formatNetwork(await analyze(fixture, options), 'txt').trimEnd().split('\n');
}

const ALL_IPV4 = '0.0.0.0-255.255.255.255[External]';

describe('network connectivity, rule by rule', () => {
  test('without any policy every workload reaches every other and the outside, both ways', async () => {
    expect(await lines('no-policies.yaml')).toEqual([
      `${ALL_IPV4} => shop/db[Deployment] : All Connections`,
      `${ALL_IPV4} => shop/web[Deployment] : All Connections`,
      `shop/db[Deployment] => ${ALL_IPV4} : All Connections`,
      'shop/db[Deployment] => shop/web[Deployment] : All Connections',
      `shop/web[Deployment] => ${ALL_IPV4} : All Connections`,
      'shop/web[Deployment] => shop/db[Deployment] : All Connections',
    ]);
  });

  test('a default-deny ingress policy (empty podSelector, no rules) leaves only egress to the outside', async () => {
    expect(await lines('default-deny-ingress.yaml')).toEqual([`shop/db[Deployment] => ${ALL_IPV4} : All Connections`, `shop/web[Deployment] => ${ALL_IPV4} : All Connections`]);
  });

  test('without policyTypes a policy isolates ingress always, and egress because it has egress rules', async () => {
    const out = await lines('implied-policy-types.yaml');
    expect(out).toContain('shop/web[Deployment] => shop/db[Deployment] : TCP 5432');
    // web is isolated for ingress too (no ingress rules): nothing reaches it, and it reaches nothing else.
    expect(out.filter((l) => l.includes('=> shop/web'))).toEqual([]);
    expect(out.filter((l) => l.startsWith('shop/web'))).toEqual(['shop/web[Deployment] => shop/db[Deployment] : TCP 5432']);
  });

  test('policyTypes: [] is defaulted as if absent, as the API server does', async () => {
    expect(await lines('empty-policy-types.yaml')).toEqual([
      `${ALL_IPV4} => shop/web[Deployment] : All Connections`,
      'shop/db[Deployment] => shop/web[Deployment] : TCP 8080',
      `shop/web[Deployment] => ${ALL_IPV4} : All Connections`,
    ]);
  });

  test('a rule without from and a rule with from: [] both admit every source; ingress: [] admits none', async () => {
    const out = await lines('empty-from.yaml');
    for (const open of ['open-a', 'open-b']) {
      expect(out).toContain(`${ALL_IPV4} => team/${open}[Deployment] : TCP 80`);
      expect(out).toContain(`team/closed[Deployment] => team/${open}[Deployment] : TCP 80`);
    }
    expect(out.filter((l) => l.includes('=> team/closed'))).toEqual([]);
  });

  test('namespaceSelector and podSelector in one peer intersect; in two items they unite', async () => {
    const out = await lines('namespace-and-pod-selector.yaml');
    expect(out.filter((l) => l.includes('=> prod/api'))).toEqual(['dev/client[Deployment] => prod/api[Deployment] : All Connections']);
    expect(out.filter((l) => l.includes('=> prod/batch'))).toEqual([
      'dev/client[Deployment] => prod/batch[Deployment] : All Connections',
      'dev/tool[Deployment] => prod/batch[Deployment] : All Connections',
      'prod/client[Deployment] => prod/batch[Deployment] : All Connections',
    ]);
  });

  test('matchExpressions: In, NotIn (a missing key matches), Exists and DoesNotExist', async () => {
    const out = await lines('match-expressions.yaml');
    expect(out.filter((l) => l.includes('=> lab/target'))).toEqual([
      'lab/bare[Deployment] => lab/target[Deployment] : TCP 82',
      'lab/in-a[Deployment] => lab/target[Deployment] : TCP 80',
      'lab/in-b[Deployment] => lab/target[Deployment] : TCP 80',
      'lab/notin[Deployment] => lab/target[Deployment] : TCP 81',
    ]);
  });

  test('a named port resolves per destination container, with its protocol; no such port, no connection', async () => {
    const out = await lines('named-ports.yaml');
    expect(out.filter((l) => l.startsWith('web/front') && !l.includes('External'))).toEqual([
      'web/front[Deployment] => web/new[Deployment] : TCP 3000',
      'web/front[Deployment] => web/old[Deployment] : TCP 8080',
    ]);
  });

  test('endPort ranges, UDP and SCTP, a protocol without a port, and the union of two policies', async () => {
    expect(await lines('port-ranges.yaml')).toContain('net/client[Deployment] => net/dns[Deployment] : SCTP 1-65535,TCP 80,8080-8095,UDP 53');
  });

  test('ipBlock with except: the outside is split into the ranges the policy tells apart; IPv6 ranges too', async () => {
    expect(await lines('ipblock-except.yaml')).toEqual([
      '10.0.0.0-10.0.255.255[External] => edge/gw[Deployment] : TCP 443',
      '10.2.0.0-10.255.255.255[External] => edge/gw[Deployment] : TCP 443',
      'edge/gw[Deployment] => 2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections',
    ]);
  });

  test('a connection needs the source egress and the destination ingress to allow it', async () => {
    const out = await lines('both-sides.yaml');
    expect(out).toContain('pair/a[Deployment] => pair/b[Deployment] : TCP 81');
    expect(out).toContain('pair/b[Deployment] => pair/a[Deployment] : All Connections');
    expect(out.some((l) => l.startsWith('pair/a[Deployment] => 0.0.0.0'))).toBe(false);
  });

  test('the ingress controller reaches a Service\'s pods on its target port (named or numbered), where policies admit it', async () => {
    const out = await lines('ingress-controller.yaml');
    expect(out.filter((l) => l.startsWith('{ingress-controller}'))).toEqual([
      '{ingress-controller} => site/admin[Deployment] : TCP 9000',
      '{ingress-controller} => site/frontend[Deployment] : TCP 8080',
    ]);
  });

  test('an ingress controller running in the input carries Ingress traffic where its namespace is admitted and its egress reaches', async () => {
    const out = await lines('ingress-controller-running.yaml');
    // frontend admits only ingress-nginx; admin admits tools (where a Job merely uses the controller's image); reports is admitted but outside the controller's egress.
    expect(out.filter((l) => l.startsWith('{ingress-controller}'))).toEqual(['{ingress-controller} => site/frontend[Deployment] : TCP 8080']);
    expect(out).toContain('ingress-nginx/ingress-nginx-controller[Deployment] => site/frontend[Deployment] : TCP 8080');
  });

  test('ReplicaSets and their pods fold into the Deployment, Jobs into the CronJob; a bare pod is itself', async () => {
    const a = await analyze('owners-folded.yaml');
    expect(a.workloads).toBe(4);
    expect(formatNetwork(a, 'txt').trimEnd().split('\n')).toEqual([
      'fold/debug[Pod] => fold/api[Deployment] : All Connections',
      'fold/debug[Pod] => fold/report[CronJob] : All Connections',
      'fold/debug[Pod] => fold/worker[Deployment] : All Connections',
    ]);
  });

  test('a namespace missing from the input has its name label, so kubernetes.io/metadata.name selects it', async () => {
    expect(await lines('missing-namespace.yaml')).toContain('orders/checkout[Deployment] => payments/ledger[Deployment] : TCP 7000');
  });

  test('--focus-workload keeps only the lines with that workload at one end', async () => {
    expect(await lines('both-sides.yaml', { focusWorkload: 'pair/a' })).toEqual([
      `${ALL_IPV4} => pair/a[Deployment] : All Connections`,
      'pair/a[Deployment] => pair/b[Deployment] : TCP 81',
      'pair/b[Deployment] => pair/a[Deployment] : All Connections',
    ]);
  });
});

describe('network exposure', () => {
  test('open to the entire cluster, to namespaces and pods the input does not have, to the outside, through a LoadBalancer', async () => {
    const e = (await analyze('exposure.yaml', { exposure: true })).exposure!;
    expect(e.ingress.map((l) => `${l.workload} <= ${l.peer} : ${l.conn}`)).toEqual([
      'public/locked[Deployment] <= [namespace with {team=monitoring}]/[all pods] : TCP 8080',
      'public/locked[Deployment] <= payments/[pod with {app=billing}] : All Connections',
      `public/shop[Deployment] <= ${ALL_IPV4} : All Connections`,
      'public/shop[Deployment] <= entire-cluster : All Connections',
    ]);
    expect(e.egress.map((l) => `${l.workload} => ${l.peer} : ${l.conn}`)).toEqual([
      'public/locked[Deployment] => entire-cluster : UDP 53',
      `public/shop[Deployment] => ${ALL_IPV4} : All Connections`,
      'public/shop[Deployment] => entire-cluster : All Connections',
    ]);
    expect(e.unprotected).toEqual(['public/shop[Deployment] is not protected on Egress', 'public/shop[Deployment] is not protected on Ingress']);
    // The NodePort's pods admit no address outside the cluster: not exposed.
    expect(e.services.map((l) => `${l.workload} <= ${l.peer} : ${l.conn}`)).toEqual(['public/shop[Deployment] <= Service public/shop[LoadBalancer] : TCP 8443']);
  });

  test('a peer of labels that a known workload has is shown by its connections; a whole namespace stays exposure', async () => {
    // from-orders admits every pod of namespace orders: a pod created there later is admitted too.
    const e = (await analyze('missing-namespace.yaml', { exposure: true })).exposure!;
    expect(e.ingress.filter((l) => l.workload.startsWith('payments/')).map((l) => `${l.peer} : ${l.conn}`)).toEqual(['orders/[all pods] : TCP 7000']);
    // locked-from-monitoring's second peer names pods of namespace payments that the input does not have.
    const x = (await analyze('exposure.yaml', { exposure: true })).exposure!;
    expect(x.ingress.some((l) => l.peer === 'payments/[pod with {app=billing}]')).toBe(true);
  });

  test('equal selectors written differently are one peer, printed as first written, with what the entire cluster may do', async () => {
    const e = (await analyze('equivalent-selectors.yaml', { exposure: true })).exposure!;
    expect(e.ingress.map((l) => `${l.workload} <= ${l.peer} : ${l.conn}`)).toEqual([
      'eq/target[Deployment] <= [namespace with {{Key:env,Operator:In,Values:[prod stage],}}]/[all pods] : TCP 53,8080',
      'eq/target[Deployment] <= entire-cluster : TCP 53',
    ]);
    expect(e.egress.map((l) => `${l.workload} => ${l.peer} : ${l.conn}`)).toEqual(['eq/target[Deployment] => eq/[pod with {role=monitoring}] : All Connections']);
  });

  test('the text output aligns the exposed workloads as established analyzers do', async () => {
    const text = formatNetwork(await analyze('exposure.yaml', { exposure: true }), 'txt');
    expect(text).toContain('\nExposure Analysis Result:\nEgress Exposure:\npublic/locked[Deployment] \t=> \tentire-cluster : UDP 53\n');
    expect(text).toContain('public/shop[Deployment]   \t<= \tentire-cluster : All Connections\n');
  });
});

describe('network analysis with its workload-to-workload lines capped', () => {
  test.each(['no-policies.yaml', 'exposure.yaml', 'ipblock-except.yaml', 'ingress-controller.yaml', 'both-sides.yaml', 'named-ports.yaml', 'equivalent-selectors.yaml'])(
    '%s: the same exposure and external lines, no line between two workloads past the cap, and the cap said',
    async (fixture) => {
      const whole = await analyze(fixture, { exposure: true });
      const lean = await analyze(fixture, { exposure: true, maxWorkloadLines: 0 });
      expect(lean.exposure).toEqual(whole.exposure);
      const notPair = (l: { src: string; dst: string }) => l.src.endsWith('[External]') || l.dst.endsWith('[External]') || l.src === INGRESS_CONTROLLER;
      expect(lean.connections).toEqual(whole.connections.filter(notPair));
      const pairs = whole.connections.length - lean.connections.length;
      expect(lean.pairsCapped).toBe(pairs > 0 ? 0 : undefined);
      expect(whole.pairsCapped).toBeUndefined();
      // Where workloads reach each other, those lines are the ones left out.
      if (fixture === 'no-policies.yaml') expect(pairs).toBe(2);
    },
  );

  it('keeps the first lines up to the cap', async () => {
    const whole = await analyze('no-policies.yaml', {});
    const one = await analyze('no-policies.yaml', { maxWorkloadLines: 1 });
    expect(one.pairsCapped).toBe(1);
    expect(one.connections.filter((l) => !l.src.endsWith('[External]') && !l.dst.endsWith('[External]') && l.src !== INGRESS_CONTROLLER)).toHaveLength(1);
    expect(whole.connections).toEqual(expect.arrayContaining(one.connections));
  });
});
