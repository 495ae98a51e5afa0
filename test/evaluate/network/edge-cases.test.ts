import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../../../src/collect/manifests.js';
import { analyzeSnapshot, type NetworkAnalysis } from '../../../src/evaluate/network/analyze.js';
import { formatNetwork } from '../../../src/evaluate/network/format.js';

/**
 * Edge cases of the NetworkPolicy semantics, each written as a few objects and judged against the
 * Kubernetes documentation (network-policies concept page, NetworkPolicySpec API reference) and
 * then against what np-guard's netpol-analyzer concludes on the same objects (ADR 0030).
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'complyd-net-edge-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
async function analyze(docs: string[]): Promise<NetworkAnalysis> {
  const file = join(dir, `case-${fileNo++}.yaml`);
  writeFileSync(file, docs.map((d) => `---\n${d.trim()}\n`).join(''));
  const loaded = await loadManifests([file]);
  expect(loaded.unreadable).toEqual([]);
  return analyzeSnapshot(loaded.snapshot);
}

async function lines(docs: string[]): Promise<string[]> {
  return formatNetwork(await analyze(docs), 'txt').trimEnd().split('\n').filter((l) => l !== '');
}

/** A Deployment whose pods carry `labels` (a YAML flow map) and declare `ports` (a YAML flow list). */
function deploy(ns: string, name: string, labels = `{app: ${name}}`, ports = '[]', extra = ''): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: ${labels}}
    spec:
      ${extra}
      containers:
      - {name: main, image: registry.example/app:1.0, ports: ${ports}}`;
}

function policy(ns: string, name: string, spec: string): string {
  return `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec.replace(/^\n/, '').replace(/^/gm, '  ')}`;
}

const ALL_IPV4 = '0.0.0.0-255.255.255.255[External]';
const between = (out: string[], src: string, dst: string): string[] => out.filter((l) => l.startsWith(`${src}[`) && l.includes(`=> ${dst}[`));

describe('NetworkPolicy edge cases, against the documentation and np-guard', () => {
  test('an egress named port resolves against each destination pod; a destination without that name gets nothing', async () => {
    const out = await lines([
      deploy('np', 'client'),
      deploy('np', 'a', '{app: a, tier: be}', '[{name: http, containerPort: 8080}]'),
      deploy('np', 'b', '{app: b, tier: be}', '[{name: http, containerPort: 9090}, {name: metrics, containerPort: 9100}]'),
      deploy('np', 'c', '{app: c, tier: be}', '[{name: web, containerPort: 80}]'),
      deploy('np', 'd', '{app: d, tier: be}', '[{name: http, containerPort: 7070, protocol: UDP}]'),
      policy('np', 'client-out', `
podSelector: {matchLabels: {app: client}}
policyTypes: [Egress]
egress:
- to: [{podSelector: {matchLabels: {tier: be}}}]
  ports: [{port: http}]`),
    ]);
    expect(out.filter((l) => l.startsWith('np/client['))).toEqual([
      'np/client[Deployment] => np/a[Deployment] : TCP 8080',
      'np/client[Deployment] => np/b[Deployment] : TCP 9090',
    ]);
  });

  test('endPort makes an inclusive range, intersected with what the other side allows', async () => {
    const out = await lines([
      deploy('np', 'client'),
      deploy('np', 'srv', '{app: srv}', '[{containerPort: 8000}]'),
      policy('np', 'srv-in', `
podSelector: {matchLabels: {app: srv}}
ingress:
- ports: [{port: 8000, endPort: 8100}]`),
      policy('np', 'client-out', `
podSelector: {matchLabels: {app: client}}
policyTypes: [Egress]
egress:
- ports: [{port: 8050, endPort: 9000}]`),
    ]);
    expect(between(out, 'np/client', 'np/srv')).toEqual(['np/client[Deployment] => np/srv[Deployment] : TCP 8050-8100']);
  });

  test('egress to 0.0.0.0/0 except the private ranges: the outside split at the holes, no pod reached by the ipBlock', async () => {
    const out = await lines([
      deploy('np', 'app'),
      deploy('np', 'db'),
      policy('np', 'app-out', `
podSelector: {matchLabels: {app: app}}
policyTypes: [Egress]
egress:
- to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 192.168.0.0/16]}}]`),
    ]);
    expect(out.filter((l) => l.startsWith('np/app['))).toEqual([
      'np/app[Deployment] => 0.0.0.0-9.255.255.255[External] : All Connections',
      'np/app[Deployment] => 11.0.0.0-192.167.255.255[External] : All Connections',
      'np/app[Deployment] => 192.169.0.0-255.255.255.255[External] : All Connections',
    ]);
  });

  test('ingress from the whole outside world on one port: every external range, and no pod, is admitted', async () => {
    const out = await lines([
      deploy('np', 'web', '{app: web}', '[{containerPort: 443}]'),
      deploy('np', 'other'),
      policy('np', 'web-in', `
