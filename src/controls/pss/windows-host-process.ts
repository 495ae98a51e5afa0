import { defineControl } from '../define.js';
import { containersOf } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { BASELINE, POD_SPEC_EVIDENCE, podLevelFail, podLevelResidue } from './common.js';

const EXPECTED = 'false or unset, on the pod and on every container';

export default defineControl({
  id: 'PSS-windows-host-process',
  title: 'Windows pods do not run as HostProcess containers',
  section: BASELINE,
  severity: 'critical',
  frameworks: ['pss-baseline', 'pss-restricted', 'cis-1.12'],
  refs: { cis: '5.2.10', pss: 'windowsHostProcess', kubescape: ['C-0202'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A Windows HostProcess container runs directly on the node as a host process, with the host\'s network and filesystem: the Windows equivalent of a privileged container.',
  remediation:
    'Remove securityContext.windowsOptions.hostProcess or set it to false on the pod and on every container; run node-management tools in an exempted namespace.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) => {
      const podPath = `${s.specPath}.securityContext.windowsOptions.hostProcess`;
      const podValue = s.spec.securityContext?.windowsOptions?.hostProcess;
      const verdicts = containersOf(s).map((c) => {
        // Windows options are merged field by field: a container's own hostProcess wins.
        const own = c.container.securityContext?.windowsOptions?.hostProcess;
        const [value, path] =
          own !== undefined && own !== null ? [own, `${c.path}.securityContext.windowsOptions.hostProcess`] : [podValue, podPath];
        return value === true ? fail(c.resource, path, true, EXPECTED) : pass(c.resource);
      });
      return [...verdicts, ...podLevelFail(s, podLevelResidue(verdicts, podPath, podValue, podValue === true), EXPECTED)];
    }),
});
