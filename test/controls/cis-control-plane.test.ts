import { readFileSync } from 'node:fs';
import type { ControlPlaneComponent, Finding, KubeObject, Provider, Snapshot, Status } from '../../src/core/types.js';
import { modeOf } from '../../src/core/control.js';
import { CONTROL_PLANE_CONTROLS } from '../../src/controls/cis/control-plane/index.js';
import { defaultAdmissionPlugins, featureGateDefault, flagDefault } from '../../src/evaluate/control-plane-defaults.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { worstStatus } from '../../src/core/status.js';
import { loadManifests } from '../../src/collect/manifests.js';

const NOW = new Date('2026-11-01T00:00:00Z');

function component(name: string, node: string, argv: string[], env: Record<string, string> = {}): ControlPlaneComponent {
  return { component: name, namespace: 'kube-system', pod: `${name}-${node}`, node, containers: [{ name, argv: [name, ...argv], env }] };
}
const api = (node: string, ...flags: string[]) => component('kube-apiserver', node, flags);
const kcm = (node: string, ...flags: string[]) => component('kube-controller-manager', node, flags);
const scheduler = (node: string, ...flags: string[]) => component('kube-scheduler', node, flags);
const etcd = (node: string, flags: string[], env: Record<string, string> = {}) => component('etcd', node, flags, env);

function snapshot(controlPlane: ControlPlaneComponent[], over: Partial<Snapshot> = {}): Snapshot {
  return {
    cluster: 'c1',
    labels: {},
    collectedAt: NOW.toISOString(),
    serverVersion: { major: '1', minor: '32', gitVersion: 'v1.32.4' },
    provider: 'kubeadm',
    objects: {},
    controlPlane,
    kubelets: [],
    gaps: [],
    source: 'cluster',
    ...over,
  };
}

function run(id: string, snap: Snapshot): Finding[] {
  const control = CONTROL_PLANE_CONTROLS.find((c) => c.id === id);
  if (!control) throw new Error(`no control ${id}`);
  return evaluate(snap, [control], NOW);
}
const statuses = (id: string, snap: Snapshot): Status[] => run(id, snap).map((f) => f.status);
const only = (id: string, snap: Snapshot): Finding => {
  const [f, ...rest] = run(id, snap);
  if (!f || rest.length > 0) throw new Error(`expected one finding for ${id}, got ${rest.length + (f ? 1 : 0)}`);
  return f;
};

const IDS = [
  ...Array.from({ length: 30 }, (_, i) => `CIS-1.2.${i + 1}`),
  ...Array.from({ length: 7 }, (_, i) => `CIS-1.3.${i + 1}`),
  'CIS-1.4.1',
  'CIS-1.4.2',
  ...Array.from({ length: 7 }, (_, i) => `CIS-2.${i + 1}`),
  'CIS-3.1.1',
  'CIS-3.1.2',
  'CIS-3.1.3',
  'CIS-3.2.1',
  'CIS-3.2.2',
];

describe('CIS control-plane catalog', () => {
  it('lists 1.2.1 to 3.2.2 in benchmark order', () => {
    expect(CONTROL_PLANE_CONTROLS.map((c) => c.id)).toEqual(IDS);
  });

  it('takes levels from the benchmark and refs from the id', () => {
    const benchmark = JSON.parse(readFileSync(new URL('../fixtures/cis-1.12-ids.json', import.meta.url), 'utf8')) as Array<{ id: string; level: string }>;
    const levels = new Map(benchmark.map((b) => [b.id, b.level]));
    for (const c of CONTROL_PLANE_CONTROLS) {
      expect([c.id, c.refs.cis]).toEqual([c.id, c.id.slice('CIS-'.length)]);
      expect([c.id, c.level]).toEqual([c.id, levels.get(c.refs.cis ?? '')]);
      expect(c.frameworks).toContain('cis-1.12');
      expect(c.refs.kubescape?.length).toBeGreaterThan(0);
      if (c.refs.nsa) expect(c.frameworks).toContain('nsa');
    }
  });

  it('is automated where the API shows the evidence, partial or manual where it does not', () => {
    const modes = Object.fromEntries(CONTROL_PLANE_CONTROLS.map((c) => [c.id, modeOf(c)]));
    const notAutomated = Object.entries(modes).filter(([, m]) => m !== 'automated');
    expect(Object.fromEntries(notAutomated)).toEqual({
      'CIS-1.2.28': 'manual',
      'CIS-2.7': 'partial',
      'CIS-3.1.1': 'partial',
      'CIS-3.1.2': 'partial',
      'CIS-3.1.3': 'partial',
      'CIS-3.2.1': 'partial',
      'CIS-3.2.2': 'manual',
    });
    for (const c of CONTROL_PLANE_CONTROLS.filter((x) => modeOf(x) !== 'automated')) expect(c.manual?.length).toBeGreaterThan(40);
  });
});

