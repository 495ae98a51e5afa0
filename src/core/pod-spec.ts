import type { ResourceKind } from './types.js';

/** Where each workload kind keeps its pod template (a Pod's own spec is at `spec`). */
export const POD_TEMPLATE_PATHS: ReadonlyArray<readonly [ResourceKind, readonly string[]]> = [
  ['deployments', ['spec', 'template']],
  ['statefulsets', ['spec', 'template']],
  ['daemonsets', ['spec', 'template']],
  ['replicasets', ['spec', 'template']],
  ['jobs', ['spec', 'template']],
  ['cronjobs', ['spec', 'jobTemplate', 'spec', 'template']],
  ['replicationcontrollers', ['spec', 'template']],
];

/** The parts of a PodSpec that controls read. Everything is optional, as in the API. */
export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostUsers?: boolean;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: PodSecurityContext;
  volumes?: Array<Record<string, unknown> & { name: string }>;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  os?: { name?: string };
  /** Pod-level requests and limits (1.32+, PodLevelResources): bound all containers together. */
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  /** Always (the default), OnFailure or Never: the latter two run to completion. */
  restartPolicy?: string;
}

export interface SecurityContextCommon {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  seccompProfile?: { type?: string; localhostProfile?: string };
  appArmorProfile?: { type?: string; localhostProfile?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string; level?: string };
  windowsOptions?: { hostProcess?: boolean };
}

export interface PodSecurityContext extends SecurityContextCommon {
  sysctls?: Array<{ name: string; value?: string }>;
  fsGroup?: number;
}

export interface ContainerSecurityContext extends SecurityContextCommon {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface Container {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: Record<string, unknown> }>;
  envFrom?: Array<Record<string, unknown>>;
  ports?: Array<{ containerPort?: number; hostPort?: number; protocol?: string; name?: string }>;
  securityContext?: ContainerSecurityContext;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  startupProbe?: Record<string, unknown>;
  /** `Always` makes an init container a sidecar that runs beside the others (1.29+). */
  restartPolicy?: string;
  lifecycle?: Record<string, unknown>;
}
