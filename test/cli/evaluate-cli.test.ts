import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const PRIVILEGED = 'apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: shop}\nspec:\n  containers: [{name: app, image: x, securityContext: {privileged: true}}]\n';
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

interface JsonOut {
  findings: Array<{ controlId: string; status: string; resource: { name: string } }>;
  unreadable: Array<{ file: string; document?: number; message: string }>;
  empty: Array<{ path: string; message: string }>;
}

describe('complyd evaluate on hostile and unusual input (compiled binary)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-evaluate-'));
  });

  it('judges the privileged pod behind a symbolic link (it was skipped and the result was clean)', async () => {
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'real', 'root.yaml'), PRIVILEGED);
    writeFileSync(join(dir, 'manifests', 'ns.yaml'), NAMESPACE);
    symlinkSync(join(dir, 'real', 'root.yaml'), join(dir, 'manifests', 'root.yaml'));
    const res = await runCli(['evaluate', join(dir, 'manifests')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Pod shop\/root \[app\]\s+PSS-privileged\s+fail/);
  });

  it('exits 3 on /dev/null with "no Kubernetes objects found" (it reported a pass)', async () => {
    const res = await runCli(['evaluate', '/dev/null']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('complyd: no Kubernetes objects found in /dev/null');
    expect(res.stdout).toMatch(/INCOMPLETE: 1 input not read or empty/);
    // No verdict from nothing: it printed "1 pass, 39 manual, ..." before INCOMPLETE.
    expect(res.stdout).toBe('nothing judged: no Kubernetes object was read; INCOMPLETE: 1 input not read or empty (see above)\n');
    const json = await runCli(['evaluate', '/dev/null', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ findings: [], counts: { pass: 0, manual: 0, 'not-applicable': 0 } });
  });

  it('names each hostile file, judges the others, and exits 3 (text and JSON)', async () => {
    const levels = 'abcdefgh'.split('').map((n, i, all) => `${n}: &${n} [${Array(9).fill(i === 0 ? 'x' : `*${all[i - 1]}`).join(', ')}]`);
    writeFileSync(join(dir, 'a-bomb.yaml'), `${levels.join('\n')}\nkind: Pod\n`);
    writeFileSync(join(dir, 'b-deep.yaml'), `kind: Pod\nspec: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    writeFileSync(join(dir, 'c-map.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: {name: a}}\n');
    writeFileSync(join(dir, 'd-null.yaml'), 'apiVersion: v1\nkind: List\nitems: [null]\n');
    writeFileSync(join(dir, 'e-root.yaml'), PRIVILEGED);
    const text = await runCli(['evaluate', dir]);
    expect(text.code).toBe(3);
    expect(text.stderr).not.toContain('unexpected error');
    expect(text.stderr.trim().split('\n')).toEqual([
      `complyd: ${join(dir, 'a-bomb.yaml')}: document 1 (line 1): invalid YAML: aliases expand too far (more than 1000 expansions; a YAML "billion laughs"?)`,
      `complyd: ${join(dir, 'b-deep.yaml')}: document 1 (line 2): invalid YAML: nested too deeply (at most 256 levels)`,
      `complyd: ${join(dir, 'c-map.yaml')}: document 1 (line 1): pods/p: spec.containers: expected a list, got an object`,
      `complyd: ${join(dir, 'd-null.yaml')}: document 1 (line 1): items[0]: expected an object, got null`,
    ]);
    expect(text.stdout).toMatch(/Pod shop\/root \[app\]\s+PSS-privileged\s+fail/);

    const json = await runCli(['evaluate', dir, '-o', 'json']);
    expect(json.code).toBe(3);
    const out = JSON.parse(json.stdout) as JsonOut;
    expect(out.unreadable.map((u) => [u.file, u.document])).toEqual(['a-bomb', 'b-deep', 'c-map', 'd-null'].map((n) => [join(dir, `${n}.yaml`), 1]));
    expect(out.findings).toContainEqual(expect.objectContaining({ controlId: 'PSS-privileged', status: 'fail', resource: expect.objectContaining({ name: 'root' }) }));
  });

  it('refuses a file over --max-file-size by name and reads the others', async () => {
    writeFileSync(join(dir, 'big.yaml'), `${NAMESPACE}# ${'x'.repeat(4096)}\n`);
    writeFileSync(join(dir, 'root.yaml'), PRIVILEGED);
    const res = await runCli(['evaluate', dir, '--max-file-size', '2KiB']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/big\.yaml: too large: more than 2 KiB \(\d+ bytes\); raise --max-file-size or split the file/);
    expect(res.stdout).toMatch(/PSS-privileged\s+fail/);
    const bad = await runCli(['evaluate', dir, '--max-file-size', '64']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-file-size: not a size: "64" (write e.g. 64MiB, 512KiB or 1GiB)');
  });
});
