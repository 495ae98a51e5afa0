import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.30',
  title: 'Projected service-account tokens keep their short lifetime',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.30', kubescape: ['C-0290'] },
  needs: ['controlPlane'],
  rationale:
    'To ease the move to bound tokens, the API server stretches the tokens it injects into pods to one year while warning about their use. ' +
    'A token stolen from a pod then works for a year instead of about an hour. The extension is on by default (true), so an absent flag fails.',
  remediation:
    'Once no workload relies on old client libraries that never reload their token (watch the warnings in the audit log), set --service-account-extend-token-expiration=false on kube-apiserver.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeBool(r, 'service-account-extend-token-expiration', false, '--service-account-extend-token-expiration=false')),
});