describe('compiled defaults of absent flags', () => {
  it.each([
    ['kube-apiserver', 'anonymous-auth', 'true'],
    ['kube-apiserver', 'authorization-mode', 'AlwaysAllow'],
    ['kube-apiserver', 'profiling', 'true'],
    ['kube-apiserver', 'service-account-lookup', 'true'],
    ['kube-apiserver', 'service-account-extend-token-expiration', 'true'],
    ['kube-apiserver', 'request-timeout', '1m0s'],
    ['kube-apiserver', 'audit-log-maxage', '0'],
    ['kube-apiserver', 'audit-log-maxbackup', '0'],
    ['kube-apiserver', 'audit-log-maxsize', '0'],
    ['kube-apiserver', 'kubelet-certificate-authority', undefined],
    ['kube-controller-manager', 'profiling', 'true'],
    ['kube-controller-manager', 'bind-address', '0.0.0.0'],
    ['kube-controller-manager', 'use-service-account-credentials', 'false'],
    ['kube-controller-manager', 'terminated-pod-gc-threshold', '12500'],
    ['kube-scheduler', 'profiling', 'true'],
    ['kube-scheduler', 'bind-address', '0.0.0.0'],
    ['etcd', 'client-cert-auth', 'false'],
    ['etcd', 'peer-client-cert-auth', 'false'],
    ['etcd', 'auto-tls', 'false'],
    ['etcd', 'peer-auto-tls', 'false'],
  ] as const)('%s --%s: %s', (c, flag, value) => expect(flagDefault(c, flag, 32)).toBe(value));

  it('has no authorization mode when --authorization-config is given', async () => {
    const { parseFlags } = await import('../../src/evaluate/flags.js');
    expect(flagDefault('kube-apiserver', 'authorization-mode', 32, parseFlags('kube-apiserver', ['kube-apiserver', '--authorization-config=/a.yaml']))).toBeUndefined();
  });

  it('lists the default-on admission plugins of 1.35, fewer on older versions', () => {
    expect(defaultAdmissionPlugins(35).sort()).toEqual(
      [
        'NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'TaintNodesByCondition', 'PodSecurity', 'Priority',
        'DefaultTolerationSeconds', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize', 'RuntimeClass',
        'CertificateApproval', 'CertificateSigning', 'ClusterTrustBundleAttest', 'CertificateSubjectRestriction',
        'DefaultIngressClass', 'PodTopologyLabels', 'NodeDeclaredFeatureValidator',
        'MutatingAdmissionPolicy', 'MutatingAdmissionWebhook', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionWebhook', 'ResourceQuota',
      ].sort(),
    );
    expect(defaultAdmissionPlugins()).toEqual(defaultAdmissionPlugins(35));
    expect(defaultAdmissionPlugins(32)).not.toContain('PodTopologyLabels');
    expect(defaultAdmissionPlugins(22)).not.toContain('PodSecurity');
    for (const off of ['NodeRestriction', 'AlwaysPullImages', 'EventRateLimit', 'DenyServiceExternalIPs', 'ImagePolicyWebhook', 'AlwaysAdmit']) {
      expect(defaultAdmissionPlugins(35)).not.toContain(off);
    }
  });

  it('knows RotateKubeletServerCertificate is on by default', () => {
    expect(featureGateDefault('RotateKubeletServerCertificate', 32)).toBe(true);
    expect(featureGateDefault('RotateKubeletServerCertificate')).toBe(true);
  });

  it('judges absent flags by those defaults, with the default in the evidence', () => {
    const snap = snapshot([api('cp-1', '--authorization-mode=Node,RBAC')]);
    expect(only('CIS-1.2.1', snap)).toMatchObject({ status: 'fail', evidence: { path: 'spec.containers[kube-apiserver].command', observed: '<unset> (default: true)', expected: '--anonymous-auth=false' } });
    expect(only('CIS-1.2.15', snap).status).toBe('fail');
    expect(only('CIS-1.2.21', snap)).toMatchObject({ status: 'pass', evidence: { observed: '<unset> (default: true)' } });
    expect(only('CIS-1.2.30', snap).status).toBe('fail');
    expect(only('CIS-1.2.12', snap)).toMatchObject({ status: 'pass', evidence: { observed: '<unset> (ServiceAccount is on by default)' } });
    expect(only('CIS-1.2.14', snap)).toMatchObject({ status: 'fail', evidence: { observed: '<unset> (NodeRestriction is off by default)' } });
    expect(only('CIS-1.2.6', snapshot([api('cp-1')]))).toMatchObject({ status: 'fail', evidence: { observed: '<unset> (default: AlwaysAllow)' } });
    expect(only('CIS-1.3.3', snapshot([kcm('cp-1')])).status).toBe('fail');
    expect(only('CIS-1.3.1', snapshot([kcm('cp-1')])).status).toBe('fail');
    expect(only('CIS-1.3.6', snapshot([kcm('cp-1')])).status).toBe('pass');
    expect(only('CIS-2.2', snapshot([etcd('cp-1', [])])).status).toBe('fail');
    expect(only('CIS-2.3', snapshot([etcd('cp-1', [])])).status).toBe('pass');
  });
});

