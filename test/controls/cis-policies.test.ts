import { readFileSync } from 'node:fs';
import type { ControlPlaneComponent, Finding, KubeObject, Snapshot } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { POLICY_CONTROLS } from '../../src/controls/cis/policies/index.js';
import { enabledPlugins } from '../../src/controls/cis/policies/image-provenance.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { loadManifests } from '../../src/collect/manifests.js';
import { NOW, container, deployment, pod, snapshotOf } from './pss-helpers.js';

/** CIS section 5: the catalog mapping, the demo fleet's RBAC, and rules the fixtures do not pin down. */

const ids = JSON.parse(readFileSync('test/fixtures/cis-1.12-ids.json', 'utf8')) as Array<{ id: string; level: 'L1' | 'L2' }>;
const section5 = ids.filter((x) => x.id.startsWith('5.'));

function judge(controlId: string, snapshot: Snapshot): Finding[] {
  const control = CONTROLS.find((c) => c.id === controlId);
  if (!control) throw new Error(`unknown control ${controlId}`);
  return evaluate(snapshot, [control], NOW);
}

const failing = (findings: Finding[]): string[] =>
  findings.filter((f) => f.status === 'fail').map((f) => `${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`);

async function demo(cluster: string): Promise<Snapshot> {
  return (await loadManifests([`config/demo-fleet/${cluster}`], { collectedAt: NOW })).snapshot;
}

describe('CIS section 5 in the catalog', () => {
  it.each(section5.map((x) => [x.id, x.level] as const))('%s sits on exactly one CIS control, at level %s', (id, level) => {
    const holders = CONTROLS.filter((c) => c.frameworks.includes('cis-1.12') && c.refs.cis === id);
    expect(holders).toHaveLength(1);
    expect(holders[0]?.level).toBe(level);
  });

  it('leaves no CIS reference on a control outside the CIS framework', () => {
    expect(CONTROLS.filter((c) => c.refs.cis?.startsWith('5.') && !c.frameworks.includes('cis-1.12')).map((c) => c.id)).toEqual([]);
  });

  it('maps the Pod Security items to the PSS controls that judge them', () => {
    const byCis = Object.fromEntries(CONTROLS.filter((c) => c.refs.cis?.startsWith('5.2.')).map((c) => [c.refs.cis, c.id]));
    expect(byCis).toEqual({
      '5.2.1': 'CIS-5.2.1',
      '5.2.2': 'PSS-privileged',
      '5.2.3': 'PSS-host-pid',
      '5.2.4': 'PSS-host-ipc',
      '5.2.5': 'PSS-host-network',
      '5.2.6': 'PSS-allow-privilege-escalation',
      '5.2.7': 'PSS-run-as-non-root',
      '5.2.8': 'CIS-5.2.8',
      '5.2.9': 'PSS-capabilities-restricted',
      '5.2.10': 'PSS-windows-host-process',
      '5.2.11': 'PSS-host-path-volumes',
      '5.2.12': 'PSS-host-ports',
    });
  });

  it('registers the section 5 controls in benchmark order', () => {
    const order = POLICY_CONTROLS.map((c) => c.refs.cis ?? '');
    const key = (id: string) => id.split('.').map((n) => n.padStart(3, '0')).join('.');
    expect(order).toEqual([...order].sort((a, b) => key(a).localeCompare(key(b))));
    expect(POLICY_CONTROLS.map((c) => c.id)).toEqual(order.map((cis) => `CIS-${cis}`));
  });
});

