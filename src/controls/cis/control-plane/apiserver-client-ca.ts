import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.25',
  title: 'The API server verifies client certificates against a CA',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.25', nsa: NSA.controlPlane, kubescape: ['C-0139'] },
  needs: ['controlPlane'],
  rationale:
    'Kubelets, the controller manager and the scheduler prove who they are with client certificates; --client-ca-file is what the API server checks them against. ' +
    'Without it those components fall back to weaker credentials such as static tokens.',
  remediation: 'Set --client-ca-file on kube-apiserver to the cluster CA bundle (kubeadm: /etc/kubernetes/pki/ca.crt).',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['client-ca-file'], '--client-ca-file set')),
});
