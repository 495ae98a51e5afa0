import { defineControl } from '../define.js';
import { containersOf } from '../../evaluate/pod-specs.js';
import { fail, pass } from '../verdicts.js';

export default defineControl({
  id: 'PSS-privileged',
  title: 'Containers do not run privileged',
  section: 'Pod Security Standards: baseline',
  severity: 'critical',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.2', pss: 'privileged', nsa: 'Pod security: privileged containers', kubescape: ['C-0057', 'C-0193'] },
  level: 'L1',
  needs: ['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs'],
  rationale:
    'A privileged container has every capability of the host and can reach its devices; one compromised process is a compromised node.',
  remediation: 'Remove securityContext.privileged or set it to false on every container, init container and ephemeral container.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c) =>
      c.container.securityContext?.privileged === true
        ? fail(c.resource, `${c.path}.securityContext.privileged`, true, 'false or unset')
        : pass(c.resource),
    ),
});
