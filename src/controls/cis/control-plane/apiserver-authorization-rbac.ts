import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeAuthorizationMode } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.8',
  title: 'RBAC authorizes API requests',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.8', nsa: NSA.rbac, kubescape: ['C-0120', 'C-0088'] },
  needs: ['controlPlane'],
  rationale:
    'Roles and bindings only take effect when the RBAC authorizer is in the chain; least privilege for users and service accounts depends on it. ' +
    'An absent --authorization-mode means AlwaysAllow only, so it fails; --authorization-config is unknown ' +
    '(kube-bench fails it, as it looks only for the flag).',
  remediation: 'Include RBAC in --authorization-mode on kube-apiserver (kubeadm: Node,RBAC).',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAuthorizationMode(r, 'RBAC', true, '--authorization-mode includes RBAC')),
});