podSelector: {matchLabels: {app: web}}
ingress:
- from: [{ipBlock: {cidr: 0.0.0.0/0}}]
  ports: [{protocol: TCP, port: 443}]`),
    ]);
    expect(out.filter((l) => l.includes('=> np/web['))).toEqual([`${ALL_IPV4} => np/web[Deployment] : TCP 443`]);
  });

  test('to: [] and an absent to both reach every destination; egress: [] reaches none', async () => {
    const out = await lines([
      deploy('np', 'open-a'),
      deploy('np', 'open-b'),
      deploy('np', 'closed'),
      policy('np', 'a', `
podSelector: {matchLabels: {app: open-a}}
policyTypes: [Egress]
egress: [{to: [], ports: [{port: 53, protocol: UDP}]}]`),
      policy('np', 'b', `
podSelector: {matchLabels: {app: open-b}}
policyTypes: [Egress]
egress: [{ports: [{port: 53, protocol: UDP}]}]`),
      policy('np', 'c', `
podSelector: {matchLabels: {app: closed}}
policyTypes: [Egress]
egress: []`),
    ]);
    for (const w of ['open-a', 'open-b']) {
      expect(out.filter((l) => l.startsWith(`np/${w}[`))).toEqual([
        `np/${w}[Deployment] => ${ALL_IPV4} : UDP 53`,
        `np/${w}[Deployment] => np/closed[Deployment] : UDP 53`,
        `np/${w}[Deployment] => np/${w === 'open-a' ? 'open-b' : 'open-a'}[Deployment] : UDP 53`,
      ]);
    }
    expect(out.filter((l) => l.startsWith('np/closed['))).toEqual([]);
  });

  test('policyTypes [Egress] without egress rules denies all egress and leaves ingress open', async () => {
    const out = await lines([
      deploy('np', 'locked'),
      deploy('np', 'peer'),
      policy('np', 'deny-egress', `
podSelector: {matchLabels: {app: locked}}
policyTypes: [Egress]`),
    ]);
    expect(out.filter((l) => l.startsWith('np/locked['))).toEqual([]);
    expect(out.filter((l) => l.includes('=> np/locked['))).toEqual([
      `${ALL_IPV4} => np/locked[Deployment] : All Connections`,
      'np/peer[Deployment] => np/locked[Deployment] : All Connections',
    ]);
  });

  test('without policyTypes, egress rules alone isolate both directions; policyTypes [Ingress] ignores egress rules', async () => {
    const out = await lines([
      deploy('np', 'implied'),
      deploy('np', 'explicit'),
      deploy('np', 'peer'),
      policy('np', 'implied', `
podSelector: {matchLabels: {app: implied}}
egress: [{ports: [{port: 443}]}]`),
      policy('np', 'explicit', `
podSelector: {matchLabels: {app: explicit}}
policyTypes: [Ingress]
ingress: [{}]
egress: [{ports: [{port: 443}]}]`),
    ]);
    expect(out.filter((l) => l.includes('=> np/implied['))).toEqual([]);
    expect(between(out, 'np/implied', 'np/peer')).toEqual(['np/implied[Deployment] => np/peer[Deployment] : TCP 443']);
    expect(between(out, 'np/explicit', 'np/peer')).toEqual(['np/explicit[Deployment] => np/peer[Deployment] : All Connections']);
    expect(between(out, 'np/peer', 'np/explicit')).toEqual(['np/peer[Deployment] => np/explicit[Deployment] : All Connections']);
  });

  test('a pod without labels: selected by an empty podSelector and by DoesNotExist, never by matchLabels', async () => {
    const out = await lines([
      `
apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: np}
spec:
  containers: [{name: main, image: registry.example/app:1.0}]`,
      deploy('np', 'a'),
      deploy('np', 'b'),
      deploy('np', 'c'),
      policy('np', 'a-in', `
podSelector: {matchLabels: {app: a}}
ingress: [{from: [{podSelector: {}}], ports: [{port: 1}]}]`),
      policy('np', 'b-in', `
