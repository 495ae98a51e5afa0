import type { ComponentName } from '../../src/core/components.js';
import { expandVars, featureGate, parseFlags, parseGoBool, parseGoDuration, parseGoInt } from '../../src/evaluate/flags.js';
import { controlPlaneFromPods } from '../../src/collect/control-plane.js';
import type { KubeObject } from '../../src/core/types.js';

/**
 * How control-plane flags are read (catalog section 0.1): one row per rule, each giving the
 * container's argv and env, the flag asked for, and what the binary would end up with.
 * `undefined` means the flag is absent (its compiled default then applies).
 */

type Row = [
  what: string,
  component: ComponentName,
  argv: string[],
  env: Record<string, string>,
  flag: string,
  value: string | undefined,
  values?: string[],
];

const API: ComponentName = 'kube-apiserver';
const KCM: ComponentName = 'kube-controller-manager';
const ETCD: ComponentName = 'etcd';

const ROWS: Row[] = [
  ['--k=v', API, ['kube-apiserver', '--anonymous-auth=false'], {}, 'anonymous-auth', 'false'],
  ['--k v for a value flag', API, ['kube-apiserver', '--audit-log-path', '/var/log/audit.log'], {}, 'audit-log-path', '/var/log/audit.log'],
  ['flags in args after the binary in command', API, ['kube-apiserver', '--profiling=false', '--secure-port=6443'], {}, 'secure-port', '6443'],
  ['flags only in args (no command)', API, ['--profiling=false'], {}, 'profiling', 'false'],
  ['bare boolean flag is true', API, ['kube-apiserver', '--anonymous-auth'], {}, 'anonymous-auth', 'true'],
  ['bare boolean flag does not take the next flag', API, ['kube-apiserver', '--profiling', '--secure-port=6443'], {}, 'secure-port', '6443'],
  ['a boolean never takes the next word as its value (pflag)', API, ['kube-apiserver', '--anonymous-auth', 'false'], {}, 'anonymous-auth', 'true'],
  ['a value flag followed by a flag has no value (the next flag is not swallowed)', API, ['kube-apiserver', '--kubelet-certificate-authority', '--profiling=false'], {}, 'kubelet-certificate-authority', ''],
  ['...and the next flag is still read', API, ['kube-apiserver', '--kubelet-certificate-authority', '--profiling=false'], {}, 'profiling', 'false'],
  ['boolean value keeps its Go spelling', API, ['kube-apiserver', '--profiling=F'], {}, 'profiling', 'F'],
  ['absent flag', API, ['kube-apiserver', '--profiling=false'], {}, 'anonymous-auth', undefined],
  ['empty value is kept', API, ['kube-apiserver', '--token-auth-file='], {}, 'token-auth-file', ''],
  ['value containing =', API, ['kube-apiserver', '--feature-gates=A=true'], {}, 'feature-gates', 'A=true', ['A=true']],
  ['repeated scalar: the last one wins', API, ['kube-apiserver', '--audit-log-maxage=7', '--audit-log-maxage=30'], {}, 'audit-log-maxage', '30'],
  ['repeated boolean: the last one wins', API, ['kube-apiserver', '--profiling=false', '--profiling=true'], {}, 'profiling', 'true'],
  ['list flag is comma-split', API, ['kube-apiserver', '--authorization-mode=Node,RBAC'], {}, 'authorization-mode', 'Node,RBAC', ['Node', 'RBAC']],
  ['repeated list flag accumulates', API, ['kube-apiserver', '--enable-admission-plugins=NodeRestriction', '--enable-admission-plugins=AlwaysPullImages,EventRateLimit'], {}, 'enable-admission-plugins', 'NodeRestriction,AlwaysPullImages,EventRateLimit', ['NodeRestriction', 'AlwaysPullImages', 'EventRateLimit']],
  ['disable list accumulates too', API, ['kube-apiserver', '--disable-admission-plugins=A', '--disable-admission-plugins', 'B'], {}, 'disable-admission-plugins', 'A,B', ['A', 'B']],
  ['cipher suites accumulate', API, ['kube-apiserver', '--tls-cipher-suites=X', '--tls-cipher-suites=Y'], {}, 'tls-cipher-suites', 'X,Y', ['X', 'Y']],
  ['array flag accumulates without splitting', API, ['kube-apiserver', '--service-account-key-file=/a/sa.pub', '--service-account-key-file=/b/x,y.pub'], {}, 'service-account-key-file', '/a/sa.pub,/b/x,y.pub', ['/a/sa.pub', '/b/x,y.pub']],
  ['empty list value is an empty list', API, ['kube-apiserver', '--enable-admission-plugins='], {}, 'enable-admission-plugins', '', []],
  ['feature gates accumulate', KCM, ['kube-controller-manager', '--feature-gates=A=true', '--feature-gates=RotateKubeletServerCertificate=false'], {}, 'feature-gates', 'A=true,RotateKubeletServerCertificate=false', ['A=true', 'RotateKubeletServerCertificate=false']],
  ['underscores in a name are dashes (Kubernetes normalisation)', API, ['kube-apiserver', '--anonymous_auth=false'], {}, 'anonymous-auth', 'false'],
  ['$(VAR) expanded from env', API, ['kube-apiserver', '--advertise-address=$(POD_IP)'], { POD_IP: '10.0.0.11' }, 'advertise-address', '10.0.0.11'],
  ['$(VAR) inside a value', API, ['kube-apiserver', '--audit-log-path=$(LOGDIR)/audit.log'], { LOGDIR: '/var/log/k8s' }, 'audit-log-path', '/var/log/k8s/audit.log'],
  ['unknown $(VAR) stays as written', API, ['kube-apiserver', '--advertise-address=$(POD_IP)'], {}, 'advertise-address', '$(POD_IP)'],
  ['$$(VAR) is a literal $(VAR)', API, ['kube-apiserver', '--audit-log-path=$$(X)'], { X: 'no' }, 'audit-log-path', '$(X)'],
  ['env values refer to earlier env values', API, ['kube-apiserver', '--audit-log-path=$(FILE)'], { DIR: '/logs', FILE: '$(DIR)/audit.log' }, 'audit-log-path', '/logs/audit.log'],
  ['$(VAR) can supply a boolean value', API, ['kube-apiserver', '--anonymous-auth=$(ANON)'], { ANON: 'false' }, 'anonymous-auth', 'false'],
  ['klog shorthand -v 2 is skipped with its value', API, ['kube-apiserver', '-v', '2', '--profiling=false'], {}, 'profiling', 'false'],
  ['-- ends the flags', API, ['kube-apiserver', '--', '--profiling=false'], {}, 'profiling', undefined],
  ['etcd: ETCD_<FLAG> env variable', ETCD, ['etcd'], { ETCD_CLIENT_CERT_AUTH: 'true' }, 'client-cert-auth', 'true'],
  ['etcd: the command line wins over ETCD_<FLAG>', ETCD, ['etcd', '--client-cert-auth=false'], { ETCD_CLIENT_CERT_AUTH: 'true' }, 'client-cert-auth', 'false'],
  ['etcd: -flag (Go flag package) is a long flag', ETCD, ['etcd', '-peer-client-cert-auth'], {}, 'peer-client-cert-auth', 'true'],
  ['etcd: -flag value', ETCD, ['etcd', '-cert-file', '/etc/etcd/server.crt'], {}, 'cert-file', '/etc/etcd/server.crt'],
  ['etcd: no name normalisation for env (multi-word flag)', ETCD, ['/usr/local/bin/etcd'], { ETCD_PEER_AUTO_TLS: 'false' }, 'peer-auto-tls', 'false'],
  ['etcd: other env variables are not flags', ETCD, ['etcd'], { GOMAXPROCS: '4' }, 'gomaxprocs', undefined],
  ['hyperkube-style program words before the flags', API, ['/hyperkube', 'kube-apiserver', '--profiling=false'], {}, 'profiling', 'false'],
];

