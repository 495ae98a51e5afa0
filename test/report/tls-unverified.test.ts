/**
 * A kubeconfig with `insecure-skip-tls-verify: true`: complyd warns, naming the cluster, and
 * every report says per cluster that the API server's identity was not checked.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { createServerPki } from '../../src/demo/certs.js';
import { collectCluster } from '../../src/collect/collector.js';
import { CONTROLS } from '../../src/controls/index.js';
import type { Logger } from '../../src/core/log.js';
import { silentLogger } from '../../src/core/log.js';
import { buildReport, renderReport } from '../../src/main.js';
import { scanFleet } from '../../src/scan/scan-fleet.js';
import { openDatabase } from '../../src/store/db.js';
import { knexRunStore, type RunStore } from '../../src/store/run-store.js';
import { TLS_UNVERIFIED_NOTE, type RunReport } from '../../src/report/model.js';
import { readPdf, squash } from './pdf-text.js';

const OBJECTS: ApiObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {}, status: {} },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'web' }, spec: { containers: [{ name: 'c', image: 'c:1' }] } },
];

/** Records what is logged at warn level, with the fields of its children. */
function recordingLogger(warnings: Array<Record<string, unknown>>, fields: Record<string, unknown> = {}): Logger {
  const ignore = (): void => undefined;
  return {
    error: ignore,
    info: ignore,
    debug: ignore,
    warn: (a: object | string, msg?: string) => void warnings.push({ ...fields, ...(typeof a === 'string' ? { msg: a } : { ...a, msg }) }),
    child: (more) => recordingLogger(warnings, { ...fields, ...more }),
  };
}

describe('a cluster read with TLS verification off', () => {
  let server: FakeApiServer;
  let store: RunStore;
  let report: RunReport;
  const warnings: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-tls-'));
    const pki = createServerPki('tls-ca');
    server = await startFakeApiServer({ objects: OBJECTS, tokens: { t: 'scanner' }, pki });
    const write = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));
    const targets = [
      { name: 'insecure', kubeconfig: write('insecure.yaml', server.kubeconfig({ user: 'scanner', token: 't', caPem: null, insecureSkipTlsVerify: true })), labels: {}, configPath: 'clusters[0]' },
      { name: 'verified', kubeconfig: write('verified.yaml', server.kubeconfig({ user: 'scanner', token: 't' })), labels: {}, configPath: 'clusters[1]' },
    ];
    store = knexRunStore(await openDatabase({ kind: 'sqlite', path: join(dir, 'complyd.sqlite') }));
    const log = recordingLogger(warnings);
    const result = await scanFleet(
      targets,
      {
        store: store.runs,
        controls: CONTROLS,
        collect: (t) => collectCluster(t, { pageSize: 50, requestTimeoutMs: 5000, clusterTimeoutMs: 20_000, now: () => new Date(), log }),
        now: () => new Date(),
        log: silentLogger(),
        catalogVersion: 'test',
        complydVersion: '0.0.0-test',
        owner: 'test:1',
      },
      { trigger: 'test', concurrency: 2 },
    );
    report = await buildReport(store.history, result.runId);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await server.close();
  });

  test('is a warning naming the cluster, and a tls-unverified gap on it alone', () => {
    expect(warnings.filter((w) => String(w['msg']).includes('TLS verification is off')).map((w) => w['cluster'])).toEqual(['insecure']);
    const insecure = report.clusters.find((c) => c.name === 'insecure');
    const verified = report.clusters.find((c) => c.name === 'verified');
    expect(insecure).toMatchObject({ status: 'partial', tlsVerified: false, gaps: [{ evidence: 'apiServerIdentity', reason: 'tls-unverified' }] });
    expect(verified?.status).toBe('complete');
    expect(verified && 'tlsVerified' in verified).toBe(false);
  });

  test('is said in the JSON, Markdown and PDF reports, for that cluster only', async () => {
    const json = JSON.parse((await renderReport(report, 'json')).toString('utf8')) as RunReport;
    expect(json.clusters.map((c) => [c.name, c.tlsVerified])).toEqual([
      ['insecure', false],
      ['verified', undefined],
    ]);
    const md = (await renderReport(report, 'md')).toString('utf8');
    expect(md).toContain('- **Cluster insecure**: TLS verification was off (insecure-skip-tls-verify in its kubeconfig)');
    expect(md).not.toContain('**Cluster verified**');
    const pdf = await readPdf(await renderReport(report, 'pdf'));
    const text = squash(pdf.pages.map((p) => p.text).join(' '));
    // In the per-cluster section, once: the verified cluster has no such line.
    expect(text.split(squash(`TLS ${TLS_UNVERIFIED_NOTE}`)).length - 1).toBe(1);
  }, 60_000);
});
