import { defineControl } from '../define.js';
import { containersOf, inUserNamespace } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';
import { BASELINE, POD_SPEC_EVIDENCE, userNamespacePass } from './common.js';

const EXPECTED = 'Default or unset (any value when spec.hostUsers is false)';

export default defineControl({
  id: 'PSS-proc-mount',
  title: 'Containers keep the default masked /proc',
  section: BASELINE,
  severity: 'low',
  frameworks: ['pss-baseline', 'pss-restricted'],
  refs: { pss: 'procMount' },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'The runtime masks and makes read-only parts of /proc that expose kernel and host details; procMount Unmasked removes those masks, which matters unless the pod has its own user namespace.',
  remediation: 'Remove securityContext.procMount or set it to Default; if an unmasked /proc is required, also set spec.hostUsers: false.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) =>
      containersOf(s).map((c) => {
        const value = c.container.securityContext?.procMount;
        if (value === undefined || value === null || value === 'Default') return pass(c.resource);
        if (inUserNamespace(s)) return userNamespacePass(c.resource, s, EXPECTED);
        return fail(c.resource, `${c.path}.securityContext.procMount`, value, EXPECTED);
      }),
    ),
});
