import type { Verdict } from '../../core/types.js';
import { isSecretName } from '../../core/secret-names.js';
import { containersOf } from '../../evaluate/pod-specs.js';
import { objectRef } from '../../core/resource-ref.js';
import { defineControl } from '../define.js';
import { failFields, type Offender } from '../pss/common.js';
import { pass } from '../verdicts.js';
import { NSA_THEME, SECTION, WORKLOAD_EVIDENCE } from './common.js';

/**
 * The collector replaces literal env values by `<redacted:N chars>` on arrival (collect/
 * redact.ts), so the value itself never reaches evaluation; its length is all there is to say.
 */
const REDACTED = /^<redacted:(\d+) chars>$/;

/** The length of a literal value, or undefined when there is no literal (valueFrom, empty). */
function literalLength(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const m = REDACTED.exec(value);
  return m ? Number(m[1]) : value.length;
}

export const envCredentials = defineControl({
  id: 'HARD-env-literal-credentials',
  title: 'No credentials written as literal environment values',
  section: SECTION.containers,
  severity: 'high',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.secrets, kubescape: ['C-0012'] },
  needs: WORKLOAD_EVIDENCE,
  rationale:
    'A password or token written into a pod spec is readable by everyone who can read the workload (get deployments is far more common than get secrets), is kept in Git, Helm releases and the API server\'s history, and cannot be rotated without a rollout. Variables are judged by name, as the collector\'s redaction does (password, passwd, passphrase, secret, token, credential, or a word key, auth, pass, apikey, bearer, pwd beside another word, or a last word jwt; names ending in file, path, dir... are settings, not secrets); a value from valueFrom (Secret, field, resource) or an empty value is fine. Every container is judged, init and ephemeral too, where Kubescape C-0012 reads regular containers only. Kubescape matches its words anywhere in the name (key in MONKEY, jwt in JWT_ISSUER) and skips values that look like file paths; complyd matches whole words and, never holding the value, tells settings by their names. Polaris (sensitiveContainerEnvVar) fails names containing password, token, bearer or secret wherever they appear, TOKEN_TTL and PASSWORD_FILE included, which complyd reads as settings, and passes pwd (MYSQL_PWD), which complyd and Kubescape fail. Only the variable\'s path and the value\'s length are reported: the value is never stored, logged or shown. ConfigMap data is judged by HARD-configmap-literal-credentials, with the same rule.',
  remediation: 'Move the value into a Secret (or an external secret store) and reference it with env[].valueFrom.secretKeyRef or envFrom.secretRef; rotate the credential, since it has been exposed.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c): Verdict => {
      const offenders: Offender[] = (c.container.env ?? []).flatMap((e) => {
        // Manifests are untrusted: an entry without a name string names nothing to judge.
        const length = typeof e.name === 'string' && isSecretName(e.name) ? literalLength(e.value) : undefined;
        return length === undefined ? [] : [{ path: `${c.path}.env[${e.name}].value`, value: `literal, ${length} chars` }];
      });
      return offenders.length > 0 ? failFields(c.resource, offenders, 'valueFrom a Secret, not a literal value') : pass(c.resource);
    }),
});

export const configMapCredentials = defineControl({
  id: 'HARD-configmap-literal-credentials',
  title: 'No credentials written into ConfigMap data',
  section: SECTION.containers,
  severity: 'high',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.secrets, kubescape: ['C-0012'] },
  needs: ['configmaps'],
  rationale:
    'A ConfigMap is meant for settings: it is not encrypted at rest as Secrets can be, read access to it is granted widely (get configmaps is in the view role), and it is kept in Git and Helm releases. A key whose name marks a secret (the rule HARD-env-literal-credentials and the collector\'s redaction use: password, passwd, passphrase, secret, token, credential, or a word key, auth, pass, apikey, bearer, pwd beside another word, or a last word jwt; names ending in file, path, dir... are settings) with a non-empty value fails, in data and binaryData alike. The collector reduces every ConfigMap to its key names and value lengths as it reads it, so the value is never stored, logged or shown: only the key and the length are reported, and credentials inside a value (a password line in application.properties) are not seen. Kubescape C-0012 also matches values against patterns of known secrets, which needs the value; complyd judges names only. Polaris (sensitiveConfigmapContent) and Kubescape read key names in data only, never binaryData, matching their words anywhere in the name (TOKEN_TTL fails there), and both look for private keys in values, which complyd does not see: a PEM key under a key named tls.crt passes here. Kubernetes\' own keys (kube-root-ca.crt\'s ca.crt, the kube-proxy kubeconfig file) do not match the rule. Listing ConfigMaps needs list configmaps cluster-wide (deploy/kubernetes/rbac.yaml); without it this control is unknown.',
  remediation: 'Move the value into a Secret (or an external secret store) and mount it or reference it with envFrom.secretRef/secretKeyRef; rotate the credential, since it has been exposed.',
  evaluate: (ctx) =>
    ctx.objects('configmaps').map((cm): Verdict => {
      const ref = objectRef(cm);
      // Judged by name here too, not by the collector's flag: one rule, whatever produced the snapshot.
      const offenders: Offender[] = (cm.dataKeys ?? [])
        .filter((k) => k.length > 0 && isSecretName(k.key))
        .map((k) => ({ path: `${k.field}[${k.key}]`, value: `literal, ${k.length} ${k.field === 'data' ? 'chars' : 'bytes'}` }));
      const omitted = cm.dataKeysOmitted?.sensitive ?? 0;
      if (omitted > 0) offenders.push({ path: 'data', value: `${omitted} more keys named as secrets (beyond the ${cm.dataKeys?.length ?? 0} kept)` });
      return offenders.length > 0 ? failFields(ref, offenders, 'no credentials in a ConfigMap: a Secret') : pass(ref);
    }),
});
