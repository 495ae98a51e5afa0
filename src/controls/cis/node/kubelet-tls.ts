import { fail, pass, show } from '../../verdicts.js';
import { kubeletControl, judgeField, valueAt, type KubeletJudge } from './configz.js';

/** CIS 4.2.9–4.2.12: the kubelet's own certificates and TLS. */

const SERVING_EXPECTED = 'tlsCertFile and tlsPrivateKeyFile naming a certificate issued by a CA the API server trusts, or serverTLSBootstrap: true';

function dirAndBase(path: string): [string, string] {
  const i = path.lastIndexOf('/');
  return [path.slice(0, i + 1), path.slice(i + 1)];
}

/**
 * The pair the kubelet generates for itself. With no serving certificate configured and no
 * serverTLSBootstrap, the kubelet writes a self-signed `kubelet.crt`/`kubelet.key` into its
 * --cert-dir and records those paths in its configuration *before* configz is registered
 * (cmd/kubelet/app/server.go: InitializeTLS runs in UnsecuredDependencies, before run()
 * calls initConfigz). So on a kubeadm default node configz does not show the fields as
 * absent: it shows `/var/lib/kubelet/pki/kubelet.crt` and `.key`.
 */
export function isSelfGeneratedPair(cert: string, key: string): boolean {
  const [certDir, certBase] = dirAndBase(cert);
  const [keyDir, keyBase] = dirAndBase(key);
  return certDir === keyDir && certBase === 'kubelet.crt' && keyBase === 'kubelet.key';
}

const GATE = 'featureGates.RotateKubeletServerCertificate';

/**
 * The kubelet requests (and renews) its serving certificate through the certificates API only
 * when serverTLSBootstrap is true *and* the RotateKubeletServerCertificate gate is on
 * (pkg/kubelet/kubelet.go builds the server certificate manager under both conditions). With
 * the gate set to false, serverTLSBootstrap does nothing.
 */
function bootstrapIgnored(config: Record<string, unknown>): boolean {
  return valueAt(config, 'serverTLSBootstrap') === true && valueAt(config, GATE) === false;
}

const servingPair: KubeletJudge = (k) => {
  const ignored = bootstrapIgnored(k.config);
  if (valueAt(k.config, 'serverTLSBootstrap') === true && !ignored) {
    return pass(k.resource, { path: 'kubeletconfig.serverTLSBootstrap', observed: 'true (serving certificate requested from the cluster CA)', expected: SERVING_EXPECTED });
  }
  const cert = valueAt(k.config, 'tlsCertFile');
  const key = valueAt(k.config, 'tlsPrivateKeyFile');
  const path = 'kubeletconfig.tlsCertFile, kubeletconfig.tlsPrivateKeyFile';
  const noBootstrap = ignored ? `; serverTLSBootstrap true but ignored: ${GATE} is false` : '; serverTLSBootstrap <unset> (means false)';
  if (typeof cert !== 'string' || cert === '' || typeof key !== 'string' || key === '') {
    return fail(k.resource, path, `${show(cert)}, ${show(key)}${noBootstrap}`, SERVING_EXPECTED);
  }
  if (isSelfGeneratedPair(cert, key)) {
    return fail(k.resource, path, `${cert}, ${key}: the self-signed pair the kubelet writes when no certificate is configured${noBootstrap}`, SERVING_EXPECTED);
  }
  return pass(k.resource, { path, observed: `${cert}, ${key}`, expected: SERVING_EXPECTED });
};

export const servingCertificate = kubeletControl({
  id: 'CIS-4.2.9',
  refs: { cis: '4.2.9', kubescape: ['C-0181'] },
  title: 'Kubelet serves TLS with a certificate the cluster can verify',
  severity: 'medium',
  level: 'L1',
  frameworks: ['cis-1.12'],
  rationale:
    'Without a configured serving certificate the kubelet signs one for itself. Nobody can verify it, so the API server and ' +
    'metrics clients connect to port 10250 without checking whom they talk to, which lets a man in the middle collect exec ' +
    'sessions and logs. configz names that self-signed pair kubelet.crt/kubelet.key in the kubelet certificate directory; ' +
    'if you did install a CA-issued pair under exactly those names, record an exception. ' +
    'serverTLSBootstrap: true passes in place of the pair (kube-bench requires the two files) unless RotateKubeletServerCertificate is set to false, ' +
    'which makes the kubelet ignore it.',
  remediation:
    'Either set serverTLSBootstrap: true (the kubelet requests its serving certificate through the certificates API; approve ' +
    'the kubernetes.io/kubelet-serving CSRs, automatically or with an approver) or point tlsCertFile and tlsPrivateKeyFile at ' +
    'a pair issued by the cluster CA. Then give the API server --kubelet-certificate-authority so it verifies them.',
  judge: servingPair,
});

const rotate = judgeField({
  path: 'rotateCertificates',
  absent: { means: false, words: 'means false' },
  ok: (v) => v === true,
  expected: 'true (client certificate renewed through the certificates API before it expires)',
});

export const clientCertRotation = kubeletControl({
  id: 'CIS-4.2.10',
  refs: { cis: '4.2.10', kubescape: ['C-0182'] },
  title: 'Kubelet renews its client certificate automatically',
  severity: 'medium',
  level: 'L1',
  frameworks: ['cis-1.12'],
  rationale:
    'A kubelet whose client certificate is not rotated either loses access to the API server when it expires or is given a ' +
    'long-lived certificate that stays valid after a key leaks. The kubelet default is off (configz omits the field then); ' +
    'kubeadm turns it on. This is the client certificate; serving certificates are CIS 4.2.9 and 4.2.11. ' +
    'The benchmark text says rotation is on by default and kube-bench passes a config file without the key; complyd follows the kubelet, ' +
    'whose default is false, so an absent key fails.',
  remediation: 'Set rotateCertificates: true in the kubelet config file (or --rotate-certificates) and restart the kubelet.',
  judge: rotate,
});

