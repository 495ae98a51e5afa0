/**
 * What can be checked of the image without a container runtime: the Dockerfile's stages and
 * instructions, that the build context leaves out local state and secrets, and that what the
 * runtime stage copies runs: its files laid out in a directory with only the production
 * dependencies of the lock file, the start command run there with the stage's environment.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';

interface Instruction {
  op: string;
  args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const all = instructions(readFileSync('Dockerfile', 'utf8'));
const stages: Instruction[][] = [];
for (const i of all) {
  if (i.op === 'FROM') stages.push([]);
  stages.at(-1)?.push(i);
}
const runtime = stages.at(-1) ?? [];

it('builds on Node 24 in every stage', () => {
  const bases = all.filter((i) => i.op === 'FROM').map((i) => i.args.split(' ')[0]);
  expect(bases.length).toBeGreaterThanOrEqual(2);
  for (const b of bases) expect(b).toMatch(/^node:24(\.\d+)*(-[a-z0-9]+)*$/);
});

it('installs only production dependencies for the image it runs', () => {
  const copied = runtime.filter((i) => i.op === 'COPY' && i.args.includes('node_modules'));
  expect(copied).toHaveLength(1);
  const from = /--from=(\S+)/.exec(copied[0]?.args ?? '')?.[1];
  const stage = stages.find((s) => s[0]?.args.endsWith(` AS ${from}`) || s[0]?.args.endsWith(` as ${from}`)) ?? [];
  const runs = stage.filter((i) => i.op === 'RUN').map((i) => i.args);
  expect(runs.some((r) => /npm ci\b[^&]*--omit=dev/.test(r))).toBe(true);
  expect(runs.some((r) => /npm (i|install)\b(?![^&]*--omit=dev)/.test(r))).toBe(false);
  // The runtime stage installs nothing itself: no toolchain, no package manager run.
  expect(runtime.filter((i) => i.op === 'RUN')).toEqual([]);
});

it('runs the daemon as a non-root user with NODE_ENV=production', () => {
  expect(runtime.filter((i) => i.op === 'ENV').map((i) => i.args)).toContain('NODE_ENV=production');
  const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args ?? '';
  expect(user).not.toBe('');
  expect(user.split(':')[0]).not.toMatch(/^(0|root)$/);
  expect(runtime.find((i) => i.op === 'ENTRYPOINT')?.args).toBe('["node", "/app/dist/src/cli/bin.js"]');
  expect(runtime.find((i) => i.op === 'CMD')?.args).toBe('["daemon", "--config", "/etc/complyd/complyd.yaml"]');
  expect(runtime.find((i) => i.op === 'EXPOSE')?.args).toBe('9464');
  // The entry point is what npm's bin names.
  expect((JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> }).bin['complyd']).toBe('dist/src/cli/bin.js');
});

it('copies only paths that exist, and keeps local state and credentials out of the build context', () => {
  for (const i of all.filter((x) => x.op === 'COPY' && !x.args.includes('--from'))) {
    for (const src of i.args.split(' ').slice(0, -1)) expect({ src, exists: existsSync(src) }).toEqual({ src, exists: true });
  }
  const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim());
  for (const p of ['.git', 'node_modules', 'dist', 'complyd-out', '*.sqlite', '*.kubeconfig', '.env']) expect(ignored).toContain(p);
});

/**
 * The production dependencies of the lock file (what `npm ci --omit=dev` installs), each linked
 * from `into`; dev-only packages are left out.
 */
function productionModules(into: string): string[] {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const linked: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    const name = key.slice('node_modules/'.length);
    // Top-level packages only: a nested one comes with the package that holds it.
    if (!key.startsWith('node_modules/') || name.includes('node_modules/') || entry.dev) continue;
    // An optional package for another platform is not installed here either.
    if (!existsSync(key)) continue;
    mkdirSync(dirname(join(into, name)), { recursive: true });
    symlinkSync(resolve(key), join(into, name));
    linked.push(name);
  }
  return linked;
}

/**
 * The runtime stage's files in `dir`: its COPY instructions, `node_modules` from the deps stage
 * as the production dependencies alone, dist from the build (the compiled tree of this checkout).
 */
