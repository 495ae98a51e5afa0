import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.24',
  title: 'The API server serves TLS with a certificate it is given',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.24', nsa: NSA.controlPlane, kubescape: ['C-0138'] },
  needs: ['controlPlane'],
  rationale:
    'Without --tls-cert-file and --tls-private-key-file the API server makes up a self-signed certificate, which clients can only accept by turning verification off, ' +
    'leaving every client open to an impostor.',
  remediation: 'Set --tls-cert-file and --tls-private-key-file on kube-apiserver to a certificate from the cluster CA that names every address clients use.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['tls-cert-file', 'tls-private-key-file'], '--tls-cert-file and --tls-private-key-file both set')),
});
