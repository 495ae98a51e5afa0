/**
 * Reads the admission side of a cluster: ValidatingAdmissionPolicies and their bindings, the
 * presence of other engines (Kyverno, Gatekeeper), and the PolicyReports other tools left.
 * Each object is reduced as its page arrives to the few fields posture reads; a PolicyReport
 * keeps its summary, never its results (their messages may quote anything).
 *
 * A 404 for a group means the cluster does not serve it (not installed, or a Kubernetes older
 * than admissionregistration v1 ValidatingAdmissionPolicy): nothing of it exists. Anything
 * else (403 above all) is a gap: what is there is unknown, never "not installed".
 */
import {
  ADMISSION_ACTIONS,
  CONTROL_ANNOTATION,
  MANAGED_BY_COMPLYD,
  MANAGED_BY_LABEL,
  type AdmissionAction,
  type AdmissionBindingInfo,
  type AdmissionEvidence,
  type AdmissionPolicyInfo,
  type EngineName,
  type EnginePresence,
  type ExternalPolicyReport,
  type PolicyReportSummary,
} from '../core/admission.js';
import type { LabelSelector, LabelSelectorRequirement } from '../core/label-selector.js';
import { SELECTOR_OPERATORS } from '../core/label-selector.js';
import type { Gap } from '../core/types.js';
import type { KubeApi } from './kube-client.js';
import { listAll, type ListOptions } from './lister.js';
import { readErrorFromTransport, type ReadError } from './api-errors.js';
import type { ListEndpoint } from './resources.js';

const ADMISSION = '/apis/admissionregistration.k8s.io/v1';
export const ADMISSION_ENDPOINTS = {
  policies: { resource: 'validatingadmissionpolicies', path: `${ADMISSION}/validatingadmissionpolicies` },
  bindings: { resource: 'validatingadmissionpolicybindings', path: `${ADMISSION}/validatingadmissionpolicybindings` },
  kyverno: { resource: 'clusterpolicies.kyverno.io', path: '/apis/kyverno.io/v1/clusterpolicies' },
  gatekeeper: { resource: 'constrainttemplates.templates.gatekeeper.sh', path: '/apis/templates.gatekeeper.sh/v1/constrainttemplates' },
  policyReports: { resource: 'policyreports.wgpolicyk8s.io', path: '/apis/wgpolicyk8s.io/v1alpha2/policyreports' },
  clusterPolicyReports: { resource: 'clusterpolicyreports.wgpolicyk8s.io', path: '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports' },
} as const satisfies Record<string, ListEndpoint>;

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const rec = (v: unknown): Raw => (isRecord(v) ? v : {});
/** Names and label values are at most 253 and 63 characters in Kubernetes; anything longer is cut, never held whole. */
const text = (v: unknown, max = 253): string | undefined => (typeof v === 'string' ? v.slice(0, max) : undefined);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(Math.floor(v), 1e9) : 0);

function metaOf(item: unknown): { name: string; namespace?: string; labels: Raw; annotations: Raw } | undefined {
  const meta = rec(rec(item).metadata);
  const name = text(meta.name);
  if (!name) return undefined;
  const namespace = text(meta.namespace);
  return { name, ...(namespace ? { namespace } : {}), labels: rec(meta.labels), annotations: rec(meta.annotations) };
}

function complydMarks(meta: { labels: Raw; annotations: Raw }): { managedByComplyd: boolean; control?: string } {
  const control = text(meta.annotations[CONTROL_ANNOTATION], 100);
  return { managedByComplyd: meta.labels[MANAGED_BY_LABEL] === MANAGED_BY_COMPLYD, ...(control ? { control } : {}) };
}

export function policyInfo(item: unknown): AdmissionPolicyInfo | undefined {
  const meta = metaOf(item);
  if (!meta) return undefined;
  const failurePolicy = text(rec(rec(item).spec).failurePolicy, 20);
  return { name: meta.name, ...complydMarks(meta), ...(failurePolicy ? { failurePolicy } : {}) };
}

function selectorOf(v: unknown): LabelSelector | undefined {
  if (!isRecord(v)) return undefined;
  const matchLabels = Object.fromEntries(Object.entries(rec(v.matchLabels)).flatMap(([k, x]) => (typeof x === 'string' ? [[k.slice(0, 317), x.slice(0, 63)]] : [])));
  const matchExpressions: LabelSelectorRequirement[] = (Array.isArray(v.matchExpressions) ? v.matchExpressions : []).slice(0, 100).flatMap((e): LabelSelectorRequirement[] => {
    const r = rec(e);
    const key = text(r.key, 317);
    const operator = SELECTOR_OPERATORS.find((o) => o === r.operator);
    if (!key || !operator) return [];
    const values = (Array.isArray(r.values) ? r.values : []).slice(0, 100).flatMap((x) => (typeof x === 'string' ? [x.slice(0, 63)] : []));
    return [{ key, operator, ...(values.length > 0 ? { values } : {}) }];
  });
  return { ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}), ...(matchExpressions.length > 0 ? { matchExpressions } : {}) };
}

