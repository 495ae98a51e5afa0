import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { runCli, stopAllCli } from '../helpers/cli.js';
import { readPdf } from '../report/pdf-text.js';

/**
 * The secret canary: a distinct random value planted in every place of a fake fleet where a
 * secret can hide, then a real scan (the compiled CLI, debug logs, every report format, the
 * store on SQLite and PostgreSQL) and `complyd evaluate` on the same objects. No canary may
 * appear anywhere: not in the store's bytes or tables, the logs, the reports, the output.
 * Some canaries are placed where evidence would show them unredacted (a control-plane flag
 * taking its value from a secret env variable, a URL password in a judged flag), so the test
 * fails when redaction is taken out.
 */

const canaries = new Map<string, string>();
/** A new canary for `place`: random, so it cannot occur by chance, and recognisable. */
function plant(place: string): string {
  const value = `cny${randomBytes(10).toString('hex')}`;
  canaries.set(place, value);
  return value;
}
const b64 = (s: string) => Buffer.from(s).toString('base64');

const MIRROR = { 'kubernetes.io/config.mirror': 'mirror-hash' };

function controlPlane(): ApiObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver-cp-1', namespace: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' }, annotations: MIRROR },
      spec: {
        nodeName: 'cp-1',
        containers: [
          {
            name: 'kube-apiserver',
            image: 'registry.k8s.io/kube-apiserver:v1.31.4',
            command: [
              'kube-apiserver',
              '--authorization-mode=Node,RBAC',
              // Judged by CIS 1.2.15: the value would be shown in the verdict's message.
              '--profiling=$(PROFILING_TOKEN)',
              // Shown as evidence by CIS 3.1.1.
              `--oidc-issuer-url=https://issuer:${plant('apiserver flag: URL password')}@idp.example.com`,
              `--etcd-servers=https://root:${plant('apiserver flag: etcd URL password')}@127.0.0.1:2379`,
              '--client-ca-file=/etc/kubernetes/pki/ca.crt',
            ],
            env: [{ name: 'PROFILING_TOKEN', value: plant('apiserver env: token expanded into a judged flag') }],
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-controller-manager-cp-1', namespace: 'kube-system', labels: { component: 'kube-controller-manager', tier: 'control-plane' }, annotations: MIRROR },
      spec: {
        nodeName: 'cp-1',
        containers: [
          {
            name: 'kube-controller-manager',
            image: 'registry.k8s.io/kube-controller-manager:v1.31.4',
            command: ['kube-controller-manager', '--profiling=$(PROFILE_SECRET)', '--use-service-account-credentials=true'],
            env: [
              { name: 'PROFILE_SECRET', value: plant('controller-manager env: secret expanded into a judged flag') },
              { name: 'AWS_SECRET_ACCESS_KEY', value: plant('controller-manager env: cloud credential') },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'etcd-cp-1', namespace: 'kube-system', labels: { component: 'etcd', tier: 'control-plane' }, annotations: MIRROR },
      spec: {
        nodeName: 'cp-1',
        containers: [
          {
            name: 'etcd',
            image: 'registry.k8s.io/etcd:3.5.15-0',
            command: ['etcd', '--client-cert-auth=true', '--initial-cluster-token', plant('etcd flag: initial cluster token (next word)')],
            env: [
              { name: 'ETCD_AUTH_TOKEN', value: plant('etcd env flag: auth token') },
              { name: 'ETCD_ROOT_PASSWORD', value: plant('etcd env: root password') },
            ],
          },
        ],
      },
    },
  ];
}

function workloads(): ApiObject[] {
  const container = {
    name: 'api',
    image: 'shop/api:1.0',
    command: ['/bin/sh', '-c', `exec api --client-secret=${plant('shell string: secret flag')} --port=8080`],
    args: [`--api-token=${plant('args: --name=value')}`, '--password', plant('args: --name value'), '--db=$(DATABASE_URL)'],
    env: [
      { name: 'DB_PASSWORD', value: plant('env: password variable') },
      { name: 'GREETING', value: plant('env: ordinary variable nobody reads') },
      { name: 'DATABASE_URL', value: `postgres://app:${plant('env: URL password, read by args')}@db:5432/shop` },
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ],
    livenessProbe: { httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'Authorization', value: `Bearer ${plant('probe header: Authorization')}` }] } },
    lifecycle: { preStop: { exec: { command: ['curl', `https://admin:${plant('lifecycle command: URL password')}@localhost/drain`] } } },
    securityContext: { privileged: true },
  };
  const deployment: ApiObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', annotations: { 'example.com/api-key': plant('annotation: api key'), 'kapp.k14s.io/original': JSON.stringify({ env: plant('annotation: kapp original') }) } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api' }, annotations: { 'example.com/db-password': plant('template annotation: password') } }, spec: { containers: [container] } },
    },
  };
  // kubectl apply keeps the whole object, env values included, in an annotation.
  (deployment.metadata as { annotations: Record<string, string> }).annotations['kubectl.kubernetes.io/last-applied-configuration'] = JSON.stringify({
    ...deployment,
    spec: { template: { spec: { containers: [{ ...container, env: [{ name: 'X', value: plant('last-applied: env value') }] }] } } },
  });
  return [
    deployment,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug', namespace: 'shop', annotations: { 'example.com/token': plant('pod annotation: token') } },
      spec: {
        containers: [{ name: 'shell', image: 'busybox', env: [{ name: 'API_KEY', value: plant('pod env: API_KEY') }], securityContext: { privileged: true } }],
        initContainers: [{ name: 'init', image: 'busybox', args: ['--token', plant('init container args: token')] }],
      },
    },
  ];
}

