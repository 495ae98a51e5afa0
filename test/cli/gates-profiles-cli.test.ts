/**
 * Profile gates (profiles[].gates) through the compiled command line, over the demo fleet's
 * fake API servers: each cluster held alone to its profile's thresholds, the reasons naming
 * the cluster and profile, a gate flag replacing them for every cluster.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { demoFixturesDir, startDemoFleet, type DemoFleet } from '../../src/demo/fleet.js';
import { runCli, stopAllCli } from '../helpers/cli.js';
import { EXIT } from '../../src/cli/exit-codes.js';

interface Reason {
  gate: string;
  cluster?: string;
  profile?: string;
  count?: number;
  score?: number | null;
  message: string;
}
interface GateJson {
  passed: boolean;
  reasons: Reason[];
  thresholds: Record<string, unknown>;
  clusters?: Array<{ cluster: string; profile?: string; thresholds: Record<string, unknown>; passed: boolean }>;
}
interface ReportJson {
  clusters: Array<{ name: string; status: string; scoreWithExceptions: number | null }>;
  controls: Array<{ id: string; findings: Array<{ cluster: string; status: string; severity: string; disposition?: string }> }>;
  gate?: GateJson;
}

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

const PROFILES = [
  { name: 'prod', selector: { matchLabels: { env: 'prod' } }, frameworks: ['pss-restricted', 'cis-1.12', 'nsa'], gates: { failOn: 'high', failOnNew: true } },
  { name: 'dev', selector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'lab'] }] }, frameworks: ['pss-baseline'], gates: { failBelowScore: 100 } },
];

let dir: string;
let fleet: DemoFleet;
let config: string;
let runId: string;
let scanGate: GateJson;
let scanCode: number | null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'complyd-gates-profiles-'));
  fleet = await startDemoFleet({ fixturesDir: demoFixturesDir(), workDir: dir });
  config = join(dir, 'complyd.yaml');
  writeFileSync(
    config,
    stringify({
      clusters: fleet.clusters.map((c) => ({ name: c.name, kubeconfig: c.kubeconfigPath, ...(c.context ? { context: c.context } : {}), labels: c.labels })),
      storage: { sqlite: join(dir, 'complyd.sqlite') },
      output: { dir: join(dir, 'out'), formats: [] },
      collect: { concurrency: 4, requestTimeout: '5s', clusterTimeout: '30s' },
      profiles: PROFILES,
    }),
  );
  const res = await runCli(['scan', '-c', config, '-o', 'json'], { timeoutMs: 150_000 });
  const out = JSON.parse(res.stdout) as { runId: string; gate: GateJson };
  runId = out.runId;
  scanGate = out.gate;
  scanCode = res.code;
}, 180_000);

afterAll(async () => {
  stopAllCli();
  await fleet.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Open failing findings of a cluster at or above high, as the report lists them. */
function openHighOrWorse(report: ReportJson, cluster: string): number {
  return report.controls.flatMap((c) => c.findings).filter((f) => f.cluster === cluster && f.status === 'fail' && f.disposition !== 'excepted' && (f.severity === 'critical' || f.severity === 'high')).length;
}

