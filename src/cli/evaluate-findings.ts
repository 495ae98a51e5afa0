import type { Finding, ResourceRef, Severity, SourceLocation } from '../core/types.js';
import type { EvaluatedFinding } from '../report/evaluate-model.js';

export interface FindingCut {
  /** `--severity`; absent: all. */
  severities?: ReadonlySet<Severity> | undefined;
  /** `--include-namespaces`/`--exclude-namespaces`; absent: all. */
  inScope?: ((ref: ResourceRef) => boolean) | undefined;
}

/**
 * The findings `evaluate` reports: those of the chosen severities and namespaces, each with the
 * place its object was read (none for the cluster as a whole).
 */
export function evaluatedFindings(judged: readonly Finding[], locate: (ref: ResourceRef) => SourceLocation | undefined, cut: FindingCut): EvaluatedFinding[] {
  const out: EvaluatedFinding[] = [];
  for (const f of judged) {
    if (cut.severities && !cut.severities.has(f.severity)) continue;
    if (cut.inScope && !cut.inScope(f.resource)) continue;
    const source = f.resource.kind === 'Cluster' ? undefined : locate(f.resource);
    out.push(source ? { ...f, source } : f);
  }
  return out;
}
