import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, stopAllCli } from '../helpers/cli.js';

/** Configuration and duration-flag mistakes, as the compiled binary reports them. */
describe('complyd CLI: configuration mistakes exit 2 with their key path', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const fleet = 'clusters:\n  - name: a\n    kubeconfig: kube.yaml\nstorage:\n  sqlite: data.sqlite\n';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-config-cli-'));
  });
  afterAll(() => stopAllCli());

  /** A usage error: exit 2, the one line expected, no stack trace. */
  const expectRefused = (res: { code: number | null; stderr: string }, message: string | RegExp) => {
    expect(res.code).toBe(2);
    expect(res.stderr).toEqual(typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message));
    expect(res.stderr).not.toMatch(/unexpected error|\n\s+at /);
  };

  it('daemon: an unknown time zone is named and the daemon exits instead of hanging', async () => {
    const config = file('tz.yaml', `${fleet}schedule:\n  timezone: Mars/Olympus\n`);
    // Before, node-cron threw when the first job was scheduled, with the store already open: the process never exited.
    const res = await runCli(['daemon', '-c', config, '--no-catch-up'], { timeoutMs: 30_000 });
    expectRefused(res, `${config}: invalid configuration:\n  schedule.timezone: unknown time zone: "Mars/Olympus"`);
  });

  it('scan: every duration and reference mistake at once, each with its key path', async () => {
    const config = file(
      'durations.yaml',
      `clusters:\n  - name: a\n    kubeconfig: \${UNTERMINATED\nreports:\n  - name: r\n    since: 42\ncollect:\n  clusterTimeout: 25d\n`,
    );
    const res = await runCli(['scan', '-c', config]);
    expectRefused(res, /clusters\[0\]\.kubeconfig: unterminated reference "\$\{UNTERMINATED"/);
    expect(res.stderr).toContain('reports[0].since: not a duration: 42 has no unit (write e.g. 42s or 42m)');
    expect(res.stderr).toContain('collect.clusterTimeout: "25d" is too long: at most 6h');
  });

  it('scan: an alias bomb is refused naming the file', async () => {
    const laughs = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi']) laughs.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    const config = file('bomb.yaml', `${laughs.join('\n')}\n${fleet}`);
    expectRefused(await runCli(['scan', '-c', config]), `${config}: invalid YAML: aliases expand too far`);
  });

  it.each([
    [['daemon', '--grace', '2d'], '--grace: "2d" is too long: at most 1h'],
    [['daemon', '--grace', '42'], '--grace: not a duration: "42" has no unit (write e.g. 42s or 42m)'],
    [['report', '--since', '42'], '--since: not a duration: "42" has no unit'],
    [['report', '--since', '10s'], '--since: "10s" is too short: at least 1m'],
    [['trend', '--since', '99999d'], '--since: "99999d" is too long: at most 3650d'],
    [['mttr', '--since', 'soon'], '--since: not a duration or a date: "soon"'],
    [['prune', '--older-than', '1'], '--older-than: not a duration: "1" has no unit'],
  ])('%j: one parser for duration flags, exit 2', async (args, message) => {
    const config = file('ok.yaml', fleet);
    expectRefused(await runCli([...args, '-c', config]), `complyd: ${message}`);
  });
});
