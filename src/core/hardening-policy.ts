import type { LabelSelector } from './label-selector.js';

/**
 * What the configuration (`hardening:`) asks beyond the catalog's fixed rules. Off by default:
 * a digest on every image, a registry allow-list and which namespaces need no internet are
 * site policies, not defaults.
 */
export interface HardeningPolicy {
  /** Every image referenced by digest (`@sha256:...`). */
  readonly requireDigest: boolean;
  /** Registries images may come from (`registry.example.com`, `ghcr.io/team`); empty: any. */
  readonly allowedRegistries: readonly string[];
  /**
   * Namespaces whose workloads should not reach the internet (HARD-network-internet-egress):
   * those named, and those whose labels the selector matches. Neither given: none is judged.
   */
  readonly noInternetEgress: { readonly namespaces: readonly string[]; readonly namespaceSelector?: LabelSelector };
}

export const DEFAULT_HARDENING_POLICY: HardeningPolicy = { requireDigest: false, allowedRegistries: [], noInternetEgress: { namespaces: [] } };
