import type { KubeObject, Verdict } from '../../../core/types.js';
import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, replicasOf, shown } from './common.js';

const EXPECTED = 'people sign in through an identity provider (OIDC, authentication config), not with client certificates';
const OIDC_FLAGS = ['oidc-issuer-url', 'authentication-config'];

interface Subject {
  kind?: string;
  name?: string;
}

/** Users and groups named by bindings that are not Kubernetes' own identities: the people who may hold certificates. */
export function humanSubjects(bindings: readonly KubeObject[]): string[] {
  const out = new Set<string>();
  for (const b of bindings) {
    for (const s of (b.subjects ?? []) as Array<Subject | null>) {
      // Manifests are not validated by an API server: a subject may be null or name a list.
      if (!s || typeof s.name !== 'string') continue;
      if ((s.kind === 'User' || s.kind === 'Group') && s.name && !s.name.startsWith('system:')) {
        out.add(`${s.kind} ${s.name} (${b.kind} ${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name})`);
      }
    }
  }
  return [...out];
}

export default defineControl({
  id: 'CIS-3.1.1',
  title: 'People do not authenticate with client certificates',
  section: SECTION.authn,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '3.1.1', nsa: NSA.authn, kubescape: ['C-0286'] },
  needs: ['controlPlane', 'clusterrolebindings', 'rolebindings'],
  manual:
    'Who holds a client certificate is not visible through the API: issued certificates are not stored, and a CSR may have been signed outside the cluster. ' +
    'complyd shows whether the API server accepts client certificates and has an identity provider, and which non-system users and groups RBAC names; ' +
    'a person confirms how those people sign in (for example that admin.conf is kept for break-glass use only).',
  rationale:
    'A client certificate cannot be revoked in Kubernetes: it works until it expires, often a year, even after its holder leaves. ' +
    'Its organisation field can place the holder in system:masters, beyond the reach of RBAC.',
  remediation:
    'Configure an identity provider (--oidc-issuer-url or an AuthenticationConfiguration with a JWT issuer), move people to it, keep admin.conf offline for emergencies, ' +
    'and stop signing kubernetes.io/kube-apiserver-client CSRs for people.',
  evaluate: (ctx): Verdict[] => {
    const replicas = replicasOf(ctx, APISERVER);
    const subjects = humanSubjects([...ctx.objects('clusterrolebindings'), ...ctx.objects('rolebindings')]);
    const people = subjects.length > 0 ? `RBAC names ${subjects.length} non-system users/groups: ${subjects.slice(0, 10).join(', ')}${subjects.length > 10 ? ', …' : ''}` : 'RBAC names no non-system users or groups';
    const cluster = { kind: 'Cluster', name: ctx.snapshot.cluster };
    if (replicas.length === 0) {
      return [{ status: 'manual', resource: cluster, message: `kube-apiserver flags are not visible; ${people}` }];
    }
    return replicas.map((r): Verdict => {
      const ca = r.flags.flags.get('client-ca-file');
      const idp = OIDC_FLAGS.flatMap((f) => r.flags.flags.get(f) ?? []);
      const observed = `${ca ? `${shown(ca)} (client certificates accepted)` : '--client-ca-file: <unset> (no client certificates)'}; ${idp.length > 0 ? idp.map(shown).join('; ') : 'no identity provider flag (--oidc-issuer-url, --authentication-config)'}`;
      return { status: 'manual', resource: r.resource, evidence: { path: r.argvPath(), observed, expected: EXPECTED }, message: people };
    });
  },
});
