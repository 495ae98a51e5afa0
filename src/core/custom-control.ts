import type { AdmissionValidation } from './admission.js';
import type { Framework } from './control.js';
import type { LabelSelector } from './label-selector.js';
import type { Severity } from './types.js';

/** The section of every custom control: it is declared in a configuration, not in the published catalog. */
export const CUSTOM_SECTION = 'Custom controls';

/** The kinds a custom control may judge: pods and the workload kinds with a pod template. */
export const CUSTOM_CONTROL_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'] as const;
export type CustomControlKind = (typeof CUSTOM_CONTROL_KINDS)[number];

/**
 * A team's own control, declared in YAML (a `controls.d/` directory of the configuration) as CEL
 * over `object`, compiled when the configuration loads and judged like the catalog's controls.
 */
export interface CustomControlDefinition {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly frameworks: readonly Framework[];
  readonly match: {
    readonly kinds: readonly CustomControlKind[];
    /** Only objects of these namespaces; all when absent. */
    readonly namespaces?: readonly string[];
    /** Never objects of these namespaces. */
    readonly excludeNamespaces?: readonly string[];
    /** Only objects whose labels match; all when absent. */
    readonly selector?: LabelSelector;
  };
  /** Every validation must be true for the object to pass. */
  readonly validations: readonly AdmissionValidation[];
  readonly rationale: string;
  readonly remediation: string;
  /** The file it was declared in, for messages and the catalog. */
  readonly file: string;
}
