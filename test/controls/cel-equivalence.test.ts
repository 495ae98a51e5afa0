import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../src/core/types.js';
import { POD_TEMPLATE_PATHS } from '../../src/core/pod-spec.js';
import { CONTROLS } from '../../src/controls/index.js';
import { admit } from '../../src/controls/cel/runtime.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { loadManifests } from '../../src/collect/manifests.js';
import { NOW, ROW_SINK, snapshotOf } from './pss-helpers.js';

/**
 * Equivalence of the exported CEL and the evaluator, for every exportable control: each object
 * the control tests use (the rows of the PSS tables, the fixture files of every pod-spec
 * control, the hardening test's container shapes), put in a Pod and in every workload kind
 * with a pod template, is judged both ways. The evaluator's verdict for the object is fail
 * when any of its verdicts fails, else pass; the CEL's is its admission. No difference is allowed.
 * The evaluator judges as on a 1.30 cluster, the oldest that runs admission policies: the
 * deprecated seccomp annotations, which it reads for older clusters and manifests, are ignored
 * there as admission ignores them (ADR 19, deliberate differences).
 */

/** The oldest Kubernetes with ValidatingAdmissionPolicy GA: what an exported policy runs on. */
const ADMISSION_CLUSTER = { major: '1', minor: '30', gitVersion: 'v1.30.0' };

const FIXTURES = fileURLToPath(new URL('../fixtures/controls/', import.meta.url));
type Spec = Record<string, unknown>;

// The PSS tables hand over their rows instead of declaring their tests (see pss-helpers.ts).
const rows: Array<[string, KubeObject]> = [];
(globalThis as { [ROW_SINK]?: unknown })[ROW_SINK] = rows;
await import('./pss.test.js');
await import('./pss-restricted.test.js');
delete (globalThis as { [ROW_SINK]?: unknown })[ROW_SINK];

const podSpecControls = CONTROLS.filter((c) => c.needs.includes('pods'));
const fixtureObjects: KubeObject[] = [];
for (const control of podSpecControls) {
  const dir = join(FIXTURES, control.id);
  if (!existsSync(dir)) continue;
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith('.snapshot.json') && f !== 'hardening-policy.json');
  const { snapshot } = await loadManifests(files.map((f) => join(dir, f)), { collectedAt: NOW });
  for (const list of Object.values(snapshot.objects)) fixtureObjects.push(...(list ?? []));
}

/** The hardening test's shapes: a good and a bad container in each container list. */
const container = (name: string, securityContext: Spec): Spec => ({ name, image: 'registry.example.com/team/app:1.0.0', securityContext });
const good = { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false };
const bad = { readOnlyRootFilesystem: false, allowPrivilegeEscalation: true, privileged: true, capabilities: { add: ['SYS_ADMIN'] }, procMount: 'Unmasked' };
const hardeningSpecs: Spec[] = [
  { containers: [container('good', good), container('bad', bad)], initContainers: [container('init', bad)], ephemeralContainers: [container('debug', bad)] },
  { containers: [container('good', good)], initContainers: [container('init', good)] },
];

/** The pod template (metadata and spec) of any object that carries one. */
function templateOf(o: KubeObject): { metadata?: unknown; spec: Spec } | undefined {
  if (o.kind === 'Pod') return o.spec ? { metadata: { annotations: o.metadata.annotations }, spec: o.spec as Spec } : undefined;
  const path = POD_TEMPLATE_PATHS.find(([resource]) => resource === `${o.kind.toLowerCase()}s`)?.[1];
  let cur: unknown = o;
  for (const key of path ?? ['-']) cur = (cur as Record<string, unknown> | undefined)?.[key];
  return (cur as { spec?: Spec } | undefined)?.spec ? (cur as { metadata?: unknown; spec: Spec }) : undefined;
}

