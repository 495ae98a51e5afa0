import type { ControlPlaneComponent, Finding, Snapshot, Status } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { evaluate } from '../../src/evaluate/evaluate.js';

/**
 * CIS sections 1.2-1.4, 2 and 4.2 on the edge cases where scanners part ways: a flag absent,
 * given as false, given twice, a list with and without the wanted element, a bare boolean.
 * Each case names what the binary does and, where complyd concludes otherwise than
 * kube-bench (cfg/cis-1.12), why (ADR 0028).
 */

const NOW = new Date('2026-11-01T00:00:00Z');

function component(name: string, argv: string[], env: Record<string, string> = {}): ControlPlaneComponent {
  return { component: name, namespace: 'kube-system', pod: `${name}-cp1`, node: 'cp1', containers: [{ name, argv: [name, ...argv], env }] };
}

function snapshot(over: Partial<Snapshot>): Snapshot {
  return {
    cluster: 'c1',
    labels: {},
    collectedAt: NOW.toISOString(),
    serverVersion: { major: '1', minor: '33', gitVersion: 'v1.33.2' },
    provider: 'kubeadm',
    objects: {},
    controlPlane: [],
    kubelets: [],
    gaps: [],
    source: 'cluster',
    ...over,
  };
}

function findings(id: string, snap: Snapshot): Finding[] {
  const control = CONTROLS.find((c) => c.id === id);
  if (!control) throw new Error(`no control ${id}`);
  return evaluate(snap, [control], NOW);
}

function statusOf(id: string, snap: Snapshot): Status {
  const all = findings(id, snap);
  const [first, ...rest] = all;
  if (!first || rest.length > 0) throw new Error(`expected one finding for ${id}, got ${all.length}`);
  return first.status;
}

/** The status of control `id` for one replica of `name` started with `argv` (and `env`). */
function flags(id: string, name: string, argv: string[], env: Record<string, string> = {}): Status {
  return statusOf(id, snapshot({ controlPlane: [component(name, argv, env)] }));
}
const api = (id: string, ...argv: string[]) => flags(id, 'kube-apiserver', argv);
const kcm = (id: string, ...argv: string[]) => flags(id, 'kube-controller-manager', argv);
const sched = (id: string, ...argv: string[]) => flags(id, 'kube-scheduler', argv);
const etcd = (id: string, argv: string[], env: Record<string, string> = {}) => flags(id, 'etcd', argv, env);