const ROTATION_EXPECTED = 'RotateKubeletServerCertificate not set to false';

const servingRotation: KubeletJudge = (k) => {
  const gate = valueAt(k.config, GATE);
  const gateWords = gate === undefined ? '<unset> (compiled default: true)' : show(gate);
  if (valueAt(k.config, 'serverTLSBootstrap') === true) {
    const observed = `true; ${GATE} ${gateWords}`;
    return gate === false
      ? fail(k.resource, 'kubeletconfig.serverTLSBootstrap', `${observed}: with the gate off the kubelet ignores serverTLSBootstrap`, ROTATION_EXPECTED)
      : pass(k.resource, { path: 'kubeletconfig.serverTLSBootstrap', observed, expected: ROTATION_EXPECTED });
  }
  return gate === false
    ? fail(k.resource, `kubeletconfig.${GATE}`, false, ROTATION_EXPECTED)
    : pass(k.resource, { path: `kubeletconfig.${GATE}`, observed: gateWords, expected: ROTATION_EXPECTED });
};

export const servingCertRotation = kubeletControl({
  id: 'CIS-4.2.11',
  refs: { cis: '4.2.11', kubescape: ['C-0183'] },
  title: 'Kubelet serving-certificate rotation is not switched off',
  severity: 'medium',
  level: 'L1',
  frameworks: ['cis-1.12'],
  rationale:
    'The RotateKubeletServerCertificate feature gate lets a kubelet renew the serving certificate it obtained through the ' +
    'certificates API. configz lists only gates set explicitly; an absent gate has its compiled default, which is true (beta). ' +
    'The gate also decides whether serverTLSBootstrap does anything: the kubelet starts its serving-certificate manager only when both are on, ' +
    'so an explicit false fails even with serverTLSBootstrap: true (the catalog would pass that case; kube-bench, which reads only the gate, fails it too).',
  remediation:
    'Remove RotateKubeletServerCertificate: false from featureGates in the kubelet config file (or from --feature-gates) and ' +
    'restart the kubelet; pair it with serverTLSBootstrap: true so there is a certificate to rotate.',
  judge: servingRotation,
});

/** The cipher suites the benchmark lists for the kubelet: ECDHE key exchange with AEAD ciphers only. */
export const STRONG_CIPHERS: readonly string[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
];

/**
 * Other names the kubelet accepts for suites that are just as strong: Go's current names of the
 * two ChaCha20 suites (the benchmark's short names are Go's legacy aliases of the very same
 * suites), and the TLS 1.3 suites, which the benchmark counts as strong for the API server
 * (1.2.29) and which Go never lets a configuration narrow anyway.
 */
const SAME_SUITES_OTHER_NAMES: readonly string[] = [
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
];
const ACCEPTED_CIPHERS: ReadonlySet<string> = new Set([...STRONG_CIPHERS, ...SAME_SUITES_OTHER_NAMES]);
const CIPHERS_EXPECTED = `only suites from: ${STRONG_CIPHERS.join(', ')} (or their other names: ${SAME_SUITES_OTHER_NAMES.slice(0, 2).join(', ')}; TLS 1.3 suites)`;

const ciphers: KubeletJudge = (k) => {
  const suites = valueAt(k.config, 'tlsCipherSuites');
  const path = 'kubeletconfig.tlsCipherSuites';
  if (!Array.isArray(suites) || suites.length === 0) {
    return fail(k.resource, path, "<unset> (Go's default list, wider than the strong suites)", CIPHERS_EXPECTED);
  }
  const weak = suites.filter((s) => typeof s !== 'string' || !ACCEPTED_CIPHERS.has(s));
  return weak.length === 0
    ? pass(k.resource, { path, observed: suites.join(', '), expected: CIPHERS_EXPECTED })
    : fail(k.resource, path, `includes ${weak.map(show).join(', ')}`, CIPHERS_EXPECTED);
};

export const strongCiphers = kubeletControl({
  id: 'CIS-4.2.12',
  refs: { cis: '4.2.12', kubescape: ['C-0184'] },
  title: 'Kubelet TLS offers strong cipher suites only',
  severity: 'medium',
  level: 'L1',
  frameworks: ['cis-1.12'],
  rationale:
    "Without an explicit list the kubelet accepts Go's defaults, which include CBC-mode suites and, on older builds, RSA key " +
    'exchange without forward secrecy. Restricting to ECDHE with GCM or ChaCha20 keeps recorded traffic safe if a key leaks. ' +
    "Deliberate difference from kube-bench, which accepts only the benchmark's six names: complyd also accepts the _SHA256 names of the two " +
    "ChaCha20 suites (Go's current names for the same suites; the benchmark's short names are their legacy aliases) and the TLS 1.3 suites, " +
    'which the benchmark itself lists as strong for the API server (1.2.29).',
  remediation:
    'Set tlsCipherSuites in the kubelet config file (or --tls-cipher-suites) to a subset of the strong suites listed in the ' +
    'evidence and restart the kubelet. TLS 1.3 suites are not configurable and are always strong.',
  judge: ciphers,
});
