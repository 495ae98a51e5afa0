import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

interface GateJson {
  passed: boolean;
  reasons: Array<{ gate: string; count?: number; severity?: string; message: string; findings?: Array<{ controlId: string; resource: { name: string } }> }>;
  baseline?: string;
}

/** `complyd evaluate` as a CI step over the repository's examples/ (a copy, so tests can add to it). */
describe('complyd evaluate with gates (compiled binary)', () => {
  let dir: string;
  let examples: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-gates-eval-'));
    examples = join(dir, 'examples');
    cpSync('examples', examples, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('examples/ --fail-on high exits with the gate code and the last stderr line says why', async () => {
    const res = await runCli(['evaluate', 'examples/', '--fail-on', 'high']);
    expect(res.code).toBe(EXIT.gateFailed);
    expect(lastLine(res.stderr)).toMatch(/^complyd: gate failed: \d+ open failing findings at or above high$/);
    // The findings it names come just before, the most severe first: the privileged debug pod.
    expect(res.stderr).toMatch(/at or above high:\n {2}PSS-\S+ \(critical\) examples\/pod-privileged\.yaml:\d+ \(document 1\) Pod\/payments\/node-debugger/);
    expect(res.stderr).not.toContain('ledger-api');
    // Without a gate the same findings exit 0: the gate, not the findings, fails the step.
    expect((await runCli(['evaluate', 'examples/'])).code).toBe(EXIT.ok);
  });

  it('passes when nothing reaches the bar, and says so', async () => {
    const hardened = ['namespace.yaml', 'networkpolicy.yaml', 'deployment-hardened.yaml'].map((f) => join('examples', f));
    const res = await runCli(['evaluate', ...hardened, '--fail-on', 'low']);
    expect(res.code).toBe(EXIT.ok);
    expect(lastLine(res.stderr)).toBe('gate passed');
  });

  it('--fail-below-score: fails below, passes at or above, and -o json carries the verdict', async () => {
    const json = await runCli(['evaluate', 'examples/', '-o', 'json', '--fail-below-score', '100']);
    expect(json.code).toBe(EXIT.gateFailed);
    const doc = JSON.parse(json.stdout) as { gate: GateJson & { reasons: Array<{ score: number; threshold: number }> } };
    expect(doc.gate.passed).toBe(false);
    const score = doc.gate.reasons[0]?.score ?? NaN;
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(100);
    expect(doc.gate.reasons[0]).toMatchObject({ gate: 'fail-below-score', threshold: 100 });
    expect(json.stderr).toBe('');
    const at = await runCli(['evaluate', 'examples/', '--fail-below-score', String(Math.floor(score))]);
    expect(at.code).toBe(EXIT.ok);
    const above = await runCli(['evaluate', 'examples/', '--fail-below-score', String((Math.floor(score) + 1))]);
    expect(above.code).toBe(EXIT.gateFailed);
    const said = new RegExp(`^complyd: gate failed: compliance score ([\\d.]+) is below ${(Math.floor(score) + 1)}$`).exec(lastLine(above.stderr));
    expect(Math.abs(Number(said?.[1]) - score)).toBeLessThan(0.05);
    expect(Number(said?.[1])).toBeLessThan((Math.floor(score) + 1));
  });

  it('--fail-on-new with a baseline file: only failures the baseline lacks count', async () => {
    const baseline = join(dir, 'baseline.json');
    const write = await runCli(['evaluate', examples, '-o', 'json', '--out', baseline]);
    expect(write.code).toBe(EXIT.ok);
    expect(write.stdout).toBe('');
    const written = JSON.parse(readFileSync(baseline, 'utf8')) as { findings: Array<{ status: string; fingerprint: string }> };
    expect(written.findings.filter((f) => f.status === 'fail').every((f) => /^[0-9a-f]{32}$/.test(f.fingerprint))).toBe(true);

    const same = await runCli(['evaluate', examples, '--fail-on-new', '--baseline', baseline]);
    expect(same.code).toBe(EXIT.ok);
    expect(lastLine(same.stderr)).toBe('gate passed');

    // A new workload that runs as root: its failures are new, the debug pod's are not.
    writeFileSync(
      join(examples, 'worker.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: batch-worker, namespace: payments}\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          image: registry.example.com/payments/worker:1.0\n          securityContext: {runAsUser: 0}\n',
    );
    const worse = await runCli(['evaluate', examples, '-o', 'json', '--fail-on-new', '--baseline', baseline]);
    expect(worse.code).toBe(EXIT.gateFailed);
    const gate = (JSON.parse(worse.stdout) as { gate: GateJson }).gate;
    expect(gate.baseline).toBe(baseline);
    expect(gate.reasons).toHaveLength(1);
    expect(gate.reasons[0]?.gate).toBe('fail-on-new');
    expect(new Set(gate.reasons[0]?.findings?.map((f) => f.resource.name))).toEqual(new Set(['batch-worker']));
    // With --fail-on critical too, the new workload's failures are below the bar.
    const critical = await runCli(['evaluate', examples, '--fail-on-new', '--baseline', baseline, '--fail-on', 'critical']);
    expect(critical.code).toBe(EXIT.ok);
    rmSync(join(examples, 'worker.yaml'));
  });

  it('a report is refused as the baseline of manifests: its fingerprints name clusters', async () => {
    const report = join(dir, 'report.json');
    writeFileSync(report, JSON.stringify({ schema: 'complyd.report/v1', controls: [{ findings: [{ status: 'fail', fingerprint: 'f'.repeat(32) }] }] }));
    const res = await runCli(['evaluate', examples, '--fail-on-new', '--baseline', report]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toContain(`--baseline ${report}: a complyd report; evaluate compares with a file written by \`evaluate -o json\``);
  });

  it('a baseline without fingerprints is refused, naming the key path', async () => {
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ findings: [{ status: 'pass' }, { status: 'fail', controlId: 'PSS-privileged' }] }));
    const res = await runCli(['evaluate', examples, '--fail-on-new', '--baseline', old]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toContain(`--baseline ${old}: findings[1].fingerprint: missing`);
  });

  it('a failed gate wins over an input not read; a passed one leaves the 3', async () => {
    const missing = join(dir, 'no-such-dir');
    const failed = await runCli(['evaluate', examples, missing, '--fail-on', 'high']);
    expect(failed.code).toBe(EXIT.gateFailed);
    expect(failed.stderr).toContain(`gate judged without ${missing}`);
    expect(lastLine(failed.stderr)).toMatch(/^complyd: gate failed: /);
    const passed = await runCli(['evaluate', join(examples, 'deployment-hardened.yaml'), missing, '--fail-on', 'critical']);
    expect(passed.code).toBe(EXIT.notAssessed);
    expect(lastLine(passed.stderr)).toBe('gate passed');
  });

  it('--quiet leaves out the notes on skipped documents but never an error or the verdict', async () => {
    const file = join(dir, 'mixed.yaml');
    writeFileSync(file, 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: c, namespace: payments}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: payments}\nspec:\n  containers: [{name: a, image: a, securityContext: {privileged: true}}]\n');
    const loud = await runCli(['evaluate', file, '--fail-on', 'critical']);
    expect(loud.stderr).toMatch(/^skipped .*mixed\.yaml document 1 \(Widget\)/m);
    const quiet = await runCli(['evaluate', file, '--fail-on', 'critical', '--quiet']);
    expect(quiet.stderr).not.toContain('skipped');
    expect(quiet.code).toBe(EXIT.gateFailed);
    expect(lastLine(quiet.stderr)).toMatch(/^complyd: gate failed: \d+ open failing findings? at or above critical$/);
  });
});
