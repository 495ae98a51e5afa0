import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica, evidenceOf, verdict } from './common.js';

/** The suites the benchmark accepts: AEAD ciphers with forward secrecy (TLS 1.3 suites, ECDHE with GCM or ChaCha20). */
export const STRONG_CIPHER_SUITES: ReadonlySet<string> = new Set([
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
]);

const EXPECTED = '--tls-cipher-suites set, every suite an ECDHE or TLS 1.3 AEAD suite';

export default defineControl({
  id: 'CIS-1.2.29',
  title: 'The API server offers only strong TLS cipher suites',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.29', kubescape: ['C-0277'] },
  needs: ['controlPlane'],
  rationale:
    'Without the flag the API server offers Go\'s default list, which still includes CBC and RSA key-exchange suites for TLS 1.2 clients. ' +
    'Naming only AEAD suites with forward secrecy keeps recorded traffic safe if a key leaks later. The benchmark wants the list explicit, so an absent flag fails.',
  remediation:
    'Set --tls-cipher-suites on kube-apiserver to a subset of: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ' +
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, ' +
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (TLS 1.3 suites are always on). Check that old clients can still connect.',
  evaluate: (ctx) =>
    eachReplica(ctx, APISERVER, (r) => {
      const suites = r.flags.flags.get('tls-cipher-suites')?.values ?? [];
      const weak = suites.filter((s) => !STRONG_CIPHER_SUITES.has(s));
      const evidence = evidenceOf(r, 'tls-cipher-suites', EXPECTED);
      if (suites.length === 0) return verdict('fail', r, evidence);
      return weak.length === 0 ? verdict('pass', r, evidence) : verdict('fail', r, evidence, `not accepted: ${weak.join(', ')}`);
    }),
});
