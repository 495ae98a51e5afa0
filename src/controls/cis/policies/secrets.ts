import type { EvalContext } from '../../../evaluate/context.js';
import { containersOf, type PodSubject } from '../../../evaluate/pod-specs.js';
import { POD_SPEC_EVIDENCE, failFields, type Offender } from '../../pss/common.js';
import { defineControl } from '../../define.js';
import { pass } from '../../verdicts.js';
import { NSA_THEME, SECTION, clusterRef, manual } from './common.js';

export const secretsAsEnv = defineControl({
  id: 'CIS-5.4.1',
  title: 'Secrets are mounted as files, not passed as environment variables',
  section: SECTION.secrets,
  severity: 'medium',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.4.1', nsa: NSA_THEME.secrets, kubescape: ['C-0207'] },
  level: 'L2',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Environment variables leak: they are inherited by child processes, printed by crash handlers and debug endpoints, and visible in /proc. A mounted Secret stays a file with its own permissions and is updated in place when rotated. env[].valueFrom.secretKeyRef and envFrom[].secretRef both count, in containers, init containers and ephemeral containers; Kubescape C-0207 reads only secretKeyRef in containers and init containers.',
  remediation: 'Replace env[].valueFrom.secretKeyRef and envFrom[].secretRef with a secret volume (or a projected volume) and have the application read the file.',
  evaluate: (ctx) =>
    ctx.podSubjects.flatMap(containersOf).map((c) => {
      const offenders: Offender[] = [];
      for (const e of c.container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) offenders.push({ path: `${c.path}.env[${e.name}].valueFrom.secretKeyRef`, value: ref });
      }
      (c.container.envFrom ?? []).forEach((e, i) => {
        if (e.secretRef) offenders.push({ path: `${c.path}.envFrom[${i}].secretRef`, value: e.secretRef });
      });
      return offenders.length > 0 ? failFields(c.resource, offenders, 'no Secret referenced from env or envFrom') : pass(c.resource);
    }),
});

/** Traces that an external secret store feeds the cluster, as pod specs show them. */
const STORE_SIGNS: ReadonlyArray<{ what: string; test: (s: PodSubject) => boolean }> = [
  {
    what: 'Secrets Store CSI driver volumes',
    test: (s) => (s.spec.volumes ?? []).some((v) => (v.csi as { driver?: unknown } | undefined)?.driver === 'secrets-store.csi.k8s.io'),
  },
  { what: 'Vault Agent injection', test: (s) => s.podAnnotations['vault.hashicorp.com/agent-inject'] === 'true' },
  { what: 'External Secrets Operator', test: (s) => imagesOf(s).some((i) => /external-secrets/.test(i)) },
  { what: 'Secrets Store CSI driver', test: (s) => imagesOf(s).some((i) => /secrets-store-csi-driver/.test(i)) },
  { what: 'Vault', test: (s) => imagesOf(s).some((i) => /(^|\/)vault(-k8s)?(:|@|$)/.test(i)) },
];

function imagesOf(s: PodSubject): string[] {
  return [...(s.spec.containers ?? []), ...(s.spec.initContainers ?? [])].map((c) => c.image ?? '');
}

function storeEvidence(ctx: EvalContext): string[] {
  return STORE_SIGNS.flatMap((sign) => {
    const where = ctx.podSubjects.filter(sign.test).map((s) => `${s.resource.kind} ${s.resource.namespace ?? ''}/${s.resource.name}`);
    if (where.length === 0) return [];
    const shown = where.slice(0, 3).join(', ');
    return [`${sign.what}: ${shown}${where.length > 3 ? ` and ${where.length - 3} more` : ''}`];
  });
}

export const externalSecretStore = defineControl({
  id: 'CIS-5.4.2',
  title: 'Secrets are kept in an external secret store',
  section: SECTION.secrets,
  severity: 'low',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.4.2', nsa: NSA_THEME.secrets, kubescape: ['C-0208'] },
  level: 'L2',
  manual:
    'Whether secrets live in an external store is a design decision: complyd shows the traces it recognises in pod specs (Secrets Store CSI volumes, Vault Agent injection, External Secrets Operator) but cannot read their custom resources or the API server\'s KMS configuration.',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Kubernetes Secrets are base64 in etcd, readable by anyone with list on secrets in the namespace; an external store adds its own access control, audit, rotation and encryption.',
  remediation: 'Keep credentials in a secrets manager (Vault, a cloud secret manager) and deliver them through the Secrets Store CSI driver or an operator, instead of writing them into Secret manifests.',
  evaluate: (ctx) => {
    const seen = storeEvidence(ctx);
    const message =
      seen.length > 0
        ? 'traces of an external secret store were found; confirm that application credentials come from it'
        : 'no trace of an external secret store was found in pod specs; confirm how secrets are managed';
    return [manual(clusterRef(ctx), message, { path: 'pod specs (volumes, annotations, images)', observed: seen.length > 0 ? seen.join('; ') : 'none', expected: 'secrets delivered from an external store' })];
  },
});
