/** `complyd alerts test` and `complyd alerts dead-letters` through the built CLI, against a local receiver. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, stopAllCli } from '../helpers/cli.js';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

let dir: string;
let ok: WebhookReceiver;
let down: WebhookReceiver;
let config: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'complyd-alerts-cli-'));
  ok = await startReceiver();
  down = await startReceiver();
  down.answer(500);
  config = join(dir, 'complyd.yaml');
  writeFileSync(
    config,
    `clusters:
  - { name: prod-eu, kubeconfig: kubeconfig.yaml }
storage: { sqlite: complyd.sqlite }
alerts:
  webhooks:
    - { name: ops, url: "${ok.url}", secret: "\${HOOK_SECRET}", events: [new-critical, exception-expiring] }
    - { name: chat, url: "${down.url}", format: slack, retries: 1 }
`,
  );
});
afterAll(async () => {
  stopAllCli();
  await Promise.all([ok.close(), down.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const env = { HOOK_SECRET: 'a-test-signing-key-of-some-length' };

it('sends the sample to the webhook named, with the events it asked for, marked as a test', async () => {
  const run = await runCli(['alerts', 'test', '-c', config, '--webhook', 'ops'], { env });
  expect(run.stdout).toBe('ops: delivered 2 events (HTTP 200, 1 attempt)\n');
  expect(run.code).toBe(0);
  const body = JSON.parse(ok.received[0]?.body ?? '{}') as { test: boolean; events: Array<{ kind: string; cluster?: string }> };
  expect(body.test).toBe(true);
  expect(body.events.map((e) => e.kind)).toEqual(['new-critical', 'exception-expiring']);
  expect(body.events[0]?.cluster).toBe('prod-eu');
  expect(ok.received[0]?.headers['x-complyd-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  expect(down.received).toHaveLength(0);
});

it('says which webhook was not delivered and exits 1', async () => {
  const run = await runCli(['alerts', 'test', '-c', config], { env });
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('ops: delivered 2 events');
  expect(run.stdout).toContain('chat: NOT delivered after 2 attempts: HTTP 500');
  expect(down.received).toHaveLength(2);
});

it('refuses a webhook name not configured (exit 2), and lists no dead letters in a new store', async () => {
  const bad = await runCli(['alerts', 'test', '-c', config, '--webhook', 'pager'], { env });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--webhook: no webhook named "pager" in alerts.webhooks (ops, chat)');
  const letters = await runCli(['alerts', 'dead-letters', '-c', config], { env });
  expect(letters.code).toBe(0);
  expect(letters.stdout).toBe('no undelivered alerts\n');
  const help = await runCli(['alerts', 'test', '--help']);
  expect(help.stdout).toContain('--webhook <name>');
});
