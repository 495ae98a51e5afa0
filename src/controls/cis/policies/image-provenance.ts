import type { ControlPlaneComponent, Verdict } from '../../../core/types.js';
import { defineControl } from '../../define.js';
import { SECTION, clusterRef, manual } from './common.js';

const ENABLE = '--enable-admission-plugins';
/** Deprecated: replaces the default plugin list instead of adding to it. */
const LEGACY = '--admission-control';
const PLUGIN = 'ImagePolicyWebhook';

/**
 * The admission plugins one kube-apiserver replica turns on explicitly, and the container that
 * says so. A deliberately small reading of its command line: `--flag=a,b` and `--flag a,b`,
 * repeats accumulate, `$(VAR)` is expanded from the container's env. ImagePolicyWebhook is off
 * by default, so only these flags can turn it on.
 */
export function enabledPlugins(component: ControlPlaneComponent): { container: string; plugins: string[] } | undefined {
  for (const container of component.containers) {
    const expand = (v: string) => v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => container.env[name] ?? whole);
    const plugins: string[] = [];
    let seen = false;
    container.argv.forEach((arg, i) => {
      for (const flag of [ENABLE, LEGACY]) {
        const value = arg.startsWith(`${flag}=`) ? arg.slice(flag.length + 1) : arg === flag ? container.argv[i + 1] : undefined;
        if (value === undefined) continue;
        seen = true;
        plugins.push(...expand(value).split(',').map((p) => p.trim()).filter(Boolean));
      }
    });
    if (seen) return { container: container.name, plugins };
  }
  return undefined;
}

function judgeReplica(c: ControlPlaneComponent): Verdict {
  const ref = { kind: 'Pod', namespace: c.namespace, name: c.pod };
  const flags = enabledPlugins(c);
  const container = flags?.container ?? c.containers[0]?.name ?? 'kube-apiserver';
  const evidence = {
    path: `spec.containers[${container}].command[${ENABLE}]`,
    observed: flags ? flags.plugins.join(',') : '<unset>',
    expected: `includes ${PLUGIN}, or another image verifier admits images`,
  };
  const message = flags?.plugins.includes(PLUGIN)
    ? `${PLUGIN} is enabled; its backend and defaultAllow live in --admission-control-config-file, which complyd cannot read: confirm that unverified images are refused`
    : `${PLUGIN} is not enabled; pass only if another verifier (a policy engine verifying signatures, for instance) admits images`;
  return manual(ref, message, evidence);
}

export const imageProvenance = defineControl({
  id: 'CIS-5.5.1',
  title: 'Image provenance is checked at admission',
  section: SECTION.admission,
  severity: 'medium',
  frameworks: ['cis-1.12'],
  refs: { cis: '5.5.1', kubescape: ['C-0289'] },
  level: 'L2',
  manual:
    'The ImagePolicyWebhook backend and its defaultAllow setting sit in the AdmissionConfiguration file, and signature-verifying policy engines work through webhooks complyd does not read: a person confirms that images of unknown origin are refused.',
  needs: ['controlPlane'],
  rationale:
    'Without a provenance check any image a user can name is run, including typo-squatted or tampered ones; verifying registry and signature at admission stops them before they start.',
  remediation:
    'Enable ImagePolicyWebhook (--enable-admission-plugins plus an AdmissionConfiguration with defaultAllow: false), or enforce image signature verification with a policy engine.',
  evaluate: (ctx) => {
    const apiservers = ctx.components('kube-apiserver');
    if (apiservers.length === 0) {
      return [manual(clusterRef(ctx), 'no kube-apiserver mirror pod is visible (managed control plane or single-binary distribution): check the provider\'s image verification options')];
    }
    return apiservers.map(judgeReplica);
  },
});