describe('the demo fleet RBAC', () => {
  it('prod-eu: alice is cluster-admin, and the payments deployer Role uses a wildcard', async () => {
    const snapshot = await demo('prod-eu');
    expect(failing(judge('CIS-5.1.1', snapshot))).toContain('ClusterRoleBinding alice-cluster-admin');
    const wildcards = judge('CIS-5.1.3', snapshot).filter((f) => f.status === 'fail');
    expect(wildcards.map((f) => `${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}`)).toEqual(
      expect.arrayContaining(['Role payments/deployer', 'ClusterRole /oncall-debug']),
    );
    const deployer = wildcards.find((f) => f.resource.name === 'deployer');
    expect(deployer?.evidence).toEqual({ path: 'rules[0].verbs', observed: '["*"]', expected: 'explicit API groups, resources and verbs, no "*"' });
    expect(deployer?.message).toContain('Group payments-team');
    // Built-in roles keep their wildcards without a finding.
    expect(wildcards.map((f) => f.resource.name)).not.toContain('cluster-admin');
  });

  it('prod-eu: alice holds every cluster-admin right, and the finding names the subject and the rule', async () => {
    const snapshot = await demo('prod-eu');
    for (const id of ['CIS-5.1.2', 'CIS-5.1.4', 'CIS-5.1.8', 'CIS-5.1.9', 'CIS-5.1.10', 'CIS-5.1.11', 'CIS-5.1.12', 'CIS-5.1.13']) {
      const alice = judge(id, snapshot).find((f) => f.resource.name === 'alice-cluster-admin');
      expect([id, alice?.status, alice?.evidence?.path, alice?.evidence?.observed]).toEqual([id, 'fail', 'subjects[0]', 'User alice@example.com']);
      expect(alice?.message).toContain('ClusterRole cluster-admin rules[0]');
    }
  });

  it('prod-eu: complyd\'s read-only scanner is not reported for the Secrets and nodes/proxy it reads', async () => {
    const snapshot = await demo('prod-eu');
    for (const id of ['CIS-5.1.2', 'CIS-5.1.10']) expect(failing(judge(id, snapshot))).not.toContain('ClusterRoleBinding complyd-reader');
  });

  it('dev-k3s: the janitor\'s */*/* role is cluster-admin by another name', async () => {
    const snapshot = await demo('dev-k3s');
    expect(failing(judge('CIS-5.1.3', snapshot))).toEqual(['ClusterRole sandbox-janitor']);
    expect(failing(judge('CIS-5.1.1', snapshot))).toEqual(expect.arrayContaining(['ClusterRoleBinding developers-cluster-admin', 'ClusterRoleBinding sandbox-janitor']));
    for (const id of ['CIS-5.1.2', 'CIS-5.1.4', 'CIS-5.1.8', 'CIS-5.1.10', 'CIS-5.1.13']) {
      const janitor = judge(id, snapshot).find((f) => f.resource.name === 'sandbox-janitor');
      expect([id, janitor?.status, janitor?.evidence?.observed]).toEqual([id, 'fail', 'ServiceAccount sandbox/janitor']);
    }
    // The janitor's token is used: its account is bound.
    expect(failing(judge('CIS-5.1.6', snapshot))).not.toContain('CronJob sandbox/janitor');
  });

  it('dev-k3s: a RoleBinding to the aggregated admin role grants the edit rules in its namespace only', async () => {
    const secrets = judge('CIS-5.1.2', await demo('dev-k3s')).find((f) => f.resource.name === 'developers-admin');
    expect(secrets?.status).toBe('fail');
    expect(secrets?.message).toBe('can get, list or watch Secrets in namespace dev through ClusterRole admin (rules[0] of aggregated ClusterRole edit)');
  });

  it('staging-us with rolebindings forbidden: failures still show, no RBAC control passes', async () => {
    const snapshot = await demo('staging-us');
    const forbidden: Snapshot = {
      ...snapshot,
      objects: { ...snapshot.objects, rolebindings: [] },
      gaps: [{ evidence: 'rolebindings', reason: 'forbidden', message: 'rolebindings is forbidden' }],
    };
    const rbacIds = POLICY_CONTROLS.filter((c) => c.needs.includes('rolebindings')).map((c) => c.id);
    const findings = evaluate(forbidden, POLICY_CONTROLS.filter((c) => rbacIds.includes(c.id)), NOW);
    for (const id of rbacIds) {
      const own = findings.filter((f) => f.controlId === id);
      expect([id, own.some((f) => f.status === 'unknown')]).toEqual([id, true]);
      if (id !== 'CIS-5.1.6') expect([id, own.filter((f) => f.status === 'pass')]).toEqual([id, []]);
    }
    expect(failing(findings.filter((f) => f.controlId === 'CIS-5.1.1'))).toContain('ClusterRoleBinding kubeadm:cluster-admins');
  });
});

