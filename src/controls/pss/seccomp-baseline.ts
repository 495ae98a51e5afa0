import { defineDataControl } from '../data/define-data.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE } from './common.js';

const EXPECTED = 'RuntimeDefault, Localhost or unset (not Unconfined)';

export default defineDataControl({
  id: 'PSS-seccomp-baseline',
  title: 'Seccomp is not disabled for any container',
  section: BASELINE,
  severity: 'medium',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa'],
  refs: { pss: 'seccompProfile_baseline', nsa: NSA.hardening, kubescape: ['C-0055'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A seccomp profile filters the system calls a container can make; an explicit Unconfined profile opens the whole kernel interface, including calls used by known escapes. The annotations seccomp.security.alpha.kubernetes.io/pod and container.seccomp.security.alpha.kubernetes.io/<name> are read where the field is unset, in manifests and on clusters before 1.27, as those API servers copied them into the fields; on 1.27 and later they have no effect and are ignored.',
  remediation: 'Remove seccompProfile settings of type Unconfined (and seccomp annotations with the value unconfined) from the pod and its containers; use the seccompProfile field with RuntimeDefault or a Localhost profile.',
  // The deprecated annotations count where their field is unset, on clusters before 1.27 and in
  // manifests (EvalContext.legacySeccompAnnotations): PodSecurity policy 1.0-1.18 forbade
  // `unconfined` in them, and the API server turned them into the fields.
  rule: {
    on: 'container',
    field: ['securityContext', 'seccompProfile', 'type'],
    require: { unsetOr: ['RuntimeDefault', 'Localhost'] },
    inheritFromPod: ['securityContext', 'seccompProfile'],
    legacySeccompAnnotations: true,
    expected: EXPECTED,
  },
});
