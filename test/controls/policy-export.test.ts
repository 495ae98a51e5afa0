import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ajv2020 from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';
import { Environment } from '@marcbachmann/cel-js';
// Models whose validators are generated from the Kubernetes OpenAPI document itself.
import { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import type { Exception } from '../../src/core/exception.js';
import type { AdmissionCheck } from '../../src/core/admission.js';
import { CONTROLS } from '../../src/controls/index.js';
import { withCustomControls } from '../../src/controls/custom.js';
import { admit } from '../../src/controls/cel/runtime.js';
import { loadCustomControls } from '../../src/config/custom-controls.js';
import { exportPerClusterGroup, exportPolicies, policyName, type PolicyManifest } from '../../src/controls/policy-export.js';
import { runCli } from '../helpers/cli.js';

// CommonJS: under NodeNext the default import is module.exports, which holds `default`.
const Ajv2020 = ajv2020.default;
const NOW = new Date('2026-11-01T00:00:00Z');
const SCHEMA = JSON.parse(readFileSync('test/fixtures/admission/admissionregistration-v1.schema.json', 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(SCHEMA, 'admission');
const validators = {
  ValidatingAdmissionPolicy: ajv.getSchema('admission#/$defs/ValidatingAdmissionPolicy')!,
  ValidatingAdmissionPolicyBinding: ajv.getSchema('admission#/$defs/ValidatingAdmissionPolicyBinding')!,
};

function schemaErrors(m: PolicyManifest): string {
  const validate = validators[m.kind];
  return validate(JSON.parse(JSON.stringify(m))) ? '' : `${m.metadata.name}: ${ajv.errorsText(validate.errors)}`;
}

const exception = (id: string, over: Partial<Exception> = {}): Exception => ({
  id,
  controls: ['PSS-privileged'],
  scope: {},
  owner: 'team',
  reason: 'why',
  created: '2026-10-01T00:00:00.000Z',
  expires: '2027-03-01T00:00:00.000Z',
  source: { file: 'x.yaml', index: 0 },
  ...over,
});

const EXCEPTIONS = [
  exception('node-agents', { scope: { namespaces: ['monitoring'], kinds: ['DaemonSet'], names: ['node-*'] } }),
  exception('debug-soon', { scope: { namespaces: ['qa-*'], objectSelector: { matchLabels: { purpose: 'debug' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['prod'] }] } }, expires: '2026-11-15T00:00:00.000Z' }),
  exception('only-prod', { scope: { clusters: ['prod-eu'], namespaces: ['payments'] } }),
  exception('lapsed', { scope: { namespaces: ['web'] }, expires: '2026-10-15T00:00:00.000Z' }),
  exception('pending', { scope: { namespaces: ['web'] }, created: '2026-12-01T00:00:00.000Z' }),
];
const CLUSTERS = [
  { name: 'prod-eu', labels: { env: 'prod' } },
  { name: 'staging-us', labels: { env: 'staging' } },
];

const catalog = withCustomControls(loadCustomControls(['config/controls.d']));
const manifests = exportPolicies({ controls: catalog, exceptions: EXCEPTIONS, clusters: CLUSTERS, now: NOW, profile: 'prod' });
const byName = (kind: PolicyManifest['kind'], name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);

/** The manifest's CEL as an admission check (what the API server would run). */
function checkOf(policy: PolicyManifest): AdmissionCheck {
  const spec = policy.spec as { variables?: AdmissionCheck['variables']; validations: AdmissionCheck['validations']; matchConditions?: AdmissionCheck['matchConditions'] };
  return { resources: [], variables: spec.variables ?? [], validations: spec.validations, ...(spec.matchConditions ? { matchConditions: spec.matchConditions } : {}) };
}

const pod = (metadata: Record<string, unknown>, privileged = true) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'team', ...metadata },
  spec: { containers: [{ name: 'c', image: 'registry.example.com/a:1', securityContext: { privileged } }] },
});

