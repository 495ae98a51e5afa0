import { defineDataControl } from '../data/define-data.js';
import { BASELINE, POD_SPEC_EVIDENCE } from './common.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;
const HANDLERS = ['httpGet', 'tcpSocket'] as const;

/** `host` of each handler of each probe and lifecycle hook: empty or unset, as the kubelet then uses the pod IP. */
const HOST_FIELDS = (() => {
  const handlers = [...PROBES.map((p) => [p]), ...HOOKS.map((h) => ['lifecycle', h])];
  const [first, ...rest] = handlers.flatMap((at) => HANDLERS.map((kind) => ({ field: [...at, kind, 'host'], require: { unsetOr: [''] } })));
  if (!first) throw new Error('no probe handler');
  return { ...first, also: rest };
})();

export default defineDataControl({
  id: 'PSS-host-probes',
  title: 'Probes and lifecycle hooks target only the pod itself',
  section: BASELINE,
  severity: 'low',
  frameworks: ['pss-baseline', 'pss-restricted'],
  refs: { pss: 'hostProbesAndHostLifecycle' },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'The kubelet sends probe and lifecycle requests from the node; a custom host turns it into a proxy that can reach addresses the pod itself cannot, such as node-local or cloud metadata endpoints.',
  remediation: 'Remove the host field from httpGet and tcpSocket probes and lifecycle hooks (it defaults to the pod IP); use a Host header for name-based routing.',
  rule: {
    on: 'container',
    ...HOST_FIELDS,
    expected: 'empty or unset',
  },
});
