import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { parseDuration } from '../../src/config/duration.js';

function issuesOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, '/etc/complyd/complyd.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('loads the shipped example and resolves paths against the config file', () => {
    const cfg = loadConfig('config/complyd.example.yaml', { HOME: '/home/u' });
    expect(cfg.clusters.map((c) => c.name)).toEqual(['prod-eu', 'staging-eu', 'dev']);
    expect(cfg.clusters[1]).toMatchObject({ context: 'staging-eu', configPath: 'clusters[1]', labels: { env: 'staging' } });
    expect(cfg.storage).toEqual({ kind: 'sqlite', path: expect.stringMatching(/config\/complyd\.sqlite$/) });
    expect(cfg.collect).toEqual({ concurrency: 4, clusterTimeout: 300_000, requestTimeout: 30_000, pageSize: 500 });
    expect(cfg.output.formats).toEqual(['json', 'pdf']);
    expect(cfg.retention.evidence).toBe(400 * 86_400_000);
  });

  it('reads report jobs with defaults, and names unknown clusters and duplicate jobs', () => {
    const base = 'clusters:\n  - name: a\n    kubeconfig: k\noutput:\n  dir: out\n';
    const cfg = parseConfig(`${base}reports:\n  - name: weekly\n    cron: "0 6 * * 1"\n    formats: [pdf, csv]\n    framework: cis-1.12\n  - name: after\n`, '/srv/c.yaml', {});
    expect(cfg.reports).toEqual([
      { name: 'weekly', cron: '0 6 * * 1', formats: ['pdf', 'csv'], since: 30 * 86_400_000, framework: 'cis-1.12', dir: '/srv/out/weekly', keep: 10 },
      { name: 'after', formats: ['pdf'], since: 30 * 86_400_000, dir: '/srv/out/after', keep: 10 },
    ]);
    expect(issuesOf(`${base}reports:\n  - name: x\n    clusters: [a, b]\n    formats: [docx]\n  - name: x\n    cron: "every day"\n`)).toEqual([
      'reports[0].formats[0]: Invalid option: expected one of "json"|"pdf"|"csv"|"sarif"|"junit"|"md"',
      expect.stringContaining('reports[1].cron: not a cron expression: "every day"'),
    ]);
    // Checks across keys run once each key is valid on its own.
    expect(issuesOf(`${base}reports:\n  - name: x\n    clusters: [a, b]\n  - name: x\n`)).toEqual([
      'reports[0].clusters[1]: no cluster named "b" in clusters',
      'reports[1].name: duplicate report name "x" (also reports[0])',
    ]);
  });

  it('keeps all evidence without retention, and names a bad retention age', () => {
    expect(parseConfig('clusters:\n  - name: a\n    kubeconfig: k\n', '/c.yaml', {}).retention).toEqual({});
    expect(issuesOf('clusters:\n  - name: a\n    kubeconfig: k\nretention:\n  evidence: forever\n')).toEqual([
      'retention.evidence: not a duration: "forever" (use e.g. 30s, 5m, 2h)',
    ]);
  });

  it('applies defaults to a minimal file', () => {
    const cfg = parseConfig('clusters:\n  - name: a\n    kubeconfig: kube/a.yaml\n', '/srv/complyd.yaml', {});
    expect(cfg.clusters[0]?.kubeconfig).toBe('/srv/kube/a.yaml');
    expect(cfg.schedule).toEqual({ scan: '0 */6 * * *', timezone: 'UTC' });
    expect(cfg.storage).toEqual({ kind: 'sqlite', path: '/srv/complyd.sqlite' });
    expect(cfg.output.dir).toBe('/srv/complyd-out');
  });

  it('names the key path of every problem at once', () => {
    const issues = issuesOf(`
clusters:
  - name: ok
    kubeconfig: a.yaml
  - name: Bad_Name
    kubeconfig: ""
    contxt: prod
schedule:
  scan: "not a cron"
collect:
  requestTimeout: soon
  concurrency: 0
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^clusters\[1\]\.name: use lower-case letters/),
        expect.stringMatching(/^clusters\[1\]\.kubeconfig: /),
        'clusters[1]: unknown key "contxt"',
        expect.stringMatching(/^schedule\.scan: not a cron expression: "not a cron"/),
        'collect.requestTimeout: not a duration: "soon" (use e.g. 30s, 5m, 2h)',
        expect.stringMatching(/^collect\.concurrency: /),
      ]),
    );
  });

  it('rejects duplicate cluster names and an empty fleet', () => {
    expect(issuesOf('clusters:\n  - {name: a, kubeconfig: x}\n  - {name: a, kubeconfig: y}\n')).toEqual([
      'clusters[1].name: duplicate cluster name "a" (also clusters[0])',
    ]);
    expect(issuesOf('clusters: []\n')).toEqual(['clusters: at least one cluster is required']);
  });

  it('takes values from the environment and names a missing variable', () => {
    const text = 'clusters: [{name: a, kubeconfig: x}]\nstorage:\n  postgres: ${DB_URL}\n';
    expect(parseConfig(text, '/c.yaml', { DB_URL: 'postgres://u@db/complyd' }).storage).toEqual({ kind: 'postgres', url: 'postgres://u@db/complyd' });
    expect(issuesOf(text, {})).toContain('storage.postgres: environment variable DB_URL is not set');
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = issuesOf('clusters:\n  - name: a\n   kubeconfig: [x\n');
    expect(issues[0]).toMatch(/^line \d+: /);
  });

  it('says when the file itself is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-config-'));
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: cannot read configuration: file not found/);
    writeFileSync(join(dir, 'empty.yaml'), '');
    expect(() => loadConfig(join(dir, 'empty.yaml'))).toThrow(/clusters: /);
  });

  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['1m30s500ms', 90_500],
    ['7d', 604_800_000],
  ])('parses duration %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  // Bare numbers used to be milliseconds; units must run from the largest down, once each.
  it.each(['', 'soon', '5 m', '5x', '-1s', 'm5', '1500', '30m1h', '5m5m', '5M'])('rejects duration "%s"', (text) => expect(parseDuration(text)).toBeUndefined());
});
