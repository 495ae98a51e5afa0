/**
 * Network analysis benchmark: generated clusters of W workloads and W/5 NetworkPolicies (25
 * workloads and 5 policies per namespace), analysed by `analyzeSnapshot`, next to the
 * `JSON.parse` of the same snapshot as a floor.
 *
 *   npm run bench:network                  # 500, 2,000 and 5,000 workloads
 *   npm run bench:network -- --sizes 500   # one size
 *
 * Each namespace: a default deny of both directions (one namespace in ten has none), ingress
 * between tiers, from an `edge` team's namespaces on a named port, DNS egress to kube-system,
 * egress to the data team's databases, and in one namespace in four an egress ipBlock with
 * except. Workloads: 4 tiers, labels with the team and an id, a named port and a plain one;
 * one Service per namespace, LoadBalancer in one namespace in ten, and an Ingress.
 *
 * Each size also measures what a scan adds to store it (src/store/network-blobs.ts): the
 * canonical JSON, its SHA-256 and gzip, with their sizes. `--demo` measures the same for each
 * cluster of the demo fleet (config/demo-fleet), read as manifests; `--generated 10000` the
 * generated cluster bench:pipeline scans at that size.
 *
 * Markdown goes to stdout; progress to stderr.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { KubeObject, Snapshot } from '../src/core/types.js';
import { analyzeSnapshot } from '../src/evaluate/network/analyze.js';
import { formatNetwork } from '../src/evaluate/network/format.js';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { canonicalNetworkJson, type NetworkAnalysis } from '../src/core/network.js';
import { loadManifests } from '../src/collect/manifests.js';
import { generateSnapshot } from './fleet-generator.js';

const TIERS = ['web', 'api', 'worker', 'db'] as const;
const TEAMS = ['edge', 'core', 'data', 'ops'] as const;

function generate(workloads: number): Snapshot {
  const perNamespace = 25;
  const namespaceCount = Math.ceil(workloads / perNamespace);
  const namespaces: KubeObject[] = [{ kind: 'Namespace', metadata: { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } } }];
  const deployments: KubeObject[] = [];
  const policies: KubeObject[] = [];
  const services: KubeObject[] = [];
  const ingresses: KubeObject[] = [];
  const np = (ns: string, name: string, spec: Record<string, unknown>): void => void policies.push({ kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', metadata: { name, namespace: ns }, spec });
  for (let n = 0; n < namespaceCount; n++) {
    const ns = `ns-${n}`;
    const team = TEAMS[n % TEAMS.length]!;
    namespaces.push({ kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns, team } } });
    for (let i = 0; i < perNamespace && deployments.length < workloads; i++) {
      const tier = TIERS[i % TIERS.length]!;
      const labels = { app: `app-${i}`, tier, team };
      deployments.push({
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        metadata: { name: `app-${i}`, namespace: ns },
        spec: {
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'registry.example/app:1', ports: [{ name: 'http', containerPort: 8000 + (i % 7) }, { containerPort: tier === 'db' ? 5432 : 9090 }] }] } },
        },
      });
    }
    np(ns, 'default-deny', n % 10 === 9 ? { podSelector: { matchLabels: { tier: 'web' } }, policyTypes: ['Ingress'] } : { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    np(ns, 'tiers', {
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['api', 'worker'] }] },
      ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }, { podSelector: { matchLabels: { tier: 'api' } } }], ports: [{ port: 'http' }, { port: 9090 }] }],
    });
    np(ns, 'from-edge', {
      podSelector: { matchLabels: { tier: 'web' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'edge' } }, podSelector: { matchLabels: { tier: 'web' } } }], ports: [{ port: 'http' }] }],
    });
    np(ns, 'dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
    });
    np(ns, 'to-data', {
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { tier: 'db' } } }], ports: [{ port: 5432 }] },
        ...(n % 4 === 0 ? [{ to: [{ ipBlock: { cidr: `10.${n % 250}.0.0/16`, except: [`10.${n % 250}.96.0/20`] } }], ports: [{ port: 443, endPort: 8443 }] }] : []),
      ],
    });
    services.push({ kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { type: n % 10 === 0 ? 'LoadBalancer' : 'ClusterIP', selector: { tier: 'web', app: 'app-0' }, ports: [{ port: 80, targetPort: 'http' }] } });
    ingresses.push({ kind: 'Ingress', metadata: { name: 'web', namespace: ns }, spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } });
  }
  return {
    cluster: `bench-${workloads}`,
    labels: {},
    collectedAt: '2026-12-06T00:00:00Z',
    provider: 'unknown',
    objects: { namespaces, deployments, networkpolicies: policies, services, ingresses },
    controlPlane: [],
    kubelets: [],
    gaps: [],
    source: 'manifests',
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** What recording the analysis costs: canonical JSON, SHA-256 and gzip, and the sizes kept. */
function storeCost(a: NetworkAnalysis): { ms: number; json: number; gzip: number } {
  const t = performance.now();
  const json = canonicalNetworkJson(a);
  createHash('sha256').update(json).digest('hex');
  const gzip = gzipSync(json).length;
  return { ms: performance.now() - t, json: Buffer.byteLength(json), gzip };
}

