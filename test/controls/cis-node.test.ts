import type { Finding, Gap, KubeObject, KubeletEvidence, Snapshot, Status } from '../../src/core/types.js';
import { CONTROLS } from '../../src/controls/index.js';
import { modeOf } from '../../src/core/control.js';
import { NODE_CONTROLS } from '../../src/controls/cis/node/index.js';
import { NODE_FILE_CONTROLS } from '../../src/controls/cis/node-files/index.js';
import { goDurationMs } from '../../src/controls/cis/node/configz.js';
import { evaluate } from '../../src/evaluate/evaluate.js';

/**
 * CIS sections 1.1, 4.1 and 4.2: the registry entries, how complyd reads kubelet configz
 * (omitempty, defaulted pointer fields, feature gates, legacy vs config-file defaults) and
 * what it says when configz cannot be read. kube-proxy: cis-node-proxy.test.ts; demo fleet:
 * cis-node-fleet.test.ts.
 */

const NOW = new Date('2026-11-01T00:00:00Z');
type Config = Record<string, unknown>;

/** configz of a kubelet started with a config file and hardened (every 4.2 control passes). */
const GOOD: Config = {
  serverTLSBootstrap: true,
  rotateCertificates: true,
  authentication: { x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' }, webhook: { enabled: true }, anonymous: { enabled: false } },
  authorization: { mode: 'Webhook' },
  eventRecordQPS: 50,
  streamingConnectionIdleTimeout: '4h0m0s',
  makeIPTablesUtilChains: true,
  podPidsLimit: 4096,
  tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  seccompDefault: true,
};

/** A copy of `base` with dotted paths set, or removed when the value is undefined (omitempty). */
function patch(base: Config, changes: Record<string, unknown>): Config {
  const out = structuredClone(base);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    let cur = out;
    for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Config;
    const last = keys[keys.length - 1] ?? '';
    if (value === undefined) delete cur[last];
    else cur[last] = value;
  }
  return out;
}

function node(name: string, hostname = name, label = name): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': label } },
    status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: hostname }] },
  };
}

function snapshot(kubelets: KubeletEvidence[], over: Partial<Snapshot> = {}): Snapshot {
  return {
    cluster: 'test',
    labels: {},
    collectedAt: NOW.toISOString(),
    provider: 'kubeadm',
    objects: { nodes: kubelets.map((k) => node(k.node)) },
    controlPlane: [],
    kubelets,
    gaps: [],
    source: 'cluster',
    ...over,
  };
}

function control(id: string) {
  const c = CONTROLS.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
}

function run(id: string, snap: Snapshot): Finding[] {
  return evaluate(snap, [control(id)], NOW);
}

/** The one verdict a control gives for a single kubelet with this configz. */
function judge(id: string, config: Config): Finding {
  const [only, ...rest] = run(id, snapshot([{ node: 'n1', config }]));
  expect(rest).toEqual([]);
  if (!only) throw new Error(`${id} gave no verdict`);
  return only;
}

describe('CIS node controls: registry', () => {
  it('lists 1.1.1–1.1.21 then 4.1.1–4.1.10, and 4.2.1–4.2.14 then 4.3.1, in benchmark order', () => {
    const seq = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `CIS-${prefix}.${i + 1}`);
    expect(NODE_FILE_CONTROLS.map((c) => c.id)).toEqual([...seq('1.1', 21), ...seq('4.1', 10)]);
    expect(NODE_CONTROLS.map((c) => c.id)).toEqual([...seq('4.2', 14), 'CIS-4.3.1']);
  });

  it('makes file items manual with no evidence needed, except 4.1.3 which shows the kube-proxy volume', () => {
    for (const c of NODE_FILE_CONTROLS) {
      expect(c.frameworks).toEqual(['cis-1.12']);
      expect(c.level).toBe('L1');
      expect(c.refs.cis).toBe(c.id.slice('CIS-'.length));
      if (c.id === 'CIS-4.1.3') {
        expect(modeOf(c)).toBe('partial');
      } else {
        expect(modeOf(c)).toBe('manual');
        expect(c.needs).toEqual([]);
      }
      expect(c.manual).toMatch(/stat -c|find /);
    }
    const titles = NODE_FILE_CONTROLS.map((c) => c.title);
    expect(new Set(titles).size).toBe(titles.length);
    const manuals = NODE_FILE_CONTROLS.map((c) => c.manual);
    expect(new Set(manuals).size).toBe(manuals.length);
  });

  it('says where the API does show the path of a file', () => {
    expect(control('CIS-1.1.11').manual).toContain('--data-dir');
    expect(control('CIS-4.1.7').manual).toContain('clientCAFile');
    expect(control('CIS-1.1.1').manual).toContain('staticPodPath');
  });

  it('uses the benchmark levels and modes: 4.2.8 is L2, 4.2.7 is partial, the rest of 4.2 and 4.3.1 automated', () => {
    for (const c of NODE_CONTROLS) {
      expect(c.level).toBe(c.id === 'CIS-4.2.8' ? 'L2' : 'L1');
      expect(modeOf(c)).toBe(c.id === 'CIS-4.2.7' ? 'partial' : 'automated');
    }
  });
});

