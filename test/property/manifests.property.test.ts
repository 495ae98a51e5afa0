import { jest } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { loadManifests, ManifestError, type LoadedManifests } from '../../src/collect/manifests.js';
import { propertyRuns } from '../helpers/property.js';

/**
 * Generated manifests: Kubernetes objects as people write them, then broken at every level
 * (wrong types, nulls, deep nesting, aliases, huge strings, Lists, several documents, cut
 * text). Whatever the file, loadManifests returns objects and problems, each problem a
 * ManifestError naming the file (and the document, when there are several); it never throws
 * or rejects. What it keeps, the controls judge without throwing. 150 runs per property in CI;
 * COMPLYD_PROPERTY_RUNS=20000 for a longer hunt (a failure prints the seed and path that replay it).
 */
const RUNS = propertyRuns(150);
// Generous: the machine running CI may be busy; a larger hunt scales with its runs.
jest.setTimeout(Math.max(120_000, RUNS * 400));

let dir: string;
let n = 0;
let inputs = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'complyd-manifest-prop-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`manifest properties: ${inputs} generated inputs\n`);
});

/** YAML as kubectl reads it (1.1: `n`, `on`, `0644` are not strings), so strings are quoted where it needs. */
const stringify = (value: unknown, options: { aliasDuplicateObjects?: boolean } = {}): string => stringifyYaml(value, { version: '1.1', ...options });

