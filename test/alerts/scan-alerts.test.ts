/**
 * Alerts end to end: scans of the fake API server through runScan on a real store, webhooks
 * on a local receiver that recovers, fails (500) and times out. The scan always completes;
 * what could not be delivered is a dead letter in the store.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { startFakeApiServer, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { openStore, runScan } from '../../src/main.js';
import type { RunStore } from '../../src/store/run-store.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'alert-signing-key-0123456789';
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const deployment = (name: string, privileged: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:1', securityContext: { privileged } }] } } },
});
const secretObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, data: { password: Buffer.from('canary-value-never-sent').toString('base64') } };

interface Body {
  apiVersion: string;
  run: { id: string };
  events: Array<{ kind: string; cluster?: string; findings?: Array<{ controlId: string; resource: string }> }>;
}

describeEachDatabase('alerts after a scan', (db) => {
  let api: FakeApiServer;
  let generic: WebhookReceiver;
  let slack: WebhookReceiver;
  let dir: string;
  let store: RunStore;
  let config: Config;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-alerts-'));
    api = await startFakeApiServer({ objects: [namespace, deployment('web', false), secretObject], tokens: { tok: 'scanner' } });
    writeFileSync(join(dir, 'kubeconfig.yaml'), api.kubeconfig({ user: 'scanner', token: 'tok' }));
    generic = await startReceiver();
    slack = await startReceiver();
    const text = `clusters:
  - { name: shop, kubeconfig: kubeconfig.yaml }
alerts:
  scoreDrop: 0.5
  deadline: 20s
  webhooks:
    - { name: ops, url: "${generic.url}", secret: "\${ALERT_SECRET}", retries: 2, timeout: 1s }
    - { name: chat, url: "${slack.url}", format: slack, events: [new-critical, cluster-not-assessed], retries: 0, timeout: 1s }
`;
    const storage = await db.fresh();
    config = { ...parseConfig(text, join(dir, 'complyd.yaml'), { ALERT_SECRET: SECRET }), storage };
    store = await openStore(config);
  });
  afterAll(async () => {
    await store.close();
    await Promise.all([api.close(), generic.close(), slack.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  // What the daemon counts in complyd_alert_deliveries_total: each webhook's kinds and outcome.
  const deliveries: Array<{ webhook: string; kinds: string[]; ok: boolean }> = [];
  const scan = () => runScan(config, store, silentLogger(), { trigger: 'test', onAlerts: (r) => deliveries.push(...r.webhooks.map((w) => ({ webhook: w.webhook, kinds: w.kinds, ok: w.outcome.ok }))) });
  const lastBody = (r: WebhookReceiver): Body => JSON.parse(r.received.at(-1)?.body ?? '{}') as Body;

  it('sends a new critical finding and the score drop, signed, with no secret in the body', async () => {
    await scan();
    generic.received.length = 0;
    slack.received.length = 0;
    api.replaceObjects([namespace, deployment('web', false), deployment('cart', true), secretObject]);
    const result = await scan();
    expect(result.status).toBe('complete');

    expect(generic.received).toHaveLength(1);
    const request = generic.received[0];
    const body = lastBody(generic);
    expect(body.apiVersion).toBe('complyd.alert/v1');
    expect(body.run.id).toBe(result.runId);
    const kinds = body.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['score-drop', 'new-critical']));
    const critical = body.events.find((e) => e.kind === 'new-critical');
    expect(critical?.findings).toEqual(expect.arrayContaining([{ fingerprint: expect.any(String), controlId: 'PSS-privileged', resource: 'Deployment/shop/cart[app]' }]));
    // The receiver can check the signature over `<timestamp>.<body>` with the shared key.
    const timestamp = String(request?.headers['x-complyd-timestamp']);
    expect(request?.headers['x-complyd-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${request?.body ?? ''}`).digest('hex')}`);
    for (const r of [...generic.received, ...slack.received]) {
      expect(r.body).not.toContain(SECRET);
      expect(r.body).not.toContain('canary-value-never-sent');
      expect(r.body).not.toContain(Buffer.from('canary-value-never-sent').toString('base64'));
    }

    // Slack gets only the kinds it asked for, as a message with blocks, unsigned.
    const message = JSON.parse(slack.received[0]?.body ?? '{}') as { text: string; blocks: Array<{ text: { text: string } }> };
    expect(message.text).toMatch(/^complyd: 1 alert from run [0-9a-f]{8}$/);
    expect(message.blocks[1]?.text.text).toContain('new critical failing finding');
    expect(slack.received[0]?.headers['x-complyd-signature']).toBeUndefined();
    expect(deliveries.at(-1)).toEqual({ webhook: expect.any(String) as unknown, kinds: expect.any(Array) as unknown, ok: true });
    expect(deliveries.slice(-2).find((d) => d.webhook === 'chat')).toEqual({ webhook: 'chat', kinds: ['new-critical'], ok: true });
  }, 60_000);

  it('retries a receiver that fails with 500 and recovers; no dead letter', async () => {
    generic.received.length = 0;
    generic.answer(500, 500, 200);
    api.replaceObjects([namespace, deployment('web', false), deployment('cart', true), deployment('admin', true), secretObject]);
    await scan();
    expect(generic.received.map((r) => r.answered)).toEqual([500, 500, 200]);
    // Each attempt sends the same signed bytes.
    expect(new Set(generic.received.map((r) => r.body)).size).toBe(1);
    expect(await store.deadLetters.list(10)).toEqual([]);
  }, 60_000);

  it('keeps a dead letter when every attempt fails or times out, and the scan still completes', async () => {
    generic.received.length = 0;
    slack.received.length = 0;
    generic.answer(500);
    slack.answer('hang');
    api.replaceObjects([namespace, deployment('web', true), deployment('cart', true), deployment('admin', true), secretObject]);
    const result = await scan();
    expect(result.status).toBe('complete');
    expect(generic.received).toHaveLength(3);
    expect(slack.received).toHaveLength(1);
    const letters = await store.deadLetters.list(10);
    expect(letters.map((l) => [l.webhook, l.runId, l.attempts, l.lastError]).sort()).toEqual(
      [
        ['chat', result.runId, 1, 'no answer within 1000 ms'],
        ['ops', result.runId, 3, 'HTTP 500'],
      ].sort(),
    );
    const ops = letters.find((l) => l.webhook === 'ops');
    expect(ops?.events).toContain('new-critical');
    expect(ops?.body).toBe(generic.received[0]?.body);
    expect(ops?.body).not.toContain(SECRET);
    expect(deliveries.slice(-2).map((d) => [d.webhook, d.ok]).sort()).toEqual([['chat', false], ['ops', false]]);
  }, 60_000);

  it('reports a cluster that cannot be assessed', async () => {
    generic.answer(200);
    slack.answer(200);
    slack.received.length = 0;
    // The cluster's API server address now refuses connections.
    writeFileSync(join(dir, 'kubeconfig.yaml'), api.kubeconfig({ user: 'scanner', token: 'tok', server: 'https://127.0.0.1:1' }));
    const result = await scan();
    expect(result.clusters[0]?.status).toBe('failed');
    const events = lastBody(generic).events;
    expect(events.map((e) => e.kind)).toEqual(['cluster-not-assessed']);
    expect(JSON.parse(slack.received[0]?.body ?? '{}')).toMatchObject({ text: expect.stringContaining('1 alert') });
  }, 60_000);
});