describe('kubelet configz: omitempty and zero values', () => {
  // [control, change to the good config, expected status, evidence path, observed]
  const rows: Array<[string, Record<string, unknown>, Status, string, string]> = [
    ['CIS-4.2.4', {}, 'pass', 'kubeletconfig.readOnlyPort', '<unset> (means 0: port closed)'],
    ['CIS-4.2.4', { readOnlyPort: 10255 }, 'fail', 'kubeletconfig.readOnlyPort', '10255'],
    ['CIS-4.2.10', { rotateCertificates: undefined }, 'fail', 'kubeletconfig.rotateCertificates', '<unset> (means false)'],
    ['CIS-4.2.10', {}, 'pass', 'kubeletconfig.rotateCertificates', 'true'],
    [
      'CIS-4.2.3',
      { 'authentication.x509.clientCAFile': undefined },
      'fail',
      'kubeletconfig.authentication.x509.clientCAFile',
      '<unset> (no client CA: client certificates are not checked)',
    ],
    ['CIS-4.2.3', {}, 'pass', 'kubeletconfig.authentication.x509.clientCAFile', '/etc/kubernetes/pki/ca.crt'],
    [
      'CIS-4.2.9',
      { serverTLSBootstrap: undefined },
      'fail',
      'kubeletconfig.tlsCertFile, kubeletconfig.tlsPrivateKeyFile',
      '<unset>, <unset>; serverTLSBootstrap <unset> (means false)',
    ],
    ['CIS-4.2.12', { tlsCipherSuites: undefined }, 'fail', 'kubeletconfig.tlsCipherSuites', "<unset> (Go's default list, wider than the strong suites)"],
    ['CIS-4.2.12', { tlsCipherSuites: [] }, 'fail', 'kubeletconfig.tlsCipherSuites', "<unset> (Go's default list, wider than the strong suites)"],
    [
      'CIS-4.2.12',
      { tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] },
      'fail',
      'kubeletconfig.tlsCipherSuites',
      'includes TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    ],
    ['CIS-4.2.1', {}, 'pass', 'kubeletconfig.authentication.anonymous.enabled', 'false'],
    ['CIS-4.2.1', { 'authentication.anonymous.enabled': true }, 'fail', 'kubeletconfig.authentication.anonymous.enabled', 'true'],
    ['CIS-4.2.5', { streamingConnectionIdleTimeout: '0s' }, 'fail', 'kubeletconfig.streamingConnectionIdleTimeout', '0s'],
    ['CIS-4.2.5', { streamingConnectionIdleTimeout: '1h30m' }, 'pass', 'kubeletconfig.streamingConnectionIdleTimeout', '1h30m'],
    ['CIS-4.2.8', { eventRecordQPS: 0 }, 'pass', 'kubeletconfig.eventRecordQPS', '0'],
    ['CIS-4.2.8', { eventRecordQPS: 5 }, 'pass', 'kubeletconfig.eventRecordQPS', '5'],
    ['CIS-4.2.13', { podPidsLimit: -1 }, 'fail', 'kubeletconfig.podPidsLimit', '-1'],
    ['CIS-4.2.13', { podPidsLimit: 0 }, 'fail', 'kubeletconfig.podPidsLimit', '0'],
    ['CIS-4.2.14', { seccompDefault: false }, 'fail', 'kubeletconfig.seccompDefault', 'false'],
    ['CIS-4.2.6', { makeIPTablesUtilChains: false }, 'fail', 'kubeletconfig.makeIPTablesUtilChains', 'false'],
  ];
  it.each(rows)('%s with %j: %s', (id, change, status, path, observed) => {
    const f = judge(id, patch(GOOD, change));
    expect(f.status).toBe(status);
    expect(f.evidence).toMatchObject({ path, observed });
    expect(f.resource).toEqual({ kind: 'Node', name: 'n1', apiVersion: 'v1' });
  });

  // Fields every kubelet reports after defaulting: missing means the evidence is incomplete, never a pass.
  it.each([
    ['CIS-4.2.1', 'authentication.anonymous.enabled'],
    ['CIS-4.2.2', 'authorization.mode'],
    ['CIS-4.2.5', 'streamingConnectionIdleTimeout'],
    ['CIS-4.2.6', 'makeIPTablesUtilChains'],
    ['CIS-4.2.8', 'eventRecordQPS'],
    ['CIS-4.2.13', 'podPidsLimit'],
    ['CIS-4.2.14', 'seccompDefault'],
  ])('%s is unknown when the always-reported field %s is missing', (id, field) => {
    const f = judge(id, patch(GOOD, { [field]: undefined }));
    expect(f.status).toBe('unknown');
    expect(f.message).toBe(`configz of node n1 has no ${field}; every kubelet reports this field, so the configuration read is incomplete`);
  });
});

