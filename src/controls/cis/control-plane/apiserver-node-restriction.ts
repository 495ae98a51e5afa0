import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeAdmissionPlugin } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.14',
  title: 'The NodeRestriction admission plugin is enabled',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L2',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.14', kubescape: ['C-0127'] },
  needs: ['controlPlane'],
  rationale:
    'NodeRestriction keeps a kubelet to its own Node object and the pods bound to it, and stops it from setting the node-restriction.kubernetes.io/ labels ' +
    'that steer sensitive workloads. Without it, a stolen kubelet credential can relabel or taint other nodes. It is off by default. ' +
    'A deprecated --admission-control list that names it counts (kube-bench reads only --enable-admission-plugins and fails it).',
  remediation: 'Add NodeRestriction to --enable-admission-plugins on kube-apiserver (kubeadm sets it), with Node in --authorization-mode.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAdmissionPlugin(r, 'NodeRestriction', true, 'NodeRestriction among the enabled admission plugins')),
});