describe('parseFlags', () => {
  // A rest parameter: jest would take a seventh named parameter for a `done` callback on short rows.
  it.each(ROWS)('%s', (...row: Row) => {
    const [, component, argv, env, flag, value, values] = row;
    const setting = parseFlags(component, argv, env).flags.get(flag);
    expect(setting?.value).toBe(value);
    if (values) expect(setting?.values).toEqual(values);
  });

  it('has a table of at least 25 cases', () => expect(ROWS.length).toBeGreaterThanOrEqual(25));

  it('keeps every occurrence with its raw form and argv index', () => {
    const parsed = parseFlags(API, ['kube-apiserver', '--audit-log-maxage=7', '--audit-log-path', '/a.log', '--audit-log-maxage=30']);
    expect(parsed.program).toEqual(['kube-apiserver']);
    expect(parsed.flags.get('audit-log-maxage')?.occurrences).toEqual([
      { raw: '--audit-log-maxage=7', value: '7', source: 'argv', index: 1 },
      { raw: '--audit-log-maxage=30', value: '30', source: 'argv', index: 4 },
    ]);
    expect(parsed.flags.get('audit-log-path')?.occurrences[0]?.raw).toBe('--audit-log-path /a.log');
  });

  it('shows the unexpanded form in raw and the expanded one in value', () => {
    const o = parseFlags(API, ['kube-apiserver', '--advertise-address=$(POD_IP)'], { POD_IP: '10.0.0.1' }).flags.get('advertise-address')?.occurrences[0];
    expect(o).toEqual({ raw: '--advertise-address=$(POD_IP)', value: '10.0.0.1', source: 'argv', index: 1 });
  });

  it('records an etcd env flag with its variable', () => {
    const o = parseFlags(ETCD, ['etcd'], { ETCD_CLIENT_CERT_AUTH: 'true' }).flags.get('client-cert-auth')?.occurrences[0];
    expect(o).toEqual({ raw: 'ETCD_CLIENT_CERT_AUTH=true', value: 'true', source: 'env', env: 'ETCD_CLIENT_CERT_AUTH' });
  });

  it('notes a stray value after a boolean flag, an unresolved variable and a shadowed env variable', () => {
    expect(parseFlags(API, ['kube-apiserver', '--anonymous-auth', 'false']).notes).toEqual([
      expect.stringContaining('a boolean flag takes a value only as --anonymous-auth=value'),
      '"false" is neither a flag nor a flag\'s value',
    ]);
    expect(parseFlags(API, ['kube-apiserver', '--advertise-address=$(POD_IP)']).notes).toEqual([expect.stringContaining('$(POD_IP) is not a literal env variable')]);
    expect(parseFlags(ETCD, ['etcd', '--auto-tls=false'], { ETCD_AUTO_TLS: 'true' }).notes).toEqual(['ETCD_AUTO_TLS is ignored: --auto-tls is also given on the command line, which wins']);
  });

  it('says when the flags cannot be read from argv', () => {
    expect(parseFlags(API, ['/bin/sh', '-c', 'exec kube-apiserver --anonymous-auth=false']).opaque).toMatch(/started through a shell/);
    expect(parseFlags(API, []).opaque).toMatch(/neither command nor args/);
    expect(parseFlags(API, ['kube-apiserver']).opaque).toBeUndefined();
  });

  it('reads a feature gate, the later entry winning', () => {
    const flags = parseFlags(KCM, ['kube-controller-manager', '--feature-gates=RotateKubeletServerCertificate=false,B=true', '--feature-gates=RotateKubeletServerCertificate=true']);
    expect(featureGate(flags, 'RotateKubeletServerCertificate')).toEqual({ value: 'true', raw: '--feature-gates=RotateKubeletServerCertificate=true' });
    expect(featureGate(flags, 'C')).toBeUndefined();
  });
});

