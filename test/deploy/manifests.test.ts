/**
 * deploy/kustomize: each overlay rendered the way kustomize would for what it uses here
 * (resources, and strategic-merge patches: maps merged, lists of named items merged by name,
 * null removes a key), then judged by `complyd evaluate` (no failing finding) and validated
 * twice: against the Kubernetes OpenAPI schemas of their kinds, as compiled by kubernetes-models
 * (types, required fields, enumerations, formats: what the API server checks), and against
 * minimal strict schemas (test/fixtures/k8s-openapi) that refuse a field Kubernetes does not
 * know, which the upstream schemas leave open.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ajv2020 from 'ajv/dist/2020.js';
import { parseAllDocuments, stringify } from 'yaml';
import type { Model } from '@kubernetes-models/base';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { parseConfig } from '../../src/config/load.js';
import { isLoopback } from '../../src/server/server.js';
import { runCli } from '../helpers/cli.js';

const Ajv2020 = ajv2020.default;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function readDocs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Obj).filter(isObj);
}

function merge(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? merge(base[k], v) : stripNulls(v);
    }
    return out;
  }
  const named = (l: unknown): l is Obj[] => Array.isArray(l) && l.every((i) => isObj(i) && typeof i['name'] === 'string');
  if (named(base) && named(patch)) {
    const out = base.map((item) => {
      const p = patch.find((q) => q['name'] === item['name']);
      return p ? (merge(item, p) as Obj) : item;
    });
    return [...out, ...patch.filter((p) => !base.some((b) => b['name'] === p['name'])).map((p) => stripNulls(p) as Obj)];
  }
  return stripNulls(patch);
}

function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]));
  return v;
}

/** The objects of a kustomization directory. */
function render(dir: string): Obj[] {
  const k = readDocs(join(dir, 'kustomization.yaml'))[0] as { resources?: string[]; patches?: Array<{ path: string }>; namespace?: string };
  let objects: Obj[] = [];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    objects.push(...(statSync(path).isDirectory() ? render(path) : readDocs(path)));
  }
  for (const p of k.patches ?? []) {
    for (const patch of readDocs(join(dir, p.path))) {
      const meta = patch['metadata'] as Obj;
      const at = objects.findIndex((o) => o['kind'] === patch['kind'] && (o['metadata'] as Obj)['name'] === meta['name']);
      expect({ patch: p.path, found: at >= 0 }).toEqual({ patch: p.path, found: true });
      objects[at] = merge(objects[at], patch) as Obj;
    }
  }
  if (k.namespace) objects = objects.map((o) => (o['kind'] === 'Namespace' ? o : { ...o, metadata: { ...(o['metadata'] as Obj), namespace: k.namespace } }));
  return objects;
}

