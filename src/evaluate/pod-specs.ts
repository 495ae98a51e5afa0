import type { KubeObject, ResourceKind, ResourceRef, Snapshot } from '../core/types.js';
import { POD_TEMPLATE_PATHS, type Container, type PodSpec } from '../core/pod-spec.js';
import { objectRef } from '../core/resource-ref.js';

export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

/** A pod spec to judge, and where it lives: a bare Pod or a workload's pod template. */
export interface PodSubject {
  resource: ResourceRef;
  object: KubeObject;
  spec: PodSpec;
  /** Annotations of the pod (template), where legacy seccomp/AppArmor settings live. */
  podAnnotations: Record<string, string>;
  /** Field path of the pod spec inside the object, e.g. `spec.template.spec`. */
  specPath: string;
  /** Field path of the pod (template) metadata, e.g. `spec.template.metadata`. */
  metadataPath: string;
}

/** A container of a PodSubject, with the path prefix that evidence uses. */
export interface ContainerSubject {
  container: Container;
  list: ContainerList;
  /** e.g. `spec.template.spec.containers[app]`. */
  path: string;
  resource: ResourceRef;
}

/** The value at `path` under `obj`, or undefined where a step is missing or not an object. */
export function dig(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const refOf = objectRef;

/**
 * Every pod spec of a snapshot, counted once. A pod or workload whose controller is itself
 * in the snapshot is judged through that controller (a Deployment, not its ReplicaSets and
 * Pods), so one misconfiguration is one finding. Pods whose owner is not collected (static
 * mirror pods, operators' custom resources) are judged as pods.
 */
export function podSubjects(snapshot: Snapshot): PodSubject[] {
  const owners = new Set<string>();
  for (const [kind] of POD_TEMPLATE_PATHS) {
    for (const o of snapshot.objects[kind] ?? []) owners.add(ownerKey(o.kind, o.metadata.namespace, o.metadata.name));
  }
  const controlledByCollected = (o: KubeObject): boolean =>
    (o.metadata.ownerReferences ?? []).some(
      (r) => r.controller !== false && owners.has(ownerKey(r.kind, o.metadata.namespace, r.name)),
    );

  const subjects: PodSubject[] = [];
  // A bare Pod is its own "template": its metadata and spec sit at the top of the object.
  for (const [kind, path] of [...POD_TEMPLATE_PATHS, ['pods', []] as [ResourceKind, string[]]]) {
    for (const o of snapshot.objects[kind] ?? []) {
      if (controlledByCollected(o)) continue;
      const template = dig(o, path) as { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec } | undefined;
      if (!template?.spec) continue;
      subjects.push({
        resource: refOf(o),
        object: o,
        spec: template.spec,
        podAnnotations: template.metadata?.annotations ?? {},
        specPath: [...path, 'spec'].join('.'),
        metadataPath: [...path, 'metadata'].join('.'),
      });
    }
  }
  return subjects;
}

function ownerKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

const LISTS: readonly ContainerList[] = ['containers', 'initContainers', 'ephemeralContainers'];

/** All containers of a pod spec: regular, init and ephemeral, as PodSecurity admission walks them. */
export function containersOf(subject: PodSubject): ContainerSubject[] {
  // Twenty controls ask for the containers of the same subject: build them once.
  const cached = containerCache.get(subject);
  if (cached) return cached;
  const out: ContainerSubject[] = [];
  for (const list of LISTS) {
    for (const container of subject.spec[list] ?? []) {
      out.push({
        container,
        list,
        path: `${subject.specPath}.${list}[${container.name}]`,
        resource: { ...subject.resource, container: container.name },
      });
    }
  }
  containerCache.set(subject, out);
  return out;
}

const containerCache = new WeakMap<PodSubject, ContainerSubject[]>();

/** `spec.os.name: windows`: the pod runs on Windows nodes, where Linux-only settings mean nothing. */
export function isWindowsPod(subject: PodSubject): boolean {
  return subject.spec.os?.name === 'windows';
}

/** `spec.hostUsers: false`: the pod runs in its own user namespace, so its root is not the node's. */
export function inUserNamespace(subject: PodSubject): boolean {
  return subject.spec.hostUsers === false;
}

/** Seccomp annotations of clusters before 1.27 (deprecated since 1.19, when the fields came). */
export const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/** The profile type an annotation value stands for, as the API server's field sync maps it. */
export function seccompTypeOfAnnotation(value: string): string {
  if (value === 'runtime/default' || value === 'docker/default') return 'RuntimeDefault';
  if (value === 'unconfined') return 'Unconfined';
  if (value.startsWith('localhost/')) return 'Localhost';
  return value;
}

export interface EffectiveSeccomp {
  /** The profile type that applies (`RuntimeDefault`...), undefined when nothing sets one. */
  type: unknown;
  /** The field or annotation that decides it: `...seccompProfile.type` or `...annotations[key]`. */
  path: string;
  from: 'container' | 'pod' | 'unset';
}

/**
 * The seccomp profile type of one container. Fields first (container, then pod); with `legacy`,
 * an annotation stands for its field where that field is unset, as the API server's version
 * skew handling (1.19-1.26) copied it into the field when the pod was created: the container's
 * `container.seccomp.security.alpha.kubernetes.io/<name>`, then the pod's
 * `seccomp.security.alpha.kubernetes.io/pod`.
 */
export function effectiveSeccomp(subject: PodSubject, c: ContainerSubject, legacy: boolean): EffectiveSeccomp {
  const annotation = (key: string): EffectiveSeccomp | undefined => {
    const value = legacy ? subject.podAnnotations[key] : undefined;
    return typeof value === 'string' ? { type: seccompTypeOfAnnotation(value), path: `${subject.metadataPath}.annotations[${key}]`, from: key === SECCOMP_POD_ANNOTATION ? 'pod' : 'container' } : undefined;
  };
  const own = c.container.securityContext?.seccompProfile;
  if (own) return { type: own.type, path: `${c.path}.securityContext.seccompProfile.type`, from: 'container' };
  const ownAnnotation = annotation(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.container.name);
  if (ownAnnotation) return ownAnnotation;
  const pod = subject.spec.securityContext?.seccompProfile;
  if (pod) return { type: pod.type, path: `${subject.specPath}.securityContext.seccompProfile.type`, from: 'pod' };
  return annotation(SECCOMP_POD_ANNOTATION) ?? { type: undefined, path: `${c.path}.securityContext.seccompProfile.type`, from: 'unset' };
}
