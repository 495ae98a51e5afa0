import { defineDataControl } from '../data/define-data.js';
import { NSA, POD_SPEC_EVIDENCE, RESTRICTED } from './common.js';

const EXPECTED = 'true on the container, or on the pod and not false on the container (any value when spec.hostUsers is false)';

export default defineDataControl({
  id: 'PSS-run-as-non-root',
  title: 'Containers must run as a non-root user',
  section: RESTRICTED,
  severity: 'medium',
  frameworks: ['pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.7', pss: 'runAsNonRoot', nsa: NSA.nonRoot, kubescape: ['C-0013', 'C-0198'] },
  level: 'L2',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'runAsNonRoot makes the kubelet refuse to start a container whose user is root; without it an image that runs as root does so, one kernel bug away from root on the node. For CIS 5.2.7 a runAsUser other than 0 without runAsNonRoot still fails (the check PodSecurity admission runs), where Kubescape C-0013 accepts either one, but also fails a runAsGroup of 0 or unset, which complyd does not judge; runAsUser: 0 is PSS-run-as-user\'s finding, and with runAsNonRoot: true the kubelet refuses to start such a container.',
  remediation:
    'Set spec.securityContext.runAsNonRoot: true (or on every container) and do not set it to false anywhere; build images with a non-root USER, or run the pod with spec.hostUsers: false.',
  rule: {
    on: 'container',
    field: ['securityContext', 'runAsNonRoot'],
    require: { equals: true },
    inheritFromPod: ['securityContext', 'runAsNonRoot'],
    expected: EXPECTED,
    userNamespaceAllows: true,
  },
});