describe('Go value syntax', () => {
  it.each([
    ['1', true], ['t', true], ['T', true], ['TRUE', true], ['true', true], ['True', true],
    ['0', false], ['f', false], ['F', false], ['FALSE', false], ['false', false], ['False', false],
    ['yes', undefined], ['tRUE', undefined], ['', undefined],
  ])('ParseBool(%j) = %j', (s, want) => expect(parseGoBool(s)).toBe(want));

  it.each([
    ['30', 30], ['030', 24], ['0x1e', 30], ['0o36', 30], ['0b11110', 30], ['1_000', 1000], ['-5', -5], ['+7', 7], ['0', 0],
    ['', undefined], ['30d', undefined], ['3.0', undefined], ['09', undefined], ['_1', undefined],
  ])('ParseInt(%j, 0) = %j', (s, want) => expect(parseGoInt(s)).toBe(want));

  it.each([
    ['1m0s', 60_000], ['300s', 300_000], ['1.5h', 5_400_000], ['500ms', 500], ['0', 0], ['-1s', -1000], ['1h30m', 5_400_000],
    ['60', undefined], ['', undefined], ['1d', undefined],
  ])('ParseDuration(%j) = %j ms', (s, want) => expect(parseGoDuration(s)).toBe(want));

  it('expands $(VAR) as the kubelet does', () => {
    const vars = new Map([['A', 'x']]);
    expect(expandVars('$(A)-$(B)-$$(A)-$-$', vars)).toEqual({ value: 'x-$(B)-$(A)-$-$', unresolved: ['B'] });
    expect(expandVars('$(A', vars).value).toBe('$(A');
  });
});