function secretsAndConfig(): ApiObject[] {
  const secretData = plant('Secret data');
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'shop',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', stringData: { password: plant('Secret last-applied: stringData') } }),
          'example.com/rotation-token': plant('Secret annotation: token'),
        },
      },
      type: 'Opaque',
      data: { password: b64(secretData) },
      stringData: { apiKey: plant('Secret stringData') },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-proxy', namespace: 'kube-system' },
      data: {
        'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 127.0.0.1:10249\n',
        'kubeconfig.conf': `apiVersion: v1\nkind: Config\nusers:\n- name: default\n  user:\n    token: ${plant('kube-proxy ConfigMap: kubeconfig token')}\n`,
      },
    },
    // ConfigMaps are collected cluster-wide, reduced to key names and lengths as they are read.
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'shop' }, data: { password: plant('ConfigMap data') } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'app-settings',
        namespace: 'shop',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', data: { apiKey: plant('ConfigMap last-applied: data') } }) },
      },
      data: { 'application.properties': `db.user=app\ndb.password=${plant('ConfigMap data: ordinary key, password inside')}\n`, apiKey: plant('ConfigMap data: apiKey') },
      binaryData: { 'signing.key': b64(plant('ConfigMap binaryData: signing key')) },
    },
  ];
}

const OBJECTS: ApiObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' }, annotations: { 'example.com/join-token': plant('Node annotation: token') } }, spec: {}, status: { nodeInfo: { kubeletVersion: 'v1.31.4' } } },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
    spec: { template: { spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.31.4', command: ['kube-proxy', '--config=/var/lib/kube-proxy/config.conf'] }] } } },
  },
  ...controlPlane(),
  ...workloads(),
  ...secretsAndConfig(),
];

/** Where a canary was found in `text`, by place; empty when none was. */
function leaks(text: string): string[] {
  const squashed = text.replace(/\s+/g, '');
  return [...canaries].filter(([, v]) => squashed.includes(v) || squashed.includes(b64(v))).map(([place]) => place);
}

