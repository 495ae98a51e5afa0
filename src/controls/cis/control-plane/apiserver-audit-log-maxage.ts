import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeIntAtLeast } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.17',
  title: 'Audit log files are kept at least 30 days',
  section: SECTION.apiServer,
  severity: 'low',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.17', nsa: NSA.audit, kubescape: ['C-0131'] },
  needs: ['controlPlane'],
  rationale:
    'Incidents are often found weeks after they start; the local audit files should still be there. The default, 0, sets no age at all, ' +
    'so an absent flag fails, as the benchmark asks for the flag to be set. The value is read as Go reads it (030 is octal, 24).',
  remediation: 'Set --audit-log-maxage=30 or more on kube-apiserver, sized with --audit-log-maxbackup and --audit-log-maxsize to the disk available.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeIntAtLeast(r, 'audit-log-maxage', 30, '--audit-log-maxage of 30 or more')),
});
