import type { ClusterTarget, Gap, KubeObject, KubeletEvidence, ResourceKind, ServerVersion, Snapshot } from '../core/types.js';
import { ClusterAccessError, type AccessReason } from '../core/errors.js';
import { mapLimit } from '../core/concurrency.js';
import type { Logger } from '../core/log.js';
import { connect, type ApiResponse, type KubeApi } from './kube-client.js';
import type { RetryPolicy } from './retry.js';
import { ReadError, readErrorFromResponse, readErrorFromTransport } from './api-errors.js';
import { listAll } from './lister.js';
import { ENDPOINTS } from './resources.js';
import { MalformedObjectError, normalizeObject } from './normalize.js';
import { controlPlaneFromPods } from './control-plane.js';
import { detectProvider } from './provider.js';
import { isKubeProxyDaemonSet } from '../core/kube-proxy.js';
import { readKubeProxyConfigs } from './kube-proxy-config.js';
import { readAdmission } from './admission.js';

export interface CollectOptions {
  pageSize: number;
  requestTimeoutMs: number;
  /** Deadline for the whole cluster; what is unread by then becomes a `timeout` gap. */
  clusterTimeoutMs: number;
  /** Parallel requests against one API server. @default 4 */
  requestConcurrency?: number;
  /** Bytes of one answer read at most (collect.maxResponseSize). @default 256 MiB */
  maxResponseBytes?: number;
  /** Pages of one list read at most (collect.maxPages). @default 500 */
  maxPages?: number;
  /** How 429, 5xx and broken connections are retried; tests inject the clock and the dice. */
  retry?: Partial<RetryPolicy>;
  now: () => Date;
  log: Logger;
}

/** Reasons that mean the cluster as a whole cannot be assessed (as opposed to one list). */
const FATAL: Partial<Record<ReadError['reason'], AccessReason>> = {
  unreachable: 'unreachable',
  unauthorized: 'unauthorized',
  tls: 'tls',
  timeout: 'timeout',
};

/**
 * Turn one cluster into one Snapshot. Anything that cannot be read is recorded as a gap with
 * its reason and the rest is still collected; only a cluster that cannot be reached or
 * authenticated at all throws (ClusterAccessError, KubeconfigError).
 */
export async function collectCluster(target: ClusterTarget, opts: CollectOptions): Promise<Snapshot> {
  const concurrency = opts.requestConcurrency ?? 4;
  const api = await connect(target, { maxSockets: concurrency, ...(opts.retry ? { retry: opts.retry } : {}) });
  try {
    return await collectWith(api, target, opts, concurrency);
  } finally {
    api.close();
  }
}

