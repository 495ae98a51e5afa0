/**
 * Throwaway PKI for the fake Kubernetes API server: a CA, a server certificate for the
 * loopback addresses, and client certificates for x509 client-cert authentication
 * (CN = user name, O = groups, the way kube-apiserver reads them).
 *
 * Keys come from node:crypto (native, fast); node-forge builds and signs the X.509
 * certificates. Everything lives in memory as PEM strings; nothing is written to disk.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  /** PEM certificate. */
  certPem: string;
  /** PEM private key (PKCS#1, `RSA PRIVATE KEY`). */
  keyPem: string;
}

/** A CA that can sign more certificates. */
export interface CertificateAuthority extends KeyPairPem {
  readonly commonName: string;
}

export interface ClientCertOptions {
  /** Becomes the subject CN: the Kubernetes user name. */
  user: string;
  /** Each becomes one subject O: the Kubernetes groups. */
  groups?: readonly string[];
  /** Validity in days; default 365. Negative: a certificate that expired that many days ago. */
  days?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function newRsaKeys(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { publicPem: publicKey, privatePem: privateKey };
}

/** A positive serial number of 16 random bytes, as hex (the high bit cleared). */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  if (bytes[0] === 0) bytes[0] = 0x01;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  const notAfter = now + days * DAY_MS;
  // Back-date a little so a clock skew between signer and verifier does not matter (and a
  // day before the end for an expired one).
  cert.validity.notBefore = new Date(Math.min(now - 60 * 60 * 1000, notAfter - DAY_MS));
  cert.validity.notAfter = new Date(notAfter);
}

interface SignInput {
  subject: forge.pki.CertificateField[];
  publicPem: string;
  issuer?: { certPem: string; keyPem: string };
  selfKeyPem?: string;
  days: number;
  extensions: unknown[];
}

function buildAndSign(input: SignInput): string {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = newSerial();
  validity(cert, input.days);
  cert.publicKey = forge.pki.publicKeyFromPem(input.publicPem);
  cert.setSubject(input.subject);
  let signingKeyPem: string;
  const extensions = [...input.extensions, { name: 'subjectKeyIdentifier' }];
  if (input.issuer) {
    const issuerCert = forge.pki.certificateFromPem(input.issuer.certPem);
    cert.setIssuer(issuerCert.subject.attributes);
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes(),
    });
    signingKeyPem = input.issuer.keyPem;
  } else {
    cert.setIssuer(input.subject);
    if (!input.selfKeyPem) throw new Error('a self-signed certificate needs its own key');
    signingKeyPem = input.selfKeyPem;
  }
  cert.setExtensions(extensions as never[]);
  const signingKey = forge.pki.privateKeyFromPem(signingKeyPem);
  cert.sign(signingKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** A self-signed CA (`kubernetes-ca`-like), valid 10 years unless told otherwise. */
export function createCertificateAuthority(commonName = 'complyd-demo-ca', days = 3650): CertificateAuthority {
  const keys = newRsaKeys();
  const certPem = buildAndSign({
    subject: [{ name: 'commonName', value: commonName }],
    publicPem: keys.publicPem,
    selfKeyPem: keys.privatePem,
    days,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { commonName, certPem, keyPem: keys.privatePem };
}

/**
 * A serving certificate signed by `ca`. SANs: 127.0.0.1, ::1, localhost, plus `extraDns`.
 */
export function createServerCertificate(
  ca: KeyPairPem,
  opts: { commonName?: string; extraDns?: readonly string[]; days?: number } = {},
): KeyPairPem {
  const keys = newRsaKeys();
  const altNames: Array<Record<string, unknown>> = [
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
    { type: 2, value: 'localhost' },
    ...(opts.extraDns ?? []).map((value) => ({ type: 2, value })),
  ];
  const certPem = buildAndSign({
    subject: [{ name: 'commonName', value: opts.commonName ?? 'kube-apiserver' }],
    publicPem: keys.publicPem,
    issuer: ca,
    days: opts.days ?? 365,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { certPem, keyPem: keys.privatePem };
}

/** A client certificate signed by `ca`: CN = user, one O per group. */
export function createClientCertificate(ca: KeyPairPem, opts: ClientCertOptions): KeyPairPem {
  const keys = newRsaKeys();
  const subject: forge.pki.CertificateField[] = [
    ...(opts.groups ?? []).map((value) => ({ name: 'organizationName', value })),
    { name: 'commonName', value: opts.user },
  ];
  const certPem = buildAndSign({
    subject,
    publicPem: keys.publicPem,
    issuer: ca,
    days: opts.days ?? 365,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { certPem, keyPem: keys.privatePem };
}

/** A CA plus a loopback serving certificate: what one fake API server needs. */
export interface ServerPki {
  ca: CertificateAuthority;
  server: KeyPairPem;
}

export function createServerPki(caCommonName?: string): ServerPki {
  const ca = createCertificateAuthority(caCommonName);
  return { ca, server: createServerCertificate(ca) };
}
