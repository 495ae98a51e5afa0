/**
 * How kube-proxy and its configuration file are recognised among a cluster's objects, the same
 * way by the collector, the manifest loader and CIS 4.3.1. The file sits in a ConfigMap that the
 * kube-proxy DaemonSet mounts (kubeadm: kube-system/kube-proxy, key config.conf; EKS:
 * kube-system/kube-proxy-config, key config). With `--config`, kube-proxy ignores most of its
 * flags, so this file is the evidence for its settings.
 *
 * Only ConfigMaps whose name starts with `kube-proxy` are looked at (the collector reads those of
 * kube-system), and of those only the keys that hold a KubeProxyConfiguration are kept: a
 * kubeconfig beside it (which could carry a token) never enters the snapshot.
 */
import type { KubeObject, KubeProxyConfigFile } from './types.js';

const CONFIG_KIND = /^kind:\s*KubeProxyConfiguration\s*$/m;

/** The kube-proxy DaemonSet of kube-system, by name or by its usual label (on the DaemonSet or, failing that, its pod template). */
export function isKubeProxyDaemonSet(ds: KubeObject): boolean {
  const labels = ds.metadata.labels ?? (ds.spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels;
  return ds.metadata.namespace === 'kube-system' && (ds.metadata.name === 'kube-proxy' || labels?.['k8s-app'] === 'kube-proxy');
}

export function kubeProxyConfigFiles(configMaps: readonly unknown[]): KubeProxyConfigFile[] {
  const out: KubeProxyConfigFile[] = [];
  for (const item of configMaps) {
    const cm = item as { metadata?: { name?: unknown; namespace?: unknown }; data?: unknown };
    const name = cm.metadata?.name;
    if (typeof name !== 'string' || !name.startsWith('kube-proxy') || typeof cm.data !== 'object' || cm.data === null) continue;
    for (const [key, text] of Object.entries(cm.data as Record<string, unknown>)) {
      if (typeof text === 'string' && CONFIG_KIND.test(text)) {
        out.push({ namespace: typeof cm.metadata?.namespace === 'string' ? cm.metadata.namespace : 'kube-system', configMap: name, key, text });
      }
    }
  }
  return out;
}
