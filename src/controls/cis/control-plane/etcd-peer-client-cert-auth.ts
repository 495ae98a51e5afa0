import { defineControl } from '../../define.js';
import { notApplicable } from '../../verdicts.js';
import { CIS_AND_NSA, ETCD, NSA, SECTION, eachReplica, singleMemberEtcd } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-2.5',
  title: 'etcd members authenticate each other with certificates',
  section: SECTION.etcd,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '2.5', nsa: NSA.controlPlane, kubescape: ['C-0157'] },
  needs: ['controlPlane'],
  rationale:
    'Without --peer-client-cert-auth anything that reaches the peer port can pose as a member and receive the replicated data. ' +
    'The default is false, so an absent flag fails. A single-member etcd has no peers: not applicable (kube-bench judges the flag anyway).',
  remediation: 'Set --peer-client-cert-auth=true and --peer-trusted-ca-file on every etcd member.',
  evaluate: (ctx) => {
    const single = singleMemberEtcd(ctx);
    return eachReplica(ctx, ETCD, (r) => (single ? notApplicable(r.resource, single) : judgeBool(r, 'peer-client-cert-auth', true, '--peer-client-cert-auth=true')));
  },
});
