/**
 * Whether a name (a flag, an environment variable, an annotation or ConfigMap key) says its
 * value is a secret: the rule is described in collect/redact.ts, which redacts by it, and
 * the hardening controls judge literal credentials by the same rule.
 */

const SECRET_PARTS = /password|passwd|passphrase|secret|token|credential/;
const SECRET_WORDS = new Set(['key', 'auth', 'pass', 'apikey', 'privatekey', 'accesskey', 'secretkey', 'bearer']);
const NOT_SECRET_LAST_WORDS = new Set(['file', 'files', 'dir', 'path', 'config', 'kubeconfig', 'ttl', 'expiration', 'version']);
/**
 * Flags whose names match the words above but hold switches or paths, which controls judge:
 * their values stay readable whatever they are (`--anonymous-auth=maybe` is judged unknown
 * with the value shown). etcd's ETCD_<FLAG> variables count as their flag.
 */
const NOT_SECRET_FLAGS = new Set([
  'anonymous-auth',
  'enable-bootstrap-token-auth',
  'client-cert-auth',
  'peer-client-cert-auth',
  'use-service-account-credentials',
  'kubelet-client-key',
  'tls-sni-cert-key',
]);

/** Names repeat across a cluster's objects (the same flags, variables, annotation keys): each is judged once. */
const judged = new Map<string, boolean>();
const JUDGED_MAX = 10_000;

/** Whether a flag, environment variable or annotation named `name` holds a secret. */
export function isSecretName(name: string): boolean {
  let secret = judged.get(name);
  if (secret === undefined) {
    if (judged.size >= JUDGED_MAX) judged.clear();
    secret = judgeName(name);
    judged.set(name, secret);
  }
  return secret;
}

function judgeName(name: string): boolean {
  const normal = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (NOT_SECRET_FLAGS.has(normal) || NOT_SECRET_FLAGS.has(normal.replace(/^etcd-/, ''))) return false;
  const words = normal.split('-');
  const last = words.at(-1) ?? '';
  if (NOT_SECRET_LAST_WORDS.has(last)) return false;
  if (SECRET_PARTS.test(normal) || words.some((w) => SECRET_WORDS.has(w))) return true;
  // `pwd` abbreviates password (DB_PWD, MYSQL_PWD), but PWD alone is the shell's working
  // directory; a name ending in `jwt` holds a token, where JWT_ISSUER or JWT_AUDIENCE are settings.
  return (words.length > 1 && words.includes('pwd')) || last === 'jwt';
}
