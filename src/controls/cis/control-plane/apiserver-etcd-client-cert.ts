import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.23',
  title: 'The API server authenticates to etcd with a client certificate',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.23', nsa: NSA.controlPlane, kubescape: ['C-0137'] },
  needs: ['controlPlane'],
  rationale:
    'etcd holds every object of the cluster, Secrets included. When the API server presents a client certificate, etcd can require one (CIS 2.2) ' +
    'and refuse everybody else.',
  remediation: 'Set --etcd-certfile and --etcd-keyfile on kube-apiserver to a client certificate signed by the etcd CA (kubeadm: apiserver-etcd-client.crt/.key).',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['etcd-certfile', 'etcd-keyfile'], '--etcd-certfile and --etcd-keyfile both set')),
});
