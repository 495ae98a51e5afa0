import type { Severity } from '../../../core/types.js';
import { defineControl, type CatalogControl } from '../../define.js';

/**
 * A file mode or owner item of CIS sections 1.1 and 4.1. The Kubernetes API has no view of a
 * node's filesystem, so these controls only say precisely what to check, where and how; a
 * person (or a node agent outside complyd) records the answer.
 */
export interface FileItem {
  /** Benchmark id, e.g. `1.1.1`. */
  readonly cis: string;
  readonly title: string;
  readonly severity: Severity;
  /** Which file, on which hosts, the command that answers it, and what the API does show. */
  readonly manual: string;
  readonly rationale: string;
  readonly remediation: string;
}

export const CONTROL_PLANE_FILES = 'CIS 1.1: control-plane node files';
export const WORKER_FILES = 'CIS 4.1: worker node files';

export function fileControl(section: string, item: FileItem): CatalogControl {
  return defineControl({
    id: `CIS-${item.cis}`,
    refs: { cis: item.cis },
    title: item.title,
    section,
    severity: item.severity,
    level: 'L1',
    frameworks: ['cis-1.12'],
    manual: item.manual,
    needs: [],
    rationale: item.rationale,
    remediation: item.remediation,
  });
}
