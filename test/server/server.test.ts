/**
 * The HTTP server over a real store (SQLite, and PostgreSQL when COMPLYD_TEST_PG is set): health
 * and readiness, the Prometheus exposition parsed with bounded label sets, the API's filters and
 * cursor paging, report downloads, the OpenAPI document held against the routes and the answers,
 * and the guards: tokens, TLS, methods, sizes.
 */
import { request } from 'node:https';
import ajvModule from 'ajv';
import type { ClusterScan, Finding, Severity, Status } from '../../src/core/types.js';
import { FRAMEWORKS } from '../../src/core/control.js';
import { openStore, buildReport, reportContent, REPORT_FORMATS as CLI_REPORT_FORMATS } from '../../src/main.js';
import { REPORT_FORMATS } from '../../src/server/api.js';
import { parseAllDocuments } from 'yaml';
import type { RunStore } from '../../src/store/run-store.js';
import { serverRoutes, Metrics } from '../../src/server/server.js';
import { startHttpServer, type RunningServer } from '../../src/server/http-server.js';
import { OPENAPI } from '../../src/server/openapi.js';
import { DELIVERY_OUTCOMES, METRIC_LABELS } from '../../src/server/metrics.js';
import { ALERT_KINDS } from '../../src/alerts/events.js';
import { createServerPki } from '../../src/demo/certs.js';
import { createLogger } from '../../src/cli/logger.js';
import { describeEachDatabase } from '../helpers/databases.js';

const log = createLogger({ level: 'silent' });
const Ajv = ajvModule.default;
const T0 = new Date('2026-03-01T10:00:00.000Z');
const PRIVILEGED = 12;

function f(cluster: string, controlId: string, severity: Severity, status: Status, name: string, namespace = 'shop'): Finding {
  return { cluster, controlId, severity, status, resource: { kind: 'Deployment', namespace, name, apiVersion: 'apps/v1' }, ...(status === 'fail' ? { evidence: { path: 'spec.x', observed: 'true', expected: 'false' } } : {}) };
}

function scan(cluster: string, findings: Finding[], extra: Partial<ClusterScan> = {}): ClusterScan {
  return { cluster, labels: { env: 'prod' }, status: 'complete', startedAt: T0.toISOString(), finishedAt: new Date(T0.getTime() + 8000).toISOString(), provider: 'kubeadm', serverVersion: 'v1.31.2', objectCounts: { pods: 40 }, gaps: [], findings, ...extra };
}

async function fill(store: RunStore): Promise<string> {
  const runId = await store.runs.beginRun({ trigger: 'cli', catalogVersion: 'c', complydVersion: '0.1.0', clusterCount: 3, now: T0, owner: 'test:1' });
  await store.runs.recordCluster(
    runId,
    scan('prod', [
      ...Array.from({ length: PRIVILEGED }, (_, i) => f('prod', 'PSS-privileged', 'critical', 'fail', `web-${i}`, i % 2 ? 'shop' : 'pay')),
      f('prod', 'PSS-privileged', 'critical', 'pass', 'ok'),
      f('prod', 'CIS-5.1.8', 'high', 'fail', 'binder'),
    ]),
  );
  await store.runs.recordCluster(runId, scan('staging', [f('staging', 'CIS-5.1.8', 'high', 'unknown', 'staging')], { status: 'partial', gaps: [{ evidence: 'clusterroles', reason: 'forbidden', message: 'clusterroles is forbidden' }] }));
  await store.runs.recordCluster(runId, scan('ghost', [], { status: 'failed', error: 'unreachable', objectCounts: {} }));
  await store.runs.finishRun(runId, 'partial', new Date(T0.getTime() + 60_000));
  return runId;
}

/** Samples of a text exposition: name, labels, value; throws on a line that is not one. */
function parseExposition(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        typed.add(meta[2] as string);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)) labels[l[1] as string] = l[2] as string;
    const name = m[1] as string;
    expect(typed.has(name.replace(/_(bucket|sum|count)$/, '')) || typed.has(name)).toBe(true);
    samples.push({ name, labels, value: Number(m[3]) });
  }
  return samples;
}

