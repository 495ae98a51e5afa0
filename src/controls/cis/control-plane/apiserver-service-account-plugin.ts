import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeAdmissionPlugin } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.12',
  title: 'The ServiceAccount admission plugin is not disabled',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L2',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.12', kubescape: ['C-0125'] },
  needs: ['controlPlane'],
  rationale:
    'The ServiceAccount plugin gives every pod a service account, refuses pods that name one that does not exist, and mounts short-lived projected tokens. ' +
    'It is on by default, so only --disable-admission-plugins, or a deprecated --admission-control list that leaves it out, turns it off. ' +
    'kube-bench reads only --disable-admission-plugins and passes such an --admission-control list.',
  remediation: 'Remove ServiceAccount from --disable-admission-plugins on kube-apiserver; if --admission-control is still used, replace it with --enable-admission-plugins.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAdmissionPlugin(r, 'ServiceAccount', true, 'ServiceAccount among the enabled admission plugins')),
});