describe('kubelet configz: legacy (flags only) vs config-file defaults', () => {
  /** What configz shows for a kubelet started without --config: applyLegacyDefaults, then omitempty. */
  const LEGACY: Config = {
    readOnlyPort: 10255,
    tlsCertFile: '/var/lib/kubelet/pki/kubelet.crt',
    tlsPrivateKeyFile: '/var/lib/kubelet/pki/kubelet.key',
    authentication: { x509: {}, webhook: { enabled: false }, anonymous: { enabled: true } },
    authorization: { mode: 'AlwaysAllow' },
    eventRecordQPS: 50,
    streamingConnectionIdleTimeout: '4h0m0s',
    makeIPTablesUtilChains: true,
    podPidsLimit: -1,
    seccompDefault: false,
  };
  /** A config file that sets nothing: v1beta1 defaults (readOnlyPort 0 is then omitted). */
  const FILE_DEFAULTS: Config = patch(LEGACY, {
    readOnlyPort: undefined,
    'authentication.webhook.enabled': true,
    'authentication.anonymous.enabled': false,
    'authorization.mode': 'Webhook',
  });

  it.each([
    ['CIS-4.2.1', 'fail', 'pass'],
    ['CIS-4.2.2', 'fail', 'pass'],
    ['CIS-4.2.4', 'fail', 'pass'],
    ['CIS-4.2.3', 'fail', 'fail'],
    ['CIS-4.2.9', 'fail', 'fail'],
    ['CIS-4.2.10', 'fail', 'fail'],
    ['CIS-4.2.13', 'fail', 'fail'],
    ['CIS-4.2.14', 'fail', 'fail'],
    ['CIS-4.2.5', 'pass', 'pass'],
    ['CIS-4.2.6', 'pass', 'pass'],
    ['CIS-4.2.8', 'pass', 'pass'],
    ['CIS-4.2.11', 'pass', 'pass'],
  ] as const)('%s: legacy %s, config-file defaults %s', (id, legacy, file) => {
    expect(judge(id, LEGACY).status).toBe(legacy);
    expect(judge(id, FILE_DEFAULTS).status).toBe(file);
  });

  it('names the legacy values in the evidence', () => {
    expect(judge('CIS-4.2.2', LEGACY).evidence).toEqual({
      path: 'kubeletconfig.authorization.mode',
      observed: 'AlwaysAllow',
      expected: 'Webhook (any mode but AlwaysAllow)',
    });
  });
});

describe('kubelet serving certificate (4.2.9) and its rotation gate (4.2.11)', () => {
  const pair = (cert: string, key: string) => patch(GOOD, { serverTLSBootstrap: undefined, tlsCertFile: cert, tlsPrivateKeyFile: key });

  it('fails the self-signed pair the kubelet writes when no certificate is configured (configz shows its paths)', () => {
    const f = judge('CIS-4.2.9', pair('/var/lib/kubelet/pki/kubelet.crt', '/var/lib/kubelet/pki/kubelet.key'));
    expect(f.status).toBe('fail');
    expect(f.evidence?.observed).toBe(
      '/var/lib/kubelet/pki/kubelet.crt, /var/lib/kubelet/pki/kubelet.key: the self-signed pair the kubelet writes when no certificate ' +
        'is configured; serverTLSBootstrap <unset> (means false)',
    );
  });

  it('passes a provisioned pair and serverTLSBootstrap', () => {
    expect(judge('CIS-4.2.9', pair('/etc/kubernetes/pki/kubelet-serving.crt', '/etc/kubernetes/pki/kubelet-serving.key')).status).toBe('pass');
    expect(judge('CIS-4.2.9', pair('/var/lib/kubelet/pki/kubelet.crt', '/etc/pki/kubelet.key')).status).toBe('pass');
    expect(judge('CIS-4.2.9', GOOD).evidence).toMatchObject({ path: 'kubeletconfig.serverTLSBootstrap' });
  });

  it('fails a half-configured pair', () => {
    expect(judge('CIS-4.2.9', patch(GOOD, { serverTLSBootstrap: undefined, tlsCertFile: '/etc/k/serving.crt' })).status).toBe('fail');
  });

  const noBootstrap = pair('/etc/kubernetes/pki/kubelet-serving.crt', '/etc/kubernetes/pki/kubelet-serving.key');
  it.each([
    ['absent gate: compiled default true', noBootstrap, 'pass', 'kubeletconfig.featureGates.RotateKubeletServerCertificate', '<unset> (compiled default: true)'],
    ['gate explicitly true', patch(noBootstrap, { featureGates: { RotateKubeletServerCertificate: true } }), 'pass', 'kubeletconfig.featureGates.RotateKubeletServerCertificate', 'true'],
    ['gate false', patch(noBootstrap, { featureGates: { RotateKubeletServerCertificate: false, Other: true } }), 'fail', 'kubeletconfig.featureGates.RotateKubeletServerCertificate', 'false'],
    ['serverTLSBootstrap: true', GOOD, 'pass', 'kubeletconfig.serverTLSBootstrap', 'true; featureGates.RotateKubeletServerCertificate <unset> (compiled default: true)'],
    [
      'serverTLSBootstrap: true with the gate false (the kubelet then ignores serverTLSBootstrap)',
      patch(GOOD, { featureGates: { RotateKubeletServerCertificate: false } }),
      'fail',
      'kubeletconfig.serverTLSBootstrap',
      'true; featureGates.RotateKubeletServerCertificate false: with the gate off the kubelet ignores serverTLSBootstrap',
    ],
  ] as const)('4.2.11, %s', (_case, config, status, path, observed) => {
    expect(judge('CIS-4.2.11', config)).toMatchObject({ status, evidence: { path, observed } });
  });
});