/** Write the text as a file of that extension and load it; check what every input must give. */
async function load(text: string, ext: '.yaml' | '.json'): Promise<LoadedManifests> {
  inputs += 1;
  const file = join(dir, `m${++n}${ext}`);
  writeFileSync(file, text);
  const loaded = await loadManifests([file]);
  for (const e of loaded.unreadable) {
    expect(e).toBeInstanceOf(ManifestError);
    expect(e.file).toBe(file);
    expect(e.message.startsWith(`${file}:`)).toBe(true);
    if (e.doc !== undefined) expect(e.message).toContain(`document ${e.doc}`);
    // A message, not a dump: no "[object Object]", no stack.
    expect(e.message).not.toMatch(/\[object |\n\s+at /);
  }
  for (const s of loaded.skipped) expect(s.file).toBe(file);
  // What was kept is judged like a cluster's objects: a control that throws on it is a shape
  // the loader should have refused.
  const errors = evaluate(loaded.snapshot, CONTROLS, new Date('2026-01-01T00:00:00Z')).filter((f) => f.status === 'error');
  expect(errors.map((f) => f.message)).toEqual([]);
  rmSync(file);
  return loaded;
}

// ---- valid objects -------------------------------------------------------------------------

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const labels = fc.dictionary(fc.constantFrom('app', 'tier', 'component', 'env', 'team'), name, { maxKeys: 3 });
const metadata = fc.record({ name, namespace: fc.constantFrom('default', 'kube-system', 'apps'), labels }, { requiredKeys: ['name'] });
const securityContext = fc.record(
  {
    privileged: fc.boolean(),
    runAsNonRoot: fc.boolean(),
    runAsUser: fc.nat({ max: 70000 }),
    allowPrivilegeEscalation: fc.boolean(),
    readOnlyRootFilesystem: fc.boolean(),
    capabilities: fc.record({ add: fc.array(fc.constantFrom('NET_ADMIN', 'SYS_ADMIN', 'ALL', 'NET_RAW'), { maxLength: 2 }), drop: fc.array(fc.constantFrom('ALL', 'NET_RAW'), { maxLength: 2 }) }, { requiredKeys: [] }),
    seccompProfile: fc.record({ type: fc.constantFrom('RuntimeDefault', 'Unconfined', 'Localhost') }),
  },
  { requiredKeys: [] },
);
const container = fc.record(
  {
    name,
    image: fc.constantFrom('nginx:1.27', 'registry.example/app@sha256:abc', 'busybox', 'app:latest'),
    command: fc.array(fc.constantFrom('kube-apiserver', '/bin/sh', 'etcd', '--anonymous-auth=false', '--profiling=true'), { maxLength: 3 }),
    args: fc.array(fc.constantFrom('--insecure-port=0', '--authorization-mode=Node,RBAC', '--token-auth-file=/x', '-c'), { maxLength: 3 }),
    env: fc.array(fc.record({ name: fc.constantFrom('A', 'PASSWORD', 'TOKEN'), value: fc.string({ maxLength: 8 }) }), { maxLength: 2 }),
    ports: fc.array(fc.record({ containerPort: fc.nat({ max: 65535 }), hostPort: fc.nat({ max: 65535 }) }, { requiredKeys: ['containerPort'] }), { maxLength: 2 }),
    securityContext,
    resources: fc.record({ limits: fc.record({ cpu: fc.constantFrom('100m', '1'), memory: fc.constantFrom('64Mi', '1Gi') }, { requiredKeys: [] }) }, { requiredKeys: [] }),
    volumeMounts: fc.array(fc.record({ name, mountPath: fc.constantFrom('/data', '/var/run/docker.sock') }), { maxLength: 2 }),
  },
  { requiredKeys: ['name'] },
);
const podSpec = fc.record(
  {
    containers: fc.array(container, { minLength: 1, maxLength: 2 }),
    initContainers: fc.array(container, { maxLength: 1 }),
    hostNetwork: fc.boolean(),
    hostPID: fc.boolean(),
    hostIPC: fc.boolean(),
    serviceAccountName: name,
    automountServiceAccountToken: fc.boolean(),
    securityContext,
    volumes: fc.array(fc.record({ name, hostPath: fc.record({ path: fc.constantFrom('/', '/var/run/docker.sock', '/etc') }) }, { requiredKeys: ['name'] }), { maxLength: 2 }),
    nodeName: name,
  },
  { requiredKeys: ['containers'] },
);
const template = fc.record({ metadata: fc.record({ labels }), spec: podSpec });
const workload = (apiVersion: string, kind: string) => fc.record({ apiVersion: fc.constant(apiVersion), kind: fc.constant(kind), metadata, spec: fc.record({ replicas: fc.nat(5), template, selector: fc.record({ matchLabels: labels }) }, { requiredKeys: ['template'] }) });
const rule = fc.record({ apiGroups: fc.array(fc.constantFrom('', 'apps', '*'), { maxLength: 2 }), resources: fc.array(fc.constantFrom('secrets', 'pods', '*', 'pods/exec'), { maxLength: 2 }), verbs: fc.array(fc.constantFrom('get', 'list', '*', 'create', 'escalate'), { maxLength: 3 }) });
const subject = fc.record({ kind: fc.constantFrom('User', 'Group', 'ServiceAccount'), name: fc.constantFrom('system:anonymous', 'system:masters', 'alice', 'default'), namespace: fc.constantFrom('default', 'apps') }, { requiredKeys: ['kind', 'name'] });

const validObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Pod'), metadata, spec: podSpec }),
  workload('apps/v1', 'Deployment'),
  workload('apps/v1', 'DaemonSet'),
  workload('apps/v1', 'StatefulSet'),
  workload('apps/v1', 'ReplicaSet'),
  fc.record({ apiVersion: fc.constant('batch/v1'), kind: fc.constant('Job'), metadata, spec: fc.record({ template }) }),
  fc.record({ apiVersion: fc.constant('batch/v1'), kind: fc.constant('CronJob'), metadata, spec: fc.record({ schedule: fc.constant('0 * * * *'), jobTemplate: fc.record({ spec: fc.record({ template }) }) }) }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Namespace'), metadata: fc.record({ name, labels: fc.dictionary(fc.constantFrom('pod-security.kubernetes.io/enforce', 'team'), fc.constantFrom('restricted', 'baseline', 'privileged'), { maxKeys: 2 }) }) }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Service'), metadata, spec: fc.record({ type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'), selector: labels, ports: fc.array(fc.record({ port: fc.nat(65535), nodePort: fc.nat(65535) }), { maxLength: 2 }) }) }),
  fc.record({ apiVersion: fc.constant('rbac.authorization.k8s.io/v1'), kind: fc.constantFrom('Role', 'ClusterRole'), metadata, rules: fc.array(rule, { maxLength: 3 }) }),
  fc.record({ apiVersion: fc.constant('rbac.authorization.k8s.io/v1'), kind: fc.constantFrom('RoleBinding', 'ClusterRoleBinding'), metadata, roleRef: fc.record({ kind: fc.constantFrom('Role', 'ClusterRole'), name: fc.constantFrom('cluster-admin', 'view', 'edit') }), subjects: fc.array(subject, { maxLength: 3 }) }),
  fc.record({ apiVersion: fc.constant('networking.k8s.io/v1'), kind: fc.constant('NetworkPolicy'), metadata, spec: fc.record({ podSelector: fc.record({ matchLabels: labels }), policyTypes: fc.array(fc.constantFrom('Ingress', 'Egress'), { maxLength: 2 }), ingress: fc.array(fc.record({ from: fc.array(fc.record({ podSelector: fc.record({ matchLabels: labels }) }), { maxLength: 2 }) }), { maxLength: 2 }) }) }),
  fc.record({ apiVersion: fc.constant('networking.k8s.io/v1'), kind: fc.constant('Ingress'), metadata, spec: fc.record({ rules: fc.array(fc.record({ host: name }), { maxLength: 2 }), tls: fc.array(fc.record({ secretName: name }), { maxLength: 1 }) }) }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ServiceAccount'), metadata, automountServiceAccountToken: fc.boolean() }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Secret'), metadata, type: fc.constant('Opaque'), data: fc.dictionary(name, fc.base64String({ maxLength: 12 }), { maxKeys: 2 }) }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Node'), metadata: fc.record({ name }), spec: fc.record({ unschedulable: fc.boolean() }, { requiredKeys: [] }) }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata: fc.record({ name: fc.constantFrom('kube-proxy', 'settings'), namespace: fc.constant('kube-system') }), data: fc.dictionary(fc.constantFrom('config.conf', 'x'), fc.constantFrom('mode: iptables\nmetricsBindAddress: 0.0.0.0:10249\n', 'not: [yaml', ''), { maxKeys: 2 }) }),
  fc.record({ apiVersion: fc.constant('example.com/v1'), kind: fc.constantFrom('Widget', 'WidgetList'), metadata }),
);

// ---- mutations -----------------------------------------------------------------------------

/** A value where another was expected: every JSON type, nulls, deep nesting, long strings (bounded). */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, '', 'a', [], {}, [null], [[]], [{}], { name: 'a' }, '__proto__', 'constructor', 'toString'),
  fc.jsonValue({ maxDepth: 4 }),
  fc.nat({ max: 400 }).map((depth) => {
    let v: unknown = 'bottom';
    for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
    return v;
  }),
  fc.nat({ max: 50_000 }).map((len) => 'x'.repeat(len)),
  fc.array(fc.constantFrom(null, 1, 'a', {}, []), { maxLength: 4 }),
);

