import { defineControl } from '../../define.js';
import { CIS_AND_NSA, ETCD, NSA, SECTION, eachReplica } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-2.6',
  title: 'etcd members do not use self-signed peer certificates',
  section: SECTION.etcd,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '2.6', nsa: NSA.controlPlane, kubescape: ['C-0158'] },
  needs: ['controlPlane'],
  rationale:
    '--peer-auto-tls makes each member generate a self-signed peer certificate, so members cannot verify one another. ' +
    'The default is false, so an absent flag passes.',
  remediation: 'Remove --peer-auto-tls (or set it to false) on etcd and use --peer-cert-file/--peer-key-file from the etcd CA.',
  evaluate: (ctx) => eachReplica(ctx, ETCD, (r) => judgeBool(r, 'peer-auto-tls', false, '--peer-auto-tls=false or unset')),
});
