import { isSecretName, keptAnnotation, redactArgv, redactEnv, redacted, scrubUrlCredentials } from '../../src/collect/redact.js';
import { normalizeObject } from '../../src/collect/normalize.js';

/** What the collector does to secret values on arrival (redact.ts), and what it leaves alone. */

describe('isSecretName', () => {
  it.each([
    'initial-cluster-token', 'auth-token', 'oidc-client-secret', 'DB_PASSWORD', 'MYSQL_ROOT_PASSWD', 'GPG_PASSPHRASE', 'AWS_SECRET_ACCESS_KEY',
    'API_KEY', 'apikey', 'GITHUB_TOKEN', 'REGISTRY_CREDENTIALS', 'BASIC_AUTH', 'SMTP_PASS', 'ETCD_INITIAL_CLUSTER_TOKEN', 'vault.hashicorp.com/agent-inject-secret-db',
    // words Kubescape (C-0012) and Polaris also read as secrets
    'MYSQL_PWD', 'db.pwd', 'OAUTH_BEARER', 'bearer', 'SERVICE_JWT', 'jwt',
  ])('%s holds a secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each([
    // paths and settings about a secret
    'token-auth-file', 'service-account-key-file', 'tls-private-key-file', 'ETCD_KEY_FILE', 'etcd-keyfile', 'kubelet-client-key', 'tls-sni-cert-key',
    'authentication-token-webhook-cache-ttl', 'service-account-max-token-expiration', 'encryption-provider-config', 'SECRETS_DIR',
    // switches controls judge
    'anonymous-auth', 'enable-bootstrap-token-auth', 'ETCD_CLIENT_CERT_AUTH', 'peer-client-cert-auth', 'use-service-account-credentials',
    // ordinary names
    'authorization-mode', 'secure-port', 'PASSTHROUGH_MODE', 'MONKEY_BUSINESS', 'profiling', 'POD_IP',
    // the shell's working directory, and settings about tokens
    'PWD', 'OLDPWD', 'JWT_ISSUER', 'JWT_AUDIENCE', 'BEARER_TOKEN_FILE',
  ])('%s does not', (name) => expect(isSecretName(name)).toBe(false));
});

describe('redactArgv', () => {
  it.each<[string, string[], string[]]>([
    ['--name=value', ['app', '--db-password=hunter22'], ['app', '--db-password=<redacted:8 chars>']],
    ['--name value', ['app', '--api-token', 'abcdef'], ['app', '--api-token', '<redacted:6 chars>']],
    ['-name value (Go flag)', ['etcd', '-initial-cluster-token', 'tok1'], ['etcd', '-initial-cluster-token', '<redacted:4 chars>']],
    ['NAME=value', ['env', 'AWS_SECRET_ACCESS_KEY=xyz', 'aws'], ['env', 'AWS_SECRET_ACCESS_KEY=<redacted:3 chars>', 'aws']],
    ['a URL password', ['app', '--db=postgres://app:pw123@db:5432/x'], ['app', '--db=postgres://app:<redacted:5 chars>@db:5432/x']],
    ['flags in a shell string', ['/bin/sh', '-c', 'exec app --token="a b" --secret xyz --mode=fast'], ['/bin/sh', '-c', 'exec app --token="<redacted:3 chars>" --secret <redacted:3 chars> --mode=fast']],
    ['a secret flag followed by a flag keeps no value to hide', ['app', '--token', '--verbose'], ['app', '--token', '--verbose']],
    ['a non-secret flag before NAME=value does not restore it', ['docker', '-e', 'DB_PASSWORD=pw'], ['docker', '-e', 'DB_PASSWORD=<redacted:2 chars>']],
    ['empty and boolean values stay', ['app', '--token=', '--enable-token=true', '--auth', 'false'], ['app', '--token=', '--enable-token=true', '--auth', 'false']],
    ['paths stay', ['kube-apiserver', '--token-auth-file=/etc/tokens.csv', '--kubelet-client-key', '/pki/k.key'], ['kube-apiserver', '--token-auth-file=/etc/tokens.csv', '--kubelet-client-key', '/pki/k.key']],
  ])('%s', (_what, argv, want) => expect(redactArgv(argv)).toEqual(want));

  it('is idempotent', () => {
    const once = redactArgv(['app', '--token=abc', 'https://u:p@h/']);
    expect(redactArgv(once)).toEqual(once);
  });

  it('scrubs credentials from any URL in a text', () => {
    expect(scrubUrlCredentials('a https://user:pa:ss@host/x and redis://:only@r:6379')).toBe('a https://user:<redacted:5 chars>@host/x and redis://:<redacted:4 chars>@r:6379');
    expect(scrubUrlCredentials('user@example.com, https://host/@x')).toBe('user@example.com, https://host/@x');
  });
});

