import type { EvidenceKind, KubeObject, Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import type { PodSubject } from '../../../evaluate/pod-specs.js';
import { describeSubject, isSystemSubject, rbacGraph, serviceAccountOf, type RbacGrant } from '../../../evaluate/rbac.js';
import { POD_SPEC_EVIDENCE } from '../../pss/common.js';
import { defineControl } from '../../define.js';
import { fail, notApplicable, pass, show } from '../../verdicts.js';
import { BINDING_EVIDENCE, NSA_THEME, SECTION, bindingFailures, complete, passBecause, refOf, unknownBecause } from './common.js';

const saKey = (namespace: string, name: string) => `${namespace}/${name}`;

/** Grants whose subject is exactly this service account (not a group it belongs to). */
function grantsBySa(ctx: EvalContext): Map<string, RbacGrant[]> {
  const out = new Map<string, RbacGrant[]>();
  for (const g of rbacGraph(ctx).grants) {
    const sa = serviceAccountOf(g.subject);
    if (!sa) continue;
    const key = saKey(sa.namespace, sa.name);
    out.set(key, [...(out.get(key) ?? []), g]);
  }
  return out;
}

const DEFAULT_SA_NEEDS: readonly EvidenceKind[] = ['serviceaccounts', ...BINDING_EVIDENCE, ...POD_SPEC_EVIDENCE];

/**
 * Pods that insist on the default account's token (automountServiceAccountToken: true on the
 * pod overrides false on the account). A pod that merely runs as default, with the token
 * mounted because the account allows it, is covered by the account's own failure.
 */
function podsForcingDefaultToken(ctx: EvalContext): Verdict[] {
  return ctx.podSubjects
    .filter((s) => serviceAccountName(s) === 'default' && s.spec.automountServiceAccountToken === true)
    .map((s) => fail(s.resource, `${s.specPath}.automountServiceAccountToken`, true, 'a dedicated ServiceAccount for a workload that needs a token'));
}

export const defaultServiceAccounts = defineControl({
  id: 'CIS-5.1.5',
  title: 'Default service accounts are not used',
  section: SECTION.rbac,
  severity: 'medium',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.1.5', nsa: NSA_THEME.tokens, kubescape: ['C-0189'] },
  level: 'L1',
  needs: DEFAULT_SA_NEEDS,
  rationale:
    'Every pod that names no service account runs as its namespace\'s default one. Rights granted to it, and its token mounted by default, reach every such pod, including ones that never needed the API.',
  remediation:
    'Set automountServiceAccountToken: false on the default ServiceAccount of every namespace, remove bindings that name a default ServiceAccount, and give workloads that call the API their own ServiceAccount.',
  evaluate: (ctx) => {
    const bound = grantsBySa(ctx);
    const bindingsComplete = complete(ctx, BINDING_EVIDENCE);
    const accounts: Verdict[] = ctx
      .objects('serviceaccounts')
      .filter((sa) => sa.metadata.name === 'default')
      .flatMap((sa) => {
        const ref = refOf(sa);
        if (sa.automountServiceAccountToken !== false) return [fail(ref, 'automountServiceAccountToken', sa.automountServiceAccountToken, 'false')];
        const used = (bound.get(saKey(sa.metadata.namespace ?? '', 'default')) ?? []).length > 0;
        // A binding naming it fails on its own below; the account passes only when no binding was missed.
        return used || !bindingsComplete ? [] : [pass(ref)];
      });
    const offences = [...bound.entries()]
      .filter(([key]) => key.endsWith('/default'))
      .flatMap(([, grants]) => grants.map((grant) => ({ grant, why: `grants ${grant.roleRef.kind} ${grant.roleRef.name} to ${describeSubject(grant.subject)}` })));
    return [...accounts, ...bindingFailures(offences, 'no binding names a default ServiceAccount'), ...podsForcingDefaultToken(ctx)];
  },
});

const TOKEN_NEEDS: readonly EvidenceKind[] = [...POD_SPEC_EVIDENCE, 'serviceaccounts', ...BINDING_EVIDENCE];
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const TOKEN_EXPECTED = 'false: a ServiceAccount named in no binding has no API rights to use';

function serviceAccountName(s: PodSubject): string {
  const spec = s.spec as PodSubject['spec'] & { serviceAccount?: string };
  return spec.serviceAccountName || spec.serviceAccount || 'default';
}

/**
 * A token for the API server projected by hand: a projected volume source `serviceAccountToken`
 * without an audience (the audience then defaults to the API server's own), which the kubelet
 * mounts whatever automountServiceAccountToken says. A token for another audience (a cloud's
 * workload identity, Vault) is not accepted by the API server and does not count. Returns the
 * field path of the first one.
 */
function projectedApiToken(s: PodSubject): string | undefined {
  for (const volume of s.spec.volumes ?? []) {
    const sources = (volume.projected as { sources?: unknown } | undefined)?.sources;
    if (!Array.isArray(sources)) continue;
    const i = sources.findIndex((src: unknown) => {
      const token = (src as { serviceAccountToken?: { audience?: unknown } } | null)?.serviceAccountToken;
      return token !== undefined && token !== null && (token.audience === undefined || token.audience === '');
    });
    if (i >= 0) return `${s.specPath}.volumes[${volume.name}].projected.sources[${i}].serviceAccountToken`;
  }
  return undefined;
}

/**
 * How a pod gets a token: `automount` when the pod's automountServiceAccountToken, else its
 * ServiceAccount's, else the default (true) mounts it; `projected` when automounting is off
 * but a volume projects one; `off` for none; `unknown` when the ServiceAccount is not read.
 */
function howMounted(ctx: EvalContext, s: PodSubject, account: KubeObject | undefined, projected: string | undefined): 'automount' | 'projected' | 'off' | 'unknown' {
  const podValue = s.spec.automountServiceAccountToken;
  const automount = podValue ?? account?.automountServiceAccountToken;
  if (automount === true || (podValue === undefined && account !== undefined && account.automountServiceAccountToken === undefined)) return 'automount';
  if (automount === false) return projected ? 'projected' : 'off';
  // Neither the pod nor a ServiceAccount read says: mounted by default, if the account does not turn it off.
  if (projected) return 'projected';
  return !complete(ctx, ['serviceaccounts']) || ctx.snapshot.source === 'manifests' ? 'unknown' : 'automount';
}

/**
 * Whether a pod gets a token (howMounted). A token is taken as needed when the ServiceAccount is
 * named in at least one binding (it has rights to use); a token mounted for an account with no
 * binding serves nothing but an attacker. kube-bench instead fails every mounted token.
 */
function judgeToken(ctx: EvalContext, s: PodSubject, accounts: Map<string, KubeObject>, bound: Map<string, RbacGrant[]>): Verdict {
  const namespace = s.resource.namespace ?? '';
  const saName = serviceAccountName(s);
  const podValue = s.spec.automountServiceAccountToken;
  const podPath = `${s.specPath}.automountServiceAccountToken`;
  if (s.object.kind === 'Pod' && s.object.metadata.annotations?.[MIRROR_ANNOTATION]) {
    return notApplicable(s.resource, 'static (mirror) pods never get a service account token');
  }
  const projected = projectedApiToken(s);
  const account = accounts.get(saKey(namespace, saName));
  const how = howMounted(ctx, s, account, projected);
  if (how === 'off') return pass(s.resource);
  if (how === 'unknown') {
    return unknownBecause(s.resource, `ServiceAccount ${namespace}/${saName} is not among the objects read, so whether a token is mounted is unknown`);
  }
  if (isSystemSubject({ kind: 'ServiceAccount', name: saName, namespace })) {
    return passBecause(s.resource, `token mounted for ServiceAccount ${namespace}/${saName}, a Kubernetes component that calls the API`);
  }
  const grants = bound.get(saKey(namespace, saName)) ?? [];
  const [first] = grants;
  if (first) {
    const via = `${first.binding.kind} ${first.binding.metadata.name}`;
    return passBecause(s.resource, `token mounted; ServiceAccount ${namespace}/${saName} is granted ${first.roleRef.kind} ${first.roleRef.name} by ${via}, so the workload presumably calls the API`);
  }
  if (!complete(ctx, BINDING_EVIDENCE)) {
    return unknownBecause(s.resource, `token mounted; whether ServiceAccount ${namespace}/${saName} is bound is unknown (bindings could not all be read)`);
  }
  if (how === 'projected' && projected) {
    // Automounting is off (or not known to be on): the token is there because a volume projects it.
    return { ...fail(s.resource, projected, 'a projected token for the API server', 'no token: a ServiceAccount named in no binding has no API rights to use'), message: `ServiceAccount ${namespace}/${saName} is named in no binding, yet a token for the API server is projected into the pod` };
  }
  const observed = podValue === true ? true : `${show(podValue)} (ServiceAccount ${namespace}/${saName}: ${show(account?.automountServiceAccountToken)})`;
  return { ...fail(s.resource, podPath, observed, TOKEN_EXPECTED), message: `ServiceAccount ${namespace}/${saName} is named in no binding, yet its token is mounted` };
}

export const tokenMounts = defineControl({
  id: 'CIS-5.1.6',
  title: 'Service account tokens are mounted only where the API is used',
  section: SECTION.rbac,
  severity: 'medium',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.1.6', nsa: NSA_THEME.tokens, kubescape: ['C-0190', 'C-0034'] },
  level: 'L1',
  needs: TOKEN_NEEDS,
  rationale:
    'A mounted token lets anyone who gets code execution in the container call the API server as the pod\'s service account; pods that never talk to the API should not carry one. The token judged is the one mounted: the pod\'s automountServiceAccountToken when set, else its ServiceAccount\'s, else mounted. complyd takes a token as needed when the pod\'s ServiceAccount is named in some binding (it has API rights to use) or is one of Kubernetes\' own controllers, and passes such a pod; kube-bench and Kubescape C-0034/C-0190 fail every pod whose token is mounted, so they report more pods here (ADR 0027). A token projected by hand (a projected volume source serviceAccountToken without an audience, whose audience is then the API server) is mounted whatever automountServiceAccountToken says, and is judged the same way; one for another audience (workload identity, Vault) is not an API token. Trivy KSV036 fails only a pod that writes true (or mounts the token path by hand), and passes one that leaves the field unset although the token is then mounted (ADR 0031).',
  remediation:
    'Set automountServiceAccountToken: false on the pod (or on its ServiceAccount) for workloads that do not call the Kubernetes API; give those that do a dedicated ServiceAccount with a minimal role.',
  evaluate: (ctx) => {
    const accounts = new Map(ctx.objects('serviceaccounts').map((sa) => [saKey(sa.metadata.namespace ?? '', sa.metadata.name), sa]));
    const bound = grantsBySa(ctx);
    return ctx.podSubjects.map((s) => judgeToken(ctx, s, accounts, bound));
  },
});
