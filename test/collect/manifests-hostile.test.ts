import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests, MAX_MANIFEST_NESTING, type LoadedManifests } from '../../src/collect/manifests.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { CONTROLS } from '../../src/controls/index.js';

const NOW = new Date('2026-11-01T12:00:00Z');
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: good, namespace: shop}\nspec:\n  containers: [{name: app, image: x}]\n';
const PRIVILEGED = 'apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: shop}\nspec:\n  containers: [{name: app, image: x, securityContext: {privileged: true}}]\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'complyd-manifests-'));
});

/** Write `files` (relative name -> text) under a fresh directory and load `paths` (default: the directory). */
async function load(files: Record<string, string>, paths?: string[], maxFileBytes?: number): Promise<LoadedManifests> {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return loadManifests(paths?.map((p) => (p.startsWith('/') ? p : join(dir, p))) ?? [dir], { collectedAt: NOW, ...(maxFileBytes ? { maxFileBytes } : {}) });
}

const messages = (r: LoadedManifests): string[] => r.unreadable.map((e) => e.message.replace(`${dir}/`, ''));
const podNames = (r: LoadedManifests): string[] => (r.snapshot.objects.pods ?? []).map((p) => p.metadata.name);

/** Nine levels of nine aliases each: 9^9 strings once expanded. */
function billionLaughs(): string {
  const names = 'abcdefghi';
  const lines = [`a: &a [${Array(9).fill('"lol"').join(',')}]`];
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: bomb}\nspec:\n  x:\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
}

