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
  /**
   * Which of request and limit HARD-cpu-requests-limits and HARD-memory-requests-limits ask for,
   * per resource; an empty list turns that control off (not applicable). Absent: both, for both.
   */
  readonly resources?: ResourceRequirements;
}

/** `requests`, `limits`, or both, per resource. */
export type ResourceField = 'requests' | 'limits';
export interface ResourceRequirements {
  readonly cpu: readonly ResourceField[];
  readonly memory: readonly ResourceField[];
}

export const DEFAULT_RESOURCE_REQUIREMENTS: ResourceRequirements = { cpu: ['requests', 'limits'], memory: ['requests', 'limits'] };

export const DEFAULT_HARDENING_POLICY: HardeningPolicy = { requireDigest: false, allowedRegistries: [], noInternetEgress: { namespaces: [] } };
