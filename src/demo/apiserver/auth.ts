/** Authentication: x509 client certificates (CN = user, O = groups) and bearer tokens. */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { TokenIdentity } from './types.js';

function peerIdentity(socket: TLSSocket): TokenIdentity | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const cn = cert.subject.CN;
  const user = Array.isArray(cn) ? cn[0] : cn;
  if (!user) return undefined;
  const o = cert.subject.O as string | string[] | undefined;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { user, groups };
}

/** A verified client certificate first, then a bearer token (kube-apiserver's union order). */
export function authenticate(req: IncomingMessage, tokens: ReadonlyMap<string, TokenIdentity>): TokenIdentity | undefined {
  const fromCert = peerIdentity(req.socket as TLSSocket);
  if (fromCert) return fromCert;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? tokens.get(m[1] ?? '') : undefined;
}
