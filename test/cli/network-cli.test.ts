import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'network');

describe('complyd network (compiled binary)', () => {
  it('prints the allowed connections as sorted `src => dst : conns` lines', async () => {
    const res = await runCli(['network', join(FIXTURES, 'both-sides.yaml')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      [
        '0.0.0.0-255.255.255.255[External] => pair/a[Deployment] : All Connections',
        'pair/a[Deployment] => pair/b[Deployment] : TCP 81',
        'pair/b[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'pair/b[Deployment] => pair/a[Deployment] : All Connections',
        '',
      ].join('\n'),
    );
  });

  it('--exposure, --focus-workload and -o json together, written to --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-network-'));
    const out = join(dir, 'exposure.json');
    const res = await runCli(['network', '--exposure', '--focus-workload', 'public/locked', '-o', 'json', '--out', out, join(FIXTURES, 'exposure.yaml')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { connlist_results: unknown[]; exposure_results: { ingress_exposure: Array<{ src: string; dst: string; conn: string }> } };
    expect(doc.connlist_results).toEqual([{ src: 'public/locked[Deployment]', dst: 'public/shop[Deployment]', conn: 'UDP 53' }]);
    expect(doc.exposure_results.ingress_exposure).toEqual([
      { src: '[namespace with {team=monitoring}]/[all pods]', dst: 'public/locked[Deployment]', conn: 'TCP 8080' },
      { src: 'payments/[pod with {app=billing}]', dst: 'public/locked[Deployment]', conn: 'All Connections' },
    ]);
  });

  it('csv, md and dot carry the same connections', async () => {
    const path = join(FIXTURES, 'named-ports.yaml');
    const [csv, md, dot] = await Promise.all(['csv', 'md', 'dot'].map((o) => runCli(['network', '-o', o, '--focus-workload', 'front', path])));
    expect(csv!.stdout.split('\n')).toContain('web/front[Deployment],web/new[Deployment],TCP 3000');
    expect(md!.stdout.split('\n')).toContain('| web/front[Deployment] | web/old[Deployment] | TCP 8080 |');
    expect(dot!.stdout).toContain('"web/front[Deployment]" -> "web/new[Deployment]" [label="TCP 3000"]');
    expect(dot!.stdout).toMatch(/subgraph cluster_0 \{\n {4}label="web"/);
  });

  it('names a bad policy field on stderr and allows nothing through it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-network-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      readFileSync(join(FIXTURES, 'default-deny-ingress.yaml'), 'utf8') +
        '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad-cidr, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0}}]\n',
    );
    const res = await runCli(['network', file]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('NetworkPolicy shop/bad-cidr: spec.ingress[0].from[0].ipBlock: "10.0.0.0" is not a CIDR (no prefix length); ignored');
    expect(res.stdout).not.toMatch(/=> shop\//);
  });

  it('exit 2 for a usage error, 3 when an input is not read (the rest is still analysed)', async () => {
    const usage = await runCli(['network', '-o', 'xml', join(FIXTURES, 'both-sides.yaml')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--output must be one of txt, json, csv, md, dot, not "xml"');
    const missing = await runCli(['network', join(FIXTURES, 'both-sides.yaml'), join(FIXTURES, 'no-such-file.yaml')]);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toContain('pair/a[Deployment] => pair/b[Deployment] : TCP 81');
    expect(missing.stderr).toMatch(/no-such-file\.yaml: cannot read/);
    expect(missing.stderr).toContain('INCOMPLETE');
  });

  it('is listed in --help', async () => {
    const res = await runCli(['--help']);
    expect(res.stdout).toMatch(/network \[options\] <paths\.\.\.>\s+who can reach whom/);
  });
});