describe('every replica is judged (HA), the worst wins', () => {
  const ha = snapshot([api('cp-1', '--anonymous-auth=false'), api('cp-2', '--anonymous-auth=false'), api('cp-3')]);

  it('gives one verdict per replica, naming its mirror pod and container', () => {
    expect(run('CIS-1.2.1', ha).map((f) => [f.resource, f.status])).toEqual([
      [{ kind: 'Pod', namespace: 'kube-system', name: 'kube-apiserver-cp-1', container: 'kube-apiserver' }, 'pass'],
      [{ kind: 'Pod', namespace: 'kube-system', name: 'kube-apiserver-cp-2', container: 'kube-apiserver' }, 'pass'],
      [{ kind: 'Pod', namespace: 'kube-system', name: 'kube-apiserver-cp-3', container: 'kube-apiserver' }, 'fail'],
    ]);
    expect(worstStatus(statuses('CIS-1.2.1', ha))).toBe('fail');
  });

  it('shows the flag as written', () => {
    expect(run('CIS-1.2.1', ha)[0]?.evidence).toEqual({ path: 'spec.containers[kube-apiserver].command', observed: '--anonymous-auth=false', expected: '--anonymous-auth=false' });
  });

  it('counts an unknown replica too', () => {
    const snap = snapshot([api('cp-1', '--authorization-mode=Node,RBAC'), api('cp-2', '--authorization-config=/etc/kubernetes/authz.yaml')]);
    expect(statuses('CIS-1.2.8', snap)).toEqual(['pass', 'unknown']);
    expect(worstStatus(statuses('CIS-1.2.8', snap))).toBe('unknown');
  });

  it('treats several etcd mirror pods as a multi-member cluster, whatever the first one bootstrapped with', () => {
    const members = snapshot([
      etcd('cp-1', ['--initial-cluster=cp-1=https://10.0.0.11:2380', '--peer-client-cert-auth=true']),
      etcd('cp-2', ['--initial-cluster=cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380']),
    ]);
    expect(statuses('CIS-2.5', members)).toEqual(['pass', 'fail']);
  });
});

