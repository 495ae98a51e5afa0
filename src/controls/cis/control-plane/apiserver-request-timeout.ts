import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeDurationWithin } from './rules.js';

const HOUR_MS = 3_600_000;

export default defineControl({
  id: 'CIS-1.2.20',
  title: 'The API server has a reasonable global request timeout',
  section: SECTION.apiServer,
  severity: 'low',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.20', kubescape: ['C-0134'] },
  needs: ['controlPlane'],
  rationale:
    'Every request that is not long-running (watch, exec, logs are exempt) is cut off after --request-timeout. The default, 1m0s, is fine; the benchmark only asks ' +
    'that a changed value be appropriate. complyd accepts anything above zero and up to one hour: zero or less removes the limit, ' +
    'and more than an hour lets slow or hostile clients hold server resources for no benefit, since long-running requests are exempt anyway. ' +
    'kube-bench has no test for this item (manual); the bounds are complyd\'s.',
  remediation: 'Leave --request-timeout unset (1m0s) or set it between a few seconds and one hour, for example --request-timeout=300s for slow links.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeDurationWithin(r, 'request-timeout', 0, HOUR_MS, '--request-timeout unset (1m0s) or above 0 and at most 1h')),
});
