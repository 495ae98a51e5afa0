import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.js';
import { clusterProfile, gateThresholdsFor, inProfile, profileOf, scopeToProfile, unknownEnforcementKeys } from '../../src/config/profiles.js';
import { ConfigError } from '../../src/core/errors.js';
import type { Exception } from '../../src/core/exception.js';
import { CONTROLS } from '../../src/controls/index.js';
import { FRAMEWORKS } from '../../src/core/control.js';

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, '/etc/complyd/complyd.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const CLUSTERS = `clusters:
  - { name: prod-eu, kubeconfig: k, labels: { env: prod, region: eu } }
  - { name: prod-us, kubeconfig: k, labels: { env: prod, region: us } }
  - { name: dev, kubeconfig: k, labels: { env: dev } }
  - { name: lab, kubeconfig: k }
output:
  dir: out
`;

const PROFILES = `${CLUSTERS}exceptions:
  paths: [global.yaml]
reports:
  - name: fleet
profiles:
  - name: prod
    selector: { matchLabels: { env: prod } }
    frameworks: [pss-restricted, cis-1.12, nsa]
    gates: { failOn: high, failBelowScore: 80, failOnNew: true }
    exceptions: [exceptions/prod]
    reports:
      - name: prod-weekly
        cron: "0 6 * * 1"
      - name: prod-eu-only
        clusters: [prod-eu]
        framework: cis-1.12
  - name: dev
    selector:
      matchExpressions:
        - { key: env, operator: In, values: [dev, test] }
    frameworks: [pss-baseline]
    severityFloor: high
`;

describe('profiles in the configuration', () => {
  it('accepts the commented example of config/complyd.example.yaml once uncommented', () => {
    const text = readFileSync('config/complyd.example.yaml', 'utf8');
    // The alerts and custom-controls examples are commented the same way: uncommented with it (controls.d beside the file).
    const uncommented = text.replace(/^# (profiles:|alerts:|controls:| {2}.*)$/gm, '$1');
    expect(uncommented).not.toEqual(text);
    const cfg = parseConfig(uncommented, 'config/complyd.example.yaml', { HOME: '/home/u', COMPLYD_ALERT_SECRET: 'a-signing-key-of-some-length' });
    expect(cfg.alerts.webhooks.map((w) => [w.name, w.format])).toEqual([['ops', 'generic'], ['chat', 'slack']]);
    expect(cfg.profiles.map((p) => [p.name, p.clusters, p.frameworks])).toEqual([
      ['prod', ['prod-eu'], ['pss-restricted', 'cis-1.12', 'nsa']],
      ['dev', ['dev'], ['pss-baseline']],
    ]);
  });

  it('resolves each profile with its clusters, paths and report jobs', () => {
    const cfg = parseConfig(PROFILES, '/srv/complyd.yaml', {});
    expect(cfg.profiles).toEqual([
      {
        name: 'prod',
        selector: { matchLabels: { env: 'prod' } },
        frameworks: ['pss-restricted', 'cis-1.12', 'nsa'],
        gates: { failOn: 'high', failBelowScore: 80, failOnNew: true },
        exceptions: ['/srv/exceptions/prod'],
        clusters: ['prod-eu', 'prod-us'],
        configPath: 'profiles[0]',
      },
      {
        name: 'dev',
        selector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'test'] }] },
        frameworks: ['pss-baseline'],
        severityFloor: 'high',
        gates: {},
        exceptions: [],
        clusters: ['dev'],
        configPath: 'profiles[1]',
      },
    ]);
    // A profile's jobs follow the top-level ones, limited to the group.
    expect(cfg.reports.map((j) => [j.name, j.profile?.name, j.clusters, j.dir])).toEqual([
      ['fleet', undefined, undefined, '/srv/out/fleet'],
      ['prod-weekly', 'prod', ['prod-eu', 'prod-us'], '/srv/out/prod-weekly'],
      ['prod-eu-only', 'prod', ['prod-eu'], '/srv/out/prod-eu-only'],
    ]);
    // The job names its profile on the report as the reader needs it.
    expect(cfg.reports[1]?.profile).toEqual({ name: 'prod', selector: 'env=prod', frameworks: ['pss-restricted', 'cis-1.12', 'nsa'] });
  });

  it('gives each cluster its profile, and the defaults to a cluster in none', () => {
    const cfg = parseConfig(PROFILES, '/srv/complyd.yaml', {});
    expect(profileOf(cfg.profiles, 'prod-us')?.name).toBe('prod');
    expect(profileOf(cfg.profiles, 'lab')).toBeUndefined();
    expect(clusterProfile(cfg.profiles, 'dev')).toEqual({ name: 'dev', frameworks: ['pss-baseline'], severityFloor: 'high' });
    expect(clusterProfile(cfg.profiles, 'lab')).toEqual({ frameworks: [...FRAMEWORKS] });
    expect(gateThresholdsFor(cfg.profiles, 'prod-eu')).toEqual({ failOn: 'high', failBelowScore: 80, failOnNew: true });
    expect(gateThresholdsFor(cfg.profiles, 'dev')).toEqual({});
    expect(gateThresholdsFor(cfg.profiles, 'lab')).toEqual({});
  });

  it('selects controls by framework and severity floor', () => {
    const cfg = parseConfig(PROFILES, '/srv/complyd.yaml', {});
    const dev = CONTROLS.filter((c) => inProfile(c, clusterProfile(cfg.profiles, 'dev')));
    const prod = CONTROLS.filter((c) => inProfile(c, clusterProfile(cfg.profiles, 'prod-eu')));
    const lab = CONTROLS.filter((c) => inProfile(c, clusterProfile(cfg.profiles, 'lab')));
    expect(lab).toHaveLength(CONTROLS.length);
    expect(dev.length).toBeGreaterThan(0);
    expect(dev.every((c) => c.frameworks.includes('pss-baseline') && (c.severity === 'critical' || c.severity === 'high'))).toBe(true);
    // The floor leaves out the baseline controls below high.
    expect(CONTROLS.some((c) => c.frameworks.includes('pss-baseline') && c.severity === 'medium')).toBe(true);
    expect(prod.some((c) => c.frameworks.includes('pss-restricted') && !c.frameworks.includes('pss-baseline'))).toBe(true);
    expect(prod.length).toBeGreaterThan(dev.length);
  });

  it('names every problem of a profile with its key path', () => {
    expect(
      issuesOf(`${CLUSTERS}profiles:
  - name: Prod
    selector: { matchLabels: { env: prod }, matchExpressions: [{ key: tier, operator: Exists, values: [a] }, { key: zone, operator: In }] }
    frameworks: [pss-restricted, cis-1.11, pss-restricted]
    severityFloor: severe
    gates: { failOn: urgent, failBelowScore: 101, failOnNew: "yes", failAlways: true }
    colour: red
  - name: empty
    selector: {}
    frameworks: []