describe('redactEnv', () => {
  it('keeps the literal values a binary reads: named by $(…) in the command line (transitively) and ETCD_*', () => {
    const env = [
      { name: 'DIR', value: '/logs' },
      { name: 'FILE', value: '$(DIR)/audit.log' },
      { name: 'ETCD_AUTO_TLS', value: 'false' },
      { name: 'GREETING', value: 'hello world' },
      { name: 'DB_PASSWORD', value: 'pw' },
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ];
    expect(redactEnv(env, ['app', '--log=$(FILE)', '--pw=$(DB_PASSWORD)'])).toEqual([
      { name: 'DIR', value: '/logs' },
      { name: 'FILE', value: '$(DIR)/audit.log' },
      { name: 'ETCD_AUTO_TLS', value: 'false' },
      { name: 'GREETING', value: redacted('hello world') },
      // Read, but its name says secret.
      { name: 'DB_PASSWORD', value: redacted('pw') },
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ]);
  });
});

describe('keptAnnotation', () => {
  it('drops copies of the whole object, redacts secret keys, keeps the rest', () => {
    expect(keptAnnotation('kubectl.kubernetes.io/last-applied-configuration', '{}')).toBeUndefined();
    expect(keptAnnotation('kapp.k14s.io/original', '{}')).toBeUndefined();
    expect(keptAnnotation('example.com/snapshot', '{"apiVersion":"v1","kind":"Secret","data":{}}')).toBeUndefined();
    expect(keptAnnotation('example.com/api-token', 'abc')).toBe(redacted('abc'));
    expect(keptAnnotation('example.com/endpoint', 'https://u:p@h')).toBe('https://u:<redacted:1 chars>@h');
    expect(keptAnnotation('kubernetes.io/config.mirror', 'abc123')).toBe('abc123');
    expect(keptAnnotation('container.apparmor.security.beta.kubernetes.io/app', 'unconfined')).toBe('unconfined');
    expect(keptAnnotation('vault.hashicorp.com/agent-inject', 'true')).toBe('true');
  });
});

describe('normalizeObject redacts the pod specs it keeps', () => {
  const container = () => ({
    name: 'app',
    image: 'app:1',
    command: ['app'],
    args: ['--api-token=t0k3n', '--port=8080'],
    env: [
      { name: 'DB_PASSWORD', value: 'pw-123' },
      { name: 'LEVEL', value: 'debug' },
      { name: 'FROM', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } },
    ],
    livenessProbe: { httpGet: { path: '/', port: 80, httpHeaders: [{ name: 'Authorization', value: 'Bearer abc' }, { name: 'Accept', value: 'text/plain' }] } },
    lifecycle: { preStop: { exec: { command: ['curl', 'https://admin:adm1n@localhost/drain'] } } },
    securityContext: { privileged: true },
  });
  const redactedContainer = {
    name: 'app',
    image: 'app:1',
    command: ['app'],
    args: ['--api-token=<redacted:5 chars>', '--port=8080'],
    env: [
      { name: 'DB_PASSWORD', value: '<redacted:6 chars>' },
      { name: 'LEVEL', value: '<redacted:5 chars>' },
      { name: 'FROM', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } },
    ],
    livenessProbe: { httpGet: { path: '/', port: 80, httpHeaders: [{ name: 'Authorization', value: '<redacted:10 chars>' }, { name: 'Accept', value: 'text/plain' }] } },
    lifecycle: { preStop: { exec: { command: ['curl', 'https://admin:<redacted:5 chars>@localhost/drain'] } } },
    securityContext: { privileged: true },
  };

  it.each([true, false])('a Pod (adopted: %s), without touching an input it does not own', (adopt) => {
    const raw = {
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}', 'example.com/token': 'abc', team: 'a' } },
      spec: { containers: [container()], initContainers: [container()], ephemeralContainers: [container()] },
    };
    const before = JSON.stringify(raw);
    const o = normalizeObject(raw, 'pods', 0, { adopt });
    expect(o.spec).toEqual({ containers: [redactedContainer], initContainers: [redactedContainer], ephemeralContainers: [redactedContainer] });
    expect(o.metadata.annotations).toEqual({ 'example.com/token': '<redacted:3 chars>', team: 'a' });
    if (!adopt) expect(JSON.stringify(raw)).toBe(before);
  });

  it('a workload template and its annotations (CronJob: two levels down)', () => {
    const raw = {
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'shop' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { metadata: { annotations: { 'example.com/password': 'x1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, spec: { containers: [container()] } } } } },
    };
    const o = normalizeObject(raw, 'cronjobs');
    const template = (o.spec as { jobTemplate: { spec: { template: { metadata: unknown; spec: unknown } } } }).jobTemplate.spec.template;
    expect(template.spec).toEqual({ containers: [redactedContainer] });
    expect(template.metadata).toEqual({ annotations: { 'example.com/password': '<redacted:2 chars>' } });
  });

  it('leaves fields of an unexpected shape for the shape checks, without throwing', () => {
    const raw = { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', args: 'oops', env: { DB_PASSWORD: 'x' } }, null, 'x'] } };
    expect(() => normalizeObject(raw, 'pods')).not.toThrow();
  });
});
