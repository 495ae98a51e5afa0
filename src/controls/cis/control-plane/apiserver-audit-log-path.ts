import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeSet } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.16',
  title: 'The API server writes an audit log',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.16', nsa: NSA.audit, kubescape: ['C-0130', 'C-0067'] },
  needs: ['controlPlane'],
  rationale:
    'The audit log is the only record of who read a Secret, opened an exec session or changed a binding. Without --audit-log-path there is no log backend ' +
    '(a webhook backend, --audit-webhook-config-file, is a separate choice the benchmark does not count). `-` writes to stdout, which counts.',
  remediation:
    'Set --audit-log-path on kube-apiserver (for example /var/log/kubernetes/audit/audit.log, mounted from the host) together with --audit-policy-file, ' +
    'and ship the file to storage the cluster admins cannot rewrite.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeSet(r, ['audit-log-path'], '--audit-log-path set')),
});
