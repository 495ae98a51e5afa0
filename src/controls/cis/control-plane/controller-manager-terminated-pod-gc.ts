import { parseGoInt } from '../../../evaluate/flags.js';
import { defineControl } from '../../define.js';
import { CIS_ONLY, CONTROLLER_MANAGER, SECTION, eachReplica, evidenceOf, verdict } from './common.js';

const EXPECTED = '--terminated-pod-gc-threshold set to a positive value chosen for the cluster';

export default defineControl({
  id: 'CIS-1.3.1',
  title: 'Terminated pods are garbage-collected at a chosen threshold',
  section: SECTION.controllerManager,
  severity: 'low',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.3.1', kubescape: ['C-0144'] },
  needs: ['controlPlane'],
  rationale:
    'Finished pods stay in etcd until their number passes --terminated-pod-gc-threshold, 12500 by default, which is far more than small clusters can list quickly. ' +
    'The benchmark wants the threshold chosen for the cluster, so an absent flag fails; 0 or less turns the collection off and fails too ' +
    '(kube-bench only asks that the flag be present).',
  remediation: 'Set --terminated-pod-gc-threshold on kube-controller-manager to a value suited to the cluster\'s size and churn (for example 10 for a small cluster, a few thousand for a large one).',
  evaluate: (ctx) =>
    eachReplica(ctx, CONTROLLER_MANAGER, (r) => {
      const setting = r.flags.flags.get('terminated-pod-gc-threshold');
      const evidence = evidenceOf(r, 'terminated-pod-gc-threshold', EXPECTED);
      if (!setting) return verdict('fail', r, evidence);
      const n = parseGoInt(setting.value);
      if (n === undefined) return verdict('unknown', r, evidence, `"${setting.value}" is not an integer: kube-controller-manager would refuse to start with it`);
      return verdict(n > 0 ? 'pass' : 'fail', r, evidence);
    }),
});
