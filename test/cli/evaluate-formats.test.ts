import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sarifValidator } from '../report/sarif-schema.js';
import { junitSchemaErrors } from '../report/junit-schema.js';

const DAY_MS = 86_400_000;
const day = (n: number) => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);

// Three documents; the privileged Deployment is the third, starting on line 9 (after its `---`).
const APP = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: shop:1, securityContext: {privileged: true}}]
`;
const BATCH = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: batch}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: job, image: job:1, securityContext: {privileged: true}}]
`;

interface SarifResult {
  ruleId: string;
  locations: Array<{ physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } }; logicalLocations: Array<{ name: string }> }>;
  suppressions?: Array<{ kind: string; status: string; justification: string }>;
  properties: { document?: number; exceptionId?: string };
}
interface SarifLog {
  runs: Array<{ results: SarifResult[]; tool: { driver: { rules: Array<{ id: string }> } } }>;
}

describe('complyd evaluate: every format, source locations, exceptions (compiled binary)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-evaluate-formats-'));
    mkdirSync(join(dir, 'deploy', 'jobs'), { recursive: true });
    writeFileSync(join(dir, 'deploy', 'app.yaml'), APP);
    writeFileSync(join(dir, 'deploy', 'jobs', 'batch.yaml'), BATCH);
    writeFileSync(
      join(dir, 'exceptions.yaml'),
      `exceptions:
  - id: batch-privileged
    controls: ["PSS-privileged"]
    scope: { namespaces: [batch] }
    owner: batch-team
    reason: the nightly job loads a kernel module
    ticket: OPS-7
    created: ${day(-10)}
    expires: ${day(30)}
  - id: prod-shop-privileged
    controls: ["PSS-priv*"]
    scope: { clusters: [prod-eu], namespaces: [shop] }
    owner: shop-team
    reason: cart needs a device until the rewrite
    created: ${day(-10)}
    expires: ${day(30)}
`,
    );
  });

  const privileged = (log: SarifLog) => (log.runs[0]?.results ?? []).filter((r) => r.ruleId === 'PSS-privileged');

  it('writes SARIF that validates, pointing at the file and line of the offending document', async () => {
    const res = await runCli(['evaluate', 'deploy', '-o', 'sarif', '--out', 'out.sarif'], { cwd: dir });
    // Nothing but the note of what was written (progress and notes rules: README "Output, progress and --quiet").
    expect(res.stderr).toBe('wrote out.sarif\n');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    const log = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')) as SarifLog;
    const check = sarifValidator()(log);
    expect(check.errors).toBe('No errors');
    expect(check.valid).toBe(true);
    const byName = new Map(privileged(log).map((r) => [r.locations[0]?.logicalLocations[0]?.name, r]));
    const cart = byName.get('cart');
    expect(cart?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'deploy/app.yaml' }, region: { startLine: 9 } });
    expect(cart?.properties.document).toBe(3);
    expect(byName.get('nightly')?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'deploy/jobs/batch.yaml' }, region: { startLine: 1 } });
    expect(cart?.suppressions).toBeUndefined();
  });

  it('applies exceptions: unscoped ones without --cluster-name, cluster-scoped ones when it names their cluster', async () => {
    const plain = JSON.parse((await runCli(['evaluate', 'deploy', '-o', 'sarif', '--exceptions', 'exceptions.yaml'], { cwd: dir })).stdout) as SarifLog;
    expect(sarifValidator()(plain).valid).toBe(true);
    const by = (log: SarifLog) => new Map(privileged(log).map((r) => [r.locations[0]?.logicalLocations[0]?.name, r]));
    const nightly = by(plain).get('nightly');
    expect(nightly?.suppressions).toEqual([expect.objectContaining({ kind: 'external', status: 'accepted' })]);
    expect(nightly?.suppressions?.[0]?.justification).toMatch(/excepted by batch-privileged: the nightly job loads a kernel module; owner batch-team; ticket OPS-7/);
    // Scoped to cluster prod-eu: nothing says these manifests are for it.
    expect(by(plain).get('cart')?.suppressions).toBeUndefined();
    const named = JSON.parse((await runCli(['evaluate', 'deploy', '-o', 'sarif', '--exceptions', 'exceptions.yaml', '--cluster-name', 'prod-eu'], { cwd: dir })).stdout) as SarifLog;
    expect(by(named).get('cart')?.properties.exceptionId).toBe('prod-shop-privileged');
    const other = JSON.parse((await runCli(['evaluate', 'deploy', '-o', 'sarif', '--exceptions', 'exceptions.yaml', '--cluster-name', 'dev'], { cwd: dir })).stdout) as SarifLog;
    expect(by(other).get('cart')?.suppressions).toBeUndefined();

    const text = await runCli(['evaluate', 'deploy', '--exceptions', 'exceptions.yaml', '--control', 'PSS-privileged'], { cwd: dir });
    expect(text.stdout).toMatch(/CronJob batch\/nightly \[job\]\s+PSS-privileged\s+fail \(excepted: batch-privileged\)\s+deploy\/jobs\/batch\.yaml:1 \(document 1\)/);
    expect(text.stdout).toMatch(/Deployment shop\/cart \[app\]\s+PSS-privileged\s+fail\s+deploy\/app\.yaml:9 \(document 3\)/);
    const json = JSON.parse((await runCli(['evaluate', 'deploy', '-o', 'json', '--exceptions', 'exceptions.yaml', '--control', 'PSS-privileged'], { cwd: dir })).stdout) as {
      findings: Array<{ resource: { name: string }; disposition?: { kind: string; exceptionId: string }; source?: { file: string; document: number; line: number } }>;
    };
    expect(json.findings.find((f) => f.resource.name === 'nightly')?.disposition).toEqual({ kind: 'excepted', exceptionId: 'batch-privileged' });
    expect(json.findings.find((f) => f.resource.name === 'cart')?.source).toEqual({ file: 'deploy/app.yaml', document: 3, line: 9 });

    const bad = join(dir, 'bad-exceptions.yaml');
    writeFileSync(bad, `exceptions:\n  - { id: x, controls: [NOPE-1], owner: o, reason: r, created: ${day(-1)}, expires: ${day(5)} }\n`);
    const refused = await runCli(['evaluate', 'deploy', '--exceptions', bad], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--exceptions: refused:\n.*bad-exceptions\.yaml: exceptions\[0\]\.controls\[0\]: no control "NOPE-1"/);
  });

  it('writes JUnit (valid, excepted failures skipped) and Markdown that name the places', async () => {
    const junit = await runCli(['evaluate', 'deploy/jobs', '-o', 'junit', '--out', 'out.xml', '--exceptions', 'exceptions.yaml'], { cwd: dir });
    expect(junit.code).toBe(0);
    const xml = readFileSync(join(dir, 'out.xml'), 'utf8');
    expect(junitSchemaErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<testcase classname="manifests" name="PSS-privileged [^"]*" time="0">\s*<skipped message="excepted by batch-privileged: the nightly job loads a kernel module[^"]*">CronJob batch\/nightly \(container job\) at deploy\/jobs\/batch\.yaml:1 \(document 1\)/);
    expect(xml).toMatch(/<failure /);
    const md = await runCli(['evaluate', 'deploy', '-o', 'md', '--out', 'out.md', '--severity', 'critical,high'], { cwd: dir });
    expect(md.code).toBe(0);
    const text = readFileSync(join(dir, 'out.md'), 'utf8');
    expect(text).toMatch(/^# complyd evaluate/);
    expect(text).toMatch(/\| critical \| PSS-privileged \| fail \| Deployment shop\/cart \(container app\) \| deploy/);
    expect(text).toContain('app.yaml:9 (document 3)');
    // --severity critical,high: no medium or low row.
    expect(text).not.toMatch(/^\| (medium|low|info) \|/m);
  });

  it('runs only the chosen controls, and refuses an unknown id, a pattern that matches nothing and a bad format', async () => {
    const json = JSON.parse((await runCli(['evaluate', 'deploy', '-o', 'json', '--status', 'fail,pass,unknown,manual,not-applicable,error', '--control', 'PSS-*', '--skip-control', 'PSS-privileged'], { cwd: dir })).stdout) as {
      findings: Array<{ controlId: string }>;
    };
    const ids = new Set(json.findings.map((f) => f.controlId));
    expect(ids.size).toBeGreaterThan(3);
    expect([...ids].every((id) => id.startsWith('PSS-') && id !== 'PSS-privileged')).toBe(true);
    const unknown = await runCli(['evaluate', 'deploy', '--control', 'PSS-privileged,CIS-9.*', '--skip-control', 'PSS-nope'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no control matches --control CIS-9\.\*, --skip-control PSS-nope/);
    const format = await runCli(['evaluate', 'deploy', '-o', 'pdf'], { cwd: dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--output must be one of text, json, sarif, junit, md, not "pdf"/);
  });

  it('keeps the findings of the selected namespaces only, and the cluster-scoped ones', async () => {
    const run = async (...flags: string[]) => {
      const res = await runCli(['evaluate', 'deploy', '-o', 'json', '--status', 'fail,manual,unknown', ...flags], { cwd: dir });
      expect(res.code).toBe(0);
      return JSON.parse(res.stdout) as { findings: Array<{ resource: { kind: string; namespace?: string; name: string } }>; namespaces?: unknown };
    };
    const where = (out: Awaited<ReturnType<typeof run>>) => new Set(out.findings.map((f) => (f.resource.kind === 'Namespace' ? f.resource.name : (f.resource.namespace ?? '(cluster)'))));
    expect(where(await run())).toEqual(new Set(['shop', 'batch', '(cluster)']));
    const included = await run('--include-namespaces', 'sh*');
    expect(where(included)).toEqual(new Set(['shop', '(cluster)']));
    expect(included.namespaces).toEqual({ include: ['sh*'] });
    expect(where(await run('--exclude-namespaces', 'shop,other', '--exclude-namespaces', 'x'))).toEqual(new Set(['batch', '(cluster)']));
  });
});
