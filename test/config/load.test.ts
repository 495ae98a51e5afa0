import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig, type Config } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { DURATION_RANGES, MAX_TIMER_MS, TIMER_DURATIONS, parseDuration } from '../../src/config/duration.js';

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
    expect(cfg.collect).toEqual({ concurrency: 4, clusterTimeout: 300_000, requestTimeout: 30_000, pageSize: 500, maxResponseSize: 256 * 2 ** 20, maxPages: 500 });
    expect(cfg.output.formats).toEqual(['json', 'pdf']);
    expect(cfg.retention.evidence).toBe(400 * 86_400_000);
  });

  it('reads the slot lease with defaults, and refuses a renewal longer than half the lease', () => {
    const base = 'clusters:\n  - name: a\n    kubeconfig: k\n';
    expect(parseConfig(base, '/srv/c.yaml', {}).schedule).toEqual({ scan: '0 */6 * * *', timezone: 'UTC', lease: 60_000, leaseRenew: 15_000 });
    expect(parseConfig(`${base}schedule:\n  lease: 2m\n  leaseRenew: 1m\n`, '/srv/c.yaml', {}).schedule).toMatchObject({ lease: 120_000, leaseRenew: 60_000 });
    expect(issuesOf(`${base}schedule:\n  lease: 10s\n  leaseRenew: 6s\n`)).toEqual(['schedule.leaseRenew: must be at most half of schedule.lease (10000 ms), got 6000 ms']);
    expect(issuesOf(`${base}schedule:\n  lease: 500ms\n`)).toEqual([expect.stringContaining('schedule.lease')]);
  });

  it('reads report jobs with defaults, and names unknown clusters and duplicate jobs', () => {
    const base = 'clusters:\n  - name: a\n    kubeconfig: k\noutput:\n  dir: out\n';
    const cfg = parseConfig(`${base}reports:\n  - name: weekly\n    cron: "0 6 * * 1"\n    formats: [pdf, csv]\n    framework: cis-1.12\n  - name: after\n`, '/srv/c.yaml', {});
    expect(cfg.reports).toEqual([
      { name: 'weekly', cron: '0 6 * * 1', formats: ['pdf', 'csv'], since: 30 * 86_400_000, framework: 'cis-1.12', dir: '/srv/out/weekly', keep: 10 },
      { name: 'after', formats: ['pdf'], since: 30 * 86_400_000, dir: '/srv/out/after', keep: 10 },
    ]);
    expect(issuesOf(`${base}reports:\n  - name: x\n    clusters: [a, b]\n    formats: [docx]\n  - name: x\n    cron: "every day"\n`)).toEqual([
      'reports[0].formats[0]: Invalid option: expected one of "json"|"pdf"|"csv"|"sarif"|"junit"|"md"|"policyreport"',
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
    expect(cfg.schedule).toEqual({ scan: '0 */6 * * *', timezone: 'UTC', lease: 60_000, leaseRenew: 15_000 });
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

  it('names a reference that is not ${NAME} or ${NAME:-default}, with its key path', () => {
    const text = [
      'clusters:',
      '  - name: a',
      '    kubeconfig: ${UNTERMINATED',
      '    context: ${}',
      '    labels: { x: "${1BAD}", y: "${A-b}", z: "${A:-${B}}", w: "${constructor}" }',
    ].join('\n');
    expect(issuesOf(text, { A: 'set' })).toEqual([
      expect.stringMatching(/^clusters\[0\]\.kubeconfig: unterminated reference "\$\{UNTERMINATED": no closing \}/),
      expect.stringMatching(/^clusters\[0\]\.context: empty variable name in "\$\{\}"/),
      expect.stringMatching(/^clusters\[0\]\.labels\.x: invalid variable name "1BAD" in "\$\{1BAD\}"/),
      expect.stringMatching(/^clusters\[0\]\.labels\.y: invalid variable name "A-b"/),
      expect.stringMatching(/^clusters\[0\]\.labels\.z: a default cannot hold another reference/),
      // Only the environment's own variables: not Object.prototype's.
      'clusters[0].labels.w: environment variable constructor is not set',
    ]);
  });

  it('applies a default to an unset or empty variable, and reads $${ as a literal ${', () => {
    const cfg = parseConfig('clusters:\n  - name: a\n    kubeconfig: ${DIR:-/k}/$${HOME}/${FILE}\n    context: ${CTX:-prod}\n', '/c.yaml', { DIR: '', FILE: 'a.yaml' });
    expect(cfg.clusters[0]).toMatchObject({ kubeconfig: '/k/${HOME}/a.yaml', context: 'prod' });
  });

  it('names an unset variable once, not again as the empty value the schema would refuse', () => {
    expect(issuesOf('clusters:\n  - name: a\n    kubeconfig: ${KUBE}\n')).toEqual(['clusters[0].kubeconfig: environment variable KUBE is not set']);
  });

  it('checks the time zone when the file loads, as node-cron would only when the daemon schedules', () => {
    const base = 'clusters: [{name: a, kubeconfig: k}]\nschedule:\n  timezone: ';
    expect(parseConfig(`${base}Europe/Paris\n`, '/c.yaml', {}).schedule.timezone).toBe('Europe/Paris');
    expect(issuesOf(`${base}Mars/Olympus\n`)).toEqual([
      'schedule.timezone: unknown time zone: "Mars/Olympus" (use an IANA name such as UTC, Europe/Paris or America/New_York)',
    ]);
    expect(issuesOf(`${base}""\n`)).toEqual([expect.stringMatching(/^schedule\.timezone: unknown time zone: ""/)]);
  });

  it('wants a unit on every duration: a bare number used to be milliseconds', () => {
    expect(issuesOf('clusters: [{name: a, kubeconfig: k}]\nreports:\n  - name: r\n    since: 42\ncollect:\n  requestTimeout: "1500"\n')).toEqual([
      'reports[0].since: not a duration: 42 has no unit (write e.g. 42s or 42m)',
      'collect.requestTimeout: not a duration: "1500" has no unit (write e.g. 1500s or 1500m)',
    ]);
    expect(issuesOf('clusters: [{name: a, kubeconfig: k}]\nretention:\n  evidence: [1d]\n')).toEqual([
      'retention.evidence: not a duration: expected text such as 30s, 5m or 2h, got a list',
    ]);
  });

  // Both ends of each range are accepted, one step beyond either is not.
  it.each([
    ['collect.requestTimeout', 'collect:\n  clusterTimeout: 6h\n  requestTimeout: ', ['1s', '10m'], ['999ms', '10m1s'], (c: Config) => c.collect.requestTimeout],
    ['collect.clusterTimeout', 'collect:\n  requestTimeout: 1s\n  clusterTimeout: ', ['10s', '6h'], ['9s', '6h1s'], (c: Config) => c.collect.clusterTimeout],
    ['reports[0].since', 'reports:\n  - name: r\n    since: ', ['1m', '3650d'], ['59s', '3650d1s'], (c: Config) => c.reports[0]?.since],
    ['retention.evidence', 'retention:\n  evidence: ', ['1d', '36500d'], ['23h', '36501d'], (c: Config) => c.retention.evidence],
  ])('keeps %s within its range', (key, prefix, good, bad, read) => {
    const text = (v: string) => `clusters: [{name: a, kubeconfig: k}]\n${prefix}${v}\n`;
    expect(good.map((v) => read(parseConfig(text(v), '/c.yaml', {})))).toEqual(good.map(parseDuration));
    expect(issuesOf(text(bad[0] ?? ''))).toEqual([`${key}: "${bad[0]}" is too short: at least ${good[0]}`]);
    expect(issuesOf(text(bad[1] ?? ''))).toEqual([`${key}: "${bad[1]}" is too long: at most ${good[1]}`]);
  });

  it('refuses 25 days as a timeout (Node fires a longer timer at once) and a request longer than its cluster deadline', () => {
    expect(issuesOf('clusters: [{name: a, kubeconfig: k}]\ncollect:\n  clusterTimeout: 25d\n')).toEqual(['collect.clusterTimeout: "25d" is too long: at most 6h']);
    expect(issuesOf('clusters: [{name: a, kubeconfig: k}]\ncollect:\n  clusterTimeout: 1m\n  requestTimeout: 2m\n')).toEqual([
      'collect.requestTimeout: longer than collect.clusterTimeout (1m), which cuts every request short',
    ]);
    for (const name of TIMER_DURATIONS) expect(DURATION_RANGES[name].max).toBeLessThanOrEqual(MAX_TIMER_MS);
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
