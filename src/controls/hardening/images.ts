import type { Verdict } from '../../core/types.js';
import { containersOf } from '../../evaluate/pod-specs.js';
import { defineControl } from '../define.js';
import { fail, pass } from '../verdicts.js';
import { NSA_THEME, SECTION, WORKLOAD_EVIDENCE } from './common.js';

/** An image reference split as the container runtime reads it. */
export interface ImageRef {
  /** Everything before the tag and digest: `registry.example.com/team/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * `name[:tag][@digest]`. The tag is what follows the last `:` after the last `/` (a `:` before
 * it is a registry port: `registry:5000/app` has no tag).
 */
export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  const repository = tag === undefined ? name : name.slice(0, colon);
  return { repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** No digest, and the tag is `latest` or absent (which the runtime reads as `latest`). */
export function floatsOnLatest(ref: ImageRef): boolean {
  return ref.digest === undefined && (ref.tag === undefined || ref.tag === 'latest');
}

export const imageTag = defineControl({
  id: 'HARD-image-tag',
  title: 'Images name a version: no latest tag, no missing tag',
  section: SECTION.images,
  severity: 'medium',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.images, kubescape: ['C-0075'] },
  needs: WORKLOAD_EVIDENCE,
  rationale:
    'An image without a tag runs :latest, and :latest changes under the same name: two nodes can run different code for one Deployment, a rollback returns nothing, and no scan result can be tied to what runs. An image pinned by digest passes whatever its tag (the digest decides what runs). Every container is judged: init and ephemeral too. Trivy (KSV013) and Polaris (tagNotSpecified) fail the same images; Kubescape C-0075 only fails them when imagePullPolicy is not Always, which HARD-image-pull-policy judges here.',
  remediation: 'Reference images by an explicit version tag (registry.example.com/app:1.4.2), or better by digest (@sha256:...), and never by :latest.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c): Verdict => {
      const image = c.container.image;
      if (typeof image !== 'string' || image === '') return fail(c.resource, `${c.path}.image`, image, 'an image with a version tag or a digest');
      return floatsOnLatest(parseImage(image)) ? fail(c.resource, `${c.path}.image`, image, 'an image with a version tag or a digest, not latest') : pass(c.resource);
    }),
});

export const imagePullPolicy = defineControl({
  id: 'HARD-image-pull-policy',
  title: 'Images on a moving tag are pulled Always',
  section: SECTION.images,
  severity: 'low',
  frameworks: ['hardening'],
  refs: { kubescape: ['C-0075'] },
  needs: WORKLOAD_EVIDENCE,
  rationale:
    'With IfNotPresent or Never, a node keeps whatever image it pulled first under a moving tag (latest, or none): nodes drift apart, and an image planted in a node\'s cache is run without the registry being asked. Unset imagePullPolicy defaults to Always for such images, so only an explicit IfNotPresent or Never fails. A version tag is treated as immutable, as Kubescape C-0075 does; Polaris (pullPolicyNotAlways) asks for Always on every image, which complyd does not: pin by digest instead.',
  remediation: 'Remove imagePullPolicy (or set Always) for images referenced by :latest or without a tag, or better pin them to a version or digest.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c): Verdict => {
      const policy = c.container.imagePullPolicy;
      const image = typeof c.container.image === 'string' ? c.container.image : '';
      if (!floatsOnLatest(parseImage(image)) || policy === undefined || policy === 'Always') return pass(c.resource);
      return fail(c.resource, `${c.path}.imagePullPolicy`, policy, `Always (or unset) for ${image || 'an image without a tag'}`);
    }),
});
