import type { EvidenceKind, KubeObject, ResourceKind, Verdict } from '../../../core/types.js';
import type { EvalContext } from '../../../evaluate/context.js';
import { containersOf, effectiveSeccomp, isWindowsPod, type PodSubject } from '../../../evaluate/pod-specs.js';
import { NSA, POD_SPEC_EVIDENCE, failFields, validSeccompType, windowsExempt, type Offender } from '../../pss/common.js';
import { defineControl } from '../../define.js';
import { fail, pass } from '../../verdicts.js';
import { NSA_THEME, SECTION, clusterRef, complete, manual, passBecause, refOf, unknownBecause } from './common.js';

export const namespaceBoundaries = defineControl({
  id: 'CIS-5.6.1',
  title: 'Namespaces separate workloads and administrative duties',
  section: SECTION.general,
  severity: 'low',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.6.1', nsa: NSA_THEME.namespaces, kubescape: ['C-0209'] },
  level: 'L1',
  manual:
    'Whether namespaces follow teams, applications and trust boundaries is a judgement; complyd lists how workloads spread over namespaces for a person to review.',
  needs: ['namespaces', ...POD_SPEC_EVIDENCE],
  rationale:
    'RBAC, quotas, NetworkPolicy and Pod Security levels all apply per namespace; workloads of different owners or trust levels sharing one namespace share all of them.',
  remediation: 'Give each application or team its own namespaces, and bind roles, policies and quotas per namespace.',
  evaluate: (ctx) => {
    const counts = new Map<string, number>();
    for (const s of ctx.podSubjects) counts.set(s.resource.namespace ?? '', (counts.get(s.resource.namespace ?? '') ?? 0) + 1);
    const namespaces = ctx.objects('namespaces').map((n) => n.metadata.name);
    const observed = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([ns, n]) => `${ns || '<no namespace>'}: ${n}`)
      .join(', ');
    return [
      manual(clusterRef(ctx), `${namespaces.length} namespaces read, ${counts.size} of them with workloads; review that they follow ownership and trust boundaries`, {
        path: 'workloads per namespace',
        observed: observed || 'none',
        expected: 'workloads of different owners or trust levels in separate namespaces',
      }),
    ];
  },
});

type NodeDefault = 'all' | 'none' | 'unknown';

/** How an unset field reads inside a multi-field observation (JSON would drop it). */
const UNSET = '<unset>';

/**
 * Do all kubelets apply RuntimeDefault to pods that ask for nothing (configz seccompDefault)?
 * Manifests are judged on their own: no node is known, so no default is assumed.
 */
function nodeSeccompDefault(ctx: EvalContext): NodeDefault {
  if (ctx.snapshot.source === 'manifests') return 'none';
  const kubelets = ctx.kubelets;
  // One node that does not default is enough: the pod may be scheduled there.
  if (kubelets.some((k) => k.config && k.config.seccompDefault !== true)) return 'none';
  if (!complete(ctx, ['kubelets', 'nodes']) || kubelets.some((k) => !k.config)) return 'unknown';
  return kubelets.length > 0 ? 'all' : 'none';
}

const SECCOMP_EXPECTED = 'RuntimeDefault or Localhost on the pod or every container, or seccompDefault: true on every kubelet';

function judgeSeccomp(s: PodSubject, nodes: NodeDefault, legacy: boolean): Verdict[] {
  if (isWindowsPod(s)) return [windowsExempt(s.resource, s)];
  const offenders: Offender[] = [];
  let explicit = false;
  for (const c of containersOf(s)) {
    const eff = effectiveSeccomp(s, c, legacy);
    if (validSeccompType(eff.type)) continue;
    if (eff.type !== undefined) explicit = true;
    offenders.push({ path: eff.path, value: eff.type ?? UNSET });
  }
  if (offenders.length === 0) return [pass(s.resource)];
  // An explicit Unconfined wins over the kubelet default; an unset profile does not.
  if (!explicit && nodes === 'all') {
    return [passBecause(s.resource, 'no profile set, but every kubelet applies RuntimeDefault (seccompDefault: true)')];
  }
  if (!explicit && nodes === 'unknown') {
    return [unknownBecause(s.resource, 'no seccomp profile set, and whether every kubelet applies seccompDefault is unknown (configz missing)')];
  }
  return [failFields(s.resource, offenders, SECCOMP_EXPECTED)];
}

export const seccompDefault = defineControl({
  id: 'CIS-5.6.2',
  title: 'Pods run with the RuntimeDefault seccomp profile',
  section: SECTION.general,
  severity: 'medium',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.6.2', nsa: NSA.hardening, kubescape: ['C-0210', 'C-0055'] },
  level: 'L2',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Unless a profile is set, or the kubelet\'s seccompDefault is on, containers run Unconfined and can call every system call, including the rarely needed ones many kernel exploits use. Every container is judged, init and ephemeral included, the container\'s field winning over the pod\'s. The legacy annotations count in manifests and on clusters before 1.27 as the API server mapped them (docker/default is RuntimeDefault), where Trivy KSV030 accepts only runtime/default; on a cluster, a pod that sets nothing passes when every kubelet applies seccompDefault, which manifest scanners cannot see (ADR 0031).',
  remediation:
    'Set spec.securityContext.seccompProfile.type: RuntimeDefault on pod templates (or Localhost with a reviewed profile), or enable seccompDefault in every kubelet configuration.',
  evaluate: (ctx) => {
    const nodes = nodeSeccompDefault(ctx);
    return ctx.podSubjects.flatMap((s) => judgeSeccomp(s, nodes, ctx.legacySeccompAnnotations));
  },
});

