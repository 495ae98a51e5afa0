import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeIntAtLeast } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.19',
  title: 'Audit log files rotate at 100 MB or more',
  section: SECTION.apiServer,
  severity: 'low',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.19', nsa: NSA.audit, kubescape: ['C-0133'] },
  needs: ['controlPlane'],
  rationale:
    'Small files rotate so often that the kept backups cover only minutes of a busy cluster. The default is 0 and the benchmark wants a size ' +
    'chosen explicitly, so an absent flag fails.',
  remediation: 'Set --audit-log-maxsize=100 (megabytes) or more on kube-apiserver.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeIntAtLeast(r, 'audit-log-maxsize', 100, '--audit-log-maxsize of 100 (MB) or more')),
});
