import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.26',
  title: "The API server verifies etcd's certificate",
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.26', nsa: NSA.controlPlane, kubescape: ['C-0140'] },
  needs: ['controlPlane'],
  rationale:
    'Without --etcd-cafile the API server cannot tell the real etcd from anything else answering on its address, and would hand it every write, Secrets included.',
  remediation: 'Set --etcd-cafile on kube-apiserver to the CA that signed the etcd server certificates (kubeadm: /etc/kubernetes/pki/etcd/ca.crt).',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['etcd-cafile'], '--etcd-cafile set')),
});