const hasContent = (v: object | undefined): boolean => v !== undefined && v !== null && Object.keys(v).length > 0;

/** What a pod sets, in words: `pod: runAsNonRoot, seccompProfile; containers without one: app`. */
function contextSummary(s: PodSubject): { any: boolean; text: string } {
  const pod = s.spec.securityContext;
  const containers = containersOf(s);
  const bare = containers.filter((c) => !hasContent(c.container.securityContext)).map((c) => c.container.name);
  const podKeys = hasContent(pod) ? Object.keys(pod ?? {}).join(', ') : 'none';
  const any = hasContent(pod) || bare.length < containers.length;
  return { any, text: `pod: ${podKeys}; containers without one: ${bare.length > 0 ? bare.join(', ') : 'none'}` };
}

export const securityContexts = defineControl({
  id: 'CIS-5.6.3',
  title: 'Pods and containers carry a security context',
  section: SECTION.general,
  severity: 'low',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.6.3', nsa: NSA_THEME.immutable, kubescape: ['C-0211', 'C-0017'] },
  level: 'L2',
  manual:
    'What a suitable security context is depends on the workload. complyd fails pod specs that set none at all and shows the rest for review; the Pod Security Standards restricted controls judge the individual fields.',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'Without a security context a container runs with the image\'s user, a writable root filesystem and the runtime\'s default capabilities: nothing the workload owner decided.',
  remediation:
    'Set spec.securityContext (runAsNonRoot, seccompProfile) and each container\'s securityContext (allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities.drop: ["ALL"]).',
  evaluate: (ctx) =>
    ctx.podSubjects.map((s) => {
      const { any, text } = contextSummary(s);
      const path = `${s.specPath}.securityContext`;
      const expected = 'a security context on the pod and its containers suited to the workload';
      return any ? manual(s.resource, 'review that the security context fits the workload', { path, observed: text, expected }) : fail(s.resource, path, text, expected);
    }),
});

/**
 * Namespaced kinds read from the cluster; NetworkPolicies and LimitRanges in default protect it
 * and are not "use". ConfigMaps are read as key names only, which is all this needs.
 */
const DEFAULT_NS_KINDS: readonly ResourceKind[] = ['services', 'ingresses', 'serviceaccounts', 'roles', 'rolebindings', 'secrets', 'configmaps'];
const DEFAULT_NS_NEEDS: readonly EvidenceKind[] = [...POD_SPEC_EVIDENCE, ...DEFAULT_NS_KINDS];

/** What Kubernetes itself puts in `default`. */
function isSystemObject(o: KubeObject): boolean {
  if (o.kind === 'Service') return o.metadata.name === 'kubernetes';
  if (o.kind === 'ServiceAccount') return o.metadata.name === 'default';
  // The cluster's CA bundle, which kube-controller-manager publishes into every namespace.
  if (o.kind === 'ConfigMap') return o.metadata.name === 'kube-root-ca.crt';
  // Token Secret of the default ServiceAccount, as clusters before 1.24 created it.
  if (o.kind === 'Secret') return o.type === 'kubernetes.io/service-account-token' && o.metadata.annotations?.['kubernetes.io/service-account.name'] === 'default';
  return false;
}

export const defaultNamespaceUnused = defineControl({
  id: 'CIS-5.6.4',
  title: 'The default namespace holds no user objects',
  section: SECTION.general,
  severity: 'low',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.6.4', nsa: NSA_THEME.namespaces, kubescape: ['C-0212', 'C-0061'] },
  level: 'L2',
  needs: DEFAULT_NS_NEEDS,
  rationale:
    'Objects created without a namespace land in default, which usually has no Pod Security level, NetworkPolicy, quota or dedicated RBAC: they inherit none of the separation the other namespaces have. What Kubernetes itself keeps there is not use: the kubernetes Service, the default ServiceAccount (and its token Secret on clusters before 1.24) and the kube-root-ca.crt ConfigMap that kube-controller-manager publishes in every namespace; Kubescape C-0212 reports the ServiceAccount and the ConfigMap as well. NetworkPolicies and LimitRanges in default protect it and are not counted either.',
  remediation: 'Move workloads and their Services, Secrets and roles from default into namespaces of their own, and keep default empty apart from the kubernetes Service, the default ServiceAccount and the kube-root-ca.crt ConfigMap.',
  evaluate: (ctx) => {
    // Workloads through their pod specs, so a Deployment is reported once, not with its ReplicaSets and Pods.
    const workloads = ctx.podSubjects.filter((s) => s.resource.namespace === 'default').map((s) => s.object);
    const others = DEFAULT_NS_KINDS.flatMap((k) => ctx.objects(k)).filter((o) => o.metadata.namespace === 'default' && !isSystemObject(o));
    const verdicts: Verdict[] = [...workloads, ...others].map((o) => fail(refOf(o), 'metadata.namespace', 'default', 'a namespace other than default'));
    if (verdicts.length > 0 || !complete(ctx, DEFAULT_NS_NEEDS)) return verdicts;
    return [passBecause({ kind: 'Namespace', name: 'default' }, 'holds only the kubernetes Service, the default ServiceAccount and the kube-root-ca.crt ConfigMap')];
  },
});
