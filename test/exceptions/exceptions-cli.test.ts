import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { runCli, stopAllCli } from '../helpers/cli.js';
import type { ExceptionsListing } from '../../src/cli/commands/exceptions.js';
import type { RunReport } from '../../src/report/model.js';

const deployment = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', labels },
  spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:1', securityContext: { privileged: true } }] } } },
});

const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

describe('exceptions through the CLI: scan applies them, the reports and `complyd exceptions` show them', () => {
  let server: FakeApiServer;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-exc-cli-'));
    server = await startFakeApiServer({
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, deployment('cart', { team: 'shop' }), deployment('web', {})],
      tokens: { tok: 'scanner' },
    });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok', contextName: 'shop-ctx' }));
    config = join(dir, 'complyd.yaml');
    writeFileSync(config, 'clusters:\n  - { name: shop, kubeconfig: kubeconfig.yaml, context: shop-ctx, labels: { env: prod } }\nstorage:\n  sqlite: complyd.sqlite\noutput:\n  dir: out\n  formats: [json, csv, sarif, junit]\n');
    writeFileSync(
      join(dir, 'shop.yaml'),
      `exceptions:
  - id: cart-accepted
    controls: [PSS-privileged]
    scope: { clusterSelector: { matchLabels: { env: prod } }, namespaces: [shop], objectSelector: { matchLabels: { team: shop } } }
    owner: shop-team
    reason: the cart needs a device
    ticket: SHOP-1
    created: ${day(-10)}
    expires: ${day(90)}
  - { id: web-soon, controls: [PSS-privileged], scope: { names: [web] }, owner: web-team, reason: migrating, created: ${day(-20)}, expires: ${day(10)} }
  - { id: web-lapsed, controls: ["PSS-*"], scope: { names: [web] }, owner: web-team, reason: old, created: ${day(-100)}, expires: ${day(-1)} }
  - { id: never-used, controls: [CIS-5.1.1], scope: { clusters: [elsewhere] }, owner: nobody, reason: r, created: ${day(-1)}, expires: ${day(60)} }
`,
    );
    writeFileSync(join(dir, 'bad.yaml'), `exceptions:\n  - { id: bad, controls: [CIS-99.1], owner: o, reason: r, created: ${day(-1)} }\n`);
  });
  afterAll(async () => {
    stopAllCli();
    await server.close();
  });

  it('scans with the exceptions; a refused file is named and the others still apply', async () => {
    const scan = await runCli(['scan', '-c', config, '--exceptions', join(dir, 'shop.yaml'), '--exceptions', join(dir, 'bad.yaml')]);
    expect(scan.code).toBe(0);
    expect(scan.stderr).toContain(`${join(dir, 'bad.yaml')}: exceptions file refused, its exceptions not applied:`);
    expect(scan.stderr).toContain('exceptions[0].controls[0]: no control "CIS-99.1"');
    expect(scan.stderr).toContain('exceptions[0].expires: required');

    const out = join(dir, 'out');
    const file = (ext: string) => readFileSync(join(out, readdirSync(out).find((n) => n.endsWith(ext)) as string), 'utf8');
    const report = JSON.parse(file('.json')) as RunReport;
    const privileged = report.controls.find((c) => c.id === 'PSS-privileged')?.findings ?? [];
    expect(privileged.map((f) => [f.resource.name, f.status, f.disposition, f.exceptionId])).toEqual([
      ['cart', 'fail', 'excepted', 'cart-accepted'],
      ['web', 'fail', 'excepted', 'web-soon'],
    ]);
    // Another PSS control failing on web: its only exception lapsed.
    const lapsed = report.controls.flatMap((c) => c.findings.filter((f) => f.resource.name === 'web' && f.exceptionId === 'web-lapsed'));
    expect(lapsed.length).toBeGreaterThan(0);
    expect(lapsed.every((f) => f.disposition === 'expired' && f.status === 'fail')).toBe(true);
    expect(report.fleet.dispositions.excepted).toBe(2);
    expect(report.fleet.scoreWithExceptions).toBeGreaterThan(report.fleet.score as number);
    expect(report.exceptions.runDigest).toBe(report.exceptions.filesDigest);
    expect(report.period.exceptions.map((e) => [e.id, e.state, e.matched])).toEqual([
      ['cart-accepted', 'active', 1],
      ['web-soon', 'expiring', 1],
      ['web-lapsed', 'expired', 0],
      ['never-used', 'active', 0],
    ]);
  });

  it('lists active, expiring, expired, unused and invalid, as text and JSON, exiting 2 for the refused file', async () => {
    const args = ['exceptions', '-c', config, '--exceptions', join(dir, 'shop.yaml'), '--exceptions', join(dir, 'bad.yaml')];
    const json = await runCli([...args, '-o', 'json']);
    expect(json.code).toBe(2);
    const listing = JSON.parse(json.stdout) as ExceptionsListing;
    expect(listing.exceptions.map((e) => [e.id, e.state, e.matched > 0, e.lapsed > 0, e.unused])).toEqual([
      ['cart-accepted', 'active', true, false, false],
      ['web-soon', 'expiring', true, false, false],
      ['web-lapsed', 'expired', false, true, false],
      ['never-used', 'active', false, false, true],
    ]);
    expect(listing.run?.sameExceptions).toBe(true);
    expect(listing.invalid).toEqual([{ file: join(dir, 'bad.yaml'), issues: expect.arrayContaining(['exceptions[0].controls[0]: no control "CIS-99.1" (see `complyd controls`)']) }]);
    expect(listing.summary).toEqual({ active: 2, expiring: 1, expired: 1, pending: 0, unused: 1, invalid: 1 });

    const text = await runCli(args);
    expect(text.stdout).toMatch(/^EXCEPTION\s+STATE\s+OWNER\s+EXPIRES\s+MATCHED/m);
    expect(text.stdout).toContain(`expiring within 30d: web-soon (web-team, ${day(10)})`);
    expect(text.stdout).toContain(`expired: web-lapsed (web-team, ${day(-1)})`);
    expect(text.stdout).toMatch(/unused \(matched no failing finding in run [0-9a-f]{8}\): never-used/);
    expect(text.stdout).toContain(`invalid: ${join(dir, 'bad.yaml')}:`);

    // A narrower window: web-soon is merely active; without the bad file, exit 0; a changed file is noticed.
    writeFileSync(join(dir, 'extra.yaml'), `exceptions:\n  - { id: added-later, controls: [CIS-5.1.1], owner: o, reason: r, created: ${day(-1)}, expires: ${day(5)} }\n`);
    const narrow = await runCli(['exceptions', '-c', config, '--exceptions', join(dir, 'shop.yaml'), join(dir, 'extra.yaml'), '--expiring-within', '7d']);
    expect(narrow.code).toBe(0);
    expect(narrow.stdout).toContain('expiring within 7d: added-later');
    expect(narrow.stdout).toContain('the exceptions files changed since run');

    const usage = await runCli(['exceptions', '-c', config, '--expiring-within', 'soon']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--expiring-within: not a duration');
    const help = await runCli(['exceptions', '--help']);
    expect(help.stdout).toContain('--expiring-within <duration>');
  });

  it("lists a profile's exceptions apart from the global files', each with the scope narrowed to the profile's clusters", async () => {
    writeFileSync(join(dir, 'prod-only.yaml'), `exceptions:\n  - { id: prod-waiver, controls: [CIS-5.1.1], scope: { namespaces: [shop] }, owner: sec, reason: r, created: ${day(-1)}, expires: ${day(60)} }\n`);
    const withProfiles = join(dir, 'profiles.yaml');
    writeFileSync(
      withProfiles,
      `${readFileSync(config, 'utf8')}profiles:\n  - { name: prod, selector: { matchLabels: { env: prod } }, frameworks: [pss-restricted], exceptions: [prod-only.yaml] }\n`,
    );
    const args = ['exceptions', '-c', withProfiles, '--exceptions', join(dir, 'shop.yaml')];
    const listing = JSON.parse((await runCli([...args, '-o', 'json'])).stdout) as ExceptionsListing;
    expect(listing.exceptions.map((e) => [e.id, e.profiles])).toEqual([
      ['cart-accepted', undefined],
      ['web-soon', undefined],
      ['web-lapsed', undefined],
      ['never-used', undefined],
      ['prod-waiver', ['prod']],
    ]);
    expect(listing.exceptions.at(-1)?.scope).toContain('shop');

    const text = (await runCli(args)).stdout;
    const global = text.indexOf('global exceptions files (every cluster in their scope):');
    const prod = text.indexOf('profile prod (their clusters only):');
    expect(global).toBeGreaterThanOrEqual(0);
    expect(prod).toBeGreaterThan(global);
    expect(text.slice(prod)).toMatch(/^prod-waiver\s+active/m);
    expect(text.slice(global, prod)).not.toContain('prod-waiver');
    expect(text.slice(prod)).not.toMatch(/^cart-accepted/m);
  });
});
