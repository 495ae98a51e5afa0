/**
 * The PDF's "Network exposure" section, from analyses of fixture manifests: rendered, read back,
 * and checked for the section's text, the workloads highlighted as exposed, the period's
 * changes and the note of what the caps left out.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../../src/collect/manifests.js';
import { analyzeSnapshot } from '../../src/evaluate/network/analyze.js';
import { diffConnections } from '../../src/evaluate/network/diff.js';
import type { NetworkAnalysis } from '../../src/core/network.js';
import type { ClusterNetwork, RunReport } from '../../src/report/model.js';
import { reportSchema } from '../../src/report/report-schema.js';
import { renderPdf } from '../../src/report/pdf-report.js';
import { networkDrawing, MAX_GRAPH_NODES } from '../../src/report/network-graph.js';
import { sampleReport } from './fixtures.js';
import { readPdf, squash, textAfterContents } from './pdf-text.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'network');
const CREATED = new Date('2025-03-01T12:00:00.000Z');

async function analyze(path: string): Promise<NetworkAnalysis> {
  const loaded = await loadManifests([path]);
  expect(loaded.unreadable).toEqual([]);
  return analyzeSnapshot(loaded.snapshot, { exposure: true });
}

/** Many workloads without policies in a few namespaces: more than the drawing holds. */
function manyWorkloads(n: number): string {
  return Array.from({ length: n }, (_, i) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: svc-${String(i).padStart(2, '0')}, namespace: ns-${i % 3}}
spec:
  selector: {matchLabels: {app: svc-${i}}}
  template:
    metadata: {labels: {app: svc-${i}}}
    spec:
      containers: [{name: main, image: registry.example/app:1.0, ports: [{containerPort: ${8000 + i}}]}]
`).join('');
}

let picture: NetworkAnalysis;
let large: NetworkAnalysis;
let report: RunReport;
let text: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'complyd-pdf-network-'));
  picture = await analyze(join(FIXTURES, 'report-picture.yaml'));
  await writeFile(join(dir, 'many.yaml'), manyWorkloads(45));
  large = await analyze(join(dir, 'many.yaml'));
  // The earlier run: prometheus could not reach api yet, no Ingress led to web, and billing admitted web instead of api.
  const before = picture.connections.filter((l) => !(l.src === 'monitoring/prometheus[DaemonSet]' && l.dst === 'shop/api[Deployment]') && l.src !== '{ingress-controller}');
  const earlier = [...before.filter((l) => l.dst !== 'payments/billing[Deployment]'), { src: 'shop/web[Deployment]', dst: 'payments/billing[Deployment]', conn: 'TCP 8443' }];
  const network: ClusterNetwork[] = [
    { cluster: 'prod-eu', analysis: picture, changes: diffConnections(earlier, picture.connections), since: '2025-02-01T10:00:00.000Z' },
    { cluster: 'staging', analysis: large },
  ];
  report = { ...sampleReport(), network };
  const bytes = await renderPdf(report, { creationDate: CREATED });
  // COMPLYD_KEEP_PDF=FILE keeps the rendered report, to look at its pages.
  if (process.env.COMPLYD_KEEP_PDF) await writeFile(process.env.COMPLYD_KEEP_PDF, bytes);
  const pdf = await readPdf(bytes);
  text = textAfterContents(pdf);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const section = (from: string, to?: string) => text.slice(text.indexOf(from), to ? text.indexOf(to, text.indexOf(from)) : undefined);

describe('PDF network exposure', () => {
  it('is a report field the JSON schema accepts', () => {
    expect(reportSchema.safeParse(JSON.parse(JSON.stringify(report))).success).toBe(true);
  });

  it('has a section per cluster after the clusters and before the control details', () => {
    const at = text.indexOf('Network exposure Who can reach whom');
    expect(at).toBeGreaterThan(text.indexOf('3 Per cluster'));
    expect(at).toBeLessThan(text.indexOf('4 Control details'));
    expect(text).toContain('Network exposure on prod-eu');
    expect(text).toContain('Network exposure on staging');
  });

  it('counts the workloads and names the exposed ones with what they are open to', () => {
    const s = section('Network exposure on prod-eu', 'Network exposure on staging');
    expect(s).toContain('5 workload(s), 3 NetworkPolicy(ies)');
    expect(s).toContain('reachable from the internet');
    const table = squash(section('Most exposed workloads on prod-eu', 'Connections changed over the period on prod-eu'));
    // api through its LoadBalancer, web through the Ingress, prometheus to every pod; billing and db are not exposed.
    expect(table).toMatch(/shop\/api\[Deployment\] internet via Service shop\/api-public\[LoadBalancer\] on TCP 9000/);
    expect(table).toMatch(/shop\/web\[Deployment\] internet via an Ingress \(the ingress controller may connect on TCP 8080\)/);
    expect(table).toMatch(/monitoring\/ ?prometheus\[DaemonSet\] every pod of the cluster \(All Connections\)/);
    expect(table).not.toContain('payments/billing');
    expect(table).not.toContain('shop/db');
  });

  it('draws the graph with namespaces, the ingress controller, external ranges and exposed workloads', () => {
    const s = section('Network exposure on prod-eu', 'Most exposed workloads on prod-eu');
    for (const label of ['namespace shop', 'namespace payments', 'namespace monitoring', 'ingress controller', 'any pod of the cluster', 'internet', '(external, inbound)', '(external, outbound)', 'billing', 'prometheus']) expect(s).toContain(label);
    const d = networkDrawing(picture, { measure: (t: string, size: number) => t.length * size * 0.5 });
    expect(d.nodes.filter((n) => n.exposed).map((n) => n.id).sort()).toEqual(['monitoring/prometheus[DaemonSet]', 'shop/api[Deployment]', 'shop/web[Deployment]']);
    expect(d.groups.map((g) => g.namespace).sort()).toEqual(['monitoring', 'payments', 'shop']);
    // Every node sits inside the drawing, and every workload inside its namespace's box.
    for (const n of d.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width).toBeLessThanOrEqual(d.width + 0.5);
      const ns = /^([^/]+)\//.exec(n.id)?.[1];
      const box = d.groups.find((g) => g.namespace === ns);
      if (n.kind === 'workload') expect(box && n.x >= box.x && n.y >= box.y && n.x + n.width <= box.x + box.width && n.y + n.height <= box.y + box.height).toBe(true);
    }
    expect(d.omitted).toEqual({ workloads: 0, edges: 0 });
  });

  it("lists the period's changes", () => {
    const s = squash(section('Connections changed over the period on prod-eu', 'Network exposure on staging'));
    expect(s).toContain('since 2025-02-01 10:00 UTC');
    expect(s).toMatch(/added monitoring\/ ?prometheus\[DaemonSet\] shop\/api\[Deployment\] All Connections/);
    expect(s).toMatch(/added shop\/api\[Deployment\] payments\/ ?billing\[Deployment\] TCP 8443/);
    expect(s).toMatch(/new exposure \{ingress-controller\} shop\/web\[Deployment\] TCP 8080/);
    expect(s).toMatch(/removed shop\/web\[Deployment\] payments\/ ?billing\[Deployment\] TCP 8443/);
    const staging = section('Network exposure on staging');
    expect(staging).toContain('No earlier run of the period holds this cluster');
  });

  it('draws every namespace, a quiet one beside many exposed workloads', async () => {
    // shop isolates its two workloads (default deny, one allow); 40 open workloads elsewhere rank first by exposure.
    const quiet = join(dir, 'quiet.yaml');
    await writeFile(quiet, `${manyWorkloads(40)}${await readFile(join(FIXTURES, 'default-deny-ingress.yaml'), 'utf8')}`);
    const d = networkDrawing(await analyze(quiet), { measure: (t: string, size: number) => t.length * size * 0.5 });
    expect(d.groups.map((g) => g.namespace).sort()).toEqual(['ns-0', 'ns-1', 'ns-2', 'shop']);
    expect(d.nodes.filter((n) => n.kind === 'workload' && n.id.startsWith('shop/')).length).toBeGreaterThan(0);
    expect(d.nodes.length).toBeLessThanOrEqual(MAX_GRAPH_NODES);
  });

  it('draws a bounded graph and says how much it left out', () => {
    const d = networkDrawing(large, { measure: (t: string, size: number) => t.length * size * 0.5 });
    expect(d.nodes.length).toBeLessThanOrEqual(MAX_GRAPH_NODES);
    expect(d.omitted.workloads).toBe(45 - d.nodes.filter((n) => n.kind === 'workload').length);
    expect(d.omitted.workloads).toBeGreaterThan(0);
    // Every workload is open to the entire cluster: their mutual connections are drawn once, from "any pod".
    expect(d.implied).toBe(45 * 44);
    const s = squash(section('Network exposure on staging'));
    expect(s).toContain(`${d.omitted.workloads} more workload(s) and ${d.omitted.edges} more connection(s) not drawn`);
    expect(s).toContain('1,980 connection(s) into workloads open to the entire cluster are drawn once');
    expect(s).toContain('30 more exposed workload(s) not listed');
  });
});