podSelector: {matchLabels: {app: b}}
ingress: [{from: [{podSelector: {matchExpressions: [{key: app, operator: DoesNotExist}]}}], ports: [{port: 2}]}]`),
      policy('np', 'c-in', `
podSelector: {matchLabels: {app: c}}
ingress: [{from: [{podSelector: {matchLabels: {app: a}}}], ports: [{port: 3}]}]`),
      policy('np', 'all-in', `
podSelector: {}
policyTypes: [Ingress]
ingress: [{from: [{podSelector: {matchLabels: {app: a}}}], ports: [{port: 4}]}]`),
    ]);
    expect(out.filter((l) => l.startsWith('np/bare['))).toEqual([
      'np/bare[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections',
      'np/bare[Pod] => np/a[Deployment] : TCP 1',
      'np/bare[Pod] => np/b[Deployment] : TCP 2',
    ]);
    // The empty podSelector of all-in selects the unlabelled pod too: it is isolated for ingress.
    expect(out.filter((l) => l.includes('=> np/bare['))).toEqual(['np/a[Deployment] => np/bare[Pod] : TCP 4']);
  });

  test('protocol defaults to TCP; a port without a number is every port of its protocol; SCTP is a protocol of its own', async () => {
    const out = await lines([
      deploy('np', 'client'),
      deploy('np', 'srv'),
      policy('np', 'srv-in', `
podSelector: {matchLabels: {app: srv}}
ingress:
- from: [{podSelector: {matchLabels: {app: client}}}]
  ports: [{port: 80}, {protocol: UDP}, {protocol: SCTP, port: 9899}]`),
    ]);
    expect(between(out, 'np/client', 'np/srv')).toEqual(['np/client[Deployment] => np/srv[Deployment] : SCTP 9899,TCP 80,UDP 1-65535']);
  });

  test('kubernetes.io/metadata.name selects a namespace by name whatever labels the input gives it', async () => {
    const out = await lines([
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a, labels: {env: prod}}',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-b, labels: {kubernetes.io/metadata.name: team-a}}',
      deploy('team-a', 'client'),
      deploy('team-b', 'client'),
      deploy('srv', 'api'),
      policy('srv', 'api-in', `
podSelector: {}
ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-a}}}]}]`),
    ]);
    // team-b's label cannot hold another name: the API server sets it to the namespace's own name.
    expect(out.filter((l) => l.includes('=> srv/api['))).toEqual(['team-a/client[Deployment] => srv/api[Deployment] : All Connections']);
  });

  test('a namespaceSelector and podSelector in one peer need both; in two peers either', async () => {
    const out = await lines([
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: dev, labels: {env: dev}}',
      deploy('dev', 'client', '{app: client, role: client}'),
      deploy('dev', 'other'),
      deploy('srv', 'client', '{app: client, role: client}'),
      deploy('srv', 'one'),
      deploy('srv', 'two'),
      policy('srv', 'one-in', `
podSelector: {matchLabels: {app: one}}
ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchLabels: {role: client}}}]}]`),
      policy('srv', 'two-in', `
podSelector: {matchLabels: {app: two}}
ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}, {podSelector: {matchLabels: {role: client}}}]}]`),
    ]);
    expect(out.filter((l) => l.includes('=> srv/one['))).toEqual(['dev/client[Deployment] => srv/one[Deployment] : All Connections']);
    expect(out.filter((l) => l.includes('=> srv/two['))).toEqual([
      'dev/client[Deployment] => srv/two[Deployment] : All Connections',
      'dev/other[Deployment] => srv/two[Deployment] : All Connections',
      'srv/client[Deployment] => srv/two[Deployment] : All Connections',
    ]);
  });

  test('a hostNetwork pod is judged as any pod (the documentation leaves it to the plugin; np-guard does so)', async () => {
    const out = await lines([
      deploy('np', 'agent', '{app: agent}', '[{containerPort: 9100}]', 'hostNetwork: true'),
      deploy('np', 'scraper'),
      policy('np', 'agent-in', `
podSelector: {matchLabels: {app: agent}}
ingress: [{from: [{podSelector: {matchLabels: {app: scraper}}}], ports: [{port: 9100}]}]`),
    ]);
    expect(out.filter((l) => l.includes('=> np/agent['))).toEqual(['np/scraper[Deployment] => np/agent[Deployment] : TCP 9100']);
  });

  test('a pod in a terminal phase is analysed as np-guard does: like a running one', async () => {
    const out = await lines([
      `