describe('booleans: absent is the compiled default, a bare flag is true, the last occurrence wins', () => {
  it.each([
    ['CIS-1.2.1', 'anonymous-auth', 'fail', 'pass'],
    ['CIS-1.2.15', 'profiling', 'fail', 'pass'],
    ['CIS-1.2.30', 'service-account-extend-token-expiration', 'fail', 'pass'],
  ] as const)('%s --%s (want false)', (id, flag, absent, off) => {
    expect(api(id)).toBe(absent);
    expect(api(id, `--${flag}=false`)).toBe(off);
    expect(api(id, `--${flag}=0`)).toBe('pass');
    expect(api(id, `--${flag}=False`)).toBe('pass');
    expect(api(id, `--${flag}`)).toBe('fail');
    expect(api(id, `--${flag}=false`, `--${flag}=true`)).toBe('fail');
    expect(api(id, `--${flag}=true`, `--${flag}=false`)).toBe('pass');
    // A boolean takes its value only after `=`: with `--flag false` the API server exits
    // ("false" is a stray argument), so nothing is judged.
    expect(api(id, `--${flag}`, 'false')).toBe('unknown');
    expect(api(id, `--${flag}=no`)).toBe('unknown');
  });

  it('a stray word after a boolean never passes: the binary refuses to start', () => {
    expect(api('CIS-1.2.21', '--service-account-lookup', 'false')).toBe('unknown');
    expect(kcm('CIS-1.3.3', '--use-service-account-credentials', 'false')).toBe('unknown');
    expect(kcm('CIS-1.3.4', '--use-service-account-credentials', 'true', '--service-account-private-key-file=/etc/kubernetes/pki/sa.key')).toBe('unknown');
    expect(etcd('CIS-2.2', ['--client-cert-auth', 'true'])).toBe('unknown');
    const [finding] = findings('CIS-1.2.21', snapshot({ controlPlane: [component('kube-apiserver', ['--service-account-lookup', 'false'])] }));
    expect(finding?.message).toContain('"false" is neither a flag nor a flag\'s value');
  });

  it('CIS-1.2.21 --service-account-lookup: absent passes (default true), only false fails', () => {
    expect(api('CIS-1.2.21')).toBe('pass');
    expect(api('CIS-1.2.21', '--service-account-lookup')).toBe('pass');
    expect(api('CIS-1.2.21', '--service-account-lookup=false')).toBe('fail');
    expect(api('CIS-1.2.21', '--service-account-lookup=false', '--service-account-lookup=true')).toBe('pass');
  });

  it('CIS-1.3.2 and CIS-1.4.1: controller manager and scheduler profile by default', () => {
    expect(kcm('CIS-1.3.2')).toBe('fail');
    expect(kcm('CIS-1.3.2', '--profiling=false')).toBe('pass');
    expect(kcm('CIS-1.3.2', '--profiling=false', '--profiling')).toBe('fail');
    expect(sched('CIS-1.4.1')).toBe('fail');
    expect(sched('CIS-1.4.1', '--profiling=false')).toBe('pass');
    expect(sched('CIS-1.4.1', '--profiling=false', '--config=/etc/kubernetes/scheduler.yaml')).toBe('unknown');
  });

  it('CIS-1.3.3 --use-service-account-credentials: absent is false; a bare flag is true', () => {
    expect(kcm('CIS-1.3.3')).toBe('fail');
    expect(kcm('CIS-1.3.3', '--use-service-account-credentials')).toBe('pass');
    expect(kcm('CIS-1.3.3', '--use-service-account-credentials=true')).toBe('pass');
    expect(kcm('CIS-1.3.3', '--use-service-account-credentials=false')).toBe('fail');
    expect(kcm('CIS-1.3.3', '--use-service-account-credentials=true', '--use-service-account-credentials=false')).toBe('fail');
  });

  it('CIS-2.2, 2.3, 2.5, 2.6: etcd booleans from flags (one or two dashes) and ETCD_* variables', () => {
    expect(etcd('CIS-2.2', [])).toBe('fail');
    expect(etcd('CIS-2.2', ['--client-cert-auth'])).toBe('pass');
    expect(etcd('CIS-2.2', ['-client-cert-auth=true'])).toBe('pass');
    expect(etcd('CIS-2.2', ['--client-cert-auth=false'])).toBe('fail');
    expect(etcd('CIS-2.2', [], { ETCD_CLIENT_CERT_AUTH: 'true' })).toBe('pass');
    expect(etcd('CIS-2.2', ['--client-cert-auth=false'], { ETCD_CLIENT_CERT_AUTH: 'true' })).toBe('fail');
    expect(etcd('CIS-2.3', [])).toBe('pass');
    expect(etcd('CIS-2.3', ['--auto-tls'])).toBe('fail');
    expect(etcd('CIS-2.3', ['--auto-tls=false'])).toBe('pass');
    expect(etcd('CIS-2.3', [], { ETCD_AUTO_TLS: 'true' })).toBe('fail');
    const members = '--initial-cluster=a=https://10.0.0.1:2380,b=https://10.0.0.2:2380,c=https://10.0.0.3:2380';
    expect(etcd('CIS-2.5', [members])).toBe('fail');
    expect(etcd('CIS-2.5', [members, '--peer-client-cert-auth=true'])).toBe('pass');
    expect(etcd('CIS-2.6', [members])).toBe('pass');
    expect(etcd('CIS-2.6', [members, '--peer-auto-tls=true'])).toBe('fail');
  });
});

