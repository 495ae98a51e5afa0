import type { KubeObject } from '../../../core/types.js';
import { parseGoBool } from '../../../evaluate/flags.js';
import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica, evidenceOf, notOnOrOff, verdict } from './common.js';

const EXPECTED = 'bootstrap tokens used only to join nodes, short-lived, and not by people';

/** Bootstrap token Secrets: type bootstrap.kubernetes.io/token, or (metadata-only listing) kube-system/bootstrap-token-<id>. */
export function bootstrapTokenSecrets(secrets: readonly KubeObject[]): KubeObject[] {
  return secrets.filter(
    (s) => s.type === 'bootstrap.kubernetes.io/token' || (s.metadata.namespace === 'kube-system' && /^bootstrap-token-[a-z0-9]{6}$/.test(s.metadata.name)),
  );
}

export default defineControl({
  id: 'CIS-3.1.3',
  title: 'People do not authenticate with bootstrap tokens',
  section: SECTION.authn,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '3.1.3', nsa: NSA.authn, kubescape: ['C-0288'] },
  needs: ['controlPlane', 'secrets'],
  manual:
    'A bootstrap token\'s expiry and usages are in the Secret\'s data, which complyd never reads, and who uses a token is not recorded. When the API server accepts ' +
    'bootstrap tokens, complyd lists the bootstrap-token Secrets in kube-system; a person checks that each is a short-lived node-join token. ' +
    'With --enable-bootstrap-token-auth off (the default) nobody can sign in with one: pass.',
  rationale:
    'Bootstrap tokens are simple bearer tokens meant for a node\'s first contact. Kept alive or handed to people, they become shared credentials ' +
    'whose holders are hard to tell apart.',
  remediation:
    'Let bootstrap tokens expire (kubeadm token create --ttl), delete unused ones (kubeadm token delete), keep the tokencleaner controller on, ' +
    'and give people identities from an identity provider.',
  evaluate: (ctx) => {
    const tokens = bootstrapTokenSecrets(ctx.objects('secrets'));
    const found = tokens.length > 0 ? `${tokens.length} bootstrap-token Secrets: ${tokens.map((s) => s.metadata.name).join(', ')}` : 'no bootstrap-token Secrets';
    return eachReplica(ctx, APISERVER, (r) => {
      const evidence = evidenceOf(r, 'enable-bootstrap-token-auth', EXPECTED);
      const raw = r.flags.flags.get('enable-bootstrap-token-auth')?.value ?? 'false';
      const on = parseGoBool(raw);
      if (on === undefined) return verdict('unknown', r, evidence, notOnOrOff('--enable-bootstrap-token-auth', raw, 'kube-apiserver'));
      if (!on) return verdict('pass', r, evidence, 'bootstrap token authentication is off');
      return verdict('manual', r, { ...evidence, observed: `${evidence.observed}; ${found}` }, 'expiry and usages are in the Secrets\' data, which complyd does not read: check them with kubeadm token list');
    });
  },
});
