import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeAdmissionPlugin } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.13',
  title: 'The NamespaceLifecycle admission plugin is not disabled',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L2',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.13', kubescape: ['C-0126'] },
  needs: ['controlPlane'],
  rationale:
    'NamespaceLifecycle refuses objects in namespaces that do not exist or are being deleted, and protects default, kube-system and kube-public from deletion. ' +
    'Without it, objects can outlive the namespace whose policies were meant to govern them. It is on by default; ' +
    'a deprecated --admission-control list that leaves it out turns it off, which kube-bench (reading only --disable-admission-plugins) does not see.',
  remediation: 'Remove NamespaceLifecycle from --disable-admission-plugins on kube-apiserver; if --admission-control is still used, replace it with --enable-admission-plugins.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAdmissionPlugin(r, 'NamespaceLifecycle', true, 'NamespaceLifecycle among the enabled admission plugins')),
});
