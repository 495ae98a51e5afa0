import type { EvidenceKind, KubeObject, ResourceRef, Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import type { Container, PodSpec } from '../../../core/pod-spec.js';
import { notApplicable } from '../../verdicts.js';
import { objectRef } from '../../../core/resource-ref.js';
import { isKubeProxyDaemonSet } from '../../../core/kube-proxy.js';

/**
 * Where kube-proxy shows itself through the API: the `kube-proxy` DaemonSet in kube-system
 * (kubeadm, EKS, most distributions) or, on RKE2 and kops, one static pod per node seen
 * through its mirror pod. Its settings are the container's flags, or a `--config` file.
 *
 * Absent kube-proxy: clusters that replace it (Cilium or another eBPF data path) have none,
 * so its controls do not apply; k3s runs it inside its own process, where the API cannot
 * see it, so a person has to check the node.
 */

export const KUBE_PROXY_NEEDS: readonly EvidenceKind[] = ['daemonsets', 'pods'];
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** One kube-proxy workload and the container that runs the binary. */
export interface KubeProxy {
  resource: ResourceRef;
  spec: PodSpec;
  /** e.g. `spec.template.spec`. */
  specPath: string;
  container: Container;
  /** e.g. `spec.template.spec.containers[kube-proxy]`. */
  containerPath: string;
}

function proxyOf(obj: KubeObject, spec: PodSpec | undefined, specPath: string): KubeProxy | undefined {
  const containers = spec?.containers ?? [];
  const container =
    containers.find((c) => c.name === 'kube-proxy') ?? containers.find((c) => argv(c).some((a) => /(^|\/)kube-proxy$/.test(a))) ?? containers[0];
  if (!spec || !container) return undefined;
  return {
    resource: objectRef(obj, 'kube-system'),
    spec,
    specPath,
    container,
    containerPath: `${specPath}.containers[${container.name}]`,
  };
}

/** Every kube-proxy the snapshot shows: DaemonSets, then static (mirror) pods. */
export function kubeProxies(ctx: EvalContext): readonly KubeProxy[] {
  return ctx.shared('cis-node/kube-proxies', () => {
    const out: KubeProxy[] = [];
    for (const ds of ctx.objects('daemonsets')) {
      if (!isKubeProxyDaemonSet(ds)) continue;
      const p = proxyOf(ds, (ds.spec?.template as { spec?: PodSpec } | undefined)?.spec, 'spec.template.spec');
      if (p) out.push(p);
    }
    for (const pod of ctx.objects('pods')) {
      const labels = pod.metadata.labels ?? {};
      const named = pod.metadata.name.startsWith('kube-proxy-') || labels.component === 'kube-proxy' || labels['k8s-app'] === 'kube-proxy';
      if (pod.metadata.namespace !== 'kube-system' || !pod.metadata.annotations?.[MIRROR_ANNOTATION] || !named) continue;
      const p = proxyOf(pod, pod.spec as PodSpec | undefined, 'spec');
      if (p) out.push(p);
    }
    return out;
  });
}

/**
 * The verdict when no kube-proxy is visible: nothing for offline manifests (they need not
 * contain it), `manual` on k3s (embedded, with `k3sCheck` saying what to look at),
 * not-applicable otherwise (no kube-proxy runs, e.g. an eBPF replacement).
 */
export function withoutKubeProxy(ctx: EvalContext, k3sCheck: string): Verdict[] {
  const cluster: ResourceRef = { kind: 'Cluster', name: ctx.snapshot.cluster };
  if (ctx.snapshot.source === 'manifests') return [];
  if (ctx.snapshot.provider === 'k3s') {
    return [{ status: 'manual', resource: cluster, message: `k3s runs kube-proxy inside the k3s process, so the API shows none of its settings: ${k3sCheck}` }];
  }
  return [
    notApplicable(
      cluster,
      'no kube-proxy DaemonSet or static pod in kube-system: the cluster runs no kube-proxy (for example an eBPF replacement such as Cilium)',
    ),
  ];
}

function argv(c: Container): string[] {
  return [...(c.command ?? []), ...(c.args ?? [])];
}

/** A flag as the container passes it, `$(VAR)` expanded from literal env values. */
export interface Flag {
  value: string;
  /** The field that carries it, e.g. `spec.template.spec.containers[kube-proxy].command`. */
  path: string;
}

/**
 * The last occurrence of `--name=value`, `--name value` or bare `--name` (true) in command
 * and args. A `sh -c "kube-proxy --x=y ..."` line is split on blanks.
 */
export function flag(kp: KubeProxy, name: string): Flag | undefined {
  let found: Flag | undefined;
  for (const field of ['command', 'args'] as const) {
    const tokens = (kp.container[field] ?? []).flatMap((a) => (/\s--/.test(a) ? a.trim().split(/\s+/) : [a]));
    tokens.forEach((t, i) => {
      const next = tokens[i + 1];
      if (t.startsWith(`--${name}=`)) found = { value: t.slice(name.length + 3), path: `${kp.containerPath}.${field}` };
      else if (t === `--${name}`) found = { value: next !== undefined && !next.startsWith('-') ? next : 'true', path: `${kp.containerPath}.${field}` };
    });
  }
  return found && { ...found, value: expand(found.value, kp.container) };
}

function expand(value: string, c: Container): string {
  const env = new Map((c.env ?? []).flatMap((e) => (e.value !== undefined ? [[e.name, e.value] as const] : [])));
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, v: string) => env.get(v) ?? whole);
}

/** The volume (and its mount) that holds a file path inside the container, by longest mount path. */
export function volumeFor(kp: KubeProxy, file: string): { volume: Record<string, unknown> & { name: string }; mountPath: string } | undefined {
  const mounts = ((kp.container as { volumeMounts?: Array<{ name: string; mountPath: string }> }).volumeMounts ?? [])
    .filter((m) => file === m.mountPath || file.startsWith(m.mountPath.endsWith('/') ? m.mountPath : `${m.mountPath}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const m of mounts) {
    const volume = kp.spec.volumes?.find((v) => v.name === m.name);
    if (volume) return { volume, mountPath: m.mountPath };
  }
  return undefined;
}

/** The ConfigMap (and key) a file inside the container is projected from, if any. */
export function configMapOf(kp: KubeProxy, file: string): { namespace: string; name: string; key: string } | undefined {
  const found = volumeFor(kp, file);
  const name = (found?.volume.configMap as { name?: string } | undefined)?.name;
  if (!found || !name) return undefined;
  return { namespace: kp.resource.namespace ?? 'kube-system', name, key: file.slice(found.mountPath.length).replace(/^\//, '') };
}

/** Where a file inside the container comes from, in words: a ConfigMap key, a host file... */
export function fileSource(kp: KubeProxy, file: string): string {
  const cm = configMapOf(kp, file);
  if (cm) return `ConfigMap ${cm.namespace}/${cm.name}${cm.key ? `, key ${cm.key}` : ''}`;
  const found = volumeFor(kp, file);
  if (!found) return 'a file inside the container image';
  const { volume, mountPath } = found;
  const rest = file.slice(mountPath.length).replace(/^\//, '');
  const host = volume.hostPath as { path?: string } | undefined;
  if (host?.path) return `host file ${rest ? `${host.path.replace(/\/$/, '')}/${rest}` : host.path} on each node`;
  return `volume ${volume.name}`;
}
