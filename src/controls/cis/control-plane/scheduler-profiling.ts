import { defineControl } from '../../define.js';
import { CIS_ONLY, SCHEDULER, SECTION, eachReplica, flagPath, shown, verdict } from './common.js';
import { judgeBool } from './rules.js';

const EXPECTED = '--profiling=false (or enableProfiling: false in the --config file)';

export default defineControl({
  id: 'CIS-1.4.1',
  title: 'Scheduler profiling is turned off',
  section: SECTION.scheduler,
  severity: 'low',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.4.1', kubescape: ['C-0151'] },
  needs: ['controlPlane'],
  rationale:
    'The /debug/pprof endpoints reveal the scheduler\'s internals and can be used to load it. They are on by default, so an absent flag fails. ' +
    'When the scheduler runs with --config, it ignores --profiling and reads enableProfiling from that file, which the API does not show: unknown ' +
    '(kube-bench judges the ignored --profiling flag).',
  remediation: 'Add --profiling=false to kube-scheduler, or enableProfiling: false to its KubeSchedulerConfiguration when it uses --config.',
  evaluate: (ctx) =>
    eachReplica(ctx, SCHEDULER, (r) => {
      const config = r.flags.flags.get('config');
      if (config) {
        const profiling = r.flags.flags.get('profiling');
        return verdict(
          'unknown',
          r,
          { path: flagPath(r, config), observed: `${shown(config)}; ${profiling ? shown(profiling) : '--profiling: <unset>'}`, expected: EXPECTED },
          'with --config the scheduler takes enableProfiling from that file and ignores --profiling; the file is not visible through the API',
        );
      }
      return judgeBool(r, 'profiling', false, EXPECTED);
    }),
});
