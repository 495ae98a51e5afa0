import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

/** `complyd evaluate --namespace`: objects without metadata.namespace are judged where kubectl apply -n would put them. */

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'complyd-eval-ns-'));
  file = join(dir, 'web.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defaultNs = async (args: string[]) => {
  const r = await runCli(['evaluate', ...args, '-f', 'cis-1.12', '--status', 'fail,pass', '-o', 'json', file]);
  const doc = JSON.parse(r.stdout) as { findings: Array<{ controlId: string; status: string; resource: { namespace?: string } }> };
  return { code: r.code, findings: doc.findings.filter((f) => f.controlId === 'CIS-5.6.4').map((f) => [f.status, f.resource.namespace ?? null]) };
};

describe('complyd evaluate --namespace', () => {
  it('places an object without a namespace in default', async () => {
    expect(await defaultNs([])).toEqual({ code: 0, findings: [['fail', 'default']] });
  });

  it('places it in the namespace given', async () => {
    const { code, findings } = await defaultNs(['--namespace', 'web']);
    expect(code).toBe(0);
    expect(findings.filter(([s]) => s === 'fail')).toEqual([]);
  });

  it('refuses a namespace the API server would refuse, with exit 2', async () => {
    const r = await runCli(['evaluate', '--namespace', 'Not_Valid', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--namespace: "Not_Valid" is not a valid namespace name/);
  });
});
