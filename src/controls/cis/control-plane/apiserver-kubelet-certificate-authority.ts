import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.5',
  title: "The API server verifies kubelets' serving certificates",
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.5', nsa: NSA.controlPlane, kubescape: ['C-0117'] },
  needs: ['controlPlane'],
  rationale:
    'Without --kubelet-certificate-authority the API server connects to kubelets without checking their certificates, so anyone who can sit between them ' +
    'can read exec sessions and logs or answer in a kubelet\'s place. kubeadm does not set this flag.',
  remediation:
    'Have kubelet serving certificates signed by a CA (serverTLSBootstrap: true plus a CSR approver, or certificates you issue), ' +
    'then set --kubelet-certificate-authority on kube-apiserver to that CA bundle.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['kubelet-certificate-authority'], '--kubelet-certificate-authority set')),
});