describeEachDatabase('HTTP server', (db) => {
  let store: RunStore;
  let runId: string;
  let server: RunningServer;
  let running = true;
  const get = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init);
  const getJson = async (path: string) => {
    const res = await get(path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    store = await openStore({ storage: await db.fresh() }, log);
    runId = await fill(store);
    const metrics = new Metrics(store.history, () => new Date(T0.getTime() + 3_600_000), { deadLetters: store.deadLetters, alertKinds: ALERT_KINDS });
    // Two deliveries of a daemon's alerts: one delivered, one that failed and was kept.
    metrics.observeAlertDelivery(['new-critical', 'score-drop'], true);
    metrics.observeAlertDelivery(['new-critical', 'made-up-kind'], false);
    await store.deadLetters.record({ runId, webhook: 'ops', events: ['new-critical'], attempts: 3, lastError: 'HTTP 500', body: '{}', at: T0 });
    const routes = serverRoutes({
      history: store.history,
      now: () => new Date(T0.getTime() + 3_600_000),
      renderReport: async (id, format) => {
        const c = await reportContent(await buildReport(store.history, id), format);
        return Buffer.isBuffer(c) ? c : Buffer.from([...c].join(''));
      },
      scheduler: { running: () => running, startedAt: T0, schedule: { scan: '0 */6 * * *', timezone: 'UTC' }, readySlots: 2 },
      metrics,
    });
    server = await startHttpServer(routes, { host: '127.0.0.1', port: 0, tokens: [] }, log);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('is alive, and ready while the store answers, the scheduler runs and the last scan is recent', async () => {
    expect(await getJson('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await getJson('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body['checks']).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'store', ok: true }), expect.objectContaining({ name: 'scheduler', ok: true })]));
    running = false;
    const stopped = await getJson('/readyz');
    running = true;
    expect(stopped.status).toBe(503);
    expect(stopped.body['checks']).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'scheduler', ok: false })]));
  });

  it('is not ready when the last successful scan is older than the slots allowed', async () => {
    const late = serverRoutes({
      history: store.history,
      now: () => new Date(T0.getTime() + 13 * 3_600_000),
      renderReport: () => Promise.reject(new Error('unused')),
      scheduler: { running: () => true, startedAt: T0, schedule: { scan: '0 */6 * * *', timezone: 'UTC' }, readySlots: 2 },
    });
    const readyz = late.find((r) => r.path === '/readyz');
    const reply = await readyz?.handle({ params: {}, query: new URLSearchParams() });
    expect(reply?.status).toBe(503);
    expect(JSON.parse(String(reply?.body))).toEqual(expect.objectContaining({ checks: expect.arrayContaining([expect.objectContaining({ name: 'last-scan', ok: false })]) }));
  });

  it('exposes metrics that parse, with the figures of the store and bounded label sets', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(await res.text());
    const value = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('complyd_failing_findings', { cluster: 'prod', severity: 'critical' })).toBe(PRIVILEGED);
    expect(value('complyd_failing_findings', { cluster: 'prod', severity: 'high' })).toBe(1);
    expect(value('complyd_gaps', { cluster: 'staging', reason: 'forbidden' })).toBe(1);
    expect(value('complyd_cluster_scan_status', { cluster: 'ghost', status: 'failed' })).toBe(1);
    // 1 pass of 13 critical and 1 high decided: weighted, well below 50.
    const score = value('complyd_compliance_score', { cluster: 'prod', framework: 'all' });
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(50);
    // Nothing decided in staging (unknown only): no score rather than a made-up one.
    expect(value('complyd_compliance_score', { cluster: 'staging', framework: 'all' })).toBeUndefined();
    expect(value('complyd_seconds_since_last_successful_scan', {})).toBe(3600);
    expect(value('complyd_open_failing_findings', { severity: 'critical' })).toBe(PRIVILEGED);
    expect(value('complyd_store_read_duration_seconds_count', {})).toBeGreaterThan(0);
    expect(value('complyd_alert_deliveries_total', { event: 'new-critical', outcome: 'delivered' })).toBe(1);
    expect(value('complyd_alert_deliveries_total', { event: 'new-critical', outcome: 'failed' })).toBe(1);
    expect(value('complyd_alert_deliveries_total', { event: 'score-drop', outcome: 'delivered' })).toBe(1);
    expect(value('complyd_alert_dead_letters', {})).toBe(1);
    const allowed: Record<string, ReadonlySet<string>> = {
      cluster: new Set(['prod', 'staging', 'ghost']),
      severity: new Set(['critical', 'high', 'medium', 'low', 'info']),
      framework: new Set(['all', ...FRAMEWORKS]),
      status: new Set(['complete', 'partial', 'failed', 'interrupted']),
      reason: new Set(['forbidden']),
      // A kind outside the known ones is never a label value.
      event: new Set(ALERT_KINDS),
      outcome: new Set(DELIVERY_OUTCOMES),
    };
    for (const s of samples) {
      for (const [k, v] of Object.entries(s.labels)) {
        if (k === 'le') continue;
        expect({ metric: s.name, label: k, known: (METRIC_LABELS as readonly string[]).includes(k) }).toEqual({ metric: s.name, label: k, known: true });
        expect({ metric: s.name, label: k, value: v, bounded: allowed[k]?.has(v) }).toEqual({ metric: s.name, label: k, value: v, bounded: true });
      }
    }
  });

  it('lists clusters and runs', async () => {
    const clusters = await getJson('/api/v1/clusters');
    expect(clusters.status).toBe(200);
    expect((clusters.body['clusters'] as Array<{ name: string; status: string }>).map((c) => [c.name, c.status]).sort()).toEqual([['ghost', 'failed'], ['prod', 'complete'], ['staging', 'partial']]);
    const runs = await getJson('/api/v1/runs?limit=5');
    expect((runs.body['runs'] as Array<{ id: string }>).map((r) => r.id)).toEqual([runId]);
    const one = await getJson(`/api/v1/runs/${runId}`);
    expect(one.body['gaps']).toEqual([expect.objectContaining({ cluster: 'staging', reason: 'forbidden' })]);
  });

  it('pages findings with a cursor, every finding once, and filters them', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await getJson(`/api/v1/runs/latest/findings?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body['items'] as Array<{ fingerprint: string }>).map((i) => i.fingerprint));
      cursor = page.body['nextCursor'] as string | undefined;
      pages += 1;
    } while (cursor);
    // 12 privileged + binder + staging's unknown; passes are not findings.
    expect(seen).toHaveLength(PRIVILEGED + 2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(3);
    const critical = await getJson('/api/v1/runs/latest/findings?severity=critical&namespace=pay&framework=pss-baseline&disposition=open');
    expect(critical.body['total']).toBe(PRIVILEGED / 2);
    const unknown = await getJson('/api/v1/runs/latest/findings?status=unknown&cluster=staging');
    expect((unknown.body['items'] as Array<{ controlId: string }>).map((i) => i.controlId)).toEqual(['CIS-5.1.8']);
    // A cursor of another filter, a page too large, a bad value: 400 with the parameter named.
    const first = await getJson('/api/v1/runs/latest/findings?limit=5');
    const wrong = await getJson(`/api/v1/runs/latest/findings?limit=5&severity=high&cursor=${first.body['nextCursor'] as string}`);
    expect(wrong).toEqual({ status: 400, body: { error: expect.stringContaining('"cursor"') } });
    expect(await getJson('/api/v1/runs/latest/findings?limit=501')).toEqual({ status: 400, body: { error: expect.stringContaining('"limit"') } });
    expect(await getJson('/api/v1/runs/latest/findings?severity=urgent')).toEqual({ status: 400, body: { error: expect.stringContaining('"severity"') } });
    expect(await getJson('/api/v1/runs/no-such-run/findings')).toEqual({ status: 404, body: { error: 'no run with id no-such-run' } });
  });

  it('downloads a run\'s report in every format', async () => {
    const pdf = await get('/api/v1/runs/latest/reports/pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="complyd-report-${runId.slice(0, 8)}.pdf"`);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const json = (await (await get(`/api/v1/runs/${runId}/reports/json`)).json()) as { run: { id: string } };
    expect(json.run.id).toBe(runId);
    // Every format `complyd report` writes is a download, each named with its ending.
    expect([...REPORT_FORMATS].sort()).toEqual([...CLI_REPORT_FORMATS].sort());
    for (const format of REPORT_FORMATS.filter((x) => x !== 'pdf' && x !== 'json')) expect({ format, status: (await get(`/api/v1/runs/latest/reports/${format}`)).status }).toEqual({ format, status: 200 });
    const policy = await get('/api/v1/runs/latest/reports/policyreport');
    expect([policy.headers.get('content-type'), policy.headers.get('content-disposition')]).toEqual(['application/yaml', `attachment; filename="complyd-report-${runId.slice(0, 8)}.policyreport.yaml"`]);
    expect(parseAllDocuments(await policy.text()).map((d) => (d.toJS() as { kind: string }).kind)).toContain('PolicyReport');
    expect((await getJson('/api/v1/runs/latest/reports/docx')).status).toBe(404);
  }, 60_000);

  it('answers every documented path, documents every route, and answers as the schemas say', async () => {
    const routes = serverRoutes({ history: store.history, renderReport: () => Promise.reject(new Error('unused')) });
    expect(routes.map((r) => r.path).sort()).toEqual(Object.keys(OPENAPI.paths).sort());
    for (const path of Object.keys(OPENAPI.paths)) {
      const res = await get(path.replace('{run}', 'latest').replace('{format}', 'md'));
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(OPENAPI, 'openapi');
    const check = async (path: string, documented: string, status = '200') => {
      const res = await get(path);
      const responses = (OPENAPI.paths as Record<string, { get: { responses: Record<string, unknown> } }>)[documented]?.get.responses ?? {};
      const answer = responses[status] as { content?: Record<string, { schema: unknown }>; $ref?: string } | undefined;
      const schema = answer?.$ref ? { $ref: `openapi${answer.$ref}/content/application~1json/schema` } : { $ref: `openapi#/paths/${documented.replaceAll('~', '~0').replaceAll('/', '~1')}/get/responses/${status}/content/application~1json/schema` };
      const validate = ajv.compile(schema);
      const body: unknown = await res.json();
      expect({ path, status: res.status, errors: validate(body) ? null : validate.errors }).toEqual({ path, status: Number(status), errors: null });
    };
    await check('/api/v1/clusters', '/api/v1/clusters');
    await check('/api/v1/runs', '/api/v1/runs');
    await check(`/api/v1/runs/${runId}`, '/api/v1/runs/{run}');
    await check('/api/v1/runs/latest/findings?limit=3', '/api/v1/runs/{run}/findings');
    await check('/api/v1/trend?since=7d', '/api/v1/trend');
    await check('/api/v1/mttr?since=30d&framework=cis-1.12', '/api/v1/mttr');
    await check('/api/v1/risk', '/api/v1/risk');
    await check('/readyz', '/readyz');
    await check('/api/v1/runs/nope', '/api/v1/runs/{run}', '404');
    await check('/api/v1/trend?since=forever', '/api/v1/trend', '400');
  });

  it('refuses what a read-only, bounded API does not take, with JSON errors', async () => {
    expect((await get('/api/v1/runs', { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await get(`/api/v1/runs?x=${'a'.repeat(5000)}`)).status).toBe(414);
    expect(await getJson('/api/v2/nothing')).toEqual({ status: 404, body: { error: 'no such path: /api/v2/nothing', see: '/api/v1/openapi.json' } });
    expect(await getJson('/api/v1/runs?limit=1&limit=2')).toEqual({ status: 400, body: { error: 'query parameter "limit" given 2 times; give it once' } });
  });
});

describe('HTTP server guards', () => {
  const routes = serverRoutes({
    history: { latestRun: async () => undefined } as never,
    renderReport: () => Promise.reject(new Error('unused')),
  });

  it('refuses an address other than loopback without tokens', async () => {
    await expect(startHttpServer(routes, { host: '0.0.0.0', port: 0, tokens: [] }, log)).rejects.toThrow(/needs bearer tokens/);
  });

  it('asks for a bearer token when tokens are set, except on the probes', async () => {
    const s = await startHttpServer(routes, { host: '127.0.0.1', port: 0, tokens: ['a-token-of-sixteen-chars'] }, log);
    try {
      expect((await fetch(`${s.url}/api/v1/runs`)).status).toBe(401);
      expect((await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-sixteen' } })).status).toBe(401);
      expect((await fetch(`${s.url}/api/v1/openapi.json`, { headers: { authorization: 'Bearer a-token-of-sixteen-chars' } })).status).toBe(200);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('serves HTTPS with the certificate given', async () => {
    const pki = createServerPki('complyd-test-ca');
    const s = await startHttpServer(routes, { host: '127.0.0.1', port: 0, tokens: [], tls: { cert: Buffer.from(pki.server.certPem), key: Buffer.from(pki.server.keyPem) } }, log);
    try {
      expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        request(`${s.url}/healthz`, { ca: pki.ca.certPem }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
    } finally {
      await s.close();
    }
  });
});
