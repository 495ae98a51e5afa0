import type { ControlPlaneComponent, KubeObject, KubeletEvidence, ResourceKind, Snapshot } from '../core/types.js';
import { podSubjects, type PodSubject } from './pod-specs.js';
import { DEFAULT_HARDENING_POLICY, type HardeningPolicy } from '../core/hardening-policy.js';

/**
 * What a control's evaluate receives: the snapshot and views derived from it once per
 * snapshot (not once per control), so twenty workload controls walk the pod specs that
 * were extracted a single time.
 */
export class EvalContext {
  private podSubjectsCache?: PodSubject[];
  private readonly memo = new Map<string, unknown>();

  constructor(
    readonly snapshot: Snapshot,
    /** Evaluation time; controls never read the clock themselves. */
    readonly now: Date,
    /** The configuration's image policy (`hardening:`); off unless configured. */
    readonly hardening: HardeningPolicy = DEFAULT_HARDENING_POLICY,
  ) {}

  get podSubjects(): PodSubject[] {
    this.podSubjectsCache ??= podSubjects(this.snapshot);
    return this.podSubjectsCache;
  }

  /** The objects of one resource kind (empty when not collected; check gaps for why). */
  objects(kind: ResourceKind): readonly KubeObject[] {
    return this.snapshot.objects[kind] ?? [];
  }

  /** Every replica of a control-plane component (kube-apiserver, etcd...), as its mirror pods show it. */
  components(component: string): readonly ControlPlaneComponent[] {
    return this.snapshot.controlPlane.filter((c) => c.component === component);
  }

  get kubelets(): readonly KubeletEvidence[] {
    return this.snapshot.kubelets;
  }

  /** Kubernetes minor version of the API server (31 for v1.31.4), when known. */
  get minorVersion(): number | undefined {
    const m = /^v?1\.(\d+)/.exec(this.snapshot.serverVersion?.gitVersion ?? '');
    return m ? Number(m[1]) : undefined;
  }

  /**
   * Do the seccomp annotations of older clusters take effect here? Kubernetes 1.19-1.26 copied
   * them into the seccompProfile fields when a pod was created; 1.27 dropped them. Manifests and
   * clusters of unknown version are read as an older cluster would read them.
   */
  get legacySeccompAnnotations(): boolean {
    const minor = this.minorVersion;
    return minor === undefined || minor < 27;
  }

  /**
   * A value derived from the snapshot once and shared by every control that asks for the
   * same key (an RBAC graph, parsed flags...). `compute` must be pure.
   */
  shared<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }
}
