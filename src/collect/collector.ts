import type { ClusterTarget, Gap, KubeObject, KubeletEvidence, ResourceKind, ServerVersion, Snapshot } from '../core/types.js';
import { ClusterAccessError, type AccessReason } from '../core/errors.js';
import { mapLimit } from '../core/concurrency.js';
import type { Logger } from '../core/log.js';
import { connect, type KubeApi } from './kube-client.js';
import { ReadError, readErrorFromResponse, readErrorFromTransport } from './api-errors.js';
import { listAll } from './lister.js';
import { ENDPOINTS } from './resources.js';
import { MalformedObjectError, normalizeObject } from './normalize.js';
import { controlPlaneFromPods } from './control-plane.js';
import { detectProvider } from './provider.js';
import { isKubeProxyDaemonSet } from '../core/kube-proxy.js';
import { readKubeProxyConfigs } from './kube-proxy-config.js';

export interface CollectOptions {
  pageSize: number;
  requestTimeoutMs: number;
  /** Deadline for the whole cluster; what is unread by then becomes a `timeout` gap. */
  clusterTimeoutMs: number;
  /** Parallel requests against one API server. @default 4 */
  requestConcurrency?: number;
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
  const api = await connect(target, { maxSockets: concurrency });
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

  const serverVersion = await readVersion(api, opts, deadline, gaps);

  const objects: Partial<Record<ResourceKind, KubeObject[]>> = {};
  await mapLimit(ENDPOINTS, concurrency, async (endpoint) => {
    try {
      const raw = await listAll(api, endpoint, { pageSize: opts.pageSize, timeoutMs: opts.requestTimeoutMs, signal: deadline });
      objects[endpoint.resource] = normalizeAll(raw, endpoint.resource, gaps);
      log.debug({ resource: endpoint.resource, count: raw.length }, 'listed');
    } catch (err) {
      const e = readErrorFromTransport(err, `list ${endpoint.resource}`);
      gaps.push({ evidence: endpoint.resource, reason: e.reason, message: e.message });
      log.warn({ resource: endpoint.resource, reason: e.reason, err: e.message }, 'resource not collected');
    }
  });

  const controlPlane = objects.pods ? controlPlaneFromPods(objects.pods) : [];
  if (!objects.pods) gaps.push({ evidence: 'controlPlane', reason: 'error', message: 'pods could not be listed, so control-plane mirror pods are unknown' });

  const kubelets = objects.nodes ? await readKubelets(api, objects.nodes, opts, deadline, gaps, concurrency) : [];
  if (!objects.nodes) gaps.push({ evidence: 'kubelets', reason: 'error', message: 'nodes could not be listed, so kubelet configurations are unknown' });
  // Only where a kube-proxy DaemonSet runs (or DaemonSets could not be listed): a cluster
  // without one neither needs the file nor should get a gap for a permission it need not grant.
  const kubeProxyConfigs =
    !objects.daemonsets || objects.daemonsets.some(isKubeProxyDaemonSet)
      ? await readKubeProxyConfigs(api, { pageSize: opts.pageSize, timeoutMs: opts.requestTimeoutMs, signal: deadline }, gaps)
      : undefined;

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
    gaps,
    source: 'cluster',
  };
}

/** /version is the first call: it tells whether the cluster is reachable and accepts us. */
async function readVersion(api: KubeApi, opts: CollectOptions, signal: AbortSignal, gaps: Gap[]): Promise<ServerVersion | undefined> {
  let error: ReadError;
  try {
    const res = await api.get('/version', { timeoutMs: opts.requestTimeoutMs, signal });
    if (res.status === 200) {
      const v = JSON.parse(res.body) as Partial<ServerVersion>;
      if (typeof v.gitVersion === 'string') {
        return { major: String(v.major ?? ''), minor: String(v.minor ?? ''), gitVersion: v.gitVersion, ...(v.platform ? { platform: v.platform } : {}) };
      }
      error = new ReadError('malformed', 'GET /version: answer has no gitVersion');
    } else error = readErrorFromResponse(res, 'GET /version');
  } catch (err) {
    error = err instanceof SyntaxError ? new ReadError('malformed', `GET /version: not JSON (${err.message})`) : readErrorFromTransport(err, `GET /version`);
  }
  const fatal = FATAL[error.reason];
  if (fatal) throw new ClusterAccessError(fatal, `${api.server}: ${error.message}`, { cause: error });
  gaps.push({ evidence: 'serverVersion', reason: error.reason, message: error.message });
  return undefined;
}

function normalizeAll(raw: unknown[], resource: ResourceKind, gaps: Gap[]): KubeObject[] {
  const out: KubeObject[] = [];
  raw.forEach((item, index) => {
    try {
      out.push(normalizeObject(item, resource, index, { adopt: true }));
    } catch (err) {
      if (!(err instanceof MalformedObjectError)) throw err;
      // One malformed object is skipped and named; the resource is then incomplete evidence.
      gaps.push({ evidence: resource, reason: 'malformed', message: err.message });
    }
  });
  return out;
}

/** Each kubelet's effective configuration through the API server's node proxy. */
async function readKubelets(api: KubeApi, nodes: readonly KubeObject[], opts: CollectOptions, signal: AbortSignal, gaps: Gap[], concurrency: number): Promise<KubeletEvidence[]> {
  const results = await mapLimit(nodes, concurrency, async (node): Promise<KubeletEvidence> => {
    const name = node.metadata.name;
    const what = `GET nodes/${name}/proxy/configz`;
    try {
      const res = await api.get(`/api/v1/nodes/${encodeURIComponent(name)}/proxy/configz`, { timeoutMs: opts.requestTimeoutMs, signal });
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