describe('trap rules', () => {
  it('1.2.6-1.2.8: --authorization-config makes the chain unknown', () => {
    const snap = snapshot([api('cp-1', '--authorization-config=/etc/kubernetes/authz.yaml')]);
    for (const id of ['CIS-1.2.6', 'CIS-1.2.7', 'CIS-1.2.8']) {
      expect(only(id, snap)).toMatchObject({ status: 'unknown', evidence: { observed: '--authorization-config=/etc/kubernetes/authz.yaml' }, message: expect.stringContaining('--authorization-config') });
    }
  });

  it('1.2.6-1.2.8: an absent --authorization-mode is AlwaysAllow', () => {
    expect(['CIS-1.2.6', 'CIS-1.2.7', 'CIS-1.2.8'].map((id) => only(id, snapshot([api('cp-1')])).status)).toEqual(['fail', 'fail', 'fail']);
    expect(only('CIS-1.2.6', snapshot([api('cp-1', '--authorization-mode=RBAC,AlwaysAllow')])).status).toBe('fail');
  });

  it('1.2.1: --authentication-config with --anonymous-auth absent is unknown; an explicit flag is still judged', () => {
    expect(only('CIS-1.2.1', snapshot([api('cp-1', '--authentication-config=/etc/kubernetes/authn.yaml')])).status).toBe('unknown');
    expect(only('CIS-1.2.1', snapshot([api('cp-1', '--authentication-config=/etc/kubernetes/authn.yaml', '--anonymous-auth=false')])).status).toBe('pass');
    expect(only('CIS-1.2.1', snapshot([api('cp-1', '--authentication-config=/etc/kubernetes/authn.yaml', '--anonymous-auth=true')])).status).toBe('fail');
  });

  it('1.4.1: with --config the scheduler ignores --profiling: unknown', () => {
    expect(only('CIS-1.4.1', snapshot([scheduler('cp-1', '--config=/etc/kubernetes/sched.yaml')])).status).toBe('unknown');
    expect(only('CIS-1.4.1', snapshot([scheduler('cp-1', '--config=/etc/kubernetes/sched.yaml', '--profiling=false')])).status).toBe('unknown');
    expect(only('CIS-1.4.1', snapshot([scheduler('cp-1', '--profiling=false')])).status).toBe('pass');
  });

  it('1.2.3/1.2.12/1.2.13: the deprecated --admission-control replaces the default list', () => {
    const legacy = snapshot([api('cp-1', '--admission-control=NamespaceLifecycle,NodeRestriction')]);
    expect(only('CIS-1.2.12', legacy)).toMatchObject({ status: 'fail', evidence: { observed: '--admission-control=NamespaceLifecycle,NodeRestriction' } });
    expect(only('CIS-1.2.13', legacy).status).toBe('pass');
    expect(only('CIS-1.2.14', legacy).status).toBe('pass');
    const both = snapshot([api('cp-1', '--admission-control=ServiceAccount', '--enable-admission-plugins=NodeRestriction')]);
    expect(only('CIS-1.2.12', both)).toMatchObject({ status: 'unknown', message: expect.stringContaining('refuses to start') });
  });

  it('1.2.12: --disable-admission-plugins turns a default-on plugin off', () => {
    expect(only('CIS-1.2.12', snapshot([api('cp-1', '--disable-admission-plugins=ServiceAccount')])).status).toBe('fail');
    expect(only('CIS-1.2.12', snapshot([api('cp-1', '--disable-admission-plugins=DefaultStorageClass')])).status).toBe('pass');
  });

  it('2.x: etcd environment variables count, the command line wins', () => {
    const byEnv = snapshot([etcd('cp-1', [], { ETCD_CLIENT_CERT_AUTH: 'true' })]);
    expect(only('CIS-2.2', byEnv)).toMatchObject({ status: 'pass', evidence: { path: 'spec.containers[etcd].env[ETCD_CLIENT_CERT_AUTH]', observed: 'ETCD_CLIENT_CERT_AUTH=true' } });
    const flagWins = snapshot([etcd('cp-1', ['--client-cert-auth=false'], { ETCD_CLIENT_CERT_AUTH: 'true' })]);
    expect(only('CIS-2.2', flagWins)).toMatchObject({ status: 'fail', message: expect.stringContaining('ETCD_CLIENT_CERT_AUTH is ignored') });
  });

  it('2.x: etcd with --config-file is unknown for every flag', () => {
    const snap = snapshot([etcd('cp-1', ['--config-file=/etc/etcd/etcd.yaml', '--client-cert-auth=true'])]);
    for (const id of ['CIS-2.1', 'CIS-2.2', 'CIS-2.3', 'CIS-2.6']) expect(only(id, snap)).toMatchObject({ status: 'unknown', message: expect.stringContaining('--config-file') });
  });

  it('1.3.7/1.4.2: an absent --bind-address is 0.0.0.0 and fails; loopback or no serving passes', () => {
    expect(only('CIS-1.3.7', snapshot([kcm('cp-1')]))).toMatchObject({ status: 'fail', evidence: { observed: '<unset> (default: 0.0.0.0)' } });
    expect(only('CIS-1.4.2', snapshot([scheduler('cp-1')])).status).toBe('fail');
    expect(only('CIS-1.4.2', snapshot([scheduler('cp-1', '--bind-address=127.0.0.1')])).status).toBe('pass');
    expect(only('CIS-1.3.7', snapshot([kcm('cp-1', '--bind-address=10.0.0.11')])).status).toBe('fail');
    expect(only('CIS-1.3.7', snapshot([kcm('cp-1', '--secure-port=0')])).status).toBe('pass');
  });

  it('2.4/2.5: a single-member etcd is not applicable', () => {
    const single = snapshot([etcd('cp-1', ['--initial-cluster=cp-1=https://10.0.0.11:2380'])]);
    expect(only('CIS-2.4', single)).toMatchObject({ status: 'not-applicable', resource: { kind: 'Pod', name: 'etcd-cp-1' }, message: expect.stringContaining('single-member etcd') });
    expect(only('CIS-2.5', snapshot([etcd('cp-1', [])])).status).toBe('not-applicable');
    const declared = snapshot([etcd('cp-1', ['--initial-cluster=a=https://10.0.0.11:2380,b=https://10.0.0.12:2380,c=https://10.0.0.13:2380'])]);
    expect(only('CIS-2.5', declared).status).toBe('fail');
  });

  it('2.7: fails on the same CA path, asks a person when the paths differ', () => {
    const apiCa = api('cp-1', '--client-ca-file=/etc/kubernetes/pki/ca.crt');
    expect(only('CIS-2.7', snapshot([apiCa, etcd('cp-1', ['--trusted-ca-file=/etc/kubernetes/pki//ca.crt'])])).status).toBe('fail');
    const differ = only('CIS-2.7', snapshot([apiCa, etcd('cp-1', ['--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt'])]));
    expect(differ).toMatchObject({
      status: 'manual',
      evidence: { observed: '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt; kube-apiserver-cp-1: --client-ca-file=/etc/kubernetes/pki/ca.crt' },
    });
    expect(only('CIS-2.7', snapshot([etcd('cp-1', ['--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt'])])).status).toBe('manual');
  });

  it('never passes a value the binary would refuse', () => {
    expect(only('CIS-1.2.15', snapshot([api('cp-1', '--profiling=off')])).status).toBe('unknown');
    expect(only('CIS-1.2.17', snapshot([api('cp-1', '--audit-log-maxage=30d')])).status).toBe('unknown');
    expect(only('CIS-1.2.17', snapshot([api('cp-1', '--audit-log-maxage=030')])).status).toBe('fail');
  });
});

