/**
 * Server-side apply of manifests to clusters (`complyd policy apply`): the only code besides the
 * collector that talks to Kubernetes, and the only one that writes. Each object is read (GET,
 * 404 = absent) and then applied with complyd's field manager and without force, so a field
 * someone else owns is reported as a conflict, never taken over. With `dryRun` the server
 * answers as if it applied (`dryRun=All`) and stores nothing; the diff compares the live
 * object with that answer.
 *
 * Failures are values: one object's conflict or 403 is that object's outcome, a cluster that
 * cannot be reached is that cluster's result, and nothing here throws for either.
 */
import type { ClusterTarget } from '../core/types.js';
import { mapLimit } from '../core/concurrency.js';
import { connect, type ApiResponse, type KubeApi } from './kube-client.js';
import { diffSpecs, type DiffLine } from './apply-diff.js';

export const FIELD_MANAGER = 'complyd';
const APPLY_PATCH = 'application/apply-patch+yaml';
/** One policy or binding is a few KiB; an answer past this is no answer to an apply. */
const MAX_ANSWER_BYTES = 4 * 2 ** 20;

/** The kinds `policy apply` writes, and where they live (both cluster-scoped). */
const PATHS: Readonly<Record<string, string>> = {
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
};

export interface ApplyManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec?: unknown;
}

export type ApplyOutcome = 'created' | 'configured' | 'unchanged' | 'conflict' | 'forbidden' | 'error';

export interface ObjectApplyResult {
  readonly kind: string;
  readonly name: string;
  readonly outcome: ApplyOutcome;
  /** The API's message for conflict, forbidden and error. */
  readonly message?: string;
  /** From the live object to what the server answered (empty when unchanged or failed). */
  readonly diff: readonly DiffLine[];
}

export interface ClusterApplyResult {
  readonly cluster: string;
  readonly dryRun: boolean;
  readonly objects: readonly ObjectApplyResult[];
  /** Set when the cluster could not be reached (kubeconfig, network, TLS): no object was tried past it. */
  readonly unreachable?: string;
}

export interface ApplyOptions {
  readonly dryRun: boolean;
  /** Never true from the command line: taking over another manager's fields is a decision for a human. @default false */
  readonly force?: boolean;
  readonly timeoutMs: number;
  /** Clusters worked on at once by {@link applyToFleet}. @default 4 */
  readonly concurrency?: number;
}

type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});

function parseBody(res: ApiResponse): Raw {
  try {
    return rec(JSON.parse(res.body));
  } catch {
    return {};
  }
}

/** The API's message (a Status body's), or the start of the body. */
function messageOf(res: ApiResponse): string {
  const body = parseBody(res);
  const text = typeof body.message === 'string' ? body.message : res.body.trim().slice(0, 300);
  return `HTTP ${res.status}: ${text || 'no message'}`;
}

function objectDiff(live: Raw | undefined, answered: Raw): DiffLine[] {
  const lm = rec(live?.metadata);
  const am = rec(answered.metadata);
  return [
    ...diffSpecs(lm.labels, am.labels, '.metadata.labels'),
    ...diffSpecs(lm.annotations, am.annotations, '.metadata.annotations'),
    ...diffSpecs(live?.spec, answered.spec),
  ];
}

/** A transport failure: the cluster, not the object, is the problem. */
class Unreachable extends Error {}

async function applyOne(api: KubeApi, m: ApplyManifest, opts: ApplyOptions): Promise<ObjectApplyResult> {
  const base = { kind: m.kind, name: m.metadata.name };
  const collection = PATHS[`${m.apiVersion}/${m.kind}`];
  if (!collection) return { ...base, outcome: 'error', message: `${m.apiVersion} ${m.kind} is not a kind policy apply writes`, diff: [] };
  const path = `${collection}/${encodeURIComponent(m.metadata.name)}`;
  const call = async (f: () => Promise<ApiResponse>): Promise<ApiResponse> => {
    try {
      return await f();
    } catch (err) {
      throw new Unreachable(err instanceof Error ? err.message : String(err), { cause: err });
    }
  };
  const current = await call(() => api.get(path, { timeoutMs: opts.timeoutMs, maxBytes: MAX_ANSWER_BYTES }));
  if (current.status === 403) return { ...base, outcome: 'forbidden', message: messageOf(current), diff: [] };
  if (current.status !== 200 && current.status !== 404) return { ...base, outcome: 'error', message: `reading it: ${messageOf(current)}`, diff: [] };
  const live = current.status === 200 ? parseBody(current) : undefined;
  const query = { fieldManager: FIELD_MANAGER, force: opts.force ? 'true' : 'false', ...(opts.dryRun ? { dryRun: 'All' } : {}) };
  const res = await call(() => api.patch(path, JSON.stringify(m), { contentType: APPLY_PATCH, query, timeoutMs: opts.timeoutMs, maxBytes: MAX_ANSWER_BYTES }));
  if (res.status === 409) return { ...base, outcome: 'conflict', message: messageOf(res), diff: [] };
  if (res.status === 403) return { ...base, outcome: 'forbidden', message: messageOf(res), diff: [] };
  if (res.status !== 200 && res.status !== 201) return { ...base, outcome: 'error', message: messageOf(res), diff: [] };
  const diff = objectDiff(live, parseBody(res));
  const outcome: ApplyOutcome = res.status === 201 || !live ? 'created' : diff.length > 0 ? 'configured' : 'unchanged';
  return { ...base, outcome, diff };
}

/** Apply `manifests` to one cluster, in order (a binding after its policy). */
export async function applyManifests(target: ClusterTarget, manifests: readonly ApplyManifest[], opts: ApplyOptions): Promise<ClusterApplyResult> {
  let api: KubeApi;
  try {
    api = await connect(target, { maxSockets: 2 });
  } catch (err) {
    return { cluster: target.name, dryRun: opts.dryRun, objects: [], unreachable: err instanceof Error ? err.message : String(err) };
  }
  const objects: ObjectApplyResult[] = [];
  try {
    for (const m of manifests) objects.push(await applyOne(api, m, opts));
    return { cluster: target.name, dryRun: opts.dryRun, objects };
  } catch (err) {
    return { cluster: target.name, dryRun: opts.dryRun, objects, unreachable: err instanceof Error ? err.message : String(err) };
  } finally {
    api.close();
  }
}

/** {@link applyManifests} on every cluster; one cluster's failure is its own result. */
export function applyToFleet(targets: readonly ClusterTarget[], manifests: readonly ApplyManifest[], opts: ApplyOptions): Promise<ClusterApplyResult[]> {
  return mapLimit(targets, opts.concurrency ?? 4, (t) => applyManifests(t, manifests, opts));
}
