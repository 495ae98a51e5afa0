import type { ControlPlaneComponent, KubeObject } from '../core/types.js';
import { COMPONENT_NAMES } from '../core/components.js';
import type { PodSpec } from '../core/pod-spec.js';
import { redactArgv, redactEnv } from './redact.js';

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
 * result is evidence of absence, not a failure. Secret flag and env values are redacted
 * (normalizeObject already did so for pods it read; this holds for any pod given here).
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
      containers: (spec.containers ?? []).map((c) => {
        const argv = [...(c.command ?? []), ...(c.args ?? [])];
        return {
          name: c.name,
          argv: redactArgv(argv),
          env: Object.fromEntries(redactEnv(c.env ?? [], argv).flatMap((e) => (typeof e.value === 'string' ? [[e.name, e.value]] : []))),
        };
      }),
    });
  }
  return out;
}
