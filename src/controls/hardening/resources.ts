import type { Verdict } from '../../core/types.js';
import { containersOf, type ContainerSubject } from '../../evaluate/pod-specs.js';
import { defineControl, type CatalogControl } from '../define.js';
import { failFields, type Offender } from '../pss/common.js';
import { notApplicable, pass, unknown } from '../verdicts.js';
import type { EvalContext } from '../../evaluate/context.js';
import { complete, passBecause } from '../cis/policies/common.js';
import { NSA_THEME, SECTION, WORKLOAD_EVIDENCE } from './common.js';
import { DEFAULT_RESOURCE_REQUIREMENTS, type ResourceField } from '../../core/hardening-policy.js';

type Resource = 'cpu' | 'memory';

/** A quantity that sets something: `0` is as good as none for the scheduler and the kernel. */
const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== '' && !/^0+(\.0*)?[a-zA-Z]*$/.test(String(value));

/**
 * A field written in the manifest, whatever its value. Kubernetes fills in only fields that are
 * absent: an explicit `0` stays 0 (it is not replaced by the limit or a LimitRange default).
 */
const isWritten = (value: unknown): boolean => value !== undefined && value !== null;

/** What the LimitRanges of a namespace give a container that sets nothing: a default limit and request. */
interface NamespaceDefaults {
  limit: boolean;
  request: boolean;
  names: string[];
}

/**
 * LimitRange items of type Container, read as the API server defaults them: `default` falls
 * back to `max`, `defaultRequest` to `default` and then `min`; admission then fills a
 * container's missing limit from `default` and missing request from `defaultRequest`.
 */
function namespaceDefaults(ctx: EvalContext, resource: Resource): Map<string, NamespaceDefaults> {
  return ctx.shared(`limitrange-defaults/${resource}`, () => {
    const out = new Map<string, NamespaceDefaults>();
    for (const lr of ctx.objects('limitranges')) {
      const ns = lr.metadata.namespace ?? '';
      const items = Array.isArray(lr.spec?.limits) ? (lr.spec.limits as Array<Record<string, Record<string, unknown> | string | undefined>>) : [];
      for (const item of items) {
        if (item === null || typeof item !== 'object' || item.type !== 'Container') continue;
        const pick = (key: string): unknown => {
          const values = item[key];
          return values !== null && typeof values === 'object' ? (values as Record<string, unknown>)[resource] : undefined;
        };
        const limit = pick('default') ?? pick('max');
        const request = pick('defaultRequest') ?? limit ?? pick('min');
        const seen = out.get(ns) ?? { limit: false, request: false, names: [] };
        out.set(ns, { limit: seen.limit || isSet(limit), request: seen.request || isSet(request), names: [...seen.names, lr.metadata.name] });
      }
    }
    return out;
  });
}

/**
 * The required fields a container leaves unset, after what Kubernetes fills in: a missing request
 * is the limit when one is set (the API server copies it), and the namespace's LimitRange
 * defaults fill what is still missing.
 */
function missing(c: ContainerSubject, resource: Resource, defaults: NamespaceDefaults | undefined, required: readonly ResourceField[]): Offender[] {
  const limit = c.container.resources?.limits?.[resource];
  const request = c.container.resources?.requests?.[resource];
  const out: Offender[] = [];
  // The API server copies an absent request from the limit (written, even as 0); LimitRanger then fills what is still absent.
  const requestSet = isWritten(request) ? isSet(request) : isWritten(limit) ? isSet(limit) : defaults?.request === true;
  const limitSet = isWritten(limit) ? isSet(limit) : defaults?.limit === true;
  if (required.includes('requests') && !requestSet) out.push({ path: `${c.path}.resources.requests.${resource}`, value: request });
  if (required.includes('limits') && !limitSet) out.push({ path: `${c.path}.resources.limits.${resource}`, value: limit });
  return out;
}

/** Does a LimitRange default fill a required field of this container (one it leaves absent, not copied from a limit)? */
function filledByRange(c: ContainerSubject, resource: Resource, required: readonly ResourceField[]): boolean {
  const limit = c.container.resources?.limits?.[resource];
  const request = c.container.resources?.requests?.[resource];
  return required.some((f) => (f === 'limits' ? !isWritten(limit) : !isWritten(request) && !isWritten(limit)));
}

/** `resources.requests.cpu and resources.limits.cpu`, as the configuration asks. */
function describeRequired(resource: Resource, required: readonly ResourceField[]): string {
  return required.map((f) => `resources.${f}.${resource}`).join(' and ');
}

function resourceControl(resource: Resource, id: string, kubescape: string, rationale: string): CatalogControl {
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
      'By default both a request and a limit must apply, as Kubernetes fills them in: a missing request is the limit when a limit is set (the API server copies it), and a LimitRange of type Container in the namespace with a default (or max) and defaultRequest (or default, or min) counts as set. Kubernetes fills only fields that are absent: a request or limit written as 0 stays 0, which sets nothing, so it fails even beside a limit or a LimitRange default. Kubescape (C-0004, C-0050) and Trivy (KSV011, KSV015, KSV016, KSV018) read the container fields only and so fail a container with only a limit or relying on a LimitRange, and pass a field written as 0 (Trivy asks only that the key is there); complyd follows what the cluster runs. Which of request and limit are required is a site choice (hardening.resources, both by default; `complyd evaluate` reads no configuration and asks both): many teams set no CPU limit on purpose, to avoid throttling, and keep the CPU request; an empty list turns the control off (not applicable).',
    remediation: `Set resources.requests.${resource} and resources.limits.${resource} on every container and init container, sized from observed use.`,
    alsoReads: ['limitranges'],
    evaluate: (ctx) => {
      const required = (ctx.hardening.resources ?? DEFAULT_RESOURCE_REQUIREMENTS)[resource];
      if (required.length === 0) return ctx.podSubjects.map((s) => notApplicable(s.resource, `no ${resource} request or limit is required (hardening.resources.${resource} is empty)`));
      const expected = `${describeRequired(resource, required)} set (non-zero), by the container or a LimitRange default`;
      const defaults = namespaceDefaults(ctx, resource);
      const rangesRead = complete(ctx, ['limitranges']);
      return ctx.podSubjects.flatMap((s) => {
        const ns = defaults.get(s.resource.namespace ?? '');
        // Ephemeral containers may not set resources (the API rejects them): not judged.
        return containersOf(s)
          .filter((c) => c.list !== 'ephemeralContainers')
          .map((c): Verdict => {
            const offenders = missing(c, resource, ns, required);
            if (offenders.length === 0) {
              const fromRange = ns && filledByRange(c, resource, required);
              return fromRange ? passBecause(c.resource, `what the container leaves unset is defaulted by LimitRange ${[...new Set(ns.names)].join(', ')}`) : pass(c.resource);
            }
            if (!rangesRead) return unknown(c.resource, `${offenders.map((o) => o.path).join(', ')} unset, and whether a LimitRange of the namespace sets a default is unknown (limitranges not read)`);
            return failFields(c.resource, offenders, expected);
          });
      });
    },
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