describe('when no mirror pod shows the component', () => {
  it.each(['eks', 'gke', 'aks', 'openshift'] as Provider[])('%s: not applicable, the provider has its own benchmark', (provider) => {
    expect(run('CIS-1.2.1', snapshot([], { provider }))).toEqual([
      expect.objectContaining({ status: 'not-applicable', resource: { kind: 'Cluster', name: 'c1' }, message: `control plane is managed by ${provider}; use the provider's own benchmark` }),
    ]);
  });

  it.each(['k3s', 'rke2', 'kubeadm', 'kind', 'unknown'] as Provider[])('%s: unknown, never a pass or a fail', (provider) => {
    for (const id of IDS.filter((i) => !['CIS-1.2.28', 'CIS-3.1.1', 'CIS-3.1.2', 'CIS-3.2.2'].includes(i))) {
      const findings = run(id, snapshot([], { provider }));
      expect([id, findings.map((f) => f.status)]).toEqual([id, ['unknown']]);
      expect(findings[0]?.message).toMatch(/not visible through the API/);
    }
  });

  it('external etcd: the API server is judged, etcd is unknown', () => {
    const snap = snapshot([api('cp-1', '--anonymous-auth=false')]);
    expect(only('CIS-1.2.1', snap).status).toBe('pass');
    expect(only('CIS-2.2', snap)).toMatchObject({ status: 'unknown', message: expect.stringContaining('no etcd mirror pod') });
  });

  it('pods not listed: only the gap speaks (unknown), once', () => {
    const gaps = [{ evidence: 'controlPlane', reason: 'error' as const, message: 'pods could not be listed, so control-plane mirror pods are unknown' }];
    expect(run('CIS-1.2.5', snapshot([], { gaps }))).toEqual([expect.objectContaining({ status: 'unknown', message: expect.stringContaining('pods could not be listed') })]);
  });

  it('offline app manifests: not applicable, not unknown', () => {
    expect(run('CIS-1.2.5', snapshot([], { provider: 'unknown', source: 'manifests' }))).toEqual([expect.objectContaining({ status: 'not-applicable', message: 'no control-plane manifest in the evaluated files' })]);
    expect(run('CIS-2.2', snapshot([api('cp-1')], { provider: 'unknown', source: 'manifests' }))).toEqual([expect.objectContaining({ status: 'not-applicable', message: 'no etcd manifest in the evaluated files' })]);
  });
});

