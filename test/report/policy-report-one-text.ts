/**
 * The PolicyReport renderer as it was before it wrote in pieces (each document built whole by
 * the YAML library, all joined), kept as the reference the piecewise renderer must match byte
 * for byte. Test code only.
 */
import YAML from 'yaml';
import type { Status } from '../../src/core/types.js';
import type { ReportFinding, RunReport } from '../../src/report/model.js';

type PolicyResult = 'pass' | 'fail' | 'warn' | 'error' | 'skip';
const RESULT_OF: Record<Status, PolicyResult> = { pass: 'pass', fail: 'fail', error: 'error', unknown: 'error', manual: 'warn', 'not-applicable': 'skip' };

/** Results listed per report at most: an object larger than etcd accepts (1.5 MiB) could not be applied. */
const MAX_RESULTS_PER_REPORT = 2000;

const dnsLabel = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'cluster';

interface Item {
  controlId: string;
  title: string;
  severity: string;
  category: string;
  finding: ReportFinding;
}

function resultOf(item: Item, seconds: number): Record<string, unknown> {
  const f = item.finding;
  const r = f.resource;
  const properties: Record<string, string> = {
    complydStatus: f.status,
    fingerprint: f.fingerprint,
    ...(f.disposition ? { disposition: f.disposition } : {}),
    ...(f.exceptionId ? { exception: f.exceptionId } : {}),
    ...(r.container ? { container: r.container } : {}),
    ...(f.evidence ? { path: f.evidence.path, observed: f.evidence.observed, expected: f.evidence.expected } : {}),
  };
  return {
    source: 'complyd',
    policy: item.controlId,
    category: item.category,
    severity: item.severity,
    result: RESULT_OF[f.status],
    scored: true,
    timestamp: { seconds, nanos: 0 },
    message: f.message ?? (f.evidence ? `${item.title}: ${f.evidence.path} = ${f.evidence.observed} (expected ${f.evidence.expected})` : item.title),
    resources: [{ kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}), ...(r.apiVersion ? { apiVersion: r.apiVersion } : {}), ...(r.uid ? { uid: r.uid } : {}) }],
    properties,
  };
}

/** The first MAX_RESULTS_PER_REPORT items of a report, and how many there are in all. */
interface Items {
  listed: Item[];
  total: number;
}

function report(kind: 'PolicyReport' | 'ClusterPolicyReport', cluster: string, namespace: string | undefined, items: Items, report: RunReport): Record<string, unknown> {
  const seconds = Math.floor(Date.parse(report.run.startedAt) / 1000);
  const results = items.listed.map((i) => resultOf(i, seconds));
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) summary[r.result as PolicyResult]++;
  const omitted = items.total - items.listed.length;
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind,
    metadata: {
      name: `complyd-${dnsLabel(cluster)}`,
      ...(namespace ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'complyd', 'complyd.io/cluster': dnsLabel(cluster) },
      annotations: { 'complyd.io/run': report.run.id, ...(omitted > 0 ? { 'complyd.io/results-omitted': String(omitted) } : {}) },
    },
    summary,
    results,
  };
}

/** The reports of every assessed cluster, in cluster then namespace order. */
function policyReports(run: RunReport): Array<{ cluster: string; manifest: Record<string, unknown> }> {
  // Only the findings listed are kept, the others counted: a cluster of 200,000 bare pods has
  // two million, and a control's findings are built only while it is read (report/model.ts).
  const items = new Map<string, Items>();
  for (const c of run.controls) {
    for (const f of c.findings) {
      const key = `${f.cluster}\u0000${f.resource.namespace ?? ''}`;
      let list = items.get(key);
      if (!list) items.set(key, (list = { listed: [], total: 0 }));
      list.total += 1;
      if (list.listed.length < MAX_RESULTS_PER_REPORT) list.listed.push({ controlId: c.id, title: c.title, severity: c.severity, category: c.section || 'complyd', finding: f });
    }
  }
  const out: Array<{ cluster: string; manifest: Record<string, unknown> }> = [];
  for (const cluster of run.clusters.filter((c) => c.status !== 'failed').map((c) => c.name)) {
    const keys = [...items.keys()].filter((k) => k.startsWith(`${cluster}\u0000`)).sort();
    const clusterScoped = items.get(`${cluster}\u0000`) ?? { listed: [], total: 0 };
    out.push({ cluster, manifest: report('ClusterPolicyReport', cluster, undefined, clusterScoped, run) });
    for (const k of keys) {
      const ns = k.slice(cluster.length + 1);
      if (ns) out.push({ cluster, manifest: report('PolicyReport', cluster, ns, items.get(k) ?? { listed: [], total: 0 }, run) });
    }
  }
  return out;
}

/** Multi-document YAML, each document headed by the cluster it belongs to. */
export function renderPolicyReportsOneText(run: RunReport): string {
  return policyReports(run)
    .map((r) => `---\n# cluster: ${r.cluster}\n${YAML.stringify(r.manifest, { lineWidth: 0 })}`)
    .join('');
}