async function collectWith(api: KubeApi, target: ClusterTarget, opts: CollectOptions, concurrency: number): Promise<Snapshot> {
  const log = opts.log.child({ cluster: target.name });
  const deadline = AbortSignal.timeout(opts.clusterTimeoutMs);
  const gaps: Gap[] = [];
  if (!api.tlsVerified) {
    // Evidence from a server whose identity was not checked could come from anyone in between.
    log.warn({ server: api.server }, 'TLS verification is off for this cluster (insecure-skip-tls-verify in its kubeconfig)');
    gaps.push({ evidence: 'apiServerIdentity', reason: 'tls-unverified', message: `${api.server} was read with TLS verification off (insecure-skip-tls-verify: true in the kubeconfig): its identity was not checked` });
  }
  const listOptions = {
    pageSize: opts.pageSize,
    timeoutMs: opts.requestTimeoutMs,
    signal: deadline,
    ...(opts.maxResponseBytes ? { maxResponseBytes: opts.maxResponseBytes } : {}),
    ...(opts.maxPages ? { maxPages: opts.maxPages } : {}),
  };

  const serverVersion = await readVersion(api, opts, deadline, gaps);

  const objects: Partial<Record<ResourceKind, KubeObject[]>> = {};
  const listGaps: Gap[] = [];
  await mapLimit(ENDPOINTS, concurrency, async (endpoint) => {
    try {
      // By index: a list restarted after a 410 names each malformed object once.
      const malformed = new Map<number, Gap>();
      const kept = await listAll(api, endpoint, listOptions, normalizer(endpoint.resource, malformed));
      objects[endpoint.resource] = kept;
      gaps.push(...malformed.values());
      log.debug({ resource: endpoint.resource, count: kept.length }, 'listed');
    } catch (err) {
      const e = readErrorFromTransport(err, `list ${endpoint.resource}`);
      // A custom resource the cluster does not define: nothing of it exists, so nothing is missing.
      if (endpoint.customResource && e.reason === 'not-found') {
        objects[endpoint.resource] = [];
        log.debug({ resource: endpoint.resource }, 'not installed');
        return;
      }
      listGaps.push({ evidence: endpoint.resource, reason: e.reason, message: e.message });
      log.warn({ resource: endpoint.resource, reason: e.reason, err: e.message }, 'resource not collected');
    }
  });

  refuseUnassessable(api.server, listGaps);
  gaps.push(...listGaps);

  const controlPlane = objects.pods ? controlPlaneFromPods(objects.pods) : [];
  if (!objects.pods) gaps.push({ evidence: 'controlPlane', reason: 'error', message: 'pods could not be listed, so control-plane mirror pods are unknown' });

  const kubelets = objects.nodes ? await readKubelets(api, objects.nodes, opts, deadline, gaps, concurrency) : [];
  if (!objects.nodes) gaps.push({ evidence: 'kubelets', reason: 'error', message: 'nodes could not be listed, so kubelet configurations are unknown' });
  // Only where a kube-proxy DaemonSet runs (or DaemonSets could not be listed): a cluster
  // without one neither needs the file nor should get a gap for a permission it need not grant.
  const kubeProxyConfigs =
    !objects.daemonsets || objects.daemonsets.some(isKubeProxyDaemonSet)
      ? await readKubeProxyConfigs(api, listOptions, gaps)
      : undefined;
  const admission = await readAdmission(api, listOptions, gaps);

  return {
    cluster: target.name,
    labels: target.labels,
    collectedAt: opts.now().toISOString(),
    ...(serverVersion ? { serverVersion } : {}),
    provider: detectProvider(serverVersion, objects.nodes ?? [], controlPlane),
    objects,
    controlPlane,
    kubelets,
    ...(kubeProxyConfigs ? { kubeProxyConfigs } : {}),
    admission,
    gaps,
    ...(api.tlsVerified ? {} : { tlsVerified: false as const }),
    source: 'cluster',
  };
}

/**
 * After the lists: a cluster is not assessed when an answer was not Kubernetes' (an HTML
 * portal, a proxy's error page, another kind of list: nothing it said can be trusted as
 * evidence), nor when no list at all could be read (it would be a clean-looking cluster of
 * zero objects).
 */
function refuseUnassessable(server: string, listGaps: readonly Gap[]): void {
  const foreign = listGaps.find((g) => g.reason === 'protocol');
  if (foreign) throw new ClusterAccessError('protocol', `${server}: not a Kubernetes API server's answer: ${foreign.message}`);
  if (listGaps.length < ENDPOINTS.length) return;
  const counts = new Map<string, number>();
  for (const g of listGaps) counts.set(g.reason, (counts.get(g.reason) ?? 0) + 1);
  const reasons = [...counts].map(([r, n]) => `${n} ${r}`).join(', ');
  const only = counts.size === 1 ? (listGaps[0]?.reason ?? 'error') : 'error';
  const reason: AccessReason = only === 'forbidden' || only === 'timeout' || only === 'unreachable' || only === 'tls' ? only : 'protocol';
  throw new ClusterAccessError(reason, `${server}: no resource could be listed (${listGaps.length} lists: ${reasons}); first: ${listGaps[0]?.message ?? ''}`);
}