`),
    ).toEqual([
      'profiles[0].name: use lower-case letters, digits, ".", "_" and "-" (like a DNS label)',
      'profiles[0].selector.matchExpressions[0].values: Exists takes no values',
      'profiles[0].selector.matchExpressions[1].values: In needs at least one value',
      `profiles[0].frameworks[1]: Invalid option: expected one of ${FRAMEWORKS.map((f) => `"${f}"`).join('|')}`,
      'profiles[0].severityFloor: Invalid option: expected one of "critical"|"high"|"medium"|"low"|"info"',
      'profiles[0].gates.failOn: Invalid option: expected one of "critical"|"high"|"medium"|"low"|"info"',
      'profiles[0].gates.failBelowScore: Too big: expected number to be <=100',
      'profiles[0].gates.failOnNew: Invalid input: expected boolean, received string',
      'profiles[0].gates: unknown key "failAlways"',
      'profiles[0]: unknown key "colour"',
      'profiles[1].frameworks: at least one framework is required',
    ]);
  });

  it("reads a profile's expected enforcement, and names a wrong action or an unknown key with its path", () => {
    const config = parseConfig(`${CLUSTERS}profiles:\n  - { name: p, selector: { matchLabels: { env: prod } }, frameworks: [pss-baseline], enforcement: { pss-baseline: Deny, PSS-run-as-non-root: Warn } }\n`, '/etc/complyd/complyd.yaml', {});
    expect(config.profiles[0]?.enforcement).toEqual({ 'pss-baseline': 'Deny', 'PSS-run-as-non-root': 'Warn' });
    expect(issuesOf(`${CLUSTERS}profiles:\n  - { name: p, selector: {}, frameworks: [nsa], enforcement: { nsa: deny } }\n`)).toEqual([
      "profiles[0].enforcement.nsa: Deny, Warn or Audit (as a binding's validationActions)",
    ]);
    const typo = parseConfig(`${CLUSTERS}profiles:\n  - { name: p, selector: {}, frameworks: [nsa], enforcement: { PSS-privilegd: Deny } }\n`, '/etc/complyd/complyd.yaml', {});
    expect(unknownEnforcementKeys(typo.profiles, CONTROLS.map((c) => c.id))).toEqual([
      'profiles[0].enforcement.PSS-privilegd: not a framework (cis-1.12, pss-baseline, pss-restricted, nsa, hardening, reliability) nor a control id of the catalog',
    ]);
  });

  it('refuses a framework listed twice', () => {
    expect(issuesOf(`${CLUSTERS}profiles:\n  - { name: p, selector: {}, frameworks: [nsa, nsa] }\n`)).toEqual(['profiles[0].frameworks[1]: "nsa" is listed twice']);
  });

  it('refuses duplicate names, a cluster in two profiles, and a profile that selects nothing', () => {
    expect(
      issuesOf(`${CLUSTERS}profiles:
  - { name: prod, selector: { matchLabels: { env: prod } }, frameworks: [nsa] }
  - { name: prod, selector: { matchLabels: { env: dev } }, frameworks: [nsa] }
  - { name: eu, selector: { matchLabels: { region: eu } }, frameworks: [cis-1.12] }
  - { name: staging, selector: { matchExpressions: [{ key: env, operator: In, values: [staging] }] }, frameworks: [nsa] }
