import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeBool } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.15',
  title: 'API server profiling is turned off',
  section: SECTION.apiServer,
  severity: 'low',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.15', kubescape: ['C-0129'] },
  needs: ['controlPlane'],
  rationale:
    'The /debug/pprof endpoints reveal the server\'s internals and can be used to make it spend CPU and memory. They are on by default (--profiling=true), ' +
    'so an absent flag fails.',
  remediation: 'Add --profiling=false to kube-apiserver; turn it on briefly when a profile is really needed.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeBool(r, 'profiling', false, '--profiling=false')),
});
