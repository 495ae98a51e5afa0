/**
 * The enforcement-drift alert end to end: a cluster whose profile expects Pod Security's
 * baseline to be denied at admission, scanned through runScan on a real store, the namespace
 * label that enforced it removed between two scans; the local receiver gets the drift once.
 */
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

const namespace = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } });
const ENFORCED = { 'pod-security.kubernetes.io/enforce': 'baseline' };
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:1' }] } } } };

interface Body {
  events: Array<{ kind: string; cluster?: string; count?: number; controls?: Array<{ controlId: string; expected: string; state: string }> }>;
}

describeEachDatabase('enforcement drift alerts', (db) => {
  let api: FakeApiServer;
  let receiver: WebhookReceiver;
  let dir: string;
  let store: RunStore;
  let config: Config;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-drift-'));
    // 1.34: the first version whose Pod Security baseline checks every baseline control (host probes since v1.34).
    api = await startFakeApiServer({ objects: [namespace(ENFORCED), deployment], tokens: { tok: 'scanner' }, version: { minor: '34', gitVersion: 'v1.34.1' } });
    writeFileSync(join(dir, 'kubeconfig.yaml'), api.kubeconfig({ user: 'scanner', token: 'tok' }));
    receiver = await startReceiver();
    const text = `clusters:
  - { name: shop, kubeconfig: kubeconfig.yaml, labels: { env: prod } }
profiles:
  - { name: prod, selector: { matchLabels: { env: prod } }, frameworks: [pss-baseline], enforcement: { pss-baseline: Deny } }
alerts:
  deadline: 20s
  webhooks:
    - { name: ops, url: "${receiver.url}", events: [enforcement-drift], retries: 0, timeout: 2s }
`;
    config = { ...parseConfig(text, join(dir, 'complyd.yaml'), {}), storage: await db.fresh() };
    store = await openStore(config);
  });
  afterAll(async () => {
    await store.close();
    await Promise.all([api.close(), receiver.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = () => runScan(config, store, silentLogger(), { trigger: 'test' });

  it('alerts once when enforcement the profile expects is no longer in force', async () => {
    // Enforced as expected: nothing to say.
    await scan();
    expect(receiver.received).toHaveLength(0);

    // The namespace relabelled: every baseline control the label denied drifts.
    api.replaceObjects([namespace({}), deployment]);
    await scan();
    expect(receiver.received).toHaveLength(1);
    const body = JSON.parse(receiver.received[0]?.body ?? '{}') as Body;
    expect(body.events.map((e) => e.kind)).toEqual(['enforcement-drift']);
    const drift = body.events[0];
    expect(drift?.cluster).toBe('shop');
    expect(drift?.count).toBeGreaterThan(0);
    expect(drift?.controls).toEqual(expect.arrayContaining([{ controlId: 'PSS-privileged', expected: 'Deny', state: 'not-enforced' }]));
    expect(drift?.controls?.every((c) => c.expected === 'Deny' && c.state !== 'enforced')).toBe(true);

    // Still drifting, nothing new: not sent again.
    await scan();
    expect(receiver.received).toHaveLength(1);
  }, 60_000);
});
