import { defineControl } from '../../define.js';
import { notApplicable } from '../../verdicts.js';
import { CIS_AND_NSA, ETCD, NSA, SECTION, eachReplica, singleMemberEtcd } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-2.4',
  title: 'etcd members talk to each other over TLS',
  section: SECTION.etcd,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '2.4', nsa: NSA.controlPlane, kubescape: ['C-0156'] },
  needs: ['controlPlane'],
  rationale:
    'Members replicate every write to each other; without --peer-cert-file and --peer-key-file that traffic, Secrets included, is plain HTTP. ' +
    'A single-member etcd has no peers: not applicable (the benchmark says so; kube-bench judges the flags anyway).',
  remediation: 'Set --peer-cert-file and --peer-key-file on every etcd member to a peer certificate from the etcd CA, and use https:// peer URLs.',
  evaluate: (ctx) => {
    const single = singleMemberEtcd(ctx);
    return eachReplica(ctx, ETCD, (r) => (single ? notApplicable(r.resource, single) : judgeSet(r, ['peer-cert-file', 'peer-key-file'], '--peer-cert-file and --peer-key-file both set')));
  },
});
