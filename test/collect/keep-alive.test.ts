import https from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { collectCluster } from '../../src/collect/collector.js';
import { silentLogger } from '../../src/core/log.js';

const pods: ApiObject[] = Array.from({ length: 30 }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${i}`, namespace: 'apps' },
  spec: { containers: [{ name: 'c', image: 'c:1' }] },
}));

describe('collector connections', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }, ...pods], tokens: { t: 'scanner' } });
  });
  afterAll(() => server.close());

  it('reuses its TLS connections across requests, at most requestConcurrency of them', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'complyd-keepalive-')), 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig({ user: 'scanner', token: 't' }));
    const connections = jest.spyOn(https.Agent.prototype as unknown as { createConnection: (...args: unknown[]) => unknown }, 'createConnection');
    try {
      const snapshot = await collectCluster(
        { name: 'c', kubeconfig, labels: {}, configPath: 'clusters[0]' },
        { pageSize: 5, requestTimeoutMs: 10_000, clusterTimeoutMs: 20_000, requestConcurrency: 3, now: () => new Date(), log: silentLogger() },
      );
      expect(snapshot.objects.pods).toHaveLength(30);
      expect(server.requests.length).toBeGreaterThan(20);
      expect(connections.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      connections.mockRestore();
    }
  });
});