/** The same pod spec as a Pod and as each workload kind, the way the API server would receive them. */
function everyKind(template: { metadata?: unknown; spec: Spec }): KubeObject[] {
  const meta = { name: 'w', namespace: 'team' };
  const t = { metadata: { labels: { app: 'w' }, ...((template.metadata as object | undefined) ?? {}) }, spec: template.spec };
  const annotations = (template.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  const apps = (kind: string): KubeObject => ({ apiVersion: 'apps/v1', kind, metadata: meta, spec: { selector: { matchLabels: { app: 'w' } }, template: t } });
  return [
    { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, ...(annotations ? { annotations } : {}) }, spec: template.spec },
    apps('Deployment'),
    apps('StatefulSet'),
    apps('DaemonSet'),
    apps('ReplicaSet'),
    { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { template: t } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta, spec: { schedule: '@daily', jobTemplate: { spec: { template: t } } } },
    { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta, spec: { selector: { app: 'w' }, template: t } },
  ];
}

const templates = [...rows.map(([, o]) => o), ...fixtureObjects].flatMap((o) => templateOf(o) ?? []).concat(hardeningSpecs.map((spec) => ({ spec })));
const objects = templates.flatMap(everyKind);
const exportable = CONTROLS.filter((c) => c.admission);

// The evaluator's verdicts, once per control and object: the counts below ask for them again.
const judged = new Map<string, Map<KubeObject, 'pass' | 'fail' | 'none'>>();
function evaluatorVerdict(controlId: string, object: KubeObject): 'pass' | 'fail' | 'none' {
  const byObject = judged.get(controlId) ?? new Map<KubeObject, 'pass' | 'fail' | 'none'>();
  judged.set(controlId, byObject);
  const known = byObject.get(object);
  if (known) return known;
  const verdict = judgeOnce(controlId, object);
  byObject.set(object, verdict);
  return verdict;
}

function judgeOnce(controlId: string, object: KubeObject): 'pass' | 'fail' | 'none' {
  const control = CONTROLS.find((c) => c.id === controlId);
  const findings = evaluate({ ...snapshotOf([object]), serverVersion: ADMISSION_CLUSTER }, control ? [control] : [], NOW);
  if (findings.length === 0) return 'none';
  if (findings.some((f) => f.status !== 'pass' && f.status !== 'fail' && f.status !== 'not-applicable')) throw new Error(`${controlId}: unexpected ${findings.map((f) => f.status).join(',')}`);
  return findings.some((f) => f.status === 'fail') ? 'fail' : 'pass';
}

describe('exported CEL and the evaluator agree', () => {
  it('on every object of the controls\' tests, in every kind with a pod spec', () => {
    const differences: string[] = [];
    let compared = 0;
    const kinds = new Set<string>();
    for (const control of exportable) {
      for (const object of objects) {
        const expected = evaluatorVerdict(control.id, object);
        if (expected === 'none') continue;
        const outcome = admit(control.admission!, object);
        const got = outcome.admitted ? 'pass' : 'error' in outcome ? `error: ${outcome.error}` : 'fail';
        compared++;
        kinds.add(object.kind);
        if (got !== expected) differences.push(`${control.id} on ${object.kind} ${JSON.stringify(object.kind === 'Pod' ? object.spec : templateOf(object)?.spec)}: evaluator ${expected}, CEL ${got}`);
      }
    }
    // The figures the closing note of issue 14 quotes.
    process.stdout.write(`CEL equivalence: ${exportable.length} controls exported, ${templates.length} pod specs x ${kinds.size} kinds, ${compared} verdicts compared, ${differences.length} differences\n`);
    expect(differences.slice(0, 10)).toEqual([]);
    expect(exportable.length).toBeGreaterThanOrEqual(10);
    expect(kinds.size).toBe(8);
    // Both outcomes occur for every control: the comparison is not vacuous.
    for (const control of exportable) {
      const verdicts = new Set(objects.map((o) => evaluatorVerdict(control.id, o)));
      expect({ id: control.id, pass: verdicts.has('pass'), fail: verdicts.has('fail') }).toEqual({ id: control.id, pass: true, fail: true });
    }
  });
});