`),
    ).toEqual([
      'profiles[1].name: duplicate profile name "prod" (also profiles[0])',
      'profiles[2].selector: selects cluster "prod-eu", which profiles[0] ("prod") selects too: a cluster belongs to one profile at most',
      "profiles[3].selector: selects no configured cluster (env in (staging)): check the selector against the clusters' labels",
    ]);
  });

  it("keeps a profile's report jobs to its clusters and frameworks, and report names unique across the file", () => {
    expect(
      issuesOf(`${CLUSTERS}reports:
  - name: weekly
profiles:
  - name: dev
    selector: { matchLabels: { env: dev } }
    frameworks: [pss-baseline]
    reports:
      - { name: weekly }
      - { name: dev-cis, framework: cis-1.12, clusters: [dev, prod-eu] }
  - name: prod
    selector: { matchLabels: { env: prod } }
    frameworks: [nsa]
    reports:
      - { name: dev-cis, formats: [docx] }
`),
    ).toEqual(['profiles[1].reports[0].formats[0]: Invalid option: expected one of "json"|"pdf"|"csv"|"sarif"|"junit"|"md"|"policyreport"']);
    expect(
      issuesOf(`${CLUSTERS}reports:
  - name: weekly
profiles:
  - name: dev
    selector: { matchLabels: { env: dev } }
    frameworks: [pss-baseline]
    reports:
      - { name: weekly }
      - { name: dev-cis, framework: cis-1.12, clusters: [dev, prod-eu] }
  - name: prod
    selector: { matchLabels: { env: prod } }
    frameworks: [nsa]
    reports:
      - { name: dev-cis }
`),
    ).toEqual([
      'profiles[0].reports[0].name: duplicate report name "weekly" (also reports[0])',
      'profiles[0].reports[1].clusters[1]: cluster "prod-eu" is not in profile "dev" (its clusters: dev)',
      'profiles[0].reports[1].framework: "cis-1.12" is not a framework of profile "dev" (pss-baseline)',
      'profiles[1].reports[0].name: duplicate report name "dev-cis" (also profiles[0].reports[1])',
    ]);
  });

  it("limits a profile's exceptions to the group's clusters that their own scope allows", () => {
    const e = (id: string, clusters?: string[]): Exception => ({
      id,
      controls: ['CIS-5.2.*'],
      scope: clusters ? { clusters, namespaces: ['web'] } : {},
      owner: 'o',
      reason: 'r',
      created: '2026-01-01',
      expires: '2026-06-01',
      source: { file: 'f.yaml', index: 0 },
    });
    const scoped = scopeToProfile([e('all'), e('eu', ['*-eu']), e('other', ['dev'])], { clusters: ['prod-eu', 'prod-us'] });
    expect(scoped.map((x) => [x.id, x.scope.clusters])).toEqual([
      ['all', ['prod-eu', 'prod-us']],
      ['eu', ['prod-eu']],
      ['other', []],
    ]);
    expect(scoped[1]?.scope.namespaces).toEqual(['web']);
  });
});
