import type { CatalogControl } from '../../define.js';
import { clusterAdmin, systemMasters } from './rbac-bindings.js';
import { csrApproval, escalationVerbs, nodeProxy, persistentVolumeCreation, podCreation, secretsAccess, tokenCreation, webhookConfiguration } from './rbac-permissions.js';
import { wildcardRoles } from './rbac-wildcards.js';
import { defaultServiceAccounts, tokenMounts } from './service-accounts.js';
import { netRaw, podSecurityAdmission } from './pod-security.js';
import { cniSupportsPolicies, namespacesHavePolicies } from './network.js';
import { externalSecretStore, secretsAsEnv } from './secrets.js';
import { imageProvenance } from './image-provenance.js';
import { defaultNamespaceUnused, namespaceBoundaries, seccompDefault, securityContexts } from './general.js';

/**
 * CIS section 5: RBAC and service accounts, pod security admission, network policies, secrets,
 * admission, general policies. In benchmark order.
 *
 * Items whose meaning equals a Pod Security Standards check are not repeated here: the PSS
 * control carries the CIS id (frameworks 'cis-1.12', refs.cis, level):
 * 5.2.2 PSS-privileged, 5.2.3 PSS-host-pid, 5.2.4 PSS-host-ipc, 5.2.5 PSS-host-network,
 * 5.2.6 PSS-allow-privilege-escalation (unset fails, as PSS restricted; kube-bench passes unset),
 * 5.2.7 PSS-run-as-non-root, 5.2.9 PSS-capabilities-restricted, 5.2.10 PSS-windows-host-process,
 * 5.2.11 PSS-host-path-volumes, 5.2.12 PSS-host-ports.
 * 5.2.8 (NET_RAW dropped) and 5.6.2 (seccomp, with the kubelet's seccompDefault) differ from
 * their nearest PSS checks and are controls of their own.
 */
export const POLICY_CONTROLS: readonly CatalogControl[] = [
  clusterAdmin, // 5.1.1
  secretsAccess, // 5.1.2
  wildcardRoles, // 5.1.3
  podCreation, // 5.1.4
  defaultServiceAccounts, // 5.1.5
  tokenMounts, // 5.1.6
  systemMasters, // 5.1.7
  escalationVerbs, // 5.1.8
  persistentVolumeCreation, // 5.1.9
  nodeProxy, // 5.1.10
  csrApproval, // 5.1.11
  webhookConfiguration, // 5.1.12
  tokenCreation, // 5.1.13
  podSecurityAdmission, // 5.2.1
  netRaw, // 5.2.8
  cniSupportsPolicies, // 5.3.1
  namespacesHavePolicies, // 5.3.2
  secretsAsEnv, // 5.4.1
  externalSecretStore, // 5.4.2
  imageProvenance, // 5.5.1
  namespaceBoundaries, // 5.6.1
  seccompDefault, // 5.6.2
  securityContexts, // 5.6.3
  defaultNamespaceUnused, // 5.6.4
];