function layOutRuntimeStage(dir: string): void {
  for (const i of runtime.filter((x) => x.op === 'COPY')) {
    const words = i.args.split(' ').filter((w) => !w.startsWith('--'));
    const to = words.at(-1) ?? '';
    for (const src of words.slice(0, -1)) {
      const local = src.replace(/^\/app\//, '');
      const target = to.endsWith('/') ? join(dir, to, local) : join(dir, to);
      if (local === 'node_modules') productionModules(target);
      else cpSync(local, target, { recursive: true });
    }
  }
}

/** The runtime stage's ENV instructions (`KEY=value`). */
const runtimeEnv = Object.fromEntries(runtime.filter((i) => i.op === 'ENV').map((i) => i.args.split('=', 2) as [string, string]));

describe('the runtime stage, with production dependencies only', () => {
  let dir: string;
  let api: FakeApiServer;
  let config: string;
  // --preserve-symlinks: a package resolves its own imports from the linked tree, not from the
  // checkout's node_modules, which holds the dev dependencies too.
  const node = (args: readonly string[]) =>
    spawn(process.execPath, ['--preserve-symlinks', ...args], { cwd: dir, env: { ...process.env, ...runtimeEnv, NODE_COMPILE_CACHE: join(dir, '.compile-cache') } });
  const run = (args: readonly string[]) =>
    new Promise<{ code: number | null; out: string }>((done) => {
      const child = node(args);
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('close', (code) => done({ code, out }));
    });
  const bin = () => join(dir, 'dist', 'src', 'cli', 'bin.js');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-image-'));
    layOutRuntimeStage(dir);
    api = await startFakeApiServer({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], tokens: { tok: 'scanner' } });
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'kubeconfig.yaml'), api.kubeconfig({ user: 'scanner', token: 'tok', contextName: 'shop' }));
    config = join(dir, 'etc', 'complyd.yaml');
    writeFileSync(
      config,
      'clusters:\n  - { name: shop, kubeconfig: kubeconfig.yaml, context: shop }\nschedule:\n  scan: "0 0 1 1 *"\nstorage:\n  sqlite: complyd.sqlite\noutput:\n  dir: out\n  formats: [json, pdf, csv, sarif, junit, md, policyreport]\nserver:\n  listen: 127.0.0.1:0\n',
    );
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the dev dependencies out', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    // A devDependency that a production package needs too (@types/node) is installed all the same.
    const devOnly = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> }).devDependencies).filter((n) => lock.packages[`node_modules/${n}`]?.dev);
    expect(devOnly).toEqual(expect.arrayContaining(['jest', 'typescript', 'eslint', 'ajv']));
    const installed = readdirSync(join(dir, 'node_modules')).flatMap((n) => (n.startsWith('@') ? readdirSync(join(dir, 'node_modules', n)).map((m) => `${n}/${m}`) : [n]));
    expect(installed.filter((n) => devOnly.includes(n))).toEqual([]);
    expect(installed).toEqual(expect.arrayContaining(['knex', 'sqlite3', 'pdfkit', 'prom-client']));
    expect(runtimeEnv['NODE_ENV']).toBe('production');
  });

  it('loads every compiled module of complyd', async () => {
    // bin.js runs the command line when loaded; the start command below runs it.
    const loadAll = `const { readdirSync } = await import('node:fs');
      const files = readdirSync('dist/src', { recursive: true }).filter((f) => f.endsWith('.js') && f !== 'cli/bin.js');
      const failed = [];
      for (const f of files) await import('./dist/src/' + f).catch((e) => failed.push(f + ': ' + e.message));
      process.stdout.write(JSON.stringify({ loaded: files.length - failed.length, failed }) + '\\n');`;
    const res = await run(['--input-type=module', '-e', loadAll]);
    const result = JSON.parse(res.out.trim().split('\n').at(-1) ?? '{}') as { loaded: number; failed: string[] };
    expect(result.failed).toEqual([]);
    expect(result.loaded).toBeGreaterThan(100);
  }, 120_000);

  it('scans and writes every report format, then starts the daemon (the start command) and serves it', async () => {
    const scan = await run([bin(), 'scan', '-c', config, '--quiet']);
    expect({ code: scan.code, out: scan.out }).toEqual({ code: 0, out: expect.any(String) as unknown });
    const written = readdirSync(join(dir, 'etc', 'out'));
    for (const ending of ['.json', '.pdf', '.csv', '.sarif', '.junit.xml', '.md', '.policyreport.yaml']) expect(written.some((f) => f.endsWith(ending))).toBe(true);

    const cmd = JSON.parse(runtime.find((i) => i.op === 'CMD')?.args ?? '[]') as string[];
    expect(cmd).toEqual(['daemon', '--config', '/etc/complyd/complyd.yaml']);
    const daemon = node([bin(), ...cmd.slice(0, -1), config, '--log-level', 'info']);
    let log = '';
    daemon.stderr.on('data', (b: Buffer) => (log += b.toString()));
    const exited = new Promise<number | null>((r) => daemon.on('close', r));
    try {
      const until = Date.now() + 60_000;
      let url: string | undefined;
      while (!url) {
        url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"http server listening"/.exec(log)?.[1];
        if (!url && (Date.now() > until || daemon.exitCode !== null)) throw new Error(`the daemon did not serve:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const pdf = await fetch(`${url}/api/v1/runs/latest/reports/pdf`);
      expect(pdf.status).toBe(200);
      expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      daemon.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);
});