/** The models of the kinds deploy/ uses, by apiVersion and kind, each with the validator of its upstream schema. */
const MODELS: Record<string, new (data: never) => Model<unknown>> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** What the Kubernetes schema of the object's kind finds wrong in it: '' when nothing, or the kind unknown here. */
function upstreamErrors(o: Obj): string {
  const key = `${String(o['apiVersion'])}/${String(o['kind'])}`;
  const M = MODELS[key];
  if (!M) return `no Kubernetes schema here for ${key}`;
  try {
    new M(o as never).validate();
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

const ROOT = 'deploy/kustomize';
const OVERLAYS = ['sqlite', 'postgres'];
const kinds = (JSON.parse(readFileSync('test/fixtures/k8s-openapi/kinds.json', 'utf8')) as { kinds: Record<string, Obj> }).kinds;
const byKind = (objects: Obj[], kind: string) => objects.filter((o) => o['kind'] === kind);
const podSpec = (d: Obj | undefined) => ((d?.['spec'] as Obj)['template'] as Obj)['spec'] as { containers: Obj[]; volumes: Obj[] };

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const objects = render(join(ROOT, 'overlays', overlay));

  it('is valid against the strict schemas of its kinds (no field Kubernetes does not know)', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    for (const o of objects) {
      const schema = kinds[o['kind'] as string];
      expect({ kind: o['kind'], known: schema !== undefined }).toEqual({ kind: o['kind'], known: true });
      const validate = ajv.compile(schema as Obj);
      expect({ object: `${String(o['kind'])}/${String((o['metadata'] as Obj)['name'])}`, errors: validate(o) ? '' : ajv.errorsText(validate.errors) }).toEqual({
        object: `${String(o['kind'])}/${String((o['metadata'] as Obj)['name'])}`,
        errors: '',
      });
    }
  });

  it('is valid against the Kubernetes OpenAPI schemas of its kinds', () => {
    expect(objects.length).toBeGreaterThan(5);
    for (const o of objects) {
      const name = `${String(o['kind'])}/${String((o['metadata'] as Obj)['name'])}`;
      expect({ object: name, errors: upstreamErrors(o) }).toEqual({ object: name, errors: '' });
    }
    // The schemas bite: a port given by name where Kubernetes wants a number, a selector dropped.
    const deployment = structuredClone(byKind(objects, 'Deployment')[0] as Obj);
    const container = podSpec(deployment).containers[0] as { ports: Obj[] };
    (container.ports[0] as Obj)['containerPort'] = 'http';
    delete (deployment['spec'] as Obj)['selector'];
    expect(upstreamErrors(deployment)).toMatch(/containerPort must be integer.*selector|selector.*containerPort must be integer/s);
  });

  it('passes complyd evaluate with no failing finding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-deploy-'));
    try {
      const file = join(dir, `${overlay}.yaml`);
      writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
      const run = await runCli(['evaluate', file, '--fail-on', 'info', '-o', 'json']);
      const report = JSON.parse(run.stdout) as { findings: Array<{ status: string; controlId: string }>; counts: Record<string, number> };
      expect(report.findings.filter((f) => f.status === 'fail')).toEqual([]);
      expect(report.counts['fail']).toBe(0);
      expect(report.counts['pass']).toBeGreaterThan(20);
      expect(run.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('serves where the kubelet\'s probes and Prometheus reach it: the pod\'s address, with a token from a mounted Secret', () => {
    const deployment = byKind(objects, 'Deployment')[0];
    const spec = podSpec(deployment) as { containers: Array<{ ports: Obj[]; volumeMounts: Obj[] }>; volumes: Obj[] };
    const text = (byKind(objects, 'ConfigMap')[0]?.['data'] as Obj)['complyd.yaml'] as string;
    const server = parseConfig(text, '/etc/complyd/complyd.yaml', {}).server;
    // A probe goes to the pod IP: a loopback listener would never be ready, and is restarted.
    expect(server.listen && !isLoopback(server.listen.host)).toBe(true);
    expect(server.listen?.port).toBe(spec.containers[0]?.ports[0]?.['containerPort']);
    // Beyond loopback complyd starts only with a token: here a file of a mounted Secret.
    expect(server.tokens).toEqual([]);
    expect(server.tokenFiles).toHaveLength(1);
    const file = server.tokenFiles?.[0] ?? '';
    const mount = spec.containers[0]?.volumeMounts.find((m) => file.startsWith(`${String(m['mountPath'])}/`));
    const secret = (spec.volumes.find((v) => v['name'] === mount?.['name'])?.['secret'] as Obj | undefined)?.['secretName'];
    expect(byKind(objects, 'Secret').map((x) => (x['metadata'] as Obj)['name'])).toContain(secret);
    const monitor = readDocs(join(ROOT, 'examples', 'servicemonitor.yaml'))[0] as { spec: { endpoints: Array<{ authorization?: { credentials?: Obj } }> } };
    expect(monitor.spec.endpoints[0]?.authorization?.credentials).toEqual({ name: secret, key: file.split('/').at(-1) });
  });

  it('runs the daemon hardened: non-root, read-only root, RuntimeDefault, no capabilities, resources, probes on 9464', () => {
    const spec = podSpec(byKind(objects, 'Deployment')[0]);
    const c = spec.containers[0] as Obj;
    expect(c['securityContext']).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c['resources']).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } });
    expect([(c['livenessProbe'] as Obj)['httpGet'], (c['readinessProbe'] as Obj)['httpGet']]).toEqual([
      { path: '/healthz', port: 'http' },
      { path: '/readyz', port: 'http' },
    ]);
    expect(c['ports']).toEqual([{ name: 'http', containerPort: 9464, protocol: 'TCP' }]);
    expect(byKind(objects, 'NetworkPolicy')).toHaveLength(1);
    expect(byKind(objects, 'ConfigMap')).toHaveLength(1);
    expect(byKind(objects, 'Secret').length).toBeGreaterThanOrEqual(1);
  });
});

it('sqlite: one replica, recreated, its data on the claim; postgres: replicas, no claim, password as a file', () => {
  const sqlite = render(join(ROOT, 'overlays', 'sqlite'));
  const sd = byKind(sqlite, 'Deployment')[0]?.['spec'] as Obj;
  expect([sd['replicas'], (sd['strategy'] as Obj)['type']]).toEqual([1, 'Recreate']);
  expect(podSpec(byKind(sqlite, 'Deployment')[0]).volumes.find((v) => v['name'] === 'data')).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'complyd-data' } });
  expect(byKind(sqlite, 'PersistentVolumeClaim')).toHaveLength(1);

  const pg = render(join(ROOT, 'overlays', 'postgres'));
  expect((byKind(pg, 'Deployment')[0]?.['spec'] as Obj)['replicas']).toBe(3);
  expect(byKind(pg, 'PersistentVolumeClaim')).toHaveLength(0);
  const config = (byKind(pg, 'ConfigMap')[0]?.['data'] as Obj)['complyd.yaml'] as string;
  expect(config).toMatch(/postgres: postgres:\/\/complyd@[^:@/]+:5432\//);
  const c = podSpec(byKind(pg, 'Deployment')[0]).containers[0] as { env: Obj[]; volumeMounts: Obj[] };
  expect(c.env).toEqual([{ name: 'PGPASSFILE', value: '/etc/complyd/pgpass/pgpass' }]);
  expect(c.volumeMounts.map((m) => m['name'])).toEqual(['config', 'kubeconfigs', 'api-token', 'data', 'tmp', 'pgpass']);
});

it('keeps the ServiceMonitor an example outside the base, valid for its kind', () => {
  const file = join(ROOT, 'examples', 'servicemonitor.yaml');
  expect(existsSync(file)).toBe(true);
  const ajv = new Ajv2020({ strict: false });
  const [monitor] = readDocs(file);
  expect(ajv.validate(kinds['ServiceMonitor'] as Obj, monitor)).toBe(true);
  expect(upstreamErrors(monitor as Obj)).toBe('');
  expect(readFileSync(join(ROOT, 'base', 'kustomization.yaml'), 'utf8')).not.toContain('servicemonitor');
  expect(dirname(file)).toBe(join(ROOT, 'examples'));
});
