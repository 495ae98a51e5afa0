import { defineControl } from '../../define.js';
import { CIS_ONLY, CONTROLLER_MANAGER, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.3.4',
  title: 'The controller manager signs service-account tokens with a dedicated key',
  section: SECTION.controllerManager,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.3.4', kubescape: ['C-0147'] },
  needs: ['controlPlane'],
  rationale:
    'The key named by --service-account-private-key-file signs service-account tokens; its public half is what the API server verifies them with. ' +
    'A dedicated key can be rotated on its own schedule.',
  remediation: 'Set --service-account-private-key-file on kube-controller-manager to the private key whose public key is in the API server\'s --service-account-key-file (kubeadm: sa.key).',
  evaluate: (ctx) => eachReplica(ctx, CONTROLLER_MANAGER, (r) => judgeSet(r, ['service-account-private-key-file'], '--service-account-private-key-file set')),
});
