import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeIntAtLeast } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.18',
  title: 'At least 10 rotated audit log files are kept',
  section: SECTION.apiServer,
  severity: 'low',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.18', nsa: NSA.audit, kubescape: ['C-0132'] },
  needs: ['controlPlane'],
  rationale:
    'Rotation without enough kept files throws away history as fast as it is written. The default, 0, sets no count limit, ' +
    'but the benchmark wants the number chosen explicitly, so an absent flag fails.',
  remediation: 'Set --audit-log-maxbackup=10 or more on kube-apiserver.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeIntAtLeast(r, 'audit-log-maxbackup', 10, '--audit-log-maxbackup of 10 or more')),
});
