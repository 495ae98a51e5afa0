/**
 * complyd's results as wgpolicyk8s.io/v1alpha2 PolicyReports (one per cluster and namespace)
 * and a ClusterPolicyReport per cluster (cluster-scoped resources), as multi-document YAML, so
 * Policy Reporter and other consumers show them. Pure: built from the report model.
 *
 * Statuses map to the CRD's results: fail stays fail (an excepted failure too, with its
 * disposition in properties: it is never a pass), unknown and error become error (the check
 * could not be made), manual becomes warn (a person must judge), not-applicable skip. Passes
 * are counted in the store, not itemised, so they are not listed here.
 */
import YAML from 'yaml';
import type { Status } from '../core/types.js';
import type { ReportFinding, RunReport } from './model.js';

type PolicyResult = 'pass' | 'fail' | 'warn' | 'error' | 'skip';
const RESULT_OF: Record<Status, PolicyResult> = { pass: 'pass', fail: 'fail', error: 'error', unknown: 'error', manual: 'warn', 'not-applicable': 'skip' };

/** Results listed per report at most: an object larger than etcd accepts (1.5 MiB) could not be applied. */
export const MAX_RESULTS_PER_REPORT = 2000;

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

/** One document to write: whose, which kind, and the items it lists. */
interface Doc {
  cluster: string;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  namespace?: string;
  items: Items;
}

const secondsOf = (run: RunReport) => Math.floor(Date.parse(run.run.startedAt) / 1000);

/** A report without its results: the envelope, with the summary counted from the listed items. */
function envelope(doc: Doc, run: RunReport): Record<string, unknown> {
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const i of doc.items.listed) summary[RESULT_OF[i.finding.status]]++;
  const omitted = doc.items.total - doc.items.listed.length;
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: doc.kind,
    metadata: {
      name: `complyd-${dnsLabel(doc.cluster)}`,
      ...(doc.namespace ? { namespace: doc.namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'complyd', 'complyd.io/cluster': dnsLabel(doc.cluster) },
      annotations: { 'complyd.io/run': run.run.id, ...(omitted > 0 ? { 'complyd.io/results-omitted': String(omitted) } : {}) },
    },
    summary,
  };
}

/**
 * The documents of every assessed cluster, in cluster then namespace order. Only the findings
 * listed are kept, the others counted: a cluster of 200,000 bare pods has two million, and a
 * control's findings are built only while it is read (report/model.ts).
 */
function documents(run: RunReport): Doc[] {
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
  const out: Doc[] = [];
  for (const cluster of run.clusters.filter((c) => c.status !== 'failed').map((c) => c.name)) {
    const keys = [...items.keys()].filter((k) => k.startsWith(`${cluster}\u0000`)).sort();
    out.push({ cluster, kind: 'ClusterPolicyReport', items: items.get(`${cluster}\u0000`) ?? { listed: [], total: 0 } });
    for (const k of keys) {
      const namespace = k.slice(cluster.length + 1);
      if (namespace) out.push({ cluster, kind: 'PolicyReport', namespace, items: items.get(k) ?? { listed: [], total: 0 } });
    }
  }
  return out;
}

/** The reports of every assessed cluster, in cluster then namespace order, as objects. */
export function policyReports(run: RunReport): Array<{ cluster: string; manifest: Record<string, unknown> }> {
  const seconds = secondsOf(run);
  return documents(run).map((d) => ({ cluster: d.cluster, manifest: { ...envelope(d, run), results: d.items.listed.map((i) => resultOf(i, seconds)) } }));
}

const YAML_OPTIONS = { lineWidth: 0 } as const;

/** Multi-document YAML, each document headed by the cluster it belongs to. */
export function renderPolicyReports(run: RunReport): string {
  return [...renderPolicyReportChunks(run)].join('');
}

/**
 * renderPolicyReports' text in pieces: each document's envelope, then its results one at a
 * time, each its own small YAML text indented as the `results` sequence's item (the YAML
 * library's document of a whole report, and its text, were the PolicyReport's peak). Joined,
 * the same text as the library writes for the whole document.
 */
export function* renderPolicyReportChunks(run: RunReport): Generator<string> {
  const seconds = secondsOf(run);
  for (const doc of documents(run)) {
    yield `---\n# cluster: ${doc.cluster}\n`;
    if (doc.items.listed.length === 0) {
      yield YAML.stringify({ ...envelope(doc, run), results: [] }, YAML_OPTIONS);
      continue;
    }
    yield `${YAML.stringify(envelope(doc, run), YAML_OPTIONS)}results:\n`;
    for (const item of doc.items.listed) yield indentItem(YAML.stringify([resultOf(item, seconds)], YAML_OPTIONS));
  }
}

/**
 * A one-item sequence's YAML moved two columns right, where a sequence under a key sits. Lines
 * end at \n only (not at U+2028, which a regular expression's ^ also takes), and empty lines
 * stay empty, as the library writes them.
 */
const indentItem = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
