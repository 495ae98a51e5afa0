import { defineControl } from '../../define.js';
import { CIS_ONLY, CONTROLLER_MANAGER, SECTION, eachReplica } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-1.3.3',
  title: 'Each controller uses its own service account',
  section: SECTION.controllerManager,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.3.3', kubescape: ['C-0146'] },
  needs: ['controlPlane'],
  rationale:
    'Without the flag every controller acts with the controller manager\'s own identity, which then needs the union of all their permissions. ' +
    'With it, each controller gets a service account in kube-system with a role for its job only. The default is false, so an absent flag fails.',
  remediation: 'Add --use-service-account-credentials=true to kube-controller-manager (kubeadm sets it); the system:controller:* roles are bootstrapped by the API server.',
  evaluate: (ctx) => eachReplica(ctx, CONTROLLER_MANAGER, (r) => judgeBool(r, 'use-service-account-credentials', true, '--use-service-account-credentials=true')),
});
