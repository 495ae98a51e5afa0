import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.27',
  title: 'Secrets are encrypted at rest in etcd',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.27', nsa: NSA.encryption, kubescape: ['C-0141', 'C-0066'] },
  needs: ['controlPlane'],
  rationale:
    'Without an encryption configuration, Secrets sit in etcd and in every etcd backup as plain base64. Only the path of the configuration is visible ' +
    'through the API; whether its providers really encrypt is CIS 1.2.28, a manual check.',
  remediation:
    'Write an EncryptionConfiguration for secrets (kms v2, aescbc or secretbox first, identity last), pass it with --encryption-provider-config on every kube-apiserver, ' +
    'then rewrite existing Secrets (kubectl get secrets -A -o json | kubectl replace -f -) so they are stored encrypted.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['encryption-provider-config'], '--encryption-provider-config set')),
});