describe('lists: repeated flags accumulate, the element decides', () => {
  it('CIS-1.2.6-1.2.8 --authorization-mode', () => {
    expect(api('CIS-1.2.7', '--authorization-mode=Node,RBAC')).toBe('pass');
    expect(api('CIS-1.2.8', '--authorization-mode=Node', '--authorization-mode=RBAC')).toBe('pass');
    expect(api('CIS-1.2.7', '--authorization-mode=Node', '--authorization-mode=RBAC')).toBe('pass');
    expect(api('CIS-1.2.8', '--authorization-mode=Node,Webhook', '--authorization-webhook-config-file=/etc/kubernetes/authz-webhook.yaml')).toBe('fail');
    expect(api('CIS-1.2.6', '--authorization-mode=Node,RBAC')).toBe('pass');
    expect(api('CIS-1.2.6', '--authorization-mode=RBAC,AlwaysAllow')).toBe('fail');
    expect(api('CIS-1.2.6', '--authorization-mode=Node,RBAC', '--authorization-mode=AlwaysAllow')).toBe('fail');
    expect(api('CIS-1.2.6')).toBe('fail');
    expect(api('CIS-1.2.7')).toBe('fail');
  });

  it.each([
    ['empty', ['--authorization-mode=']],
    ['a mode the API server does not know (names are case-sensitive)', ['--authorization-mode=Node,rbac']],
    ['a mode named twice across repeated flags', ['--authorization-mode=Node,RBAC', '--authorization-mode=RBAC']],
    ['Webhook without its configuration file', ['--authorization-mode=Node,Webhook,RBAC']],
    ['ABAC without its policy file', ['--authorization-mode=ABAC,Node,RBAC']],
  ])('CIS-1.2.6-1.2.8: an --authorization-mode the API server refuses (%s) is unknown, never a pass', (_case, argv) => {
    for (const id of ['CIS-1.2.6', 'CIS-1.2.7', 'CIS-1.2.8']) expect([id, api(id, ...argv)]).toEqual([id, 'unknown']);
  });

  it('CIS-1.2.6-1.2.8: Webhook and ABAC with their files are judged', () => {
    expect(api('CIS-1.2.8', '--authorization-mode=Node,Webhook,RBAC', '--authorization-webhook-config-file=/etc/kubernetes/authz-webhook.yaml')).toBe('pass');
    expect(api('CIS-1.2.6', '--authorization-mode=ABAC,Node,RBAC', '--authorization-policy-file=/etc/kubernetes/abac.jsonl')).toBe('pass');
  });

  it('admission plugins: default-on, enable, disable, repeated flags', () => {
    expect(api('CIS-1.2.14')).toBe('fail');
    expect(api('CIS-1.2.14', '--enable-admission-plugins=NodeRestriction')).toBe('pass');
    expect(api('CIS-1.2.14', '--enable-admission-plugins=AlwaysPullImages')).toBe('fail');
    expect(api('CIS-1.2.14', '--enable-admission-plugins=AlwaysPullImages', '--enable-admission-plugins=NodeRestriction')).toBe('pass');
    expect(api('CIS-1.2.11', '--enable-admission-plugins=NodeRestriction', '--enable-admission-plugins=AlwaysPullImages')).toBe('pass');
    expect(api('CIS-1.2.3', '--enable-admission-plugins=NodeRestriction,DenyServiceExternalIPs')).toBe('pass');
    expect(api('CIS-1.2.3', '--enable-admission-plugins=NodeRestriction')).toBe('fail');
    expect(api('CIS-1.2.10')).toBe('pass');
    expect(api('CIS-1.2.10', '--enable-admission-plugins=NodeRestriction,AlwaysAdmit')).toBe('fail');
    expect(api('CIS-1.2.12')).toBe('pass');
    expect(api('CIS-1.2.12', '--disable-admission-plugins=DefaultStorageClass')).toBe('pass');
    expect(api('CIS-1.2.12', '--disable-admission-plugins=DefaultStorageClass', '--disable-admission-plugins=ServiceAccount')).toBe('fail');
    expect(api('CIS-1.2.13', '--disable-admission-plugins=NamespaceLifecycle')).toBe('fail');
    expect(api('CIS-1.2.13', '--enable-admission-plugins=NodeRestriction')).toBe('pass');
    // The deprecated flag replaces the default list (kube-bench reads only --disable-admission-plugins here).
    expect(api('CIS-1.2.12', '--admission-control=NamespaceLifecycle,NodeRestriction')).toBe('fail');
    expect(api('CIS-1.2.14', '--admission-control=NamespaceLifecycle,NodeRestriction')).toBe('pass');
    // The API server refuses these combinations.
    expect(api('CIS-1.2.14', '--enable-admission-plugins=NodeRestriction', '--disable-admission-plugins=NodeRestriction')).toBe('unknown');
    expect(api('CIS-1.2.14', '--admission-control=NodeRestriction', '--enable-admission-plugins=NodeRestriction')).toBe('unknown');
  });

  it('CIS-1.2.9: EventRateLimit needs the plugin and an admission configuration file', () => {
    expect(api('CIS-1.2.9')).toBe('fail');
    expect(api('CIS-1.2.9', '--enable-admission-plugins=EventRateLimit')).toBe('fail');
    expect(api('CIS-1.2.9', '--enable-admission-plugins=EventRateLimit', '--admission-control-config-file=/etc/kubernetes/admission.yaml')).toBe('pass');
  });

  it('CIS-1.2.29 --tls-cipher-suites: every suite strong, across repeated flags; absent fails', () => {
    expect(api('CIS-1.2.29')).toBe('fail');
    expect(api('CIS-1.2.29', '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256')).toBe('pass');
    expect(api('CIS-1.2.29', '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_GCM_SHA256')).toBe('fail');
    expect(api('CIS-1.2.29', '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA')).toBe('fail');
    expect(api('CIS-1.2.29', '--tls-cipher-suites=')).toBe('fail');
  });

  it('CIS-1.3.6 --feature-gates: only RotateKubeletServerCertificate=false fails; the last entry wins', () => {
    expect(kcm('CIS-1.3.6')).toBe('pass');
    expect(kcm('CIS-1.3.6', '--feature-gates=SomeGate=true')).toBe('pass');
    expect(kcm('CIS-1.3.6', '--feature-gates=RotateKubeletServerCertificate=false')).toBe('fail');
    expect(kcm('CIS-1.3.6', '--feature-gates=RotateKubeletServerCertificate=false,RotateKubeletServerCertificate=true')).toBe('pass');
    expect(kcm('CIS-1.3.6', '--feature-gates=RotateKubeletServerCertificate=true', '--feature-gates=RotateKubeletServerCertificate=false')).toBe('fail');
  });
});

