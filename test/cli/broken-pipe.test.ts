import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { runCli, startCli, stopAllCli } from '../helpers/cli.js';

/**
 * `complyd … | head -1`: the reader closes the pipe while complyd still writes. Each command
 * must exit as git and kubectl do (141, the shell's code for death by SIGPIPE) without a
 * stack trace. Outputs larger than a pipe's buffer (64 KiB on Linux) are cut after their
 * first line; smaller ones meet a reader that closed before anything was written, so every
 * case does write into a closed pipe.
 */

const deployment = (i: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `app-${i}`, namespace: 'shop' },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', image: `shop:${i}`, securityContext: { privileged: true } }] } } },
});

interface Piped {
  code: number | null;
  signal: NodeJS.Signals | null;
  firstLine: string;
  stderr: string;
}

/** Run complyd with a stdout reader that closes after the first line (or at once, with `closeAt: 'start'`). */
function pipeToHead(args: readonly string[], closeAt: 'first-line' | 'start'): Promise<Piped> {
  return new Promise((resolve, reject) => {
    const child = startCli(args);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`complyd ${args.join(' ')} did not end after its reader closed\nstderr:\n${stderr}`));
    }, 60_000);
    // Closing our end of the pipe is what head does when it has its line.
    const closeReader = () => child.stdout.destroy();
    if (closeAt === 'start') closeReader();
    else {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) closeReader();
      });
    }
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, firstLine: stdout.split('\n')[0] ?? '', stderr });
    });
  });
}

/** What a crash would have printed: Node's unhandled 'error' event, a stack frame, complyd's own catch-all. */
const TRACE = /EPIPE|Unhandled 'error' event|^\s+at |unexpected error/m;

describe('complyd writing into a pipe whose reader has gone', () => {
  let server: FakeApiServer;
  let dir: string;
  let config: string;
  let manifest: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-pipe-'));
    server = await startFakeApiServer({
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, ...Array.from({ length: 150 }, (_, i) => deployment(i))],
      tokens: { tok: 'scanner' },
    });
    writeFileSync(join(dir, 'kubeconfig.yaml'), server.kubeconfig({ user: 'scanner', token: 'tok' }));
    config = join(dir, 'complyd.yaml');
    writeFileSync(config, 'clusters:\n  - name: shop\n    kubeconfig: kubeconfig.yaml\nstorage:\n  sqlite: complyd.sqlite\noutput:\n  dir: out\n  formats: []\n');
    manifest = join(dir, 'pods.yaml');
    writeFileSync(manifest, Array.from({ length: 150 }, (_, i) => JSON.stringify(deployment(i))).join('\n---\n'));
    const scan = await runCli(['scan', '-c', config]);
    expect(scan.code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    stopAllCli();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const large: Array<[string, string[], RegExp]> = [
    ['report -o json', ['report', '-o', 'json'], /^\{$/],
    ['report -o csv', ['report', '-o', 'csv'], /^cluster,control_id,/],
    ['report -o sarif', ['report', '-o', 'sarif'], /^\{$/],
    ['report --output junit', ['report', '--output', 'junit'], /^<\?xml /],
    ['evaluate', ['evaluate'], /^RESOURCE\s+CONTROL/],
    ['evaluate -o json', ['evaluate', '-o', 'json'], /^\{$/],
  ];

  it.each(large)('%s: a reader that stops after the first line ends it quietly with exit 141', async (_name, words, first) => {
    const args = words[0] === 'evaluate' ? [...words, manifest] : [...words, '-c', config];
    const res = await pipeToHead(args, 'first-line');
    expect(res.firstLine).toMatch(first);
    expect(res.stderr).not.toMatch(TRACE);
    expect(res.signal).toBeNull();
    expect(res.code).toBe(141);
  });

  // `-c` is added where the command reads the configuration (the file exists once beforeAll ran).
  const small: Array<[string, string[]]> = [
    ['report -o md', ['report', '-o', 'md', '-c']],
    ['history', ['history', '-c']],
    ['trend', ['trend', '-c']],
    ['scan', ['scan', '-c']],
    ['scan -o json', ['scan', '-o', 'json', '-c']],
    ['controls', ['controls']],
    ['controls -o csv', ['controls', '-o', 'csv']],
  ];

  it.each(small)('%s: a reader that closed before the first write ends it quietly with exit 141', async (_name, words) => {
    const res = await pipeToHead(words.at(-1) === '-c' ? [...words, config] : words, 'start');
    expect(res.stderr).not.toMatch(TRACE);
    expect(res.code).toBe(141);
  });

  it('scan 2>&1 | head: a closed stderr (its log lines) ends it the same way', async () => {
    // Progress lines are for terminals only; the JSON log is what a pipe's stderr carries.
    const child = startCli(['scan', '-c', config, '--log-level', 'info']);
    child.stderr.destroy();
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).not.toMatch(TRACE);
    expect(code).toBe(141);
  });

  it('--help into a closed pipe prints no trace (commander exits 0 right after its one write)', async () => {
    for (const args of [['--help'], ['report', '--help']]) {
      const res = await pipeToHead(args, 'start');
      expect(res.stderr).toBe('');
      expect([0, 141]).toContain(res.code);
    }
  });
});