describe('evidence paths', () => {
  it('says args when the pod keeps its flags in args', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver-cp-1', namespace: 'kube-system' },
      spec: { containers: [{ name: 'kube-apiserver', command: ['kube-apiserver'], args: ['--anonymous-auth=true'] }] },
    };
    const snap = snapshot([api('cp-1', '--anonymous-auth=true')], { objects: { pods: [pod] } });
    expect(only('CIS-1.2.1', snap).evidence?.path).toBe('spec.containers[kube-apiserver].args');
    expect(only('CIS-1.2.5', snap).evidence?.path).toBe('spec.containers[kube-apiserver].args');
  });

  it('shows every occurrence of a repeated scalar and which one counts', () => {
    expect(only('CIS-1.2.17', snapshot([api('cp-1', '--audit-log-maxage=90', '--audit-log-maxage=7')])).evidence?.observed).toBe('--audit-log-maxage=90 --audit-log-maxage=7 (the last one wins)');
  });
});

describe('demo fleet', () => {
  const EXPECTED_PROD_EU: Record<string, Status> = {
    'CIS-1.2.1': 'fail', // kubeadm leaves --anonymous-auth at its default, true
    'CIS-1.2.2': 'pass',
    'CIS-1.2.3': 'fail', // DenyServiceExternalIPs is off by default
    'CIS-1.2.4': 'pass',
    'CIS-1.2.5': 'fail', // kubeadm does not set --kubelet-certificate-authority
    'CIS-1.2.6': 'pass',
    'CIS-1.2.7': 'pass',
    'CIS-1.2.8': 'pass',
    'CIS-1.2.9': 'fail',
    'CIS-1.2.10': 'pass',
    'CIS-1.2.11': 'pass',
    'CIS-1.2.12': 'pass',
    'CIS-1.2.13': 'pass',
    'CIS-1.2.14': 'pass',
    'CIS-1.2.15': 'pass',
    'CIS-1.2.16': 'pass',
    'CIS-1.2.17': 'pass',
    'CIS-1.2.18': 'pass',
    'CIS-1.2.19': 'pass',
    'CIS-1.2.20': 'pass',
    'CIS-1.2.21': 'pass',
    'CIS-1.2.22': 'pass',
    'CIS-1.2.23': 'pass',
    'CIS-1.2.24': 'pass',
    'CIS-1.2.25': 'pass',
    'CIS-1.2.26': 'pass',
    'CIS-1.2.27': 'fail',
    'CIS-1.2.28': 'manual',
    'CIS-1.2.29': 'fail',
    'CIS-1.2.30': 'fail',
    'CIS-1.3.1': 'pass',
    'CIS-1.3.2': 'pass',
    'CIS-1.3.3': 'pass',
    'CIS-1.3.4': 'pass',
    'CIS-1.3.5': 'pass',
    'CIS-1.3.6': 'pass',
    'CIS-1.3.7': 'pass',
    'CIS-1.4.1': 'pass',
    'CIS-1.4.2': 'pass',
    'CIS-2.1': 'pass',
    'CIS-2.2': 'pass',
    'CIS-2.3': 'pass',
    'CIS-2.4': 'not-applicable', // one etcd member
    'CIS-2.5': 'not-applicable',
    'CIS-2.6': 'pass',
    'CIS-2.7': 'manual', // etcd/ca.crt vs ca.crt: paths differ, contents are for a person to compare
    'CIS-3.1.1': 'manual',
    'CIS-3.1.2': 'manual',
    'CIS-3.1.3': 'manual', // kubeadm turns bootstrap-token auth on; one bootstrap-token Secret
    'CIS-3.2.1': 'manual',
    'CIS-3.2.2': 'manual',
  };

  it('prod-eu (kubeadm): passes what kubeadm and its operators set, fails what kubeadm leaves at the default', async () => {
    const { snapshot: snap } = await loadManifests(['config/demo-fleet/prod-eu/kube-system.yaml'], { collectedAt: NOW });
    expect(snap.controlPlane.map((c) => c.pod).sort()).toEqual(['etcd-prod-eu-cp-1', 'kube-apiserver-prod-eu-cp-1', 'kube-controller-manager-prod-eu-cp-1', 'kube-scheduler-prod-eu-cp-1']);
    const findings = evaluate({ ...snap, provider: 'kubeadm', source: 'cluster' }, CONTROL_PLANE_CONTROLS, NOW);
    const byControl = Object.fromEntries(CONTROL_PLANE_CONTROLS.map((c) => [c.id, worstStatus(findings.filter((f) => f.controlId === c.id).map((f) => f.status))]));
    expect(byControl).toEqual(EXPECTED_PROD_EU);
  });

  it('dev-k3s: every flag control is unknown; analytics-eks: not applicable', async () => {
    const { snapshot: k3s } = await loadManifests(['config/demo-fleet/dev-k3s/kube-system.yaml'], { collectedAt: NOW });
    expect(k3s.controlPlane).toEqual([]);
    const flagControls = CONTROL_PLANE_CONTROLS.filter((c) => c.needs.includes('controlPlane') && !['CIS-3.1.1'].includes(c.id));
    for (const f of evaluate({ ...k3s, provider: 'k3s', source: 'cluster' }, flagControls, NOW)) expect([f.controlId, f.status]).toEqual([f.controlId, 'unknown']);
    const { snapshot: eks } = await loadManifests(['config/demo-fleet/analytics-eks/kube-system.yaml'], { collectedAt: NOW });
    for (const f of evaluate({ ...eks, provider: 'eks', source: 'cluster' }, flagControls, NOW)) expect([f.controlId, f.status]).toEqual([f.controlId, 'not-applicable']);
  });
});