describe('scalars: the last occurrence counts (kube-bench reads the first)', () => {
  it('CIS-1.2.17-1.2.19 audit log retention', () => {
    expect(api('CIS-1.2.17')).toBe('fail');
    expect(api('CIS-1.2.17', '--audit-log-maxage=30')).toBe('pass');
    expect(api('CIS-1.2.17', '--audit-log-maxage=30', '--audit-log-maxage=7')).toBe('fail');
    expect(api('CIS-1.2.17', '--audit-log-maxage=7', '--audit-log-maxage=30')).toBe('pass');
    expect(api('CIS-1.2.18', '--audit-log-maxbackup', '10')).toBe('pass');
    expect(api('CIS-1.2.19', '--audit-log-maxsize=99')).toBe('fail');
    expect(api('CIS-1.2.19', '--audit-log-maxsize=lots')).toBe('unknown');
  });

  it('CIS-1.2.16 and 1.2.2: set vs unset', () => {
    expect(api('CIS-1.2.16')).toBe('fail');
    expect(api('CIS-1.2.16', '--audit-log-path=')).toBe('fail');
    expect(api('CIS-1.2.16', '--audit-log-path=-')).toBe('pass');
    expect(api('CIS-1.2.2')).toBe('pass');
    expect(api('CIS-1.2.2', '--token-auth-file=/etc/kubernetes/tokens.csv')).toBe('fail');
  });

  it('CIS-1.3.7 and 1.4.2 --bind-address: absent is 0.0.0.0; loopback passes; the last occurrence counts', () => {
    expect(kcm('CIS-1.3.7')).toBe('fail');
    expect(kcm('CIS-1.3.7', '--bind-address=127.0.0.1')).toBe('pass');
    expect(kcm('CIS-1.3.7', '--bind-address=127.0.0.1', '--bind-address=0.0.0.0')).toBe('fail');
    expect(sched('CIS-1.4.2', '--bind-address=0.0.0.0', '--bind-address=127.0.0.1')).toBe('pass');
    expect(sched('CIS-1.4.2', '--bind-address=::1')).toBe('pass');
  });

  it('CIS-1.3.7 and 1.4.2: a --bind-address that is not an IP address is refused by the binary, so unknown', () => {
    expect(kcm('CIS-1.3.7', '--bind-address=localhost')).toBe('unknown');
    // An empty IP flag keeps the default (0.0.0.0), or is refused by older binaries: never a pass.
    expect(sched('CIS-1.4.2', '--bind-address=')).toBe('fail');
  });

  it('CIS-1.3.1 --terminated-pod-gc-threshold: the benchmark wants it set', () => {
    expect(kcm('CIS-1.3.1')).toBe('fail');
    expect(kcm('CIS-1.3.1', '--terminated-pod-gc-threshold=10')).toBe('pass');
    expect(kcm('CIS-1.3.1', '--terminated-pod-gc-threshold=0')).toBe('fail');
  });
});

