/**
 * What the configuration (`hardening:`) asks of images beyond the catalog's fixed rules. Off by
 * default: a digest on every image and a registry allow-list are site policies, not defaults.
 */
export interface HardeningPolicy {
  /** Every image referenced by digest (`@sha256:...`). */
  readonly requireDigest: boolean;
  /** Registries images may come from (`registry.example.com`, `ghcr.io/team`); empty: any. */
  readonly allowedRegistries: readonly string[];
}

export const DEFAULT_HARDENING_POLICY: HardeningPolicy = { requireDigest: false, allowedRegistries: [] };