export function bindingInfo(item: unknown): AdmissionBindingInfo | undefined {
  const meta = metaOf(item);
  if (!meta) return undefined;
  const spec = rec(rec(item).spec);
  const policyName = text(spec.policyName) ?? '';
  const actions = (Array.isArray(spec.validationActions) ? spec.validationActions : []).filter((a): a is AdmissionAction => ADMISSION_ACTIONS.includes(a as AdmissionAction));
  const namespaceSelector = selectorOf(rec(spec.matchResources).namespaceSelector);
  return { name: meta.name, policyName, actions: [...new Set(actions)], ...complydMarks(meta), ...(namespaceSelector ? { namespaceSelector } : {}) };
}

/** The producer of a report: its results' source when they agree on one, else its managed-by label. */
export function policyReportOf(item: unknown, kind: ExternalPolicyReport['kind']): ExternalPolicyReport | undefined {
  const meta = metaOf(item);
  if (!meta) return undefined;
  const body = rec(item);
  const results = Array.isArray(body.results) ? body.results : [];
  const sources = new Set(results.slice(0, 10_000).flatMap((r) => text(rec(r).source, 100) ?? []));
  const source = sources.size === 1 ? [...sources][0] : text(meta.labels[MANAGED_BY_LABEL], 100);
  const s = rec(body.summary);
  const summary: PolicyReportSummary = { pass: count(s.pass), fail: count(s.fail), warn: count(s.warn), error: count(s.error), skip: count(s.skip) };
  return { source: source ?? 'unknown', kind, name: meta.name, ...(kind === 'PolicyReport' && meta.namespace ? { namespace: meta.namespace } : {}), summary };
}

/** A list, or `absent` for a 404 (the group is not served), or undefined with a gap. */
async function readList<T>(api: KubeApi, endpoint: ListEndpoint, opts: ListOptions, keep: (item: unknown) => T | undefined, gaps: Gap[], evidence: string): Promise<T[] | 'absent' | ReadError> {
  try {
    return await listAll(api, endpoint, opts, keep);
  } catch (err) {
    const e = readErrorFromTransport(err, `list ${endpoint.resource}`);
    if (e.reason === 'not-found') return 'absent';
    gaps.push({ evidence, reason: e.reason, message: e.message });
    return e;
  }
}

async function enginePresence(api: KubeApi, endpoint: ListEndpoint, opts: ListOptions, gaps: Gap[], engine: EngineName): Promise<EnginePresence> {
  const found = await readList(api, endpoint, opts, () => true, gaps, `admission/${engine}`);
  if (found === 'absent') return { state: 'not-installed' };
  if (!Array.isArray(found)) return { state: 'unknown', reason: found.message };
  return { state: 'installed', policies: found.length };
}

/** The admission side of one cluster; what cannot be read is a gap (evidence `admission/...`). */
export async function readAdmission(api: KubeApi, opts: ListOptions, gaps: Gap[]): Promise<AdmissionEvidence> {
  const E = ADMISSION_ENDPOINTS;
  const [policies, bindings, kyverno, gatekeeper, namespaced, clusterWide] = await Promise.all([
    readList(api, E.policies, opts, policyInfo, gaps, 'admission/validatingadmissionpolicies'),
    readList(api, E.bindings, opts, bindingInfo, gaps, 'admission/validatingadmissionpolicybindings'),
    enginePresence(api, E.kyverno, opts, gaps, 'kyverno'),
    enginePresence(api, E.gatekeeper, opts, gaps, 'gatekeeper'),
    readList(api, E.policyReports, opts, (i) => policyReportOf(i, 'PolicyReport'), gaps, 'admission/policyreports'),
    readList(api, E.clusterPolicyReports, opts, (i) => policyReportOf(i, 'ClusterPolicyReport'), gaps, 'admission/clusterpolicyreports'),
  ]);
  const listed = <T>(r: T[] | 'absent' | ReadError): T[] | undefined => (r === 'absent' ? [] : Array.isArray(r) ? r : undefined);
  const reports = listed(namespaced) && listed(clusterWide) ? [...(listed(namespaced) ?? []), ...(listed(clusterWide) ?? [])] : undefined;
  const p = listed(policies);
  const b = listed(bindings);
  return {
    ...(p ? { policies: p } : {}),
    ...(b ? { bindings: b } : {}),
    engines: { kyverno, gatekeeper },
    ...(reports ? { policyReports: reports } : {}),
  };
}