/** A 200 /version that is not Kubernetes' version JSON means another kind of server answered. */
function parseVersion(res: ApiResponse, server: string): ServerVersion {
  const notKubernetes = (why: string): ClusterAccessError =>
    new ClusterAccessError('protocol', `${server}: GET /version: not a Kubernetes API server: ${why}`);
  if ((res.contentType.split(';')[0]?.trim().toLowerCase() ?? '') !== 'application/json') {
    throw notKubernetes(res.contentType ? `content type "${res.contentType.slice(0, 100)}"` : 'no content type');
  }
  let v: unknown;
  try {
    v = JSON.parse(res.body);
  } catch (err) {
    throw notKubernetes(`not JSON (${(err as Error).message})`);
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Partial<Record<keyof ServerVersion, unknown>>;
  if (typeof o.gitVersion !== 'string') throw notKubernetes('the answer has no "gitVersion"');
  const text = (x: unknown): string => (typeof x === 'string' ? x : '');
  return { major: text(o.major), minor: text(o.minor), gitVersion: o.gitVersion, ...(typeof o.platform === 'string' && o.platform ? { platform: o.platform } : {}) };
}

/** /version is the first call: it tells whether the cluster is reachable, accepts us, and is Kubernetes. */
async function readVersion(api: KubeApi, opts: CollectOptions, signal: AbortSignal, gaps: Gap[]): Promise<ServerVersion | undefined> {
  let error: ReadError;
  try {
    const res = await api.get('/version', { timeoutMs: opts.requestTimeoutMs, signal, ...(opts.maxResponseBytes ? { maxBytes: opts.maxResponseBytes } : {}) });
    if (res.status === 200) return parseVersion(res, api.server);
    error = readErrorFromResponse(res, 'GET /version');
  } catch (err) {
    if (err instanceof ClusterAccessError) throw err;
    error = readErrorFromTransport(err, `GET /version`);
  }
  const fatal = FATAL[error.reason];
  if (fatal) throw new ClusterAccessError(fatal, `${api.server}: ${error.message}`, { cause: error });
  gaps.push({ evidence: 'serverVersion', reason: error.reason, message: error.message });
  return undefined;
}

/** Normalizes each item as its page arrives; a malformed one is skipped and named (the resource is then incomplete evidence). */
function normalizer(resource: ResourceKind, malformed: Map<number, Gap>): (item: unknown, index: number) => KubeObject | undefined {
  return (item, index) => {
    try {
      return normalizeObject(item, resource, index, { adopt: true });
    } catch (err) {
      if (!(err instanceof MalformedObjectError)) throw err;
      malformed.set(index, { evidence: resource, reason: 'malformed', message: err.message });
      return undefined;
    }
  };
}

/** Each kubelet's effective configuration through the API server's node proxy. */
async function readKubelets(api: KubeApi, nodes: readonly KubeObject[], opts: CollectOptions, signal: AbortSignal, gaps: Gap[], concurrency: number): Promise<KubeletEvidence[]> {
  const results = await mapLimit(nodes, concurrency, async (node): Promise<KubeletEvidence> => {
    const name = node.metadata.name;
    const what = `GET nodes/${name}/proxy/configz`;
    try {
      const res = await api.get(`/api/v1/nodes/${encodeURIComponent(name)}/proxy/configz`, {
        timeoutMs: opts.requestTimeoutMs,
        signal,
        // The API server answers 503 for a kubelet it cannot dial: that does not pass in seconds,
        // and retrying each of hundreds of nodes would spend the cluster's deadline.
        retry: false,
        ...(opts.maxResponseBytes ? { maxBytes: opts.maxResponseBytes } : {}),
      });
      if (res.status !== 200) throw readErrorFromResponse(res, what);
      const body = JSON.parse(res.body) as { kubeletconfig?: Record<string, unknown> };
      if (!body.kubeletconfig || typeof body.kubeletconfig !== 'object') throw new ReadError('malformed', `${what}: no "kubeletconfig" object`);
      return { node: name, config: body.kubeletconfig };
    } catch (err) {
      const e = err instanceof SyntaxError ? new ReadError('malformed', `${what}: not JSON`) : readErrorFromTransport(err, what);
      gaps.push({ evidence: `kubelets/${name}`, reason: e.reason, message: e.message });
      return { node: name };
    }
  });
  if (results.length > 0 && results.every((k) => !k.config)) {
    gaps.push({ evidence: 'kubelets', reason: 'error', message: `no kubelet configuration could be read (${results.length} nodes)` });
  }
  return results;
}
