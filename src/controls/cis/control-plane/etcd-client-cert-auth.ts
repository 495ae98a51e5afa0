import { defineControl } from '../../define.js';
import { CIS_AND_NSA, ETCD, NSA, SECTION, eachReplica } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-2.2',
  title: 'etcd requires client certificates',
  section: SECTION.etcd,
  severity: 'critical',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '2.2', nsa: NSA.controlPlane, kubescape: ['C-0154'] },
  needs: ['controlPlane'],
  rationale:
    'Unless --client-cert-auth is true, etcd serves anyone who can reach its client port, bypassing Kubernetes authentication, authorization and audit: ' +
    'reading every Secret or rewriting any RBAC binding is one request away. The default is false, so an absent flag fails. ETCD_CLIENT_CERT_AUTH counts.',
  remediation: 'Set --client-cert-auth=true and --trusted-ca-file on etcd, and give the API server a client certificate (CIS 1.2.23).',
  evaluate: (ctx) => eachReplica(ctx, ETCD, (r) => judgeBool(r, 'client-cert-auth', true, '--client-cert-auth=true')),
});