describe('profile gates on the demo fleet (compiled binary)', () => {
  it("scan: each assessed cluster of a profile with gates judged alone against its profile's thresholds; the unreachable one left out", async () => {
    const judged = new Map((scanGate.clusters ?? []).map((c) => [c.cluster, c]));
    // edge-lab (dev) is unreachable on purpose; staging-us is in no profile.
    expect([...judged.keys()].sort()).toEqual(['analytics-eks', 'dev-k3s', 'prod-eu']);
    expect(judged.get('prod-eu')).toMatchObject({ profile: 'prod', thresholds: { failOn: 'high', failOnNew: true } });
    expect(judged.get('dev-k3s')).toMatchObject({ profile: 'dev', thresholds: { failBelowScore: 100 } });
    expect(scanGate.thresholds).toEqual({});

    const report = JSON.parse((await runCli(['report', '-c', config, '--run', runId, '-o', 'json'])).stdout) as ReportJson;
    for (const name of ['analytics-eks', 'prod-eu']) {
      const expected = openHighOrWorse(report, name);
      const reason = scanGate.reasons.find((r) => r.cluster === name);
      // No --baseline: every open failure counts as new, and the reason says so.
      if (expected === 0) expect(reason).toBeUndefined();
      else expect(reason).toMatchObject({ gate: 'fail-on-new', profile: 'prod', count: expected, message: expect.stringContaining('no --baseline given') as unknown });
      expect(judged.get(name)?.passed).toBe(expected === 0);
    }
    expect(scanGate.reasons.some((r) => r.profile === 'prod')).toBe(true);
    const devScore = report.clusters.find((c) => c.name === 'dev-k3s')?.scoreWithExceptions;
    expect(devScore).toBeLessThan(100);
    expect(scanGate.reasons.find((r) => r.cluster === 'dev-k3s')).toMatchObject({ gate: 'fail-below-score', profile: 'dev', score: devScore, message: expect.stringMatching(/^cluster dev-k3s \(profile dev\): compliance score [\d.]+ is below 100$/) as unknown });
    expect(scanCode).toBe(EXIT.gateFailed);
  });

  it('report: the same verdict on stderr, last, naming cluster and profile', async () => {
    const res = await runCli(['report', '-c', config, '--run', runId, '-o', 'csv']);
    expect(res.code).toBe(EXIT.gateFailed);
    expect(res.stdout).toMatch(/^cluster,control_id,/);
    const last = lastLine(res.stderr);
    expect(last).toMatch(/^complyd: gate failed: /);
    expect(last).toContain('cluster dev-k3s (profile dev): compliance score');
    for (const r of scanGate.reasons) expect(last).toContain(r.message);
  });

  it("report --baseline alone feeds the profile's failOnNew: against its own run nothing is new, the score gate still fails", async () => {
    const res = await runCli(['report', '-c', config, '--run', runId, '-o', 'json', '--baseline', runId]);
    expect(res.code).toBe(EXIT.gateFailed);
    const gate = (JSON.parse(res.stdout) as ReportJson).gate;
    expect(gate?.reasons.map((r) => [r.cluster, r.gate])).toEqual([['dev-k3s', 'fail-below-score']]);
    expect(gate?.clusters?.filter((c) => c.profile === 'prod').every((c) => c.passed)).toBe(true);
    // The prod clusters alone: nothing new, so the gate passes.
    const prodOnly = await runCli(['report', '-c', config, '--run', runId, '-o', 'json', '--cluster', 'prod-eu', 'analytics-eks', '--baseline', runId]);
    expect(prodOnly.code).toBe(EXIT.ok);
    expect(lastLine(prodOnly.stderr)).toBe('gate passed');
  });

  it('a gate flag replaces the profiles for every cluster; --baseline with no failOnNew in scope is a usage error', async () => {
    const res = await runCli(['report', '-c', config, '--run', runId, '-o', 'json', '--fail-below-score', '0']);
    expect(res.code).toBe(EXIT.ok);
    const gate = (JSON.parse(res.stdout) as ReportJson).gate;
    expect(gate).toMatchObject({ passed: true, reasons: [], thresholds: { failBelowScore: 0 } });
    expect(gate?.clusters).toBeUndefined();

    const devOnly = await runCli(['report', '-c', config, '--run', runId, '--cluster', 'dev-k3s', '--baseline', runId]);
    expect(devOnly.code).toBe(EXIT.usage);
    expect(devOnly.stderr).toContain('--baseline is only used with --fail-on-new or a profile whose gates set failOnNew');

    // A cluster in no profile: no gate at all.
    const staging = await runCli(['report', '-c', config, '--run', runId, '--cluster', 'staging-us', '-o', 'json']);
    expect(staging.code).toBe(EXIT.ok);
    expect((JSON.parse(staging.stdout) as ReportJson).gate).toBeUndefined();
    expect(staging.stderr).not.toContain('gate');
  });

  it('report --control/--skip-control/--severity: every format shows only the selected controls and says the report is partial', async () => {
    const base = ['report', '-c', config, '--run', runId, '--fail-below-score', '0'];
    const pick = ['--control', 'PSS-*', '--skip-control', 'PSS-privileged', '--severity', 'critical,high'];
    const full = JSON.parse((await runCli([...base, '-o', 'json'])).stdout) as ReportJson & { fleet: { counts: { fail: number } } };
    const res = await runCli([...base, ...pick, '-o', 'json']);
    expect(res.code).toBe(EXIT.ok);
    const cut = JSON.parse(res.stdout) as Omit<ReportJson, 'controls'> & { selection: string; fleet: { counts: { fail: number } }; controls: Array<{ id: string; severity: string; results: Array<{ counts: { fail: number } }> }> };
    expect(cut.selection).toBe('controls PSS-*; skipping PSS-privileged; severities critical,high');
    expect(cut.controls.length).toBeGreaterThan(0);
    for (const c of cut.controls) {
      expect(c.id).toMatch(/^PSS-/);
      expect(c.id).not.toBe('PSS-privileged');
      expect(['critical', 'high']).toContain(c.severity);
    }
    // The counts are those of the selected controls, fewer than the whole report's.
    expect(cut.fleet.counts.fail).toBe(cut.controls.flatMap((c) => c.results).reduce((n, r) => n + r.counts.fail, 0));
    expect(cut.fleet.counts.fail).toBeLessThan(full.fleet.counts.fail);
    expect((full as unknown as { selection?: string }).selection).toBeUndefined();

    const md = (await runCli([...base, ...pick, '-o', 'md'])).stdout;
    expect(md).toContain('**Partial report**: only the controls selected (controls PSS-\\*; skipping PSS-privileged; severities critical,high)');
    expect(md).not.toMatch(/^### CIS-/m);
    const csv = (await runCli([...base, ...pick, '-o', 'csv'])).stdout.split('\r\n').slice(1).filter(Boolean);
    expect(csv.length).toBeGreaterThan(0);
    expect(csv.every((line) => /^[^,]+,PSS-/.test(line) && !/^[^,]+,PSS-privileged,/.test(line))).toBe(true);
    expect((await runCli([...base, ...pick, '-o', 'sarif'])).stdout).toContain('"selection": "controls PSS-*; skipping PSS-privileged; severities critical,high"');
    expect((await runCli([...base, ...pick, '-o', 'junit'])).stdout).toContain('<property name="selection" value="controls PSS-*; skipping PSS-privileged; severities critical,high"/>');

    const typo = await runCli([...base, '--control', 'PSS-nope']);
    expect(typo.code).toBe(EXIT.usage);
    expect(typo.stderr).toContain('no control matches --control PSS-nope');
    const badSeverity = await runCli([...base, '--severity', 'urgent']);
    expect(badSeverity.code).toBe(EXIT.usage);
  }, 120_000);
});
