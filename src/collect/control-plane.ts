import type { ControlPlaneComponent, KubeObject } from '../core/types.js';
import { COMPONENT_NAMES } from '../core/components.js';
import type { PodSpec } from '../core/pod-spec.js';

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** Which control-plane component a static pod runs: its `component` label, else its name. */
function componentOf(pod: KubeObject): string | undefined {
  const label = pod.metadata.labels?.component;
  if (label && (COMPONENT_NAMES as readonly string[]).includes(label)) return label;
  return COMPONENT_NAMES.find((c) => pod.metadata.name === c || pod.metadata.name.startsWith(`${c}-`));
}

/**
 * Control-plane components as their mirror pods show them (kubeadm, RKE2 and other clusters
 * that run the control plane as static pods). Managed control planes have none: an empty
 * result is evidence of absence, not a failure.
 */
export function controlPlaneFromPods(pods: readonly KubeObject[]): ControlPlaneComponent[] {
  const out: ControlPlaneComponent[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== 'kube-system' || !pod.metadata.annotations?.[MIRROR_ANNOTATION]) continue;
    const component = componentOf(pod);
    if (!component) continue;
    const spec = (pod.spec ?? {}) as PodSpec & { nodeName?: string };
    out.push({
      component,
      namespace: 'kube-system',
      pod: pod.metadata.name,
      ...(spec.nodeName ? { node: spec.nodeName } : {}),
      containers: (spec.containers ?? []).map((c) => ({
        name: c.name,
        argv: [...(c.command ?? []), ...(c.args ?? [])],
        env: Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string])),
      })),
    });
  }
  return out;
}
