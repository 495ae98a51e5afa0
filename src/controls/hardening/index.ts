import type { CatalogControl } from '../define.js';
import { cpuResources, memoryResources } from './resources.js';
import { imageDigest, imagePullPolicy, imageRegistry, imageTag } from './images.js';
import { readOnlyRootFilesystem } from './filesystem.js';
import { configMapCredentials, envCredentials } from './credentials.js';
import { clusterManagement, podExec, workloadWrite } from './rbac.js';
import { serviceExposure } from './exposure.js';
import { livenessProbe, readinessProbe } from './probes.js';
import { NETWORK_CONTROLS } from './network.js';

/**
 * Hardening checks the established scanners (Kubescape, Polaris, Trivy) carry and CIS and the
 * Pod Security Standards do not, mapped to the NSA/CISA guide where it asks for them; then the
 * reliability checks (probes), a framework of their own.
 */
export const HARDENING_CONTROLS: readonly CatalogControl[] = [
  memoryResources,
  cpuResources,
  imageTag,
  imagePullPolicy,
  imageDigest,
  imageRegistry,
  readOnlyRootFilesystem,
  envCredentials,
  configMapCredentials,
  podExec,
  workloadWrite,
  clusterManagement,
  serviceExposure,
  ...NETWORK_CONTROLS,
];

export const RELIABILITY_CONTROLS: readonly CatalogControl[] = [livenessProbe, readinessProbe];
