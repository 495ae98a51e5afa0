import { defineControl } from '../../define.js';
import { CIS_ONLY, CONTROLLER_MANAGER, SECTION, eachReplica } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-1.3.2',
  title: 'Controller-manager profiling is turned off',
  section: SECTION.controllerManager,
  severity: 'low',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.3.2', kubescape: ['C-0145'] },
  needs: ['controlPlane'],
  rationale:
    'The /debug/pprof endpoints reveal the controller manager\'s internals and can be used to load it. They are on by default, so an absent flag fails.',
  remediation: 'Add --profiling=false to kube-controller-manager.',
  evaluate: (ctx) => eachReplica(ctx, CONTROLLER_MANAGER, (r) => judgeBool(r, 'profiling', false, '--profiling=false')),
});
