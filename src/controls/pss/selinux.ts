import { defineControl } from '../define.js';
import type { PodSecurityContext } from '../../core/pod-spec.js';
import { containersOf, effectiveSetting } from '../../evaluate/pod-specs.js';
import { pass } from '../verdicts.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE, failFields, podLevelFail, type Offender } from './common.js';

/** Policy 1.31 added container_engine_t to the types of 1.0. */
const ALLOWED_TYPES = ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
const EXPECTED = `type unset, empty or one of ${ALLOWED_TYPES.join(', ')}; user and role unset or empty`;

type SELinuxOptions = NonNullable<PodSecurityContext['seLinuxOptions']>;

/** The offending sub-fields of one seLinuxOptions object. */
function offendersOf(opts: SELinuxOptions, path: string): Offender[] {
  const out: Offender[] = [];
  if (opts.type !== undefined && opts.type !== null && opts.type !== '' && !ALLOWED_TYPES.includes(opts.type)) {
    out.push({ path: `${path}.type`, value: opts.type });
  }
  if (opts.user) out.push({ path: `${path}.user`, value: opts.user });
  if (opts.role) out.push({ path: `${path}.role`, value: opts.role });
  return out;
}

export default defineControl({
  id: 'PSS-selinux',
  title: 'SELinux options keep containers in a container domain',
  section: BASELINE,
  severity: 'medium',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa'],
  refs: { pss: 'seLinuxOptions', nsa: NSA.hardening, kubescape: ['C-0055'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'SELinux confines a container through its type; a custom type (spc_t, unconfined_t), user or role can lift that confinement on nodes that enforce SELinux.',
  remediation: `Leave seLinuxOptions unset, or set only type to one of ${ALLOWED_TYPES.join(', ')} (and level, which is allowed); never set user or role.`,
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) => {
      // The container's seLinuxOptions replace the pod's as a whole, as the kubelet applies them.
      const verdicts = containersOf(s).map((c) => {
        const eff = effectiveSetting(s, c, 'seLinuxOptions');
        const offenders = eff.value ? offendersOf(eff.value, eff.path) : [];
        return offenders.length > 0 ? failFields(c.resource, offenders, EXPECTED) : pass(c.resource);
      });
      const podPath = `${s.specPath}.securityContext.seLinuxOptions`;
      const pod = s.spec.securityContext?.seLinuxOptions;
      const podOffenders = pod ? offendersOf(pod, podPath) : [];
      // A container that inherits the pod's options fails on one of the pod's sub-fields.
      const inherited = verdicts.some((v) => v.evidence?.path.startsWith(podPath));
      return [...verdicts, ...podLevelFail(s, inherited ? [] : podOffenders, EXPECTED)];
    }),
});
