import type { Verdict } from '../../../core/types.js';
import { defineControl } from '../../define.js';
import { fail, pass } from '../../verdicts.js';
import { KUBE_PROXY_NEEDS, configMapOf, fileSource, flag, kubeProxies, withoutKubeProxy, type KubeProxy } from './kube-proxy.js';

const EXPECTED = 'a loopback address (default 127.0.0.1:10249) or empty (metrics server off)';

/** The host part of `host:port`, `[v6]:port`, a bare IP, or a bare IPv6 address. */
function hostOf(address: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(address);
  if (bracketed) return bracketed[1] ?? '';
  const colons = address.split(':').length - 1;
  return colons === 1 ? address.slice(0, address.indexOf(':')) : address;
}

export function isLoopback(address: string): boolean {
  const host = hostOf(address).toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function judge(kp: KubeProxy): Verdict {
  const metrics = flag(kp, 'metrics-bind-address');
  const config = flag(kp, 'config');
  if (config) {
    const ignored = metrics ? `; --metrics-bind-address=${metrics.value} is ignored while --config is given` : '';
    const cm = configMapOf(kp, config.value);
    const readIt = cm ? `kubectl -n ${cm.namespace} get configmap ${cm.name} -o yaml` : 'look at that file on a node';
    return {
      status: 'unknown',
      resource: kp.resource,
      evidence: { path: config.path, observed: `--config=${config.value}${ignored}`, expected: `metricsBindAddress in that file: ${EXPECTED}` },
      message:
        `kube-proxy takes its settings from ${config.value} (${fileSource(kp, config.value)}), and with --config it ignores the ` +
        '--metrics-bind-address flag. complyd collects neither ConfigMaps nor node files, so metricsBindAddress is unknown; to ' +
        `read it: ${readIt} (empty or 127.0.0.1:10249 is compliant).`,
    };
  }
  const path = metrics?.path ?? `${kp.containerPath}.command`;
  if (!metrics) return pass(kp.resource, { path, observed: '--metrics-bind-address <unset> (default 127.0.0.1:10249)', expected: EXPECTED });
  const observed = `--metrics-bind-address=${metrics.value}`;
  return metrics.value === '' || isLoopback(metrics.value) ? pass(kp.resource, { path, observed, expected: EXPECTED }) : fail(kp.resource, path, observed, EXPECTED);
}

export default defineControl({
  id: 'CIS-4.3.1',
  refs: { cis: '4.3.1', kubescape: ['C-0291'] },
  title: 'kube-proxy serves its metrics on loopback only',
  section: 'CIS 4.3: kube-proxy',
  severity: 'low',
  level: 'L1',
  frameworks: ['cis-1.12'],
  needs: KUBE_PROXY_NEEDS,
  rationale:
    'kube-proxy exposes its metrics (and, on the same port, its proxy mode and configuration) without authentication. Bound to ' +
    'every interface they are readable by anything that can reach the node, pods included, and tell an attacker how services are wired.',
  remediation:
    'Set metricsBindAddress: 127.0.0.1:10249 in the kube-proxy configuration (kubeadm: ConfigMap kube-system/kube-proxy, key config.conf), ' +
    'or --metrics-bind-address=127.0.0.1:10249 when kube-proxy runs without --config, then restart the kube-proxy pods. If Prometheus ' +
    'must scrape it, prefer a node-local proxy with authentication over binding to 0.0.0.0.',
  evaluate: (ctx) => {
    const proxies = kubeProxies(ctx);
    if (proxies.length === 0) {
      return withoutKubeProxy(ctx, 'check the k3s server/agent options on each node (--kube-proxy-arg metrics-bind-address=…; the default is 127.0.0.1:10249)');
    }
    return proxies.map(judge);
  },
});
