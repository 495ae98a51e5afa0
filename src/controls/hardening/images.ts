import type { Verdict } from '../../core/types.js';
import { containersOf } from '../../evaluate/pod-specs.js';
import { defineControl } from '../define.js';
import { fail, notApplicable, pass } from '../verdicts.js';
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
    'An image without a tag runs :latest, and :latest changes under the same name: two nodes can run different code for one Deployment, a rollback returns nothing, and no scan result can be tied to what runs. An image pinned by digest passes whatever its tag (the digest decides what runs). Every container is judged: init and ephemeral too (Polaris skips ephemeral containers). The reference is read as the runtime reads it: in `registry:5000/app` the colon belongs to the registry port and the image has no tag, which Polaris (tagNotSpecified, a pattern on any colon) passes; tags are case-sensitive, so `:LATEST` is another tag and passes, as in Polaris. Trivy (KSV013) and Polaris otherwise fail the same images; Kubescape C-0075 only fails them when imagePullPolicy is not Always, which HARD-image-pull-policy judges here.',
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
    'With IfNotPresent or Never, a node keeps whatever image it pulled first under a moving tag (latest, or none): nodes drift apart, and an image planted in a node\'s cache is run without the registry being asked. Unset imagePullPolicy defaults to Always for such images, so only an explicit IfNotPresent or Never fails. A version tag is treated as immutable, as Kubescape C-0075 does; Polaris (pullPolicyNotAlways) asks for Always on every image, which complyd does not: pin by digest instead. An image pinned by digest passes whatever its tag (`app:latest@sha256:...` pulled IfNotPresent can only run the bytes the digest names), where Kubescape C-0075 fails it for the :latest it sees. Every container is judged, init and ephemeral too; Kubescape reads regular containers only.',
  remediation: 'Remove imagePullPolicy (or set Always) for images referenced by :latest or without a tag, or better pin them to a version or digest.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c): Verdict => {
      const policy = c.container.imagePullPolicy;
      const image = typeof c.container.image === 'string' ? c.container.image : '';
      if (!floatsOnLatest(parseImage(image)) || policy === undefined || policy === 'Always') return pass(c.resource);
      return fail(c.resource, `${c.path}.imagePullPolicy`, policy, `Always (or unset) for ${image || 'an image without a tag'}`);
    }),
});

/**
 * The registry of an image as the runtime resolves it: the first path segment when it looks
 * like a host (has a `.` or `:`, or is `localhost`), else Docker Hub (`docker.io`, with
 * `library/` for a one-segment name).
 */
export function registryPath(repository: string): string {
  const [first = '', ...rest] = repository.split('/');
  const isHost = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (isHost) return repository;
  return `docker.io/${rest.length === 0 ? `library/${first}` : repository}`;
}

/** Is the image under one of the allowed prefixes (a whole host, or a host and path)? */
export function fromAllowedRegistry(repository: string, allowed: readonly string[]): boolean {
  const path = registryPath(repository);
  return allowed.some((prefix) => {
    const p = prefix.replace(/\/+$/, '');
    return path === p || path.startsWith(`${p}/`);
  });
}

export const imageDigest = defineControl({
  id: 'HARD-image-digest',
  title: 'Images are referenced by digest (when required by configuration)',
  section: SECTION.images,
  severity: 'medium',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.images },
  needs: WORKLOAD_EVIDENCE,
  rationale:
    'A tag can be moved to other content at any time, by the publisher or by whoever controls the registry; a digest names exactly the bytes that were reviewed and scanned. Requiring digests is a site policy, so this control is off by default (hardening.requireDigest: true turns it on; every container is then judged, init and ephemeral too) and reports not-applicable on each workload until then.',
  remediation: 'Reference every image by digest (registry.example.com/app:1.4.2@sha256:...), resolving tags to digests in the delivery pipeline.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s): Verdict[] => {
      if (!ctx.hardening.requireDigest) return [notApplicable(s.resource, 'digests are not required (hardening.requireDigest is false)')];
      return containersOf(s).map((c) => {
        const image = typeof c.container.image === 'string' ? c.container.image : '';
        return parseImage(image).digest ? pass(c.resource) : fail(c.resource, `${c.path}.image`, image, 'an image referenced by digest (@sha256:...)');
      });
    }),
});

export const imageRegistry = defineControl({
  id: 'HARD-image-registry',
  title: 'Images come from allowed registries (when an allow-list is configured)',
  section: SECTION.images,
  severity: 'high',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.images, kubescape: ['C-0078'] },
  needs: WORKLOAD_EVIDENCE,
  rationale:
    'Images pulled from registries nobody reviews bring code nobody scanned, and a typo in a public name can pull an attacker\'s image. The allow-list is a site policy (hardening.allowedRegistries, empty by default: the control is then not-applicable). An image without a registry host is read as the runtime reads it, from docker.io (library/ for a single name), so allowing docker.io/library covers nginx but not someone/nginx. Every container is judged, init and ephemeral too.',
  remediation: 'Pull images only from the allowed registries (mirror what is needed from public ones into them), and enforce the list with an admission policy.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap((s): Verdict[] => {
      const allowed = ctx.hardening.allowedRegistries;
      if (allowed.length === 0) return [notApplicable(s.resource, 'no registry allow-list is configured (hardening.allowedRegistries)')];
      return containersOf(s).map((c) => {
        const image = typeof c.container.image === 'string' ? c.container.image : '';
        return image !== '' && fromAllowedRegistry(parseImage(image).repository, allowed)
          ? pass(c.resource)
          : fail(c.resource, `${c.path}.image`, image, `an image from ${allowed.join(', ')}`);
      });
    }),
});
