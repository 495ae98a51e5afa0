/**
 * The README's first look at the service (issue 16's "done when"): `complyd demo --keep-running
 * --serve` scans the simulated fleet, then serves its store; /readyz, /metrics and
 * /api/v1/clusters answer as the README says, and SIGTERM stops it cleanly. One simulated day
 * (`--days 1`) and any free port, so it runs beside other servers. An address in use is
 * refused before the fleet is scanned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'complyd-demo-serve-'));
});
afterAll(() => {
  stopAllCli();
  rmSync(out, { recursive: true, force: true });
});

it('serves the demo store: ready, metrics of every assessed cluster, the clusters with the broken one failed', async () => {
  const child = startCli(['demo', '--out', out, '--days', '1', '--keep-running', '--serve', '--listen', '127.0.0.1:0']);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  try {
    const until = Date.now() + 150_000;
    let url: string | undefined;
    while (!url) {
      url = /^The demo store is served at (http:\/\/127\.0\.0\.1:\d+); try:$/m.exec(stdout)?.[1];
      if (!url && (Date.now() > until || child.exitCode !== null)) throw new Error(`the demo did not serve its store\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The lines it suggests are the README's curl lines, on the address it took.
    expect(stdout).toContain(`  curl ${url}/readyz\n  curl ${url}/metrics\n  curl ${url}/api/v1/clusters\n`);

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: [{ name: 'store', ok: true, message: 'the store answers' }] });

    const clusters = (await (await fetch(`${url}/api/v1/clusters`)).json()) as { runId: string; clusters: Array<{ name: string; status: string; score: number | null; risk: number }> };
    expect(clusters.runId).toMatch(/^[0-9a-f-]{36}$/);
    const byName = new Map(clusters.clusters.map((c) => [c.name, c]));
    expect([...byName.keys()].sort()).toEqual(['analytics-eks', 'dev-k3s', 'edge-lab', 'prod-eu', 'staging-us']);
    // The unreachable cluster is failed, without a score; the one answering 403s is partial.
    expect(byName.get('edge-lab')).toMatchObject({ status: 'failed', score: null });
    expect(byName.get('staging-us')?.status).toBe('partial');
    expect(byName.get('prod-eu')).toMatchObject({ status: 'complete', score: expect.any(Number) as unknown, risk: expect.any(Number) as unknown });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const c of ['analytics-eks', 'dev-k3s', 'prod-eu', 'staging-us']) expect(metrics).toMatch(new RegExp(`^complyd_compliance_score\\{cluster="${c}",framework="all"\\} \\d`, 'm'));
    expect(metrics).not.toMatch(/^complyd_compliance_score\{cluster="edge-lab"/m);
    expect(metrics).toMatch(/^complyd_cluster_scan_status\{cluster="edge-lab",status="failed"\} 1$/m);
    expect(metrics).toMatch(/^complyd_gaps\{cluster="staging-us",reason="forbidden"\} 2$/m);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 180_000);

it('refuses an address in use before scanning the fleet (exit 2), not minutes later', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as AddressInfo).port;
  try {
    const res = await runCli(['demo', '--out', out, '--days', '1', '--keep-running', '--serve', '--listen', `127.0.0.1:${port}`]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`--listen 127.0.0.1:${port}: the address is in use`);
    expect(res.stdout).not.toContain('Scanning');
  } finally {
    await new Promise((r) => taken.close(r));
  }
}, 60_000);