const kib = (n: number): string => (n / 1024).toFixed(1);

/** The demo fleet's clusters, or with `--generated N` the cluster of N objects bench:pipeline scans. */
async function inputs(): Promise<Array<{ name: string; snapshot: Snapshot }>> {
  const g = process.argv.indexOf('--generated');
  if (g >= 0) {
    const objects = Number(process.argv[g + 1]);
    return [{ name: `bench:pipeline cluster, ${objects.toLocaleString('en')} objects`, snapshot: generateSnapshot({ cluster: 'bench', objects, seed: 1 }) }];
  }
  const dir = join(process.cwd(), 'config', 'demo-fleet');
  const out: Array<{ name: string; snapshot: Snapshot }> = [];
  for (const cluster of readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()).sort()) {
    out.push({ name: cluster, snapshot: (await loadManifests([join(dir, cluster)], { maxFileBytes: 64 * 1024 * 1024 })).snapshot });
  }
  return out;
}

async function demo(): Promise<void> {
  const rows: string[] = [];
  for (const { name: cluster, snapshot } of await inputs()) {
    analyzeSnapshot(snapshot, { exposure: true }); // warm-up
    const times: number[] = [];
    const stores: number[] = [];
    let a: NetworkAnalysis | undefined;
    let cost = { ms: 0, json: 0, gzip: 0 };
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      a = analyzeSnapshot(snapshot, { exposure: true });
      times.push(performance.now() - t);
      cost = storeCost(a);
      stores.push(cost.ms);
    }
    if (!a) continue;
    rows.push(`| ${cluster} | ${a.workloads} | ${a.policies} | ${a.connections.length} | ${median(times).toFixed(1)} ms | ${median(stores).toFixed(2)} ms | ${kib(cost.json)} | ${kib(cost.gzip)} |`);
  }
  process.stdout.write(
    [
      `load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; median of 5 runs`,
      '',
      '| cluster | workloads | policies | connection lines | analysis with exposure | JSON + SHA-256 + gzip | JSON (KiB) | gzip (KiB) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
}

function main(): void {
  if (process.argv.includes('--demo') || process.argv.includes('--generated')) {
    void demo();
    return;
  }
  const i = process.argv.indexOf('--sizes');
  const sizes = i >= 0 ? (process.argv[i + 1] ?? '').split(',').map(Number) : [500, 2000, 5000];
  const runs = 3;
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  const rows: string[] = [];
  for (const w of sizes) {
    if (!Number.isInteger(w) || w < 25) throw new Error(`--sizes: ${w} is not a workload count of 25 or more`);
    const json = JSON.stringify(generate(w));
    const parse: number[] = [];
    const analyze: number[] = [];
    const exposure: number[] = [];
    const format: number[] = [];
    const store: number[] = [];
    let kept = { ms: 0, json: 0, gzip: 0 };
    let result = analyzeSnapshot(JSON.parse(json) as Snapshot); // warm-up
    for (let r = 0; r < runs; r++) {
      let t = performance.now();
      const snapshot = JSON.parse(json) as Snapshot;
      parse.push(performance.now() - t);
      t = performance.now();
      result = analyzeSnapshot(snapshot);
      analyze.push(performance.now() - t);
      t = performance.now();
      const withExposure = analyzeSnapshot(snapshot, { exposure: true });
      exposure.push(performance.now() - t);
      t = performance.now();
      formatNetwork(withExposure, 'txt');
      format.push(performance.now() - t);
      kept = storeCost(withExposure);
      store.push(kept.ms);
    }
    const p = median(parse);
    const a = median(analyze);
    process.stderr.write(`${w} workloads done\n`);
    rows.push(
      `| ${w.toLocaleString('en')} | ${result.policies.toLocaleString('en')} | ${result.classes.toLocaleString('en')} | ${result.connections.length.toLocaleString('en')} | ${(json.length / 1024 / 1024).toFixed(1)} | ${p.toFixed(0)} ms | ${a.toFixed(0)} ms | ${(a / p).toFixed(1)}× | ${median(exposure).toFixed(0)} ms | ${median(format).toFixed(0)} ms | ${median(store).toFixed(0)} ms | ${kib(kept.json)} / ${kib(kept.gzip)} |`,
    );
  }
  process.stdout.write(
    [
      `load average at start: ${load}; median of ${runs} runs`,
      '',
      '| workloads | policies | pod classes | connection lines | snapshot JSON (MiB) | JSON.parse | analysis | ratio | analysis with exposure | txt output | store: JSON + SHA-256 + gzip | stored JSON / gzip (KiB) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      `\nload average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
      '',
    ].join('\n'),
  );
}

main();
