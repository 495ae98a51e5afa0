import type { Verdict } from '../../core/types.js';
import { isSecretName } from '../../core/secret-names.js';
import { containersOf } from '../../evaluate/pod-specs.js';
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
    'A password or token written into a pod spec is readable by everyone who can read the workload (get deployments is far more common than get secrets), is kept in Git, Helm releases and the API server\'s history, and cannot be rotated without a rollout. Variables are judged by name, as the collector\'s redaction does (password, passwd, passphrase, secret, token, credential, or a word key, auth, pass, apikey; names ending in file, path, dir... are settings, not secrets); a value from valueFrom (Secret, field, resource) or an empty value is fine. Only the variable\'s path and the value\'s length are reported: the value is never stored, logged or shown. Kubescape C-0012 also reads ConfigMap data; complyd does not collect ConfigMaps (their values would have to be read to be judged) and says so here.',
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