apiVersion: v1
kind: Pod
metadata: {name: done, namespace: np, labels: {app: done}}
spec:
  restartPolicy: Never
  containers: [{name: main, image: registry.example/app:1.0}]
status: {phase: Succeeded}`,
      deploy('np', 'web'),
    ]);
    expect(out).toContain('np/done[Pod] => np/web[Deployment] : All Connections');
  });
});

describe('policy ports the API refuses allow nothing, each with a problem', () => {
  test('endPort without port, endPort with a named port, a number written as a string', async () => {
    const a = await analyze([
      deploy('np', 'client'),
      deploy('np', 'srv', '{app: srv}', '[{name: http, containerPort: 8080}]'),
      policy('np', 'srv-in', `
podSelector: {matchLabels: {app: srv}}
ingress:
- ports: [{endPort: 9000}]
- ports: [{port: http, endPort: 9000}]
- ports: [{port: "8080"}]
- ports: [{protocol: UDP, port: 53}]`),
    ]);
    const out = formatNetwork(a, 'txt').trimEnd().split('\n');
    // Only the valid rule allows anything: read as written, the first would have opened every TCP port.
    expect(out.filter((l) => l.includes('=> np/srv['))).toEqual([`${ALL_IPV4} => np/srv[Deployment] : UDP 53`, 'np/client[Deployment] => np/srv[Deployment] : UDP 53']);
    expect(a.problems).toEqual([
      'NetworkPolicy np/srv-in: spec.ingress[0].ports[0]: endPort needs a numbered port (the API refuses it); ignored',
      'NetworkPolicy np/srv-in: spec.ingress[1].ports[0]: endPort cannot be used with a named port (the API refuses it); ignored',
      'NetworkPolicy np/srv-in: spec.ingress[2].ports[0]: port "8080" is neither a number nor a port name (the API refuses it); ignored',
    ]);
  });
});

describe('selectors the API refuses select nothing, each with a problem', () => {
  test('NotIn without values and a label value that is not a string admit no peer (read as written, every pod)', async () => {
    const a = await analyze([
      deploy('np', 'client'),
      deploy('np', 'srv'),
      policy('np', 'srv-in', `
podSelector: {matchLabels: {app: srv}}
ingress:
- from: [{podSelector: {matchExpressions: [{key: app, operator: NotIn}]}}]
  ports: [{port: 1}]
- from: [{podSelector: {matchLabels: {app: client, version: 2}}}]
  ports: [{port: 2}]
- from: [{podSelector: {matchLabels: {app: client}}}]
  ports: [{port: 3}]`),
    ]);
    const out = formatNetwork(a, 'txt').trimEnd().split('\n');
    expect(out.filter((l) => l.includes('=> np/srv['))).toEqual(['np/client[Deployment] => np/srv[Deployment] : TCP 3']);
    expect(a.problems).toEqual([
      'NetworkPolicy np/srv-in: spec.ingress[0].from[0].podSelector.matchExpressions[0]: NotIn needs values (the API refuses it empty); it is read as matching nothing',
      'NetworkPolicy np/srv-in: spec.ingress[1].from[0].podSelector.matchLabels.version: a label value must be a string (the API refuses 2); it is read as matching nothing',
    ]);
  });
});

describe('workload kinds', () => {
  test('a ReplicationController is a workload, as np-guard reads it', async () => {
    const out = await lines([
      `
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: np}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: main, image: registry.example/app:1.0, ports: [{containerPort: 8080}]}]`,
      deploy('np', 'client'),
      policy('np', 'legacy-in', `
podSelector: {matchLabels: {app: legacy}}
ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 8080}]}]`),
    ]);
    expect(out.filter((l) => l.includes('np/legacy['))).toEqual([
      'np/client[Deployment] => np/legacy[ReplicationController] : TCP 8080',
      `np/legacy[ReplicationController] => ${ALL_IPV4} : All Connections`,
      'np/legacy[ReplicationController] => np/client[Deployment] : All Connections',
    ]);
  });
});

describe('named ports towards addresses', () => {
  test('an egress rule on a named port reaches no external address (an address has no port names), its numbered ports do', async () => {
    const out = await lines([
      deploy('np', 'client'),
      policy('np', 'client-out', `
podSelector: {matchLabels: {app: client}}
policyTypes: [Egress]
egress: [{to: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: https}, {port: 8443}]}]`),
    ]);
    expect(out.filter((l) => l.startsWith('np/client['))).toEqual(['np/client[Deployment] => 203.0.113.0-203.0.113.255[External] : TCP 8443']);
  });
});
