import type { Severity } from '../core/types.js';

/**
 * How much one check of a severity counts. Doubling per step: one critical check weighs as
 * much as eight low ones. Written in the README and the PDF's methodology page.
 */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 8,
  high: 4,
  medium: 2,
  low: 1,
  info: 0,
};

/**
 * What the connectivity analysis adds to a workload's exposure (README: Risk score). Reachable
 * from the internet (a LoadBalancer/NodePort Service or an Ingress whose traffic the policies
 * let in) weighs as the other factors do; open to every pod of the cluster weighs half, and
 * both add up. A reachable workload then adds a tenth per workload it can connect to, at most 1.
 */
export const NETWORK_WEIGHT = {
  internet: 1,
  cluster: 0.5,
  lateralPerWorkload: 0.1,
  lateralMax: 1,
} as const;
