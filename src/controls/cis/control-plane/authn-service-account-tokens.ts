import type { KubeObject } from '../../../core/types.js';
import { defineControl } from '../../define.js';
import { CIS_AND_NSA, NSA, SECTION } from './common.js';

const SA_ANNOTATION = 'kubernetes.io/service-account.name';

/** Long-lived service-account token Secrets; a metadata-only listing has no type, so the annotation counts too. */
export function serviceAccountTokenSecrets(secrets: readonly KubeObject[]): KubeObject[] {
  return secrets.filter((s) => s.type === 'kubernetes.io/service-account-token' || s.metadata.annotations?.[SA_ANNOTATION] !== undefined);
}

export default defineControl({
  id: 'CIS-3.1.2',
  title: 'People do not authenticate with service-account tokens',
  section: SECTION.authn,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '3.1.2', nsa: NSA.authn, kubescape: ['C-0287'] },
  needs: ['secrets'],
  manual:
    'Whether a person uses a service-account token is a matter of intent the API does not record. complyd lists the long-lived token Secrets ' +
    '(kubernetes.io/service-account-token), the tokens most often copied into kubeconfigs; a person checks who uses them and removes those that are not needed.',
  rationale:
    'Service-account tokens are meant for workloads. A token copied into a person\'s kubeconfig is a shared, hard-to-trace credential; ' +
    'the long-lived Secret-based kind never expires.',
  remediation:
    'Give people identities from an identity provider; delete token Secrets nobody needs (kubectl get secrets -A --field-selector type=kubernetes.io/service-account-token) ' +
    'and use kubectl create token for short-lived tokens where a workload identity is really required.',
  evaluate: (ctx) => {
    const tokens = serviceAccountTokenSecrets(ctx.objects('secrets'));
    const names = tokens.map((s) => `${s.metadata.namespace ?? ''}/${s.metadata.name} (service account ${s.metadata.annotations?.[SA_ANNOTATION] ?? '?'})`);
    const observed = tokens.length > 0 ? `${tokens.length} long-lived token Secrets: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}` : 'no long-lived token Secrets';
    return [
      {
        status: 'manual',
        resource: { kind: 'Cluster', name: ctx.snapshot.cluster },
        evidence: { path: 'secrets[type=kubernetes.io/service-account-token]', observed, expected: 'no service-account token used by a person' },
        message: 'short-lived tokens from the TokenRequest API (kubectl create token) leave no Secret; check the audit log for service-account users acting from outside the cluster',
      },
    ];
  },
});
