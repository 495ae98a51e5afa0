import { defineControl } from '../../define.js';
import { CIS_AND_NSA, ETCD, NSA, SECTION, eachReplica } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-2.3',
  title: 'etcd does not serve clients with self-signed certificates',
  section: SECTION.etcd,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '2.3', nsa: NSA.controlPlane, kubescape: ['C-0155'] },
  needs: ['controlPlane'],
  rationale:
    '--auto-tls makes etcd generate a self-signed certificate that no client can verify, so TLS protects against eavesdropping but not against an impostor. ' +
    'The default is false, so an absent flag passes.',
  remediation: 'Remove --auto-tls (or set it to false) on etcd and use --cert-file/--key-file from the etcd CA.',
  evaluate: (ctx) => eachReplica(ctx, ETCD, (r) => judgeBool(r, 'auto-tls', false, '--auto-tls=false or unset')),
});
