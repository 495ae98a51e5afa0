/**
 * What can be checked of the image without a container runtime: the Dockerfile's stages and
 * instructions, and that the build context leaves out local state and secrets.
 */
import { existsSync, readFileSync } from 'node:fs';

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