describe('hostile manifests: each problem named, the rest still judged', () => {
  it('refuses a billion laughs quickly, naming file and document, and reads the next document and file', async () => {
    const started = Date.now();
    const r = await load({ 'bomb.yaml': `${billionLaughs()}---\n${POD}`, 'z.yaml': PRIVILEGED });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(messages(r)).toEqual(['bomb.yaml: document 1 (line 1): invalid YAML: aliases expand too far (more than 1000 expansions; a YAML "billion laughs"?)']);
    expect(podNames(r)).toEqual(['good', 'root']);
  });

  it('still expands an anchor shared by many containers', async () => {
    const containers = Array.from({ length: 300 }, (_, i) => `  - {name: c${i}, image: x, securityContext: ${i === 0 ? '&sc {privileged: true}' : '*sc'}}`).join('\n');
    const r = await load({ 'shared.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: shared}\nspec:\n  containers:\n${containers}\n` });
    expect(r.unreadable).toEqual([]);
    expect((r.snapshot.objects.pods?.[0]?.spec as { containers: unknown[] }).containers).toHaveLength(300);
  });

  it.each([
    ['YAML flow sequences, 100,000 levels', 'deep.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec:\n  x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, /^deep\.yaml: document 1 \(line 5\): invalid YAML: nested too deeply \(at most 256 levels\)$/],
    ['YAML block mappings just past the bound', 'deep.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec:\n${Array.from({ length: MAX_MANIFEST_NESTING }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`, /^deep\.yaml: document 1 \(line 1\): nested deeper than 256 levels at spec\.k0\.k1\.k2\.k3\.k4\.k5\.k6\.k7\.k8\.k9\.k10…$/],
    ['JSON, 100,000 levels', 'deep.json', `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, /^deep\.json: document 1 \(line 1\): nested deeper than 256 levels at spec\.x\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]…$/],
  ])('refuses nesting without recursion: %s', async (_, name, text, message) => {
    const r = await load({ [name]: text, 'z.yaml': POD });
    expect(messages(r)).toEqual([expect.stringMatching(message)]);
    expect(podNames(r)).toEqual(['good']);
  });

  it('accepts nesting up to the bound', async () => {
    const json = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"x":${'['.repeat(MAX_MANIFEST_NESTING - 2)}${']'.repeat(MAX_MANIFEST_NESTING - 2)}}}`;
    const r = await load({ 'deep.json': json });
    expect(r.unreadable).toEqual([]);
    expect(podNames(r)).toEqual(['deep']);
  });

  it.each([
    ['containers: {name: a}', 'spec:\n  containers: {name: a}', 'pods/p: spec.containers: expected a list, got an object'],
    ['containers: [null]', 'spec:\n  containers: [null]', 'pods/p: spec.containers[0]: expected an object, got null'],
    ['initContainers: a string', 'spec:\n  initContainers: sidecar', 'pods/p: spec.initContainers: expected a list, got "sidecar"'],
    ['command: a number', 'spec:\n  containers: [{name: a, command: [kube-apiserver, 5]}]', 'pods/p: spec.containers[0].command: expected a list of strings, got a list'],
    ['env: an object', 'spec:\n  containers: [{name: a, env: {A: b}}]', 'pods/p: spec.containers[0].env: expected a list of objects, got an object'],
    ['spec: a list', 'spec: [1]', 'pods/kube-system/p: spec must be an object, got a list'],
  ])('names a malformed pod spec: %s', async (_, spec, message) => {
    const r = await load({ 'bad.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system, labels: {component: kube-apiserver}}\n${spec}\n---\n${POD}` });
    expect(messages(r)).toEqual([`bad.yaml: document 1 (line 1): ${message}`]);
    expect(podNames(r)).toEqual(['good']);
  });

  it('names a malformed workload template with its path', async () => {
    const r = await load({ 'cron.yaml': 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate: {spec: {template: {spec: {containers: [null]}}}}\n' });
    expect(messages(r)).toEqual(['cron.yaml: document 1 (line 1): cronjobs/c: spec.jobTemplate.spec.template.spec.containers[0]: expected an object, got null']);
  });

  it('says "got null" for a null list item, and keeps the other items', async () => {
    const r = await load({ 'list.yaml': `apiVersion: v1\nkind: List\nitems:\n- null\n- ${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'good' }, spec: {} })}\n` });
    expect(messages(r)).toEqual(['list.yaml: document 1 (line 1): items[0]: expected an object, got null']);
    expect(podNames(r)).toEqual(['good']);
  });

  it('refuses a file over the size limit by name, before reading it, and reads the others', async () => {
    const r = await load({ 'big.yaml': `${POD}# ${'x'.repeat(4096)}\n`, 'small.yaml': PRIVILEGED }, undefined, 2048);
    expect(messages(r)).toEqual([expect.stringMatching(/^big\.yaml: too large: more than 2 KiB \(\d+ bytes\); raise --max-file-size or split the file$/)]);
    expect(podNames(r)).toEqual(['root']);
  });

  it('stops reading a stream that has no size at the limit', async () => {
    const r = await loadManifests(['/dev/zero'], { collectedAt: NOW, maxFileBytes: 4096 });
    expect(r.unreadable.map((e) => e.message)).toEqual(['/dev/zero: too large: more than 4 KiB (more bytes than that); raise --max-file-size or split the file']);
  });
});

describe('symbolic links and empty inputs', () => {
  it('follows a link to a manifest file: the privileged pod behind it is judged', async () => {
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'root.yaml'), PRIVILEGED);
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'manifests', 'a.yaml'), POD);
    symlinkSync(join(dir, 'elsewhere', 'root.yaml'), join(dir, 'manifests', 'b.yaml'));
    const r = await loadManifests([join(dir, 'manifests')], { collectedAt: NOW });
    expect(podNames(r)).toEqual(['good', 'root']);
    const findings = evaluate(r.snapshot, CONTROLS.filter((c) => c.id === 'PSS-privileged'), NOW);
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.resource.name)).toEqual(['root']);
  });

  it('follows a link to a directory, and reads a directory reached twice once (a link loop)', async () => {
    mkdirSync(join(dir, 'm', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'm', 'sub', 'root.yaml'), PRIVILEGED);
    symlinkSync(join(dir, 'm'), join(dir, 'm', 'sub', 'loop'));
    symlinkSync(join(dir, 'm', 'sub'), join(dir, 'm', 'again'));
    const r = await loadManifests([join(dir, 'm')], { collectedAt: NOW });
    expect(podNames(r)).toEqual(['root']);
    expect(r.skipped).toEqual([]);
    // Name order: `again` (the link) is read first, so `sub` is the repeat.
    expect(r.skippedPaths).toEqual([
      { path: join(dir, 'm', 'again', 'loop'), reason: `same directory as ${join(dir, 'm')}, already read` },
      { path: join(dir, 'm', 'sub'), reason: `same directory as ${join(dir, 'm', 'again')}, already read` },
    ]);
    expect(r.unreadable).toEqual([]);
  });

  it('reports a dangling link named like a manifest as unreadable', async () => {
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'link.yaml'));
    writeFileSync(join(dir, 'pod.yaml'), POD);
    const r = await loadManifests([dir], { collectedAt: NOW });
    expect(messages(r)).toEqual(['link.yaml: cannot read: no such file or directory (ENOENT)']);
    expect(podNames(r)).toEqual(['good']);
  });

  it.each([
    ['/dev/null', () => '/dev/null'],
    ['an empty file', () => (writeFileSync(join(dir, 'empty.yaml'), ''), join(dir, 'empty.yaml'))],
    ['comments only', () => (writeFileSync(join(dir, 'c.yaml'), '# nothing\n---\n'), join(dir, 'c.yaml'))],
    ['an empty directory', () => (mkdirSync(join(dir, 'none')), join(dir, 'none'))],
  ])('lists %s as holding no objects', async (_, make) => {
    const path = make();
    const r = await loadManifests([path, ...[join(dir, 'pod.yaml')].filter(() => (writeFileSync(join(dir, 'pod.yaml'), POD), true))], { collectedAt: NOW });
    expect(r.empty).toEqual([{ path, skipped: 0 }]);
    expect(podNames(r)).toEqual(['good']);
  });

  it('does not call a path read before empty, only repeated', async () => {
    writeFileSync(join(dir, 'pod.yaml'), POD);
    const r = await loadManifests([dir, join(dir, 'pod.yaml')], { collectedAt: NOW });
    expect(r.empty).toEqual([]);
    expect(r.skippedPaths).toEqual([{ path: join(dir, 'pod.yaml'), reason: 'already read' }]);
    expect(podNames(r)).toEqual(['good']);
  });

  it('lists a path of kinds complyd does not judge as empty, with the count skipped', async () => {
    writeFileSync(join(dir, 'pdb.yaml'), 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: a}\n');
    const r = await loadManifests([join(dir, 'pdb.yaml')], { collectedAt: NOW });
    expect(r.empty).toEqual([{ path: join(dir, 'pdb.yaml'), skipped: 1 }]);
  });
});
