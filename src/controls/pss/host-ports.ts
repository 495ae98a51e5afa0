import { defineControl } from '../define.js';
import { containersOf } from '../../evaluate/pod-specs.js';
import { pass } from '../verdicts.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE, failFields } from './common.js';

export default defineControl({
  id: 'PSS-host-ports',
  title: 'Containers do not bind host ports',
  section: BASELINE,
  severity: 'high',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa', 'cis-1.12'],
  refs: { cis: '5.2.12', pss: 'hostPorts', nsa: NSA.hostAccess, kubescape: ['C-0044', 'C-0204'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'A hostPort opens the container on the node\'s own address, outside Services and most NetworkPolicy setups, and limits scheduling to one such pod per node.',
  remediation: 'Remove ports[].hostPort (or set it to 0) and expose the port through a Service of type ClusterIP, NodePort or LoadBalancer.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c) => {
      const offenders = (c.container.ports ?? []).flatMap((p, i) =>
        p.hostPort !== undefined && p.hostPort !== null && p.hostPort !== 0 ? [{ path: `${c.path}.ports[${i}].hostPort`, value: p.hostPort }] : [],
      );
      return offenders.length > 0 ? failFields(c.resource, offenders, 'unset or 0') : pass(c.resource);
    }),
});
