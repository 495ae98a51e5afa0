import { defineControl } from '../define.js';
import { containersOf, type ContainerSubject, type PodSubject } from '../../evaluate/pod-specs.js';
import type { Verdict } from '../../core/types.js';
import { fail, pass } from '../verdicts.js';
import { BASELINE, NSA, POD_SPEC_EVIDENCE, podLevelFail, podLevelResidue, type Offender } from './common.js';

/** Deprecated per-container annotation, still synced to the field by the API server on pod creation. */
const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const FIELD_EXPECTED = 'RuntimeDefault, Localhost or unset (not Unconfined)';
const ANNOTATION_EXPECTED = 'runtime/default, localhost/<profile>, empty or unset (not unconfined)';

const isSet = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;
const allowedType = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
const allowedAnnotation = (v: unknown): boolean => v === '' || v === 'runtime/default' || (typeof v === 'string' && v.startsWith('localhost/'));

function judgeContainer(s: PodSubject, c: ContainerSubject): Verdict {
  const own = c.container.securityContext?.appArmorProfile;
  const annotationKey = ANNOTATION_PREFIX + c.container.name;
  const annotation = s.podAnnotations[annotationKey];
  if (isSet(own) && !allowedType(own.type)) {
    return fail(c.resource, `${c.path}.securityContext.appArmorProfile.type`, own.type, FIELD_EXPECTED);
  }
  if (annotation !== undefined && !allowedAnnotation(annotation)) {
    return fail(c.resource, `${s.metadataPath}.annotations[${annotationKey}]`, annotation, ANNOTATION_EXPECTED);
  }
  // The pod-level profile applies only where neither the container field nor its annotation is set.
  const pod = s.spec.securityContext?.appArmorProfile;
  if (!isSet(own) && annotation === undefined && isSet(pod) && !allowedType(pod.type)) {
    return fail(c.resource, `${s.specPath}.securityContext.appArmorProfile.type`, pod.type, FIELD_EXPECTED);
  }
  return pass(c.resource);
}

export default defineControl({
  id: 'PSS-apparmor',
  title: 'AppArmor is not disabled for any container',
  section: BASELINE,
  severity: 'medium',
  frameworks: ['pss-baseline', 'pss-restricted', 'nsa'],
  refs: { pss: 'appArmorProfile', nsa: NSA.hardening, kubescape: ['C-0055'] },
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'The runtime\'s default AppArmor profile blocks writes to /proc and /sys and most mount operations; an Unconfined profile removes that layer on nodes that enforce AppArmor.',
  remediation:
    'Remove appArmorProfile settings of type Unconfined (pod and containers) and annotations container.apparmor.security.beta.kubernetes.io/<name>: unconfined; use RuntimeDefault or a Localhost profile.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s) => {
      const containers = containersOf(s);
      const verdicts = containers.map((c) => judgeContainer(s, c));
      const pod = s.spec.securityContext?.appArmorProfile;
      const podPath = `${s.specPath}.securityContext.appArmorProfile.type`;
      const offenders: Offender[] = podLevelResidue(verdicts, podPath, pod?.type, isSet(pod) && !allowedType(pod.type));
      // PodSecurity also rejects a forbidden annotation that names no container of the pod.
      const names = new Set(containers.map((c) => c.container.name));
      for (const [key, value] of Object.entries(s.podAnnotations)) {
        if (key.startsWith(ANNOTATION_PREFIX) && !names.has(key.slice(ANNOTATION_PREFIX.length)) && !allowedAnnotation(value)) {
          offenders.push({ path: `${s.metadataPath}.annotations[${key}]`, value });
        }
      }
      const fields = offenders.filter((o) => o.path === podPath).length;
      const expected =
        fields === offenders.length ? FIELD_EXPECTED : fields === 0 ? ANNOTATION_EXPECTED : `field: ${FIELD_EXPECTED}; annotations: ${ANNOTATION_EXPECTED}`;
      return [...verdicts, ...podLevelFail(s, offenders, expected)];
    }),
});
