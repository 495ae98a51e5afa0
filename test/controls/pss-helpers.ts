import type { KubeObject, Snapshot, Status } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { RESOURCE_OF_KIND } from '../../src/collect/normalize.js';

/**
 * Builders for the Pod Security Standards tables (pss.test.ts, pss-restricted.test.ts): each
 * row is one pod spec and the exact verdicts a control must give, in order (containers,
 * init containers, ephemeral containers as PodSecurity walks them; then pod-level verdicts).
 */

export const NOW = new Date('2026-11-01T00:00:00Z');
const IMAGE = 'registry.example.com/team/app:1.0.0';

type Spec = Record<string, unknown>;
type Annotations = Record<string, string>;

export const container = (name: string, securityContext?: Spec, extra: Spec = {}): Spec => ({
  name,
  image: IMAGE,
  ...(securityContext ? { securityContext } : {}),
  ...extra,
});

export function pod(spec: Spec, annotations?: Annotations): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team', ...(annotations ? { annotations } : {}) }, spec };
}

export function deployment(spec: Spec, annotations?: Annotations): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'team' },
    spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' }, ...(annotations ? { annotations } : {}) }, spec } },
  };
}

export function cronJob(spec: Spec): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', namespace: 'team' },
    spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec } } } },
  };
}

export function snapshotOf(objects: KubeObject[]): Snapshot {
  const byResource: Snapshot['objects'] = {};
  for (const o of objects) {
    const resource = RESOURCE_OF_KIND[o.kind];
    if (!resource) throw new Error(`no resource for ${o.kind}`);
    (byResource[resource] ??= []).push(o);
  }
  return { cluster: 'test', labels: {}, collectedAt: NOW.toISOString(), provider: 'unknown', objects: byResource, controlPlane: [], kubelets: [], gaps: [], source: 'manifests' };
}

export interface Expected {
  status: Status;
  container?: string | undefined;
  path?: string | undefined;
  observed?: string;
}

export const P = (container?: string): Expected => ({ status: 'pass', container, path: undefined });
export const F = (container: string | undefined, path: string, observed?: string): Expected => ({
  status: 'fail',
  container,
  path,
  ...(observed === undefined ? {} : { observed }),
});
export const NA = (container: string): Expected => ({ status: 'not-applicable', container, path: undefined });
/** A pass that names the field allowing it (the hostUsers: false relaxation). */
export const PW = (container: string, path: string): Expected => ({ status: 'pass', container, path });

export function judge(controlId: string, object: KubeObject) {
  const control = CONTROLS.find((c) => c.id === controlId);
  if (!control) throw new Error(`unknown control ${controlId}`);
  return evaluate(snapshotOf([object]), [control], NOW).map((f) => ({
    status: f.status,
    container: f.resource.container,
    path: f.evidence?.path,
    observed: f.evidence?.observed,
  }));
}

export type Row = [title: string, object: KubeObject, expected: Expected[]];

/**
 * Where the CEL equivalence test (cel-equivalence.test.ts) gathers the rows' objects: when it
 * sets this before importing the tables, each table hands its rows over instead of declaring tests.
 */
export const ROW_SINK = Symbol.for('complyd.test.tableRows');

export function table(controlId: string, rows: Row[]): void {
  const sink = (globalThis as { [ROW_SINK]?: Array<[string, KubeObject]> })[ROW_SINK];
  if (sink) {
    sink.push(...rows.map(([, object]): [string, KubeObject] => [controlId, object]));
    return;
  }
  describe(controlId, () => {
    it.each(rows)('%s', (_title, object, expected) => {
      expect(judge(controlId, object)).toMatchObject(expected);
    });
  });
}

export const windows = { os: { name: 'windows' } };
export const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
