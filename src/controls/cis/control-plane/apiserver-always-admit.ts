import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeAdmissionPlugin } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.10',
  title: 'The AlwaysAdmit admission plugin is not enabled',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.10', kubescape: ['C-0122'] },
  needs: ['controlPlane'],
  rationale:
    'AlwaysAdmit is a deprecated plugin that admits every request. Its presence usually means the admission chain was written by hand, ' +
    'and it signals that admission control was not meant to restrict anything. It is off by default, so an absent flag passes.',
  remediation: 'Remove AlwaysAdmit from --enable-admission-plugins (or from the deprecated --admission-control) on kube-apiserver.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAdmissionPlugin(r, 'AlwaysAdmit', false, 'AlwaysAdmit not among the enabled admission plugins')),
});
