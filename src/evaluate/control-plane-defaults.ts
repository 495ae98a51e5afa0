import type { ComponentName } from '../core/components.js';
import type { ParsedFlags } from './flags.js';

/**
 * What a control-plane binary does when a flag is absent: its compiled default (catalog
 * section 0.1 and kube-apiserver's plugins.go). An absent flag is judged by this value,
 * never by the benchmark's "default value" prose, which is wrong for a few flags
 * (authorization-mode, bind-address).
 *
 * Versions are Kubernetes minors (31 for v1.31). When the version is unknown the newest
 * behaviour known here (1.35) applies.
 */

interface Default {
  readonly value: string;
  /** First minor with this default; earlier minors fall through to the next entry. */
  readonly since?: number;
}

const DEFAULTS: Record<ComponentName, Readonly<Record<string, readonly Default[]>>> = {
  'kube-apiserver': {
    'anonymous-auth': [{ value: 'true' }],
    // Only when --authorization-config is absent: see flagDefault.
    'authorization-mode': [{ value: 'AlwaysAllow' }],
    profiling: [{ value: 'true' }],
    'service-account-lookup': [{ value: 'true' }],
    'service-account-extend-token-expiration': [{ value: 'true' }],
    'enable-bootstrap-token-auth': [{ value: 'false' }],
    'request-timeout': [{ value: '1m0s' }],
    'audit-log-maxage': [{ value: '0' }],
    'audit-log-maxbackup': [{ value: '0' }],
    'audit-log-maxsize': [{ value: '0' }],
    'secure-port': [{ value: '6443' }],
    'bind-address': [{ value: '0.0.0.0' }],
  },
  'kube-controller-manager': {
    profiling: [{ value: 'true' }],
    'use-service-account-credentials': [{ value: 'false' }],
    'terminated-pod-gc-threshold': [{ value: '12500' }],
    'bind-address': [{ value: '0.0.0.0' }],
    'secure-port': [{ value: '10257' }],
  },
  'kube-scheduler': {
    profiling: [{ value: 'true' }],
    'bind-address': [{ value: '0.0.0.0' }],
    'secure-port': [{ value: '10259' }],
  },
  etcd: {
    'client-cert-auth': [{ value: 'false' }],
    'peer-client-cert-auth': [{ value: 'false' }],
    'auto-tls': [{ value: 'false' }],
    'peer-auto-tls': [{ value: 'false' }],
    'initial-cluster': [{ value: 'default=http://localhost:2380' }],
  },
};

function pick(entries: readonly Default[] | undefined, minor: number | undefined): string | undefined {
  if (!entries) return undefined;
  // Newest first: the first entry whose `since` the version has reached.
  const sorted = [...entries].sort((a, b) => (b.since ?? 0) - (a.since ?? 0));
  return (minor === undefined ? sorted[0] : sorted.find((e) => (e.since ?? 0) <= minor))?.value;
}

/**
 * The value `component` uses for `flag` when the flag is absent, or `undefined` when there is
 * none (the feature is off, or the value comes from elsewhere). `flags` lets a default depend
 * on other flags: with `--authorization-config` there is no authorization-mode at all.
 */
export function flagDefault(component: ComponentName, flag: string, minor?: number, flags?: ParsedFlags): string | undefined {
  if (component === 'kube-apiserver' && flag === 'authorization-mode' && flags?.flags.has('authorization-config')) return undefined;
  return pick(DEFAULTS[component][flag], minor);
}

/**
 * Admission plugins kube-apiserver runs when `--enable-admission-plugins` does not name them
 * (1.35 list; `since` for the ones added after 1.22). Plugins gated by an off feature gate are
 * listed too: the flag logic treats them as on, which is what `--disable-admission-plugins` sees.
 */
const DEFAULT_ON_ADMISSION_PLUGINS: ReadonlyArray<{ name: string; since?: number }> = [
  { name: 'NamespaceLifecycle' },
  { name: 'LimitRanger' },
  { name: 'ServiceAccount' },
  { name: 'TaintNodesByCondition' },
  { name: 'PodSecurity', since: 23 },
  { name: 'Priority' },
  { name: 'DefaultTolerationSeconds' },
  { name: 'DefaultStorageClass' },
  { name: 'StorageObjectInUseProtection' },
  { name: 'PersistentVolumeClaimResize' },
  { name: 'RuntimeClass' },
  { name: 'CertificateApproval' },
  { name: 'CertificateSigning' },
  { name: 'ClusterTrustBundleAttest', since: 27 },
  { name: 'CertificateSubjectRestriction' },
  { name: 'DefaultIngressClass' },
  { name: 'PodTopologyLabels', since: 33 },
  { name: 'NodeDeclaredFeatureValidator', since: 35 },
  { name: 'MutatingAdmissionPolicy', since: 32 },
  { name: 'MutatingAdmissionWebhook' },
  { name: 'ValidatingAdmissionPolicy', since: 26 },
  { name: 'ValidatingAdmissionWebhook' },
  { name: 'ResourceQuota' },
];

export function defaultAdmissionPlugins(minor?: number): string[] {
  return DEFAULT_ON_ADMISSION_PLUGINS.filter((p) => minor === undefined || (p.since ?? 0) <= minor).map((p) => p.name);
}

/** Plugins the CIS items want on (or off) that kube-apiserver does not run unless asked. */
export const DEFAULT_OFF_ADMISSION_PLUGINS: readonly string[] = ['NodeRestriction', 'AlwaysPullImages', 'EventRateLimit', 'DenyServiceExternalIPs', 'ImagePolicyWebhook', 'AlwaysAdmit'];

/** Compiled defaults of the feature gates the CIS items read (`RotateKubeletServerCertificate`: Beta, on since 1.12). */
const FEATURE_GATE_DEFAULTS: Readonly<Record<string, readonly Default[]>> = {
  RotateKubeletServerCertificate: [{ value: 'true', since: 12 }, { value: 'false' }],
};

export function featureGateDefault(gate: string, minor?: number): boolean | undefined {
  const v = pick(FEATURE_GATE_DEFAULTS[gate], minor);
  return v === undefined ? undefined : v === 'true';
}
