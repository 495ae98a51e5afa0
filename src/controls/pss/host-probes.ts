import { defineControl } from '../define.js';
import { containersOf, type ContainerSubject } from '../../evaluate/pod-specs.js';
import { pass } from '../verdicts.js';
import { BASELINE, POD_SPEC_EVIDENCE, failFields, type Offender } from './common.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;
const HANDLERS = ['httpGet', 'tcpSocket'] as const;

function hostsOf(handler: unknown, path: string): Offender[] {
  if (handler === null || typeof handler !== 'object') return [];
  return HANDLERS.flatMap((kind) => {
    const host = (handler as Record<string, { host?: unknown } | null | undefined>)[kind]?.host;
    return host !== undefined && host !== null && host !== '' ? [{ path: `${path}.${kind}.host`, value: host }] : [];
  });
}

function offendersOf(c: ContainerSubject): Offender[] {
  const lifecycle = c.container.lifecycle as Record<string, unknown> | undefined;
  return [
    ...PROBES.flatMap((probe) => hostsOf(c.container[probe], `${c.path}.${probe}`)),
    ...HOOKS.flatMap((hook) => hostsOf(lifecycle?.[hook], `${c.path}.lifecycle.${hook}`)),
  ];
}

export default defineControl({
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
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c) => {
      const offenders = offendersOf(c);
      return offenders.length > 0 ? failFields(c.resource, offenders, 'empty or unset') : pass(c.resource);
    }),
});
