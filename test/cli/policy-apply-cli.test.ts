/**
 * `complyd policy apply` against three fake API servers of one profile: one clean, one where
 * another field manager owns a field of one policy with another value (a conflict), one whose
 * RBAC lets complyd read but not patch (403). The dry run changes nothing; the apply creates
 * the policies on the clean cluster, leaves the other two as they were and names them (exit 3).
 */
import https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type ApiObject, type FakeApiServer } from '../../src/demo/fake-apiserver.js';
import { runCli } from '../helpers/cli.js';

const OBJECTS: ApiObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }];
const VAP = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies';
const BINDINGS = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function call(srv: FakeApiServer, method: string, path: string, body?: unknown): Promise<Answer> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${srv.url}${path}`,
      {
        method,
        ca: srv.caPem,
        agent: false,
        headers: { Authorization: 'Bearer tok', ...(text !== undefined ? { 'Content-Type': 'application/apply-patch+yaml' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const names = async (srv: FakeApiServer, path: string): Promise<string[]> =>
  ((await call(srv, 'GET', path)).body.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name);

describe('complyd policy apply', () => {
  const servers: Record<string, FakeApiServer> = {};
  let dir: string;
  let config: string;
  let policies: Array<{ kind: string; metadata: { name: string }; spec: Record<string, unknown> }>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-apply-'));
    const first = await startFakeApiServer({ objects: OBJECTS, tokens: { tok: 'admin' } });
    servers.clean = first;
    servers.contested = await startFakeApiServer({ objects: OBJECTS, tokens: { tok: 'admin' }, pki: first.pki });
    // RBAC of the scanner's read-only role: get and list, no patch.
    servers.readonly = await startFakeApiServer({ objects: OBJECTS, tokens: { tok: 'admin' }, pki: first.pki, faults: { '*': { forbidden: true, verbs: ['patch'] } } });
    for (const [name, srv] of Object.entries(servers)) writeFileSync(join(dir, `${name}.yaml`), srv.kubeconfig({ user: 'admin', token: 'tok' }));
    config = join(dir, 'complyd.yaml');
    writeFileSync(
      config,
      `clusters:\n${Object.keys(servers)
        .map((n) => `  - { name: ${n}, kubeconfig: ${n}.yaml, labels: { env: prod } }`)
        .join('\n')}\n  - { name: other, kubeconfig: clean.yaml, labels: { env: dev } }\nstorage: { sqlite: complyd.sqlite }\n` +
        'profiles:\n  - { name: prod, selector: { matchLabels: { env: prod } }, frameworks: [pss-baseline] }\n',
    );
    const exported = await runCli(['policy', 'export', '-c', config, '--profile', 'prod', '-o', 'json']);
    expect(exported.code).toBe(0);
    policies = (JSON.parse(exported.stdout) as { items: typeof policies }).items;
    // Someone else's manager owns failurePolicy of the first policy, with another value.
    const mine = policies.find((p) => p.kind === 'ValidatingAdmissionPolicy') as (typeof policies)[number];
    const theirs = await call(servers.contested as FakeApiServer, 'PATCH', `${VAP}/${mine.metadata.name}?fieldManager=kubectl`, {
      ...mine,
      spec: { ...mine.spec, failurePolicy: 'Ignore' },
    });
    expect(theirs.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    for (const srv of Object.values(servers)) await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the dry run prints the diff and changes nothing', async () => {
    const r = await runCli(['policy', 'apply', '-c', config, '--profile', 'prod', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('cluster clean (dry run)');
    expect(r.stdout).toMatch(/ValidatingAdmissionPolicy complyd-\S+: would be created\n {4}\+ \.metadata\.labels: /);
    expect(r.stdout).toMatch(/clean: dry run ok: \d+ created/);
    // The contested policy: a conflict naming the other manager and the field.
    expect(r.stdout).toMatch(/contested: would fail: .*1 conflict/);
    expect(r.stdout).toContain('conflict with "kubectl" using admissionregistration.k8s.io/v1: .spec.failurePolicy');
    expect(r.stdout).toMatch(/readonly: would fail: .*forbidden/);
    expect(r.stdout).toContain('User "admin" cannot patch');
    expect(r.code).toBe(3);
    expect(await names(servers.clean as FakeApiServer, VAP)).toEqual([]);
    expect(await names(servers.clean as FakeApiServer, BINDINGS)).toEqual([]);
  }, 60_000);

  it('applies to the clean cluster, leaves the contested and the forbidden ones as they were, exit 3', async () => {
    const r = await runCli(['policy', 'apply', '-c', config, '--profile', 'prod']);
    expect(r.code).toBe(3);
    const wanted = policies.filter((p) => p.kind === 'ValidatingAdmissionPolicy').map((p) => p.metadata.name).sort();
    expect(wanted.length).toBeGreaterThan(0);
    expect(r.stdout).toContain(`clean: applied: ${wanted.length * 2} created`);
    expect(r.stdout).toMatch(/contested: not applied \(its dry run failed\)/);
    expect(r.stdout).toMatch(/readonly: not applied \(its dry run failed\)/);
    expect((await names(servers.clean as FakeApiServer, VAP)).sort()).toEqual(wanted);
    expect((await names(servers.clean as FakeApiServer, BINDINGS)).sort()).toEqual(wanted);
    // What was stored is what was exported, owned by complyd's field manager.
    const one = await call(servers.clean as FakeApiServer, 'GET', `${BINDINGS}/${wanted[0]}`);
    const spec = one.body.spec as { validationActions: string[] };
    expect(spec.validationActions).toEqual(['Deny']);
    const managed = (one.body.metadata as { managedFields: Array<{ manager: string }> }).managedFields;
    expect(managed.map((m) => m.manager)).toEqual(['complyd']);
    expect(await names(servers.contested as FakeApiServer, VAP)).toHaveLength(1);
    expect(await names(servers.readonly as FakeApiServer, VAP)).toEqual([]);
  }, 60_000);

  it("the next scan's enforcement posture sees the applied policies as enforced", async () => {
    const scan = await runCli(['scan', '-c', config, '--cluster', 'clean', '--no-report'], { cwd: dir });
    expect(scan.code).toBe(0);
    const report = await runCli(['report', '-c', config, '--cluster', 'clean', '-o', 'json'], { cwd: dir });
    expect(report.code).toBe(0);
    const enforcement = (JSON.parse(report.stdout) as { enforcement: { enforced: number; considered: number } }).enforcement;
    const exported = policies.filter((p) => p.kind === 'ValidatingAdmissionPolicy').length;
    expect(enforcement.enforced).toBeGreaterThanOrEqual(exported);
  }, 120_000);

  it('a second apply finds nothing to change; --action Warn configures the bindings', async () => {
    const again = await runCli(['policy', 'apply', '-c', config, '--profile', 'prod', '--cluster', 'clean']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/clean: applied: \d+ unchanged\n$/);
    const warn = await runCli(['policy', 'apply', '-c', config, '--profile', 'prod', '--cluster', 'clean', '--action', 'Warn', '--dry-run']);
    expect(warn.code).toBe(0);
    expect(warn.stdout).toContain('~ .spec.validationActions[0]: "Deny" → "Warn"');
  }, 60_000);

  it('-o json: each cluster\'s status and its objects\' outcomes, the same exit code', async () => {
    const r = await runCli(['policy', 'apply', '-c', config, '--profile', 'prod', '--dry-run', '-o', 'json']);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as {
      profile: string;
      dryRunOnly: boolean;
      clusters: Array<{ cluster: string; status: string; counts: Record<string, number>; dryRun: { objects: Array<{ name: string; outcome: string; message?: string }> }; apply?: unknown }>;
    };
    expect(out).toMatchObject({ profile: 'prod', dryRunOnly: true });
    const by = new Map(out.clusters.map((c) => [c.cluster, c]));
    expect([...by.keys()].sort()).toEqual(['clean', 'contested', 'readonly']);
    expect(by.get('clean')).toMatchObject({ status: 'dry-run-ok' });
    expect(by.get('clean')?.counts.unchanged).toBe(by.get('clean')?.dryRun.objects.length);
    expect(by.get('contested')?.status).toBe('would-fail');
    expect(by.get('contested')?.dryRun.objects.filter((o) => o.outcome === 'conflict')).toHaveLength(1);
    expect(by.get('readonly')?.status).toBe('would-fail');
    expect(by.get('readonly')?.dryRun.objects.every((o) => o.outcome === 'forbidden')).toBe(true);
    expect(out.clusters.some((c) => c.apply !== undefined)).toBe(false);
    const applied = await runCli(['policy', 'apply', '-c', config, '--profile', 'prod', '--cluster', 'clean', '-o', 'json']);
    expect(applied.code).toBe(0);
    const [clean] = (JSON.parse(applied.stdout) as { clusters: Array<{ status: string; apply?: { objects: unknown[] } }> }).clusters;
    expect(clean?.status).toBe('applied');
    expect(clean?.apply?.objects.length).toBeGreaterThan(0);
  }, 60_000);

  it('a cluster that cannot be reached is named; the others are still applied', async () => {
    const closed = await startFakeApiServer({ objects: OBJECTS, tokens: { tok: 'admin' }, pki: (servers.clean as FakeApiServer).pki });
    writeFileSync(join(dir, 'gone.yaml'), closed.kubeconfig({ user: 'admin', token: 'tok' }));
    await closed.close();
    const gone = join(dir, 'gone-config.yaml');
    writeFileSync(
      gone,
      'clusters:\n  - { name: clean, kubeconfig: clean.yaml, labels: { env: prod } }\n  - { name: gone, kubeconfig: gone.yaml, labels: { env: prod } }\n' +
        'storage: { sqlite: complyd.sqlite }\nprofiles:\n  - { name: prod, selector: { matchLabels: { env: prod } }, frameworks: [pss-baseline] }\n',
    );
    const r = await runCli(['policy', 'apply', '-c', gone, '--profile', 'prod']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^gone: not reached: .*ECONNREFUSED/m);
    expect(r.stdout).toMatch(/^clean: applied: \d+ unchanged$/m);
  }, 60_000);

  it('an exception scoped to one cluster is an exclusion in that cluster\'s policies only', async () => {
    const pki = (servers.clean as FakeApiServer).pki;
    const [eu, us] = [await startFakeApiServer({ objects: OBJECTS, tokens: { tok: 'admin' }, pki }), await startFakeApiServer({ objects: OBJECTS, tokens: { tok: 'admin' }, pki })];
    try {
      writeFileSync(join(dir, 'eu.yaml'), eu.kubeconfig({ user: 'admin', token: 'tok' }));
      writeFileSync(join(dir, 'us.yaml'), us.kubeconfig({ user: 'admin', token: 'tok' }));
      // In force now, within the 180-day lifetime the configuration allows.
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      writeFileSync(
        join(dir, 'scoped-exceptions.yaml'),
        `exceptions:\n  - { id: eu-agent, controls: [PSS-privileged], scope: { clusters: [eu], namespaces: [agents] }, owner: ops, reason: vendor agent, created: ${day(-1)}, expires: ${day(90)} }\n`,
      );
      const scoped = join(dir, 'scoped-config.yaml');
      writeFileSync(
        scoped,
        'clusters:\n  - { name: eu, kubeconfig: eu.yaml, labels: { env: prod } }\n  - { name: us, kubeconfig: us.yaml, labels: { env: prod } }\n' +
          'storage: { sqlite: complyd.sqlite }\nexceptions: { paths: [scoped-exceptions.yaml] }\nprofiles:\n  - { name: prod, selector: { matchLabels: { env: prod } }, frameworks: [pss-baseline] }\n',
      );
      const r = await runCli(['policy', 'apply', '-c', scoped, '--profile', 'prod']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const privileged = async (srv: FakeApiServer) => (await call(srv, 'GET', `${VAP}/complyd-pss-privileged`)).body as { metadata: { annotations: Record<string, string> }; spec: { matchConditions?: unknown[] } };
      const [onEu, onUs] = [await privileged(eu), await privileged(us)];
      expect(onEu.metadata.annotations['complyd.io/exceptions']).toBe('eu-agent');
      expect(onEu.spec.matchConditions).toHaveLength(1);
      expect(onUs.metadata.annotations['complyd.io/exceptions']).toBeUndefined();
      expect(onUs.spec.matchConditions).toBeUndefined();
      // The profile's one printed set exports it nowhere, and says so.
      const exported = await runCli(['policy', 'export', '-c', scoped, '--profile', 'prod', '-o', 'json']);
      const policy = (JSON.parse(exported.stdout) as { items: Array<{ metadata: { name: string; annotations: Record<string, string> } }> }).items.find((m) => m.metadata.name === 'complyd-pss-privileged');
      expect(policy?.metadata.annotations['complyd.io/exceptions-not-exported']).toContain('eu-agent');
    } finally {
      await eu.close();
      await us.close();
    }
  }, 60_000);

  it('usage errors: no profile, a cluster outside it', async () => {
    const none = await runCli(['policy', 'apply', '-c', config]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--profile is required');
    const outside = await runCli(['policy', 'apply', '-c', config, '--profile', 'prod', '--cluster', 'other']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('other not in profile "prod"');
  }, 60_000);
});