describe('kubelet configz (4.2)', () => {
  const kubelet = (id: string, config: Record<string, unknown>): Status =>
    statusOf(id, snapshot({ kubelets: [{ node: 'n1', config }], objects: { nodes: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }] } }));

  it('CIS-4.2.12: the _SHA256 names of the ChaCha20 suites are the same suites as the benchmark\'s short names', () => {
    expect(kubelet('CIS-4.2.12', { tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305'] })).toBe('pass');
    expect(kubelet('CIS-4.2.12', { tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'] })).toBe('pass');
    expect(kubelet('CIS-4.2.12', { tlsCipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'] })).toBe('pass');
    expect(kubelet('CIS-4.2.12', { tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_GCM_SHA384'] })).toBe('fail');
    expect(kubelet('CIS-4.2.12', { tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'] })).toBe('fail');
    expect(kubelet('CIS-4.2.12', {})).toBe('fail');
  });

  it('CIS-4.2.10: rotateCertificates absent from configz is false, so it fails (kube-bench passes an absent key)', () => {
    expect(kubelet('CIS-4.2.10', {})).toBe('fail');
    expect(kubelet('CIS-4.2.10', { rotateCertificates: true })).toBe('pass');
  });

  it('CIS-4.2.4 and 4.2.5: zero values', () => {
    expect(kubelet('CIS-4.2.4', {})).toBe('pass');
    expect(kubelet('CIS-4.2.4', { readOnlyPort: 10255 })).toBe('fail');
    expect(kubelet('CIS-4.2.5', { streamingConnectionIdleTimeout: '0s' })).toBe('fail');
    expect(kubelet('CIS-4.2.5', { streamingConnectionIdleTimeout: '5m0s' })).toBe('pass');
    expect(kubelet('CIS-4.2.5', {})).toBe('unknown');
  });

  it('CIS-4.2.11: an absent gate is on; with the gate off serverTLSBootstrap does nothing, so it fails', () => {
    expect(kubelet('CIS-4.2.11', {})).toBe('pass');
    expect(kubelet('CIS-4.2.11', { serverTLSBootstrap: true })).toBe('pass');
    expect(kubelet('CIS-4.2.11', { featureGates: { RotateKubeletServerCertificate: false } })).toBe('fail');
    expect(kubelet('CIS-4.2.11', { featureGates: { RotateKubeletServerCertificate: false }, serverTLSBootstrap: true })).toBe('fail');
  });

  it('CIS-4.2.9: serverTLSBootstrap stands in for the pair only while the gate is on', () => {
    expect(kubelet('CIS-4.2.9', { serverTLSBootstrap: true })).toBe('pass');
    expect(kubelet('CIS-4.2.9', { serverTLSBootstrap: true, featureGates: { RotateKubeletServerCertificate: false } })).toBe('fail');
    const pair = { tlsCertFile: '/etc/kubernetes/pki/kubelet-serving.crt', tlsPrivateKeyFile: '/etc/kubernetes/pki/kubelet-serving.key' };
    expect(kubelet('CIS-4.2.9', { ...pair, serverTLSBootstrap: true, featureGates: { RotateKubeletServerCertificate: false } })).toBe('pass');
  });
});