describe('kubelet configz not readable', () => {
  const gap405: Gap = {
    evidence: 'kubelets/n1',
    reason: 'method-not-allowed',
    message: 'GET nodes/n1/proxy/configz: HTTP 405: Debug endpoints are disabled.',
  };

  it('gives unknown for that node, with the reason, and still judges the other nodes', () => {
    const snap = snapshot([{ node: 'n1' }, { node: 'n2', config: GOOD }], { gaps: [gap405] });
    for (const c of NODE_CONTROLS.filter((x) => x.needs.includes('kubelets'))) {
      const findings = evaluate(snap, [c], NOW);
      expect(findings.map((f) => [f.resource.name, f.status])).toEqual([
        ['n1', 'unknown'],
        ['n2', 'pass'],
      ]);
      expect(findings[0]?.message).toBe(
        'the kubelet configuration of node n1 could not be read (method-not-allowed: GET nodes/n1/proxy/configz: HTTP 405: Debug endpoints are disabled.); ' +
          'the kubelet runs with enableDebuggingHandlers: false, which also turns off /configz; read its config file on the node instead',
      );
    }
  });

  it('is unknown without a recorded reason too, never pass', () => {
    expect(judge('CIS-4.2.4', GOOD).status).toBe('pass');
    const [f] = run('CIS-4.2.4', snapshot([{ node: 'n1' }]));
    expect(f).toMatchObject({ status: 'unknown', message: 'the kubelet configuration of node n1 was not read, and no reason was recorded' });
  });

  it('adds the cluster-wide unknown when no configz at all could be read', () => {
    const gaps: Gap[] = [gap405, { evidence: 'kubelets', reason: 'error', message: 'no kubelet configuration could be read (1 nodes)' }];
    const statuses = run('CIS-4.2.1', snapshot([{ node: 'n1' }], { gaps })).map((f) => [f.resource.kind, f.status]);
    expect(statuses).toEqual([
      ['Cluster', 'unknown'],
      ['Node', 'unknown'],
    ]);
  });
});

describe('CIS-4.2.7 hostname override (partial)', () => {
  it('reports the names of each node for a person, and flags a mismatch as suspect', () => {
    const snap = snapshot([], { objects: { nodes: [node('n1'), node('n2', 'host-b'), node('ip-10-0-0-1.ec2.internal', 'ip-10-0-0-1.ec2.internal')] } });
    const findings = run('CIS-4.2.7', snap);
    expect(findings.map((f) => f.status)).toEqual(['manual', 'manual', 'manual']);
    expect(findings[0]?.message).toMatch(/^No sign of an override on node n1/);
    expect(findings[1]?.evidence?.observed).toBe('n2, n2, host-b');
    expect(findings[1]?.message).toMatch(/^Suspect: node n2 is also known as host-b/);
  });
});

describe('Go durations', () => {
  it.each([
    ['4h0m0s', 4 * 3_600_000],
    ['0s', 0],
    ['0', 0],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['-5m', -300_000],
    ['4 hours', undefined],
  ])('%s = %s ms', (text, ms) => expect(goDurationMs(text)).toBe(ms));
});