describe('rules the fixtures do not pin down', () => {
  it('5.1.6: a mounted token is unknown, not failed, while bindings could not be read', () => {
    const snapshot = snapshotOf([pod({ containers: [container('app')] }), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team' } }]);
    expect(judge('CIS-5.1.6', snapshot).map((f) => f.status)).toEqual(['fail']);
    const gapped = { ...snapshot, gaps: [{ evidence: 'clusterrolebindings', reason: 'forbidden' as const, message: 'forbidden' }] };
    expect(judge('CIS-5.1.6', gapped).map((f) => f.status).sort()).toEqual(['unknown', 'unknown']);
  });

  it('5.1.6: static mirror pods get no token and are not applicable', () => {
    const mirror: KubeObject = { ...pod({ containers: [container('etcd')] }), metadata: { name: 'etcd-cp-1', namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'abc' } } };
    expect(judge('CIS-5.1.6', snapshotOf([mirror])).map((f) => f.status)).toEqual(['not-applicable']);
  });

  it('5.2.1: namespaces run by Kubernetes itself are not judged', () => {
    const kubeSystem = { ...pod({ hostNetwork: true, containers: [container('proxy')] }), metadata: { name: 'proxy', namespace: 'kube-system' } };
    expect(judge('CIS-5.2.1', snapshotOf([kubeSystem]))).toEqual([]);
  });

  it('5.2.8: a drop counts only written as admission compares it (NET_RAW, ALL), an add in any spelling', () => {
    const judged = (capabilities: unknown) => judge('CIS-5.2.8', snapshotOf([deployment({ containers: [container('a', { capabilities })] })])).map((f) => [f.status, f.evidence?.path]);
    expect(judged({ drop: ['cap_net_raw'] })).toEqual([['fail', 'spec.template.spec.containers[a].securityContext.capabilities.drop']]);
    expect(judged({ drop: ['all'] })).toEqual([['fail', 'spec.template.spec.containers[a].securityContext.capabilities.drop']]);
    expect(judged({ drop: ['ALL'] })).toEqual([['pass', undefined]]);
    expect(judged({ drop: ['NET_RAW'] })).toEqual([['pass', undefined]]);
    expect(judged({ drop: ['ALL'], add: ['cap_net_raw'] })).toEqual([['fail', 'spec.template.spec.containers[a].securityContext.capabilities.add']]);
    expect(judged({ drop: ['ALL'], add: ['all'] })).toEqual([['fail', 'spec.template.spec.containers[a].securityContext.capabilities.add']]);
  });

  it('PSS capabilities: ALL and names are compared exactly, as PodSecurity admission does', () => {
    const judged = (id: string, capabilities: unknown) => judge(id, snapshotOf([deployment({ containers: [container('a', { capabilities })] })])).map((f) => f.status);
    expect(judged('PSS-capabilities-restricted', { drop: ['all'] })).toEqual(['fail']);
    expect(judged('PSS-capabilities-restricted', { drop: ['ALL'] })).toEqual(['pass']);
    expect(judged('PSS-capabilities-baseline', { add: ['all'] })).toEqual(['fail']);
    expect(judged('PSS-capabilities-baseline', { add: ['chown'] })).toEqual(['fail']);
    expect(judged('PSS-capabilities-baseline', { add: ['CHOWN'] })).toEqual(['pass']);
  });

  it('5.3.1: reports the network plugin it recognises for a person to confirm', () => {
    const calico: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'calico-node', namespace: 'kube-system' },
      spec: { template: { spec: { containers: [{ name: 'calico-node', image: 'quay.io/calico/node:v3.28.2' }] } } },
    };
    const [finding] = judge('CIS-5.3.1', snapshotOf([calico]));
    expect(finding?.status).toBe('manual');
    expect(finding?.evidence?.observed).toBe('Calico (enforces NetworkPolicy: yes)');
  });

  it('5.5.1: reads --enable-admission-plugins in both spellings, accumulated, with $(VAR) expanded', () => {
    const apiserver = (argv: string[], env: Record<string, string> = {}): ControlPlaneComponent => ({
      component: 'kube-apiserver',
      namespace: 'kube-system',
      pod: 'kube-apiserver-cp-1',
      containers: [{ name: 'kube-apiserver', argv, env }],
    });
    expect(enabledPlugins(apiserver(['kube-apiserver', '--enable-admission-plugins=NodeRestriction,ImagePolicyWebhook']))?.plugins).toEqual(['NodeRestriction', 'ImagePolicyWebhook']);
    expect(enabledPlugins(apiserver(['kube-apiserver', '--enable-admission-plugins', 'NodeRestriction', '--enable-admission-plugins=$(EXTRA)'], { EXTRA: 'ImagePolicyWebhook' }))?.plugins).toEqual([
      'NodeRestriction',
      'ImagePolicyWebhook',
    ]);
    expect(enabledPlugins(apiserver(['kube-apiserver', '--authorization-mode=Node,RBAC']))).toBeUndefined();

    const snapshot: Snapshot = { ...snapshotOf([]), controlPlane: [apiserver(['kube-apiserver', '--enable-admission-plugins=NodeRestriction'])] };
    const [finding] = judge('CIS-5.5.1', snapshot);
    expect(finding).toMatchObject({ status: 'manual', resource: { kind: 'Pod', name: 'kube-apiserver-cp-1' }, evidence: { observed: 'NodeRestriction' } });
    expect(finding?.message).toMatch(/^ImagePolicyWebhook is not enabled/);
    expect(judge('CIS-5.5.1', snapshotOf([])).map((f) => [f.status, f.resource.kind])).toEqual([['manual', 'Cluster']]);
  });

  it('5.1.3: "*" in nonResourceURLs is a wildcard; a path prefix such as /metrics/* is not', () => {
    const role = (nonResourceURLs: string[]): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'scraper' }, rules: [{ nonResourceURLs, verbs: ['get'] }] });
    const [everything] = judge('CIS-5.1.3', snapshotOf([role(['/metrics', '*'])]));
    expect(everything).toMatchObject({ status: 'fail', resource: { kind: 'ClusterRole', name: 'scraper' }, evidence: { path: 'rules[0].nonResourceURLs' } });
    expect(judge('CIS-5.1.3', snapshotOf([role(['/metrics', '/metrics/*'])])).map((f) => f.status)).toEqual(['pass']);
  });

  it('5.6.4: a ConfigMap of an application in default is use of it; the published kube-root-ca.crt is not', () => {
    const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
    expect(judge('CIS-5.6.4', snapshotOf([configMap('kube-root-ca.crt')])).map((f) => f.status)).toEqual(['pass']);
    const findings = judge('CIS-5.6.4', snapshotOf([configMap('kube-root-ca.crt'), configMap('app-settings')]));
    expect(findings.map((f) => [f.status, f.resource.kind, f.resource.name])).toEqual([['fail', 'ConfigMap', 'app-settings']]);
    // ConfigMaps that could not be read make the namespace unknown, never passed.
    const gapped = { ...snapshotOf([]), gaps: [{ evidence: 'configmaps', reason: 'forbidden' as const, message: 'forbidden' }] };
    expect(judge('CIS-5.6.4', gapped).map((f) => f.status)).toEqual(['unknown']);
  });

  it('5.6.4: a default-deny NetworkPolicy and the default account\'s token Secret are not "use" of default', () => {
    const token: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'default-token-x7k2p', namespace: 'default', annotations: { 'kubernetes.io/service-account.name': 'default' } },
    };
    const findings = judge('CIS-5.6.4', snapshotOf([token]));
    expect(findings.map((f) => f.status)).toEqual(['pass']);
  });
});