/** The flags and env of one mirror pod as the collector hands them to evaluation (redacted). */
function collected(component: ComponentName, argv: string[], env: Record<string, string>): { argv: readonly string[]; env: Readonly<Record<string, string>> } {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${component}-cp1`, namespace: 'kube-system', labels: { component }, annotations: { 'kubernetes.io/config.mirror': 'abc' } },
    spec: { containers: [{ name: component, command: argv, env: Object.entries(env).map(([name, value]) => ({ name, value })) }] },
  };
  const container = controlPlaneFromPods([pod])[0]?.containers[0];
  if (!container) throw new Error('no control-plane container');
  return container;
}

describe('flags after the collector redacted secret values', () => {
  it.each(ROWS)('every flag controls read is unchanged: %s', (...row: Row) => {
    const [, component, argv, env, flag, value, values] = row;
    const c = collected(component, argv, env);
    const setting = parseFlags(component, c.argv, c.env).flags.get(flag);
    expect(setting?.value).toBe(value);
    if (values) expect(setting?.values).toEqual(values);
  });

  const SECRET = 's3cr3t-Value-42';
  it.each<[string, ComponentName, string[], Record<string, string>, string]>([
    ['a literal token flag', ETCD, ['etcd', `--initial-cluster-token=${SECRET}`], {}, 'initial-cluster-token'],
    ['a token flag with its value as the next word', ETCD, ['etcd', '--initial-cluster-token', SECRET], {}, 'initial-cluster-token'],
    ['etcd reading a secret from ETCD_<FLAG>', ETCD, ['etcd'], { ETCD_INITIAL_CLUSTER_TOKEN: SECRET }, 'initial-cluster-token'],
    ['a secret env variable expanded into a flag', API, ['kube-apiserver', '--oidc-client-id=$(OIDC_CLIENT_SECRET)'], { OIDC_CLIENT_SECRET: SECRET }, 'oidc-client-id'],
    ['a password in a URL', API, ['kube-apiserver', `--etcd-servers=https://root:${SECRET}@10.0.0.1:2379`], {}, 'etcd-servers'],
  ])('%s: still set, its value only a marker', (_what, component, argv, env, flag) => {
    const c = collected(component, argv, env);
    expect(JSON.stringify(c)).not.toContain(SECRET);
    const setting = parseFlags(component, c.argv, c.env).flags.get(flag);
    // Present and non-empty: a control asking that the flag be set still passes.
    expect(setting?.value).toMatch(/<redacted:15 chars>/);
  });

  it('keeps the paths and switches controls judge, even where their names say key, token or auth', () => {
    const argv = [
      'kube-apiserver',
      '--token-auth-file=/etc/k8s/tokens.csv',
      '--kubelet-client-key=/etc/k8s/pki/kubelet.key',
      '--tls-private-key-file=/etc/k8s/pki/apiserver.key',
      '--service-account-key-file=/etc/k8s/pki/sa.pub',
      '--enable-bootstrap-token-auth=true',
      '--anonymous-auth=maybe',
      '--service-account-extend-token-expiration=false',
      '--authorization-mode=Node,RBAC',
    ];
    expect(collected(API, argv, {}).argv).toEqual(argv);
    const etcd = { ETCD_CLIENT_CERT_AUTH: 'true', ETCD_KEY_FILE: '/etc/etcd/server.key', ETCD_PEER_CLIENT_CERT_AUTH: 'yes' };
    expect(collected(ETCD, ['etcd'], etcd).env).toEqual(etcd);
  });
});
