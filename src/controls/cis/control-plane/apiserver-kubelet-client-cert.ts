import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.4',
  title: 'The API server authenticates to kubelets with a client certificate',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.4', nsa: NSA.controlPlane, kubescape: ['C-0116'] },
  needs: ['controlPlane'],
  rationale:
    'For logs, exec, attach and port-forward the API server calls each kubelet. Without a client certificate it cannot prove who it is, ' +
    'so kubelets must either allow anonymous callers or refuse the API server.',
  remediation:
    'Set --kubelet-client-certificate and --kubelet-client-key on kube-apiserver to a certificate the kubelets trust and that is authorized for the kubelet API (kubeadm creates apiserver-kubelet-client.crt).',
  evaluate: (ctx) =>
    eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['kubelet-client-certificate', 'kubelet-client-key'], '--kubelet-client-certificate and --kubelet-client-key both set')),
});
