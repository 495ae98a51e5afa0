/**
 * Reads kube-proxy's configuration file from the ConfigMaps of kube-system; which ConfigMaps
 * and keys hold it is recognised in core/kube-proxy.ts.
 */
import type { Gap, KubeProxyConfigFile } from '../core/types.js';
import { kubeProxyConfigFiles } from '../core/kube-proxy.js';
import type { KubeApi } from './kube-client.js';
import { listAll, type ListOptions } from './lister.js';
import { readErrorFromTransport } from './api-errors.js';

const ENDPOINT = { resource: 'configmaps in kube-system', path: '/api/v1/namespaces/kube-system/configmaps' };

/** The kube-proxy configuration files of a cluster; undefined (and a gap) when they cannot be read. */
export async function readKubeProxyConfigs(api: KubeApi, opts: ListOptions, gaps: Gap[]): Promise<KubeProxyConfigFile[] | undefined> {
  try {
    return kubeProxyConfigFiles(await listAll(api, ENDPOINT, opts));
  } catch (err) {
    const e = readErrorFromTransport(err, `list ${ENDPOINT.resource}`);
    gaps.push({ evidence: 'kubeProxyConfig', reason: e.reason, message: e.message });
    return undefined;
  }
}
