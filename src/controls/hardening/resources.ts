import type { Verdict } from '../../core/types.js';
import { containersOf, type ContainerSubject } from '../../evaluate/pod-specs.js';
import { defineControl, type CatalogControl } from '../define.js';
import { failFields, type Offender } from '../pss/common.js';
import { pass } from '../verdicts.js';
import { NSA_THEME, SECTION, WORKLOAD_EVIDENCE } from './common.js';

type Resource = 'cpu' | 'memory';

/**
 * Ephemeral containers may not set resources (the API rejects them): they are not judged.
 * A request or limit of `0` is as good as none for the scheduler and the kernel.
 */
function missing(c: ContainerSubject, resource: Resource): Offender[] {
  const out: Offender[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    const value = c.container.resources?.[kind]?.[resource];
    if (value === undefined || value === null || value === '' || /^0+(\.0*)?[a-zA-Z]*$/.test(String(value))) {
      out.push({ path: `${c.path}.resources.${kind}.${resource}`, value });
    }
  }
  return out;
}

function resourceControl(resource: Resource, id: string, kubescape: string, rationale: string): CatalogControl {
  const expected = `resources.requests.${resource} and resources.limits.${resource} set (non-zero)`;
  return defineControl({
    id,
    title: `Containers set ${resource === 'cpu' ? 'CPU' : 'memory'} requests and limits`,
    section: SECTION.resources,
    severity: resource === 'memory' ? 'medium' : 'low',
    frameworks: ['hardening', 'nsa'],
    refs: { nsa: NSA_THEME.resources, kubescape: [kubescape] },
    needs: WORKLOAD_EVIDENCE,
    rationale:
      `${rationale} Judged per container, init containers included; ephemeral containers cannot set resources and are not judged. ` +
      'Both the request and the limit are required, as Kubescape and Trivy require them and Polaris warns on each. A namespace LimitRange default is not read by complyd yet, so a container relying on one fails here: list such namespaces as exceptions.',
    remediation: `Set resources.requests.${resource} and resources.limits.${resource} on every container and init container, sized from observed use.`,
    evaluate: (ctx) =>
      ctx.podSubjects.flatMap((s) =>
        containersOf(s)
          .filter((c) => c.list !== 'ephemeralContainers')
          .map((c): Verdict => {
            const offenders = missing(c, resource);
            return offenders.length > 0 ? failFields(c.resource, offenders, expected) : pass(c.resource);
          }),
      ),
  });
}

export const memoryResources = resourceControl(
  'memory',
  'HARD-memory-requests-limits',
  'C-0004',
  'Without a memory limit one container can take a node\'s memory until the kernel kills its neighbours; without a request the scheduler places it as if it used none.',
);

export const cpuResources = resourceControl(
  'cpu',
  'HARD-cpu-requests-limits',
  'C-0050',
  'Without a CPU request the scheduler overcommits the node and the container is the first to starve; without a limit one busy or compromised container can starve every other on the node.',
);
