/**
 * `complyd serve` and the daemon's HTTP server, as the compiled binary runs them: the address
 * chosen (port 0: any free one), the answers over a real store, a clean exit on SIGTERM.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';

/** Start `complyd ARGS`, wait for its "http server listening" log line, return the URL and the child. */
async function listening(args: string[]): Promise<{ url: string; stop: () => Promise<number | null>; stderr: () => string }> {
  const child = startCli(args);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  const until = Date.now() + 30_000;
  for (;;) {
    const m = /"url":"http:\/\/(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)"[^\n]*"msg":"http server listening"/.exec(stderr);
    if (m?.[1]) return { url: `http://127.0.0.1:${m[1]}`, stderr: () => stderr, stop: () => (child.kill('SIGTERM'), exited) };
    if (Date.now() > until || child.exitCode !== null) throw new Error(`no http server\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('complyd serve and daemon HTTP (compiled binary)', () => {
  let server: FakeApiServer;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-serve-'));
    server = await startFakeApiServer({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], tokens: { tok: 'scanner' } });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok', contextName: 'shop' }));
    config = join(dir, 'complyd.yaml');
    writeFileSync(config, 'clusters:\n  - name: shop\n    kubeconfig: kubeconfig.yaml\n    context: shop\nschedule:\n  scan: "0 0 1 1 *"\nstorage:\n  sqlite: complyd.sqlite\noutput:\n  dir: out\n  formats: [json]\nserver:\n  listen: 127.0.0.1:0\n');
    expect((await runCli(['scan', '-c', config, '--quiet'])).code).toBe(0);
  }, 90_000);
  afterAll(async () => {
    stopAllCli();
    await server.close();
  });

  it('serves a store without scanning, and stops on SIGTERM', async () => {
    const s = await listening(['serve', '--store', join(dir, 'complyd.sqlite'), '--listen', '127.0.0.1:0']);
    try {
      const ready = (await (await fetch(`${s.url}/readyz`)).json()) as { status: string; checks: Array<{ name: string }> };
      expect(ready).toEqual({ status: 'ready', checks: [expect.objectContaining({ name: 'store', ok: true })] });
      const clusters = (await (await fetch(`${s.url}/api/v1/clusters`)).json()) as { clusters: Array<{ name: string; status: string }> };
      expect(clusters.clusters.map((c) => [c.name, c.status])).toEqual([['shop', 'complete']]);
      expect(await (await fetch(`${s.url}/metrics`)).text()).toMatch(/^complyd_objects\{cluster="shop"\} \d+$/m);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 60_000);

  it('serves from the daemon, ready with its scheduler running', async () => {
    const d = await listening(['daemon', '-c', config, '--no-catch-up', '--log-level', 'info']);
    try {
      const ready = (await (await fetch(`${d.url}/readyz`)).json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
      expect(ready.status).toBe('ready');
      expect(ready.checks.map((c) => c.name)).toEqual(['store', 'scheduler', 'last-scan']);
    } finally {
      expect(await d.stop()).toBe(0);
    }
    expect(d.stderr()).toMatch(/"msg":"stopped"/);
  }, 60_000);

  it('listens beyond loopback with the tokens of server.tokenFiles (a mounted Secret), the probes open', async () => {
    writeFileSync(join(dir, 'api-token'), '\nfirst-token-0123456789\nsecond-token-0123456789\n');
    const withFile = join(dir, 'token-file.yaml');
    writeFileSync(withFile, 'clusters:\n  - name: shop\n    kubeconfig: kubeconfig.yaml\nstorage:\n  sqlite: complyd.sqlite\nserver:\n  listen: 0.0.0.0:0\n  tokenFiles: [api-token]\n');
    const s = await listening(['serve', '-c', withFile]);
    try {
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${s.url}/api/v1/clusters`)).status).toBe(401);
      for (const token of ['first-token-0123456789', 'second-token-0123456789']) expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(s.stderr()).not.toContain('first-token');
    } finally {
      expect(await s.stop()).toBe(0);
    }
    // A file that holds no token, or a token too short, is a configuration error naming the file (exit 2).
    writeFileSync(join(dir, 'api-token'), '\n\n');
    const empty = await runCli(['serve', '-c', withFile]);
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringContaining(`server.tokenFiles: ${join(dir, 'api-token')} holds no token`)]);
    writeFileSync(join(dir, 'api-token'), 'short\n');
    const short = await runCli(['serve', '-c', withFile]);
    expect([short.code, short.stderr]).toEqual([2, expect.stringMatching(/token 1: a token must be 16 to 512 characters/)]);
    expect(short.stderr).not.toContain('short\n');
  }, 60_000);

  it('refuses an address other than loopback without tokens (exit 2)', async () => {
    const res = await runCli(['serve', '--store', join(dir, 'complyd.sqlite'), '--listen', '0.0.0.0:0']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/not loopback, without authentication: set server.tokens/);
  });
});