describe('policy export', () => {
  it('writes a policy and a binding for every exportable control, and only those', () => {
    const exportable = catalog.filter((c) => c.admission).map((c) => c.id);
    expect(exportable.length).toBe(25);
    expect(manifests.filter((m) => m.kind === 'ValidatingAdmissionPolicy').map((m) => m.metadata.annotations['complyd.io/control'])).toEqual(exportable);
    expect(manifests.filter((m) => m.kind === 'ValidatingAdmissionPolicyBinding')).toHaveLength(exportable.length);
  });

  it('validates every manifest against the admissionregistration.k8s.io/v1 schema', () => {
    expect(manifests.map(schemaErrors).filter(Boolean)).toEqual([]);
    // The schema is not vacuous: a typo'd field and a Deny+Warn binding are refused.
    const policy = manifests[0]!;
    expect(schemaErrors({ ...policy, spec: { ...policy.spec, failurePolicy: 'fail' } })).toMatch(/failurePolicy/);
    const binding = manifests[1]!;
    expect(schemaErrors({ ...binding, spec: { ...binding.spec, validationAction: ['Deny'] } })).not.toBe('');
    expect(schemaErrors({ ...binding, spec: { ...binding.spec, validationActions: ['Deny', 'Warn'] } })).not.toBe('');
  });

  it("validates every manifest against the Kubernetes OpenAPI document's schemas too (kubernetes-models)", () => {
    // The fixture schema above is complyd's own reading of the API reference, stricter on
    // unknown fields; this is the upstream document, as kubernetes-models generates it.
    const upstreamErrors = (m: PolicyManifest): string => {
      try {
        if (m.kind === 'ValidatingAdmissionPolicy') new ValidatingAdmissionPolicy(JSON.parse(JSON.stringify(m))).validate();
        else new ValidatingAdmissionPolicyBinding(JSON.parse(JSON.stringify(m))).validate();
        return '';
      } catch (err) {
        return `${m.metadata.name}: ${String(err)}`;
      }
    };
    expect(manifests.length).toBeGreaterThan(40);
    expect(manifests.map(upstreamErrors).filter(Boolean)).toEqual([]);
    // Not vacuous: a validation without its expression and a numeric failurePolicy are refused.
    const policy = manifests[0]!;
    const broken = { ...policy, spec: { ...policy.spec, failurePolicy: 3, validations: [{ message: 'no expression' }] } } as unknown as PolicyManifest;
    expect(upstreamErrors(broken)).toMatch(/failurePolicy[\s\S]*expression/);
  });

  it('compiles every expression', () => {
    const env = new Environment({ homogeneousAggregateLiterals: false }).registerVariable('object', 'map').registerVariable('variables', 'map');
    const expressions = manifests.flatMap((m): string[] => {
      const spec = m.spec as { variables?: Array<{ expression: string }>; validations?: Array<{ expression: string; messageExpression?: string }>; matchConditions?: Array<{ expression: string }> };
      const validations = (spec.validations ?? []).flatMap((v) => [v.expression, ...(v.messageExpression !== undefined ? [v.messageExpression] : [])]);
      return [...(spec.variables ?? []).map((v) => v.expression), ...(spec.matchConditions ?? []).map((c) => c.expression), ...validations];
    });
    expect(expressions.length).toBeGreaterThan(25);
    expect(expressions.filter((e) => !env.check(e).valid)).toEqual([]);
  });

  it('per cluster group, an exception scoped to some clusters is an exclusion for those clusters only', () => {
    const groups = exportPerClusterGroup({ controls: catalog, exceptions: EXCEPTIONS, clusters: [...CLUSTERS, { name: 'prod-us', labels: { env: 'prod' } }], now: NOW, profile: 'prod' });
    // only-prod scopes prod-eu: it alone is set apart; staging-us and prod-us share the rest.
    expect(groups.map((g) => g.clusters)).toEqual([['prod-eu'], ['staging-us', 'prod-us']]);
    const privileged = (g: (typeof groups)[number]) => g.manifests.find((m) => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name === 'complyd-pss-privileged')!;
    const [prodEu, others] = [privileged(groups[0]!), privileged(groups[1]!)];
    expect(prodEu.metadata.annotations['complyd.io/exceptions']).toBe('node-agents,debug-soon,only-prod');
    expect(others.metadata.annotations['complyd.io/exceptions']).toBe('node-agents,debug-soon');
    for (const p of [prodEu, others]) expect(p.metadata.annotations['complyd.io/exceptions-not-exported']).toBeUndefined();
    // The exclusion works at admission where it is exported, and only there.
    const payments = { ...pod({}), metadata: { name: 'p', namespace: 'payments' } };
    expect(admit(checkOf(prodEu), payments).admitted).toBe(true);
    expect(admit(checkOf(others), payments).admitted).toBe(false);
    // Without a scoped exception, one group: the export of the whole profile.
    const one = exportPerClusterGroup({ controls: catalog, exceptions: EXCEPTIONS.filter((e) => e.id !== 'only-prod'), clusters: CLUSTERS, now: NOW });
    expect(one.map((g) => g.clusters)).toEqual([['prod-eu', 'staging-us']]);
  });

  it('names policies and bindings by the convention policy apply relies on', () => {
    expect(policyName('PSS-privileged')).toBe('complyd-pss-privileged');
    expect(policyName('ACME_x.y')).toBe('complyd-acme-x-y');
    for (const m of manifests) {
      const id = m.metadata.annotations['complyd.io/control']!;
      expect(m.metadata.name).toBe(policyName(id));
      expect(m.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'complyd' });
    }
    expect(byName('ValidatingAdmissionPolicyBinding', 'complyd-pss-privileged')?.spec).toMatchObject({ policyName: 'complyd-pss-privileged', validationActions: ['Deny'] });
    const warn = exportPolicies({ controls: CONTROLS, action: 'Audit', now: NOW });
    expect(warn.filter((m) => m.kind === 'ValidatingAdmissionPolicyBinding').every((m) => (m.spec.validationActions as string[])[0] === 'Audit')).toBe(true);
  });

  it('excludes the system namespaces and matches pods and every workload kind with a pod template', () => {
    const policy = byName('ValidatingAdmissionPolicy', 'complyd-pss-privileged')!;
    const constraints = policy.spec.matchConstraints as { resourceRules: Array<{ resources: string[] }>; namespaceSelector: unknown };
    expect(constraints.resourceRules.flatMap((r) => r.resources).sort()).toEqual(['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'statefulsets']);
    expect(constraints.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease'] }] });
    // A custom control's own exclusions and kinds carry over.
    const owner = byName('ValidatingAdmissionPolicyBinding', 'complyd-acme-owner-label')!;
    expect(JSON.stringify(owner.spec.matchResources)).toContain('kube-flannel');
    const cron = byName('ValidatingAdmissionPolicy', 'complyd-acme-cronjob-concurrency')!;
    expect((cron.spec.matchConstraints as { resourceRules: Array<{ resources: string[] }> }).resourceRules.flatMap((r) => r.resources)).toEqual(['cronjobs']);
  });

  it('turns exceptions in force for every cluster into exclusions, notes those expiring, and names those it cannot place', () => {
    const policy = byName('ValidatingAdmissionPolicy', 'complyd-pss-privileged')!;
    const a = policy.metadata.annotations;
    expect(a['complyd.io/exceptions']).toBe('node-agents,debug-soon');
    expect(a['complyd.io/exceptions-expiring']).toBe('debug-soon expires 2026-11-15');
    expect(a['complyd.io/valid-until']).toBe('2026-11-15T00:00:00.000Z');
    expect(a['complyd.io/exceptions-not-exported']).toBe('only-prod: in force for some clusters of the group only');
    // Other controls carry none.
    expect(byName('ValidatingAdmissionPolicy', 'complyd-pss-host-pid')?.spec.matchConditions).toBeUndefined();

    const check = checkOf(policy);
    const daemonSet = (ns: string, name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: ns },
      spec: { template: { spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] } } },
    });
    expect(admit(check, daemonSet('monitoring', 'node-exporter')).admitted).toBe(true);
    expect(admit(check, daemonSet('monitoring', 'prometheus')).admitted).toBe(false);
    expect(admit(check, daemonSet('web', 'node-exporter')).admitted).toBe(false);
    expect(admit(check, pod({ namespace: 'qa-tools', labels: { purpose: 'debug' } })).admitted).toBe(true);
    expect(admit(check, pod({ namespace: 'qa-tools', labels: { purpose: 'debug', tier: 'prod' } })).admitted).toBe(false);
    expect(admit(check, pod({ namespace: 'qa-tools' })).admitted).toBe(false);
    expect(admit(check, pod({ namespace: 'qa-tools' }, false)).admitted).toBe(true);
  });

  it('`complyd policy export --profile` prints manifests kubectl can apply', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-policy-'));
    // The command takes the time now: an exception in force today, for 100 days.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(
      join(dir, 'exceptions.yaml'),
      `exceptions:\n  - id: node-agents\n    controls: [PSS-host-pid]\n    scope: { namespaces: [monitoring] }\n    owner: platform\n    reason: node exporter reads host processes\n    created: ${day(-1)}\n    expires: ${day(100)}\n`,
    );
    writeFileSync(
      join(dir, 'complyd.yaml'),
      `clusters:\n  - { name: prod-eu, kubeconfig: ./kc, labels: { env: prod } }\n  - { name: dev, kubeconfig: ./kc, labels: { env: dev } }\nexceptions: { paths: [exceptions.yaml] }\ncontrols: { dirs: [${join(process.cwd(), 'config/controls.d')}] }\nprofiles:\n  - name: prod\n    selector: { matchLabels: { env: prod } }\n    frameworks: [pss-baseline, nsa]\n`,
    );
    const r = await runCli(['policy', 'export', '-c', join(dir, 'complyd.yaml'), '--profile', 'prod', '--action', 'Warn']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as PolicyManifest);
    const ids = docs.filter((d) => d.kind === 'ValidatingAdmissionPolicy').map((d) => d.metadata.annotations['complyd.io/control']);
    // pss-baseline and nsa: the baseline data controls and the nsa custom control; not the hardening-only ones.
    expect(ids).toContain('PSS-privileged');
    expect(ids).toContain('ACME-approved-registries');
    expect(ids).not.toContain('ACME-owner-label');
    expect(docs.map(schemaErrors).filter(Boolean)).toEqual([]);
    expect(docs.find((d) => d.metadata.name === 'complyd-pss-host-pid' && d.kind === 'ValidatingAdmissionPolicy')?.metadata.annotations['complyd.io/exceptions']).toBe('node-agents');
    expect(docs.filter((d) => d.kind === 'ValidatingAdmissionPolicyBinding').every((d) => (d.spec.validationActions as string[])[0] === 'Warn')).toBe(true);
    expect((await runCli(['policy', 'export', '-c', join(dir, 'complyd.yaml'), '--action', 'Block'])).code).toBe(2);
    expect((await runCli(['policy', 'export', '-c', join(dir, 'complyd.yaml'), '--profile', 'nope'])).code).toBe(2);
  });
});