describe('the secret canary', () => {
  let server: FakeApiServer;
  let dir: string;
  let clientKeyBody: string;
  const TOKEN = plant('kubeconfig: bearer token');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-canary-'));
    server = await startFakeApiServer({
      objects: OBJECTS,
      tokens: { [TOKEN]: { user: 'scanner', groups: ['system:authenticated'] } },
      // A server (or proxy) that answers Secrets in full although complyd asks for metadata only.
      faults: { secrets: { fullObjects: true } },
      kubelets: { 'cp-1': { kind: 'KubeletConfiguration', staticPodURLHeader: { Authorization: [`Bearer ${plant('kubelet configz: static pod URL header')}`] }, authentication: { anonymous: { enabled: false } } } },
    });
    writeFileSync(join(dir, 'token.kubeconfig'), server.kubeconfig({ user: 'scanner', token: TOKEN }));
    const cert = server.clientCertificate('scanner-cert', ['system:authenticated']);
    writeFileSync(join(dir, 'cert.kubeconfig'), server.kubeconfig({ user: 'scanner-cert', clientCert: cert }));
    // The private key's base64 body: a long run of it would betray the key.
    clientKeyBody = cert.keyPem.split('\n').filter((l) => l && !l.startsWith('-----')).join('').slice(0, 48);
    canaries.set('kubeconfig: client key', clientKeyBody);
    writeFileSync(join(dir, 'fleet.yaml'), OBJECTS.map((o) => stringify(o)).join('---\n'));
  });
  afterAll(async () => {
    stopAllCli();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plants a distinct canary in every place', () => {
    expect(canaries.size).toBeGreaterThanOrEqual(30);
    expect(new Set(canaries.values()).size).toBe(canaries.size);
    // The fake server does hand out the Secret's data to a metadata-only list.
    expect(JSON.stringify(OBJECTS)).toContain(b64(canaries.get('Secret data') ?? ''));
  });

  describeEachDatabase('a scan, its logs, store and every report', (db) => {
    it('hold no canary', async () => {
      const storage = await db.fresh();
      const out = join(dir, `out-${storage.kind}`);
      const config = join(dir, `complyd-${storage.kind}.yaml`);
      writeFileSync(
        config,
        stringify({
          clusters: [
            { name: 'token', kubeconfig: 'token.kubeconfig' },
            { name: 'cert', kubeconfig: 'cert.kubeconfig' },
          ],
          storage: storage.kind === 'sqlite' ? { sqlite: storage.path } : { postgres: storage.url },
          output: { dir: out, formats: ['json', 'csv', 'md', 'sarif', 'junit', 'pdf'] },
        }),
      );

      const scan = await runCli(['scan', '-c', config, '--log-level', 'debug', '-o', 'json'], { timeoutMs: 120_000 });
      expect(scan.stderr).toContain('"level":20'); // debug lines were written
      const result = JSON.parse(scan.stdout) as { runId: string; clusters: Array<{ cluster: string; status: string; gaps: unknown[] }> };
      // The Secrets answered in full are refused whole: a gap, the rest of each cluster assessed.
      expect(result.clusters.map((c) => c.status)).toEqual(['partial', 'partial']);
      for (const c of result.clusters) expect(c.gaps).toEqual([expect.objectContaining({ evidence: 'secrets', message: expect.stringContaining('did not honour the metadata-only request') })]);
      const outputs: Record<string, string> = { 'scan stdout': scan.stdout, 'scan stderr (debug log)': scan.stderr };
      for (const args of [['risk', '-o', 'json', '--log-level', 'debug'], ['history', '-o', 'json', '--log-level', 'debug'], ['report', '-o', 'sarif']]) {
        const res = await runCli([...args, '-c', config]);
        expect({ args, code: res.code, stderr: res.code === 0 ? '' : res.stderr }).toEqual({ args, code: 0, stderr: '' });
        outputs[`${args.join(' ')}`] = res.stdout + res.stderr;
      }

      const files = readdirSync(out).filter((f) => !f.endsWith('.sha256') && !f.startsWith('.'));
      expect(files.map((f) => f.replace(/^complyd-report-[0-9a-f]{8}/, '')).sort()).toEqual(['.csv', '.json', '.junit.xml', '.md', '.pdf', '.sarif']);
      for (const f of files) {
        const bytes = readFileSync(join(out, f));
        outputs[f] = bytes.toString('utf8');
        if (f.endsWith('.pdf')) outputs[`${f} (text)`] = (await readPdf(bytes)).pages.map((p) => p.text).join('\n');
      }

      if (storage.kind === 'sqlite') {
        for (const suffix of ['', '-wal', '-shm', '-journal']) {
          if (existsSync(storage.path + suffix)) outputs[`SQLite file${suffix}`] = readFileSync(storage.path + suffix).toString('latin1');
        }
        expect(outputs['SQLite file']).toBeDefined();
      } else {
        const client = new pg.Client({ connectionString: storage.url });
        await client.connect();
        try {
          const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
          expect(tables.rows.length).toBeGreaterThan(5);
          for (const { table_name } of tables.rows) outputs[`PostgreSQL table ${table_name}`] = JSON.stringify((await client.query(`SELECT * FROM "${table_name}"`)).rows);
        } finally {
          await client.end();
        }
      }

      const found = Object.entries(outputs).flatMap(([where, text]) => leaks(text).map((place) => `${place} -> ${where}`));
      expect(found).toEqual([]);
      // The planted values did reach the evidence, redacted: without redaction they would be there.
      const json = outputs[files.find((f) => f.endsWith('.json')) ?? ''] ?? '';
      expect(json).toMatch(/<redacted:\d+ chars>/);
      // The ConfigMaps were read and judged by their key names: the findings name keys and lengths.
      expect(json).toContain('HARD-configmap-literal-credentials');
      expect(json).toMatch(/binaryData\[signing\.key\]|\[signing\.key\]/);
    }, 240_000);
  });

  it('complyd evaluate on the same objects prints no canary', async () => {
    for (const format of ['json', 'text']) {
      const res = await runCli(['evaluate', join(dir, 'fleet.yaml'), '-o', format]);
      expect(res.code).toBe(0);
      expect(leaks(res.stdout + res.stderr)).toEqual([]);
      // Text shows the evidence; JSON also the messages, which say a flag's value was redacted (not what it was).
      if (format === 'json') {
        expect(res.stdout).toMatch(/<redacted:\d+ chars>|the value was redacted when read/);
        const { findings } = JSON.parse(res.stdout) as { findings: Array<{ controlId: string; status: string; resource: { name: string } }> };
        const judged = findings.filter((f) => f.controlId === 'HARD-configmap-literal-credentials').map((f) => [f.resource.name, f.status]);
        expect(judged).toEqual(expect.arrayContaining([['app-config', 'fail'], ['app-settings', 'fail']]));
      }
    }
  });
});
