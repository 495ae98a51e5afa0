import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.22',
  title: 'The API server names the keys that verify service-account tokens',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.22', kubescape: ['C-0136'] },
  needs: ['controlPlane'],
  rationale:
    'Without --service-account-key-file the API server verifies tokens with its own TLS serving key, tying token trust to the serving certificate ' +
    'and making key rotation impossible without invalidating every token. The flag may be repeated to trust an old and a new key during rotation.',
  remediation: 'Set --service-account-key-file on kube-apiserver to the public key matching the controller manager\'s --service-account-private-key-file (kubeadm: sa.pub / sa.key).',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['service-account-key-file'], '--service-account-key-file set')),
});
