import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.21',
  title: 'Service-account tokens are checked against existing service accounts',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.21', kubescape: ['C-0135'] },
  needs: ['controlPlane'],
  rationale:
    'With lookup off, a token only needs a valid signature: deleting the service account or its token Secret does not revoke it. ' +
    'The default is true, so an absent flag passes and only an explicit false fails.',
  remediation: 'Remove --service-account-lookup=false from kube-apiserver (or set it to true).',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeBool(r, 'service-account-lookup', true, '--service-account-lookup=true or unset (default true)')),
});