describe('offline static pod manifests', () => {
  it('reads /etc/kubernetes/manifests/kube-apiserver.yaml (no mirror annotation) like its mirror pod', async () => {
    const file = 'test/fixtures/controls/CIS-1.2.5/fail-kubeadm-static-pod.yaml';
    const { snapshot: snap } = await loadManifests([file], { collectedAt: NOW });
    expect(snap.controlPlane).toEqual([expect.objectContaining({ component: 'kube-apiserver', namespace: 'kube-system', pod: 'kube-apiserver' })]);
    expect(only('CIS-1.2.5', snap)).toMatchObject({ status: 'fail', resource: { kind: 'Pod', namespace: 'kube-system', name: 'kube-apiserver', container: 'kube-apiserver' } });
    expect(only('CIS-1.2.8', snap).status).toBe('pass');
    expect(only('CIS-1.2.14', snap).status).toBe('pass');
  });

  it('recognises a manifest by its command or its labels, not any kube-system pod', async () => {
    const { snapshot: byCommand } = await loadManifests(['test/fixtures/controls/CIS-2.1/pass-command-detected-static-pod.yaml'], { collectedAt: NOW });
    expect(byCommand.controlPlane.map((c) => c.component)).toEqual(['etcd']);
    const { snapshot: byLabels } = await loadManifests(['test/fixtures/controls/CIS-1.3.7/pass-args-static-pod.yaml'], { collectedAt: NOW });
    expect(byLabels.controlPlane.map((c) => [c.component, c.namespace])).toEqual([['kube-controller-manager', 'control-plane']]);
    expect(only('CIS-1.3.7', byLabels).evidence?.path).toBe('spec.containers[kube-controller-manager].args');
    const { snapshot: app } = await loadManifests(['config/demo-fleet/dev-k3s/kube-system.yaml'], { collectedAt: NOW });
    expect(app.controlPlane).toEqual([]);
  });
});

describe('an on/off flag the component would refuse', () => {
  it('says the value is neither true nor false, in words, and unknown rather than a pass', () => {
    const f = only('CIS-1.2.15', snapshot([api('cp-1', '--profiling=maybe')]));
    expect(f.status).toBe('unknown');
    expect(f.message).toContain('--profiling="maybe" is neither true nor false');
    expect(f.message).not.toContain('Go boolean');
  });

  it('does not show a redacted value as if it were the setting, and says why it is hidden', () => {
    const f = only('CIS-3.1.3', snapshot([api('cp-1', '--enable-bootstrap-token-auth=<redacted:3 chars>')]));
    expect(f.status).toBe('unknown');
    expect(f.message).toContain('--enable-bootstrap-token-auth holds something other than true or false (not shown: its name looks like a secret\'s, so the value was redacted when read)');
    expect(f.message).not.toContain('"<redacted');
  });
});
