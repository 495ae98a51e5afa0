import { defineControl } from '../../define.js';
import { CIS_ONLY, CONTROLLER_MANAGER, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.3.5',
  title: 'Pods receive the cluster CA to verify the API server',
  section: SECTION.controllerManager,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.3.5', kubescape: ['C-0148'] },
  needs: ['controlPlane'],
  rationale:
    'The controller manager publishes --root-ca-file as the kube-root-ca.crt ConfigMap in every namespace, which pods use to verify the API server. ' +
    'Without it, in-cluster clients must skip verification and can be fooled by an impostor.',
  remediation: 'Set --root-ca-file on kube-controller-manager to the cluster CA bundle (kubeadm: /etc/kubernetes/pki/ca.crt).',
  evaluate: (ctx) => eachReplica(ctx, CONTROLLER_MANAGER, (r) => judgeSet(r, ['root-ca-file'], '--root-ca-file set')),
});
