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

  it('the store form is chosen by --cluster, and mixed or half forms are usage errors', async () => {
    const both = await runCli(['network', '--cluster', 'prod', join(FIXTURES, 'both-sides.yaml')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give manifest paths or --cluster prod, not both');
    const none = await runCli(['network']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give manifest paths, or --cluster NAME');
    const noCluster = await runCli(['network', 'diff', '--since', '30d', join(FIXTURES, 'both-sides.yaml'), join(FIXTURES, 'both-sides.yaml')]);
    expect(noCluster.code).toBe(2);
    expect(noCluster.stderr).toContain('--since compares stored scans');
    const runOnly = await runCli(['network', '--run', 'abc', join(FIXTURES, 'both-sides.yaml')]);
    expect(runOnly.code).toBe(2);
    expect(runOnly.stderr).toContain('name the cluster with --cluster NAME');
  });

  it('is listed in --help', async () => {
    const res = await runCli(['--help']);
    expect(res.stdout).toMatch(/network \[options\] \[paths\.\.\.\]\s+who can reach whom/);
  });

  it('network diff: + - ~ lines between two inputs, and the same as JSON', async () => {
    const before = join(FIXTURES, 'no-policies.yaml');
    const after = join(FIXTURES, 'default-deny-ingress.yaml');
    const txt = await runCli(['network', 'diff', before, after]);
    expect(txt.code).toBe(0);
    expect(txt.stdout.split('\n')).toContain('- shop/web[Deployment] => shop/db[Deployment] : All Connections');
    const json = await runCli(['network', 'diff', '-o', 'json', before, after]);
    const doc = JSON.parse(json.stdout) as { added: unknown[]; removed: Array<{ src: string; dst: string }>; changed: unknown[] };
    expect(doc.removed.length).toBe(txt.stdout.split('\n').filter((l) => l.startsWith('- ')).length);
    const same = await runCli(['network', 'diff', before, before]);
    expect(same.stdout).toBe('no change\n');
  });

  it('network suggest: policies on stdout that kubectl could apply, their effect on stderr', async () => {
    const res = await runCli(['network', 'suggest', join(FIXTURES, 'suggest-services.yaml')]);
    expect(res.code).toBe(0);
    const docs = res.stdout.split(/^---$/m).map((d) => d.trim());
    expect(docs).toHaveLength(6);
    for (const d of docs) expect(d).toMatch(/^# .+\napiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/);
    expect(res.stderr).toContain('effect on connectivity of 6 policies for shop:');
    expect(res.stderr).toContain('- tools/client[Deployment] => shop/worker[Deployment] : All Connections');
    const dir = mkdtempSync(join(tmpdir(), 'complyd-network-'));
    const out = join(dir, 'policies.json');
    const toFile = await runCli(['network', 'suggest', '-n', 'shop', '-n', 'tools', '-o', 'json', '--out', out, join(FIXTURES, 'suggest-services.yaml')]);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { items: unknown[] }).items).toHaveLength(6);
    expect(toFile.stdout).toContain('not suggested: tools: has NetworkPolicies already');
    expect(toFile.stdout).toContain('effect on connectivity');
  });
});
