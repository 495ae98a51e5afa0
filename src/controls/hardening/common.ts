import type { EvidenceKind } from '../../core/types.js';
import { POD_SPEC_EVIDENCE } from '../pss/common.js';

/** What the hardening and reliability controls share: sections, NSA themes, evidence. */

export const SECTION = {
  resources: 'Hardening: resources',
  images: 'Hardening: images',
  containers: 'Hardening: container filesystem and credentials',
  rbac: 'Hardening: RBAC reach',
  exposure: 'Hardening: network exposure',
  reliability: 'Reliability: probes',
} as const;

/** NSA/CISA Kubernetes Hardening Guide themes these controls answer. */
export const NSA_THEME = {
  resources: 'Pod security: resource limits (denial of service)',
  immutable: 'Pod security: immutable container filesystem',
  images: 'Pod security: building secure container images (trusted registries, scanning)',
  secrets: 'Network separation: secrets handling',
  rbac: 'Authentication & authorization: RBAC least privilege',
  exposure: 'Network separation: limit exposed services',
  networkSeparation: 'Network separation: NetworkPolicies (default deny, least connectivity)',
} as const;

export const WORKLOAD_EVIDENCE: readonly EvidenceKind[] = POD_SPEC_EVIDENCE;
