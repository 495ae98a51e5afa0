import { defineControl } from '../define.js';
import { containersOf } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { POD_SPEC_EVIDENCE, RESTRICTED } from './common.js';

export default defineControl({
  id: 'PSS-proc-mount-restricted',
  title: 'Containers keep the default masked /proc, even in a user namespace',
  section: RESTRICTED,
  severity: 'low',
  frameworks: ['pss-restricted'],
  refs: { pss: 'procMount_restricted' },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Restricted keeps the /proc masks for every pod: a user namespace limits what an unmasked /proc exposes, but does not remove it.',
  remediation: 'Remove securityContext.procMount or set it to Default on every container, init container and ephemeral container.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c) => {
      const value = c.container.securityContext?.procMount;
      return value === undefined || value === null || value === 'Default'
        ? pass(c.resource)
        : fail(c.resource, `${c.path}.securityContext.procMount`, value, 'Default or unset');
    }),
});
