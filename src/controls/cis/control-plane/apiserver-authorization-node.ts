import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeAuthorizationMode } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.7',
  title: 'The Node authorizer limits what kubelets may read',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.7', nsa: NSA.rbac, kubescape: ['C-0119'] },
  needs: ['controlPlane'],
  rationale:
    'The Node authorizer lets a kubelet read only the Secrets, ConfigMaps and volumes of pods scheduled to its own node. Without it, one compromised node ' +
    'can read the credentials of the whole cluster. An absent --authorization-mode means AlwaysAllow only, so it fails; --authorization-config is unknown ' +
    '(kube-bench fails it, as it looks only for the flag).',
  remediation: 'Include Node in --authorization-mode on kube-apiserver (kubeadm: Node,RBAC), together with the NodeRestriction admission plugin.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAuthorizationMode(r, 'Node', true, '--authorization-mode includes Node')),
});
