import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { connect, loadKubeConfig } from '../../src/collect/kube-client.js';
import { KubeconfigError } from '../../src/core/errors.js';
import type { ClusterTarget } from '../../src/core/types.js';
import { propertyRuns } from '../helpers/property.js';

/**
 * Generated kubeconfigs, well-formed and mutated, through loadKubeConfig and connect: a
 * working connection or a KubeconfigError naming the configuration key and the file, never
 * another exception nor an unhandled rejection. Nothing is sent to any server (connect only
 * builds the connection). 200 runs per property in CI; COMPLYD_PROPERTY_RUNS for more.
 */
const RUNS = propertyRuns(200);

const NAMES = ['prod', 'dev', 'ctx', ''] as const;
const name = fc.constantFrom(...NAMES);
const b64 = fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 20 }), fc.constant(Buffer.from('-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n').toString('base64')));
const server = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('https://127.0.0.1:6443', 'https://[::1]:6443/prefix', 'https://example.invalid') },
  { weight: 1, arbitrary: fc.constantFrom('http://127.0.0.1:8080', 'ftp://host', 'https://', '127.0.0.1:6443', '', 'https://host:99999', 'unix:///var/run/k8s.sock') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.webUrl() },
);
const cluster = fc.record(
  {
    server,
    'certificate-authority-data': b64,
    'certificate-authority': fc.constantFrom('/nonexistent/ca.crt', ''),
    'insecure-skip-tls-verify': fc.oneof(fc.boolean(), fc.string({ maxLength: 5 })),
    'tls-server-name': fc.string({ maxLength: 10 }),
    'proxy-url': fc.constantFrom('http://127.0.0.1:3128', 'not a url'),
  },
  { requiredKeys: ['server'] },
);
const user = fc.record(
  {
    token: fc.string({ maxLength: 30 }),
    'client-certificate-data': b64,
    'client-key-data': b64,
    'client-certificate': fc.constantFrom('/nonexistent/client.crt'),
    'client-key': fc.constantFrom('/nonexistent/client.key'),
    username: fc.string({ maxLength: 8 }),
    password: fc.string({ maxLength: 8 }),
    tokenFile: fc.constantFrom('/nonexistent/token'),
  },
  { requiredKeys: [] },
);
const kubeconfigDoc = fc.record(
  {
    apiVersion: fc.constantFrom('v1', 'v2', ''),
    kind: fc.constantFrom('Config', 'Pod'),
    clusters: fc.oneof({ weight: 5, arbitrary: fc.array(fc.record({ name, cluster }, { requiredKeys: ['name'] }), { maxLength: 3 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
    users: fc.oneof({ weight: 5, arbitrary: fc.array(fc.record({ name, user }, { requiredKeys: ['name'] }), { maxLength: 3 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
    contexts: fc.oneof(
      { weight: 5, arbitrary: fc.array(fc.record({ name, context: fc.record({ cluster: name, user: name, namespace: fc.string({ maxLength: 5 }) }, { requiredKeys: [] }) }, { requiredKeys: ['name'] }), { maxLength: 3 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    'current-context': fc.oneof(name, fc.integer()),
  },
  { requiredKeys: [] },
);
/** Kubeconfigs as people write them: one cluster, user and context that refer to each other. */
const wellFormedDoc = fc
  .record({
    server: fc.constantFrom('https://127.0.0.1:6443', 'https://k8s.example.invalid:443/base'),
    ca: fc.option(fc.base64String({ minLength: 4, maxLength: 40 })),
    insecure: fc.option(fc.boolean()),
    token: fc.string({ minLength: 1, maxLength: 30 }),
    context: fc.constantFrom('prod', 'dev'),
  })
  .map(({ server, ca, insecure, token, context }) => ({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, ...(ca === null ? {} : { 'certificate-authority-data': ca }), ...(insecure === null ? {} : { 'insecure-skip-tls-verify': insecure }) } }],
    users: [{ name: 'u', user: { token } }],
    contexts: [{ name: context, context: { cluster: 'c', user: 'u' } }],
    'current-context': context,
  }));
const anyDoc = fc.oneof(wellFormedDoc, kubeconfigDoc);

/** A document, then perhaps spoiled: cut short, a character dropped or doubled, noise spliced in. */
const kubeconfigText = fc.oneof(
  { weight: 4, arbitrary: anyDoc.map((d) => stringify(d)) },
  {
    weight: 3,
    arbitrary: fc.tuple(anyDoc.map((d) => stringify(d)), fc.nat(), fc.constantFrom('cut', 'drop', 'double', 'splice'), fc.string({ maxLength: 6 })).map(([text, n, how, noise]) => {
      const at = n % (text.length + 1);
      if (how === 'cut') return text.slice(0, at);
      if (how === 'drop') return text.slice(0, at) + text.slice(at + 1);
      if (how === 'double') return text.slice(0, at) + text.charAt(at) + text.slice(at);
      return text.slice(0, at) + noise + text.slice(at);
    }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')) },
  { weight: 1, arbitrary: fc.constantFrom('', '---', 'a: &a [*a]', 'clusters: !!binary AAAA', '{', '- 1\n- 2', 'current-context: prod\ncontexts: null\n') },
);

let dir: string;
let n = 0;
const outcomes = { connected: 0, refused: 0 };

async function check(text: string, context: string | null): Promise<void> {
  const file = join(dir, `kubeconfig-${n++}.yaml`);
  writeFileSync(file, text);
  const target: ClusterTarget = { name: 'c', kubeconfig: file, labels: {}, configPath: 'clusters[3]', ...(context === null ? {} : { context }) };
  try {
    await loadKubeConfig(target);
    const api = await connect(target);
    expect(api.server.length).toBeGreaterThan(0);
    expect(typeof api.tlsVerified).toBe('boolean');
    api.close();
    outcomes.connected += 1;
  } catch (err) {
    if (!(err instanceof KubeconfigError)) throw err;
    expect(err.message).toMatch(/^clusters\[3\]\.(kubeconfig|context): /);
    expect(err.message).toContain(file);
    outcomes.refused += 1;
  }
}

describe('kubeconfig handling on generated files', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'complyd-kubeconfig-prop-'));
    process.on('unhandledRejection', onRejection);
  });
  afterAll(() => {
    process.off('unhandledRejection', onRejection);
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`kubeconfig handling: ${n} generated files, ${outcomes.connected} connected, ${outcomes.refused} refused with a KubeconfigError\n`);
  });

  it('connects or refuses with a KubeconfigError naming the key and the file', async () => {
    await fc.assert(
      fc.asyncProperty(kubeconfigText, fc.option(name), (text, context) => check(text, context)),
      { numRuns: RUNS },
    );
    // Let anything a library left pending settle before looking for stray rejections.
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejections).toEqual([]);
    // The generator reaches both sides.
    expect(outcomes.connected).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 120_000);
});
