import { defineDataControl } from '../data/define-data.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED } from './common.js';

const EXPECTED = 'RuntimeDefault or Localhost, set on the pod or on the container';

export default defineDataControl({
  id: 'PSS-seccomp-restricted',
  title: 'Every container runs with a seccomp profile',
  section: RESTRICTED,
  severity: 'medium',
  frameworks: ['pss-restricted', 'nsa'],
  refs: { pss: 'seccompProfile_restricted', nsa: NSA.hardening, kubescape: ['C-0210', 'C-0055'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Without a profile a container runs Unconfined unless the kubelet applies seccompDefault; the runtime\'s default profile blocks rarely needed system calls that many kernel exploits rely on. In manifests and on clusters before 1.27 the seccomp annotations (runtime/default, docker/default, localhost/<profile>) count where the field is unset, as those API servers copied them into the field when the pod was created; PodSecurity admission judges the fields only, so a pod relying on the annotation is admitted there only after that copy.',
  remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a profile) and do not set Unconfined on any container.',
  // Annotations of older clusters count where the field is unset (see PSS-seccomp-baseline).
  rule: {
    on: 'container',
    field: ['securityContext', 'seccompProfile', 'type'],
    require: { oneOf: ['RuntimeDefault', 'Localhost'] },
    inheritFromPod: ['securityContext', 'seccompProfile'],
    legacySeccompAnnotations: true,
    expected: EXPECTED,
    windowsExempt: 'this check does not apply to Windows pods (policy 1.25+)',
  },
});
