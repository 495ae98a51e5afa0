/** Kubeconfig rendering: one entry per cluster/user/context, merged into a kubeconfig YAML. */
import YAML from 'yaml';
import type { KeyPairPem, ServerPki } from '../certs.js';
import type { KubeconfigEntry, KubeconfigOptions, TokenIdentity } from './types.js';

export function buildKubeconfigEntry(
  k: KubeconfigOptions,
  url: string,
  pki: ServerPki,
  tokens: ReadonlyMap<string, TokenIdentity>,
  clientCertificate: (user: string, groups?: readonly string[]) => KeyPairPem,
): KubeconfigEntry {
  const clusterName = k.clusterName ?? 'fake-cluster';
  const authInfoName = k.authInfoName ?? k.user;
  const contextName = k.contextName ?? `${authInfoName}@${clusterName}`;
  const cluster: Record<string, unknown> = { server: k.server ?? url };
  const ca = k.caPem === undefined ? pki.ca.certPem : k.caPem;
  if (ca !== null) cluster['certificate-authority-data'] = Buffer.from(ca, 'utf8').toString('base64');
  if (k.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  const userEntry: Record<string, unknown> = {};
  if (k.clientCert) {
    const pair = k.clientCert === true ? clientCertificate(k.user, k.groups) : k.clientCert;
    userEntry['client-certificate-data'] = Buffer.from(pair.certPem, 'utf8').toString('base64');
    userEntry['client-key-data'] = Buffer.from(pair.keyPem, 'utf8').toString('base64');
  } else {
    const token = k.token ?? [...tokens].find(([, id]) => id.user === k.user)?.[0];
    if (token === undefined) throw new Error(`no token is registered for user ${k.user}; pass token or clientCert`);
    userEntry.token = token;
  }
  return {
    cluster: { name: clusterName, cluster },
    user: { name: authInfoName, user: userEntry },
    context: {
      name: contextName,
      context: { cluster: clusterName, user: authInfoName, ...(k.namespace ? { namespace: k.namespace } : {}) },
    },
  };
}

/** A kubeconfig YAML holding the given entries (clusters/users deduplicated by name). */
export function renderKubeconfig(entries: readonly KubeconfigEntry[], currentContext?: string): string {
  const uniq = <T extends { name: string }>(xs: T[]): T[] => {
    const seen = new Set<string>();
    return xs.filter((x) => (seen.has(x.name) ? false : (seen.add(x.name), true)));
  };
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: uniq(entries.map((e) => e.cluster)),
    users: uniq(entries.map((e) => e.user)),
    contexts: uniq(entries.map((e) => e.context)),
    'current-context': currentContext ?? entries[0]?.context.name ?? '',
  };
  return YAML.stringify(doc, { lineWidth: 0 });
}
