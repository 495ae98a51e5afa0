import type { KubeProxyConfigFile, Verdict } from '../../../core/types.js';
import { defineControl } from '../../define.js';
import { fail, pass } from '../../verdicts.js';
import { parse as parseYaml } from 'yaml';
import { isIP } from 'node:net';
import type { EvalContext } from '../../../evaluate/context.js';
import { KUBE_PROXY_NEEDS, configMapOf, fileSource, flag, kubeProxies, withoutKubeProxy, type Flag, type KubeProxy } from './kube-proxy.js';

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
  return host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * kube-proxy validates metricsBindAddress as IP:port and exits on anything else, a host name
 * such as `localhost` included: such a value is not judged (unknown), never passed. A value
 * still holding `$(VAR)` is the node's address at run time, not loopback, and is judged.
 */
function refusedAddress(address: string): string | undefined {
  const host = hostOf(address);
  if (address === '' || host.includes('$(') || isIP(host) !== 0) return undefined;
  return `"${host}" is not an IP address: kube-proxy accepts only IP:port for its metrics address and refuses to start with this one`;
}

type ConfigMapKey = NonNullable<ReturnType<typeof configMapOf>>;

/** metricsBindAddress as the configuration file in a ConfigMap sets it. */
function judgeFile(kp: KubeProxy, cm: ConfigMapKey, file: KubeProxyConfigFile, ignored: string): Verdict {
  const path = `ConfigMap ${cm.namespace}/${cm.name} [${cm.key}].metricsBindAddress`;
  let value: unknown;
  try {
    value = (parseYaml(file.text) as { metricsBindAddress?: unknown } | null)?.metricsBindAddress;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { status: 'unknown', resource: kp.resource, evidence: { path, observed: `not readable YAML: ${why}`, expected: EXPECTED }, message: `kube-proxy's configuration in ConfigMap ${cm.namespace}/${cm.name} (key ${cm.key}) could not be parsed: ${why}` };
  }
  if (value !== undefined && value !== null && typeof value !== 'string') {
    return { status: 'unknown', resource: kp.resource, evidence: { path, observed: JSON.stringify(value), expected: EXPECTED }, message: 'metricsBindAddress is not a string' };
  }
  // Unset or empty, kube-proxy serves its metrics on the default 127.0.0.1:10249.
  const observed = (value === undefined || value === null ? '<unset> (default 127.0.0.1:10249)' : value === '' ? '"" (default 127.0.0.1:10249)' : value) + ignored;
  const refused = value ? refusedAddress(value) : undefined;
  if (refused) return { status: 'unknown', resource: kp.resource, evidence: { path, observed, expected: EXPECTED }, message: refused };
  return !value || isLoopback(value) ? pass(kp.resource, { path, observed, expected: EXPECTED }) : fail(kp.resource, path, observed, EXPECTED);
}

/** Why the file behind `--config` is not in the evidence. */
function whyUnread(ctx: EvalContext, cm: ConfigMapKey | undefined): string {
  if (!cm) return 'Complyd does not read node files';
  const gap = ctx.snapshot.gaps.find((g) => g.evidence === 'kubeProxyConfig');
  if (gap) return `The ConfigMaps of ${cm.namespace} could not be read (${gap.message})`;
  if (ctx.snapshot.kubeProxyConfigs) return `ConfigMap ${cm.namespace}/${cm.name} has no key ${cm.key} holding a KubeProxyConfiguration`;
  return `ConfigMap ${cm.namespace}/${cm.name} is not among the evidence`;
}

/** kube-proxy run with `--config`: the file decides, when complyd could read it from its ConfigMap. */
function judgeConfigFile(ctx: EvalContext, kp: KubeProxy, config: Flag, ignoredFlag: Flag | undefined): Verdict {
  const ignored = ignoredFlag ? `; --metrics-bind-address=${ignoredFlag.value} is ignored while --config is given` : '';
  const cm = configMapOf(kp, config.value);
  const file = cm && ctx.snapshot.kubeProxyConfigs?.find((f) => f.namespace === cm.namespace && f.configMap === cm.name && f.key === cm.key);
  if (cm && file) return judgeFile(kp, cm, file, ignored);
  const readIt = cm ? `kubectl -n ${cm.namespace} get configmap ${cm.name} -o yaml` : 'look at that file on a node';
  return {
    status: 'unknown',
    resource: kp.resource,
    evidence: { path: config.path, observed: `--config=${config.value}${ignored}`, expected: `metricsBindAddress in that file: ${EXPECTED}` },
    message:
      `kube-proxy takes its settings from ${config.value} (${fileSource(kp, config.value)}), and with --config it ignores the ` +
      `--metrics-bind-address flag. ${whyUnread(ctx, cm)}, so metricsBindAddress is unknown; to ` +
      `read it: ${readIt} (empty or 127.0.0.1:10249 is compliant).`,
  };
}

function judge(ctx: EvalContext, kp: KubeProxy): Verdict {
  const metrics = flag(kp, 'metrics-bind-address');
  const config = flag(kp, 'config');
  if (config) return judgeConfigFile(ctx, kp, config, metrics);
  const path = metrics?.path ?? `${kp.containerPath}.command`;
  if (!metrics) return pass(kp.resource, { path, observed: '--metrics-bind-address <unset> (default 127.0.0.1:10249)', expected: EXPECTED });
  const observed = `--metrics-bind-address=${metrics.value}`;
  const refused = refusedAddress(metrics.value);
  if (refused) return { status: 'unknown', resource: kp.resource, evidence: { path, observed, expected: EXPECTED }, message: refused };
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
  alsoReads: ['kubeProxyConfig'],
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
    return proxies.map((kp) => judge(ctx, kp));
  },
});
