import type { AdmissionCheck } from './admission.js';
import type { EvidenceKind, Severity, Verdict } from './types.js';

/** Frameworks a control can belong to; a scan or report can be limited to one. */
/**
 * `hardening`: checks of the established scanners beyond CIS and PSS (resources, images,
 * read-only filesystems, literal credentials, RBAC reach, exposure); `reliability`: probes.
 */
export const FRAMEWORKS = ['cis-1.12', 'pss-baseline', 'pss-restricted', 'nsa', 'hardening', 'reliability'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The framework key of the sums over every evaluated control. */
export const ALL_CONTROLS = '*';

/** Cross-references an auditor can look up in the source documents. */
export interface ControlRefs {
  /** CIS Kubernetes Benchmark v1.12 id, e.g. `5.2.2`. */
  readonly cis?: string;
  /** Pod Security Standards check id, e.g. `privileged`. */
  readonly pss?: string;
  /** NSA/CISA Kubernetes Hardening Guide theme. */
  readonly nsa?: string;
  /** kubescape control ids that check the same thing. */
  readonly kubescape?: readonly string[];
}

/**
 * One control: metadata is data, `evaluate` is short and pure. A control that cannot be
 * automated still exists (no `evaluate`) so that coverage is complete and the report says
 * it needs a human.
 *
 * `Context` is what `evaluate` reads; the evaluate layer supplies it (its EvalContext), so the
 * layers that only read a control's metadata (config, store, history, report) need nothing
 * of evaluation. A `Control` with the default context accepts every control.
 */
export interface Control<Context = never> {
  readonly id: string;
  readonly title: string;
  /** Section of the catalog it belongs to, e.g. `Pod Security Standards: baseline`. */
  readonly section: string;
  readonly severity: Severity;
  readonly frameworks: readonly Framework[];
  readonly refs: ControlRefs;
  /** CIS profile level, for controls that are a CIS Benchmark item. */
  readonly level?: 'L1' | 'L2';
  /**
   * Why a person must judge this control, when complyd cannot decide it from the API (file
   * modes on nodes, the content of a config file, intent). With `evaluate` absent the control
   * reports one `manual` result carrying this text; with `evaluate` present it is `partial`:
   * it gathers the evidence the API shows and reports it as `manual` for a person to judge.
   */
  readonly manual?: string;
  /** Evidence the control reads; when any of it is missing the result says `unknown`. */
  readonly needs: readonly EvidenceKind[];
  /** Evidence read when there is some, whose absence the control itself judges (e.g. a config file behind a flag). */
  readonly alsoReads?: readonly EvidenceKind[];
  readonly rationale: string;
  readonly remediation: string;
  /** Absent for manual controls. */
  readonly evaluate?: (ctx: Context) => Verdict[];
  /**
   * The same check as CEL for an admission policy, present when the control judges one object
   * at a time and was declared as data (or in CEL): the control is then exportable.
   */
  readonly admission?: AdmissionCheck;
}

export type ControlMode = 'automated' | 'partial' | 'manual';

/** automated: complyd decides; partial: complyd shows evidence, a person decides; manual: a person checks. */
export function modeOf(control: Control): ControlMode {
  if (!control.evaluate) return 'manual';
  return control.manual ? 'partial' : 'automated';
}
