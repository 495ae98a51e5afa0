import type { Verdict } from '../../core/types.js';
import { containersOf, type ContainerSubject, type PodSubject } from '../../evaluate/pod-specs.js';
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

/** A field written at all, even as 0: Kubernetes fills only absent fields, so a written 0 stays 0. */
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

/** What covers a field for every container of a pod, besides the container's own fields. */
interface Cover {
  limit: boolean;
  request: boolean;
}

/**
 * The pod's own requests and limits (`spec.resources`, PodLevelResources, 1.32+): a pod-level
 * limit bounds all its containers together and a pod-level request is what the scheduler
 * places, so either stands for the containers' own. A pod-level limit also stands for a missing
 * pod-level request, as the API server defaults one from the other.
 */
function podLevel(s: PodSubject, resource: Resource): Cover {
  const limit = isSet(s.spec.resources?.limits?.[resource]);
  return { limit, request: limit || isSet(s.spec.resources?.requests?.[resource]) };
}

/** Where a required field of a container gets its value, after what Kubernetes fills in; undefined: nowhere. */
type Source = 'container' | 'pod' | 'limitrange';

/**
 * The API server copies an absent request from the limit (written, even as 0); pod-level
 * resources cover every container; LimitRanger fills only what is still absent, so a field
 * written as 0 stays 0 and sets nothing.
 */
function sourceOf(c: ContainerSubject, resource: Resource, field: ResourceField, defaults: NamespaceDefaults | undefined, pod: Cover): Source | undefined {
  const limit = c.container.resources?.limits?.[resource];
  const request = c.container.resources?.requests?.[resource];
  const own = field === 'limits' ? limit : isWritten(request) ? request : limit;
  if (isSet(own)) return 'container';
  if (field === 'limits' ? pod.limit : pod.request) return 'pod';
  if (!isWritten(own) && (field === 'limits' ? defaults?.limit : defaults?.request)) return 'limitrange';
  return undefined;
}

/** Each required field of a container with where it gets its value (sourceOf), worked out once per container. */
type Sourced = ReadonlyArray<{ field: ResourceField; source: Source | undefined }>;

/** The required fields a container leaves unset, after what Kubernetes fills in. */
function missing(c: ContainerSubject, resource: Resource, sources: Sourced): Offender[] {
  return sources.filter((x) => x.source === undefined).map(({ field }) => ({ path: `${c.path}.resources.${field}.${resource}`, value: c.container.resources?.[field]?.[resource] }));
}

/** Why a container that leaves a required field unset still passes: the pod's resources, or a LimitRange. */
function coveredBy(sources: Sourced, defaults: NamespaceDefaults | undefined, specPath: string): string | undefined {
  const fromPod = sources.filter((x) => x.source === 'pod').map((x) => x.field);
  const reasons: string[] = [];
  if (fromPod.length > 0) reasons.push(`${fromPod.join(' and ')} by the pod-level ${specPath}.resources`);
  if (defaults && sources.some((x) => x.source === 'limitrange')) reasons.push(`defaulted by LimitRange ${[...new Set(defaults.names)].join(', ')}`);
  return reasons.length === 0 ? undefined : `what the container leaves unset is covered: ${reasons.join('; ')}`;
}

/** `resources.requests.cpu and resources.limits.cpu`, as the configuration asks. */
function describeRequired(resource: Resource, required: readonly ResourceField[]): string {
  return required.map((f) => `resources.${f}.${resource}`).join(' and ');
}

function resourceControl(resource: Resource, id: string, kubescape: string, nsaLimits: string, rationale: string): CatalogControl {
  return defineControl({
    id,
    title: `Containers set ${resource === 'cpu' ? 'CPU' : 'memory'} requests and limits`,
    section: SECTION.resources,
    severity: resource === 'memory' ? 'medium' : 'low',
    frameworks: ['hardening', 'nsa'],
    refs: { nsa: NSA_THEME.resources, kubescape: [kubescape, nsaLimits] },
    needs: WORKLOAD_EVIDENCE,
    rationale:
      `${rationale} Judged per container, init containers included (an init container runs unbounded too, and LimitRange defaults apply to it; Polaris and Kubescape judge regular containers only); ephemeral containers cannot set resources and are not judged. ` +
      'By default both a request and a limit must apply, as Kubernetes fills them in: a missing request is the limit when a limit is set (the API server copies it); pod-level resources (spec.resources, 1.32+) cover every container of the pod, a pod-level limit bounding them together and standing for a missing pod-level request, a pod-level request scheduling them; and a LimitRange of type Container in the namespace with a default (or max) and defaultRequest (or default, or min) counts as set. A zero quantity counts as unset (a zero limit bounds nothing and QoS classes ignore zeros), where Polaris and Kubescape accept any non-empty value; and since Kubernetes fills only fields that are absent, a request or limit written as 0 stays 0 and fails even beside a limit or a LimitRange default (Trivy asks only that the key is there). Polaris (cpuRequestsMissing, cpuLimitsMissing, memoryRequestsMissing, memoryLimitsMissing), Kubescape (C-0004, C-0050, and C-0270, C-0271 in its NSA framework, which ask limits only) and Trivy (KSV011, KSV015, KSV016, KSV018) read the container fields only and so fail a container with only a limit (Kubescape\'s NSA controls excepted), relying on a LimitRange or on pod-level resources; complyd follows what the cluster runs. Since a limit stands for the request, asking both fails exactly the containers that no limit applies to. Which of request and limit are required is a site choice (hardening.resources, both by default; `complyd evaluate` reads no configuration and asks both): many teams set no CPU limit on purpose, to avoid throttling, and keep the CPU request; an empty list turns the control off (not applicable).',
    remediation: `Set resources.requests.${resource} and resources.limits.${resource} on every container and init container (or on the pod, spec.resources, where pod-level resources are enabled), sized from observed use.`,
    alsoReads: ['limitranges'],
    evaluate: (ctx) => {
      const required = (ctx.hardening.resources ?? DEFAULT_RESOURCE_REQUIREMENTS)[resource];
      if (required.length === 0) return ctx.podSubjects.map((s) => notApplicable(s.resource, `no ${resource} request or limit is required (hardening.resources.${resource} is empty)`));
      const expected = `${describeRequired(resource, required)} set (non-zero), by the container or a LimitRange default`;
      const defaults = namespaceDefaults(ctx, resource);
      const rangesRead = complete(ctx, ['limitranges']);
      return ctx.podSubjects.flatMap((s) => {
        const ns = defaults.get(s.resource.namespace ?? '');
        const pod = podLevel(s, resource);
        // Ephemeral containers may not set resources (the API rejects them): not judged.
        return containersOf(s)
          .filter((c) => c.list !== 'ephemeralContainers')
          .map((c): Verdict => {
            const sources = required.map((field) => ({ field, source: sourceOf(c, resource, field, ns, pod) }));
            const offenders = missing(c, resource, sources);
            if (offenders.length === 0) {
              const why = coveredBy(sources, ns, s.specPath);
              return why ? passBecause(c.resource, why) : pass(c.resource);
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
  'C-0271',
  'Without a memory limit one container can take a node\'s memory until the kernel kills its neighbours; without a request the scheduler places it as if it used none.',
);

export const cpuResources = resourceControl(
  'cpu',
  'HARD-cpu-requests-limits',
  'C-0050',
  'C-0270',
  'Without a CPU request the scheduler overcommits the node and the container is the first to starve; without a limit one busy or compromised container can starve every other on the node.',
);