type Path = Array<string | number>;
function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  return out;
}

function setAt(root: Record<string, unknown>, path: Path, value: unknown, key?: string): Record<string, unknown> {
  if (path.length === 0) return (key === undefined ? value : { ...root, [key]: value }) as Record<string, unknown>;
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (key !== undefined && node[last] !== null && typeof node[last] === 'object' && !Array.isArray(node[last])) (node[last] as Record<string, unknown>)[key] = value;
  else node[last] = value;
  return root;
}

/** A valid object with up to four places replaced (or given an extra key) by hostile values. */
const mutatedObject = fc
  .tuple(validObject, fc.array(fc.tuple(fc.nat(), hostileValue, fc.option(fc.constantFrom('containers', 'spec', 'kind', 'metadata', 'name', 'items', 'securityContext', 'env', 'command'), { nil: undefined })), { minLength: 1, maxLength: 4 }))
  .map(([obj, mutations]) => {
    let out = structuredClone(obj);
    for (const [at, value, key] of mutations) {
      const paths = pathsOf(out);
      const path = paths[at % paths.length] ?? [];
      out = setAt(out, path, structuredClone(value), key);
      if (out === null || typeof out !== 'object' || Array.isArray(out)) return out as unknown as Record<string, unknown>;
    }
    return out;
  });

const anyDocument: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: validObject },
  { weight: 5, arbitrary: mutatedObject },
  { weight: 1, arbitrary: hostileValue },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('List', 'PodList', 'DeploymentList', 'RoleBindingList', 'WidgetList'), fc.array(fc.oneof(validObject, mutatedObject, hostileValue), { maxLength: 4 }))
      .map(([kind, items]) => ({ apiVersion: kind === 'DeploymentList' ? 'apps/v1' : 'v1', kind, items })),
  },
);

/** YAML text of several documents; a shared block (the same object twice) becomes an anchor and aliases. */
const yamlStream = fc
  .tuple(fc.array(anyDocument, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.constantFrom('', '---\n', '# comment\n---\n'))
  .map(([docs, share, head]) => {
    if (share && docs.length > 0) {
      const shared = docs[0];
      const doc = { apiVersion: 'v1', kind: 'List', items: [shared, shared, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [shared] } }] };
      docs = [...docs, doc];
    }
    return head + docs.map((d) => stringify(d, { aliasDuplicateObjects: true })).join('---\n');
  });

/** Text cut, spliced or salted with YAML syntax at a random place. */
const damagedText = fc
  .tuple(yamlStream, fc.nat(), fc.constantFrom('', '\n', '&a ', '*a', '*undefined', '<<: *a\n', '{', '[', ']', ': :', '\t', '---', '...', '!!binary ', '!!python/object ', '%YAML 1.1\n', '\u0000', '\ufeff', '"', "'", '? ', '- ', '|', '>'))
  .map(([text, at, insert]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    return text.slice(0, i) + insert + text.slice(i);
  });

/** Alias bombs and nesting past the limits, written by hand as an attacker would. */
const hostileText = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 10 })).map(([levels, fan]) => {
    const lines = ['a0: &a0 ["lol"]'];
    for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(', ')}]`);
    return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
  }),
  fc.integer({ min: 1, max: 3000 }).map((depth) => `apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec: ${'['.repeat(depth)}${']'.repeat(depth)}\n`),
  fc.integer({ min: 1, max: 600 }).map((depth) => `apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(2 * (i + 1))}k${i}:`).join('\n')} x\n`),
  fc.integer({ min: 1, max: 50 }).map((k) => `${'---\n'.repeat(k)}`),
);

// ---- properties ----------------------------------------------------------------------------

describe('loadManifests on what the properties found', () => {
  const POD = (container: string, spec = '') => `apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: e0, tier: ., x: -.}}\nspec:\n  containers: [${container}]\n${spec}`;

  it('reads `e0`, `.` and `-.` as strings, as kubectl does (the YAML library made them NaN)', async () => {
    const loaded = await load(POD('{name: a}'), '.yaml');
    expect(loaded.unreadable).toEqual([]);
    expect(loaded.snapshot.objects.pods?.[0]?.metadata.labels).toEqual({ app: 'e0', tier: '.', x: '-.' });
  });

  it.each([
    ['volumes: an object', POD('{name: a}', '  volumes: {}\n'), 'spec.volumes: expected a list of objects, got an object'],
    ['capabilities.add: [null]', POD('{name: a, securityContext: {capabilities: {add: [null]}}}'), 'spec.containers[0].securityContext.capabilities.add: expected a list of strings, got a list'],
    ['image: a number', POD('{name: a, image: 5}'), 'spec.containers[0].image: expected a string, got number 5'],
    ['env name: a list', POD('{name: a, env: [{name: [A]}]}'), 'spec.containers[0].env[0].name: expected a string, got a list'],
  ])('refuses a pod spec controls would throw on, by name: %s', async (_, text, message) => {
    const loaded = await load(text, '.yaml');
    expect(loaded.unreadable.map((e) => e.message.slice(e.message.indexOf('pods/')))).toEqual([`pods/p: ${message}`]);
  });
  it('judges a binding whose subjects hold null or a name that is a list, without a control throwing', async () => {
    // The CIS 3.1.1 control called startsWith on a subject's name that was a list.
    const text = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: default}\nroleRef: {kind: Role, name: r}\nsubjects:\n  - {kind: User, name: [bottom]}\n  - null\n  - {kind: User, name: alice}\n';
    const loaded = await load(text, '.yaml');
    const judged = evaluate(loaded.snapshot, CONTROLS, new Date('2026-01-01T00:00:00Z')).filter((f) => f.controlId === 'CIS-3.1.1');
    expect(judged.map((f) => f.status)).not.toContain('error');
    expect(JSON.stringify(judged)).toContain('User alice');
  });
});

describe('loadManifests on generated input', () => {
  it('keeps valid objects whole, as YAML and as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(validObject, { minLength: 1, maxLength: 3 }), async (objects) => {
        const yaml = await load(objects.map((o) => stringify(o)).join('---\n'), '.yaml');
        const json = await load(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }), '.json');
        for (const loaded of [yaml, json]) {
          expect(loaded.unreadable.map((e) => e.message)).toEqual([]);
          const kept = Object.values(loaded.snapshot.objects).reduce((a, l) => a + (l?.length ?? 0), 0) + (loaded.snapshot.kubeProxyConfigs?.length ?? 0);
          expect(kept + loaded.skipped.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('names the file and document of every problem in mutated YAML streams, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(yamlStream, async (text) => void (await load(text, '.yaml'))),
      { numRuns: RUNS },
    );
  });

  it('names the file of every problem in mutated JSON, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(anyDocument, fc.boolean(), async (doc, cut) => {
        const text = JSON.stringify(doc) ?? 'null';
        await load(cut ? text.slice(0, Math.floor(text.length / 2)) : text, '.json');
      }),
      { numRuns: RUNS },
    );
  });

  it('survives damaged text: cut, spliced, salted with YAML syntax', async () => {
    await fc.assert(
      fc.asyncProperty(damagedText, fc.constantFrom('.yaml' as const, '.json' as const), async (text, ext) => void (await load(text, ext))),
      { numRuns: RUNS },
    );
  });

  it('refuses alias bombs and deep nesting by name', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (text) => void (await load(text, '.yaml'))),
      { numRuns: Math.max(20, Math.floor(RUNS / 5)) },
    );
  });
});
