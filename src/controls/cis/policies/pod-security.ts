import type { Verdict } from '../../../core/types.js';
import { POD_SPEC_EVIDENCE } from '../../pss/common.js';
import { defineControl } from '../../define.js';
import { defineDataControl } from '../../data/define-data.js';
import { fail, pass } from '../../verdicts.js';
import { SYSTEM_NAMESPACES } from '../../../core/namespace-scope.js';
import { NSA_THEME, SECTION, complete, unknownBecause } from './common.js';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const ENFORCING_LEVELS = ['baseline', 'restricted'];

/**
 * Namespaces that run user workloads: every namespace holding a pod spec, except the ones
 * Kubernetes runs itself (kube-system, kube-public, kube-node-lease), whose components need
 * privileges PSA baseline forbids.
 */
export const podSecurityAdmission = defineControl({
  id: 'CIS-5.2.1',
  title: 'Namespaces with user workloads enforce a Pod Security level',
  section: SECTION.podSecurity,
  severity: 'high',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.2.1', nsa: NSA_THEME.enforcement, kubescape: ['C-0192'] },
  level: 'L1',
  needs: ['namespaces', ...POD_SPEC_EVIDENCE],
  rationale:
    'The workload checks of section 5.2 only describe what was admitted so far; without an enforcing admission policy the next privileged or host-namespace pod is admitted just the same. PodSecurity admission enforces nothing until a namespace asks for a level. enforce=privileged restricts nothing and fails; Kubescape C-0192 passes a namespace with any enforce label, and every namespace once some admission webhook is registered, which complyd does not read (an exception records a policy engine).',
  remediation: `Label every namespace that runs user workloads with ${ENFORCE}=baseline (or restricted). If a policy engine (Kyverno, Gatekeeper, ValidatingAdmissionPolicy) or a cluster-wide PodSecurity default enforces instead, record an exception: complyd cannot see webhook configurations or the AdmissionConfiguration file.`,
  evaluate: (ctx) => {
    const workloadNamespaces = [...new Set(ctx.podSubjects.flatMap((s) => s.resource.namespace ?? []))]
      .filter((ns) => !SYSTEM_NAMESPACES.includes(ns))
      .sort();
    const namespaces = new Map(ctx.objects('namespaces').map((n) => [n.metadata.name, n]));
    const namespacesRead = complete(ctx, ['namespaces']);
    return workloadNamespaces.flatMap((name): Verdict[] => {
      const ref = { kind: 'Namespace', name };
      const object = namespaces.get(name);
      if (!object) return namespacesRead ? [unknownBecause(ref, `Namespace ${name} is not among the objects read, so its Pod Security labels are unknown`)] : [];
      const level = object.metadata.labels?.[ENFORCE];
      const path = `metadata.labels[${ENFORCE}]`;
      return [
        level !== undefined && ENFORCING_LEVELS.includes(level)
          ? pass(ref, { path, observed: level, expected: 'baseline or restricted' })
          : fail(ref, path, level, 'baseline or restricted'),
      ];
    });
  },
});

/**
 * `CAP_NET_RAW`, `net_raw` and `NET_RAW` name the same capability for containerd and CRI-O,
 * which compare `all` case-insensitively too: any of them in `add` grants it.
 */
const EXPECTED_NET_RAW = 'add without NET_RAW or ALL in any spelling; drop includes NET_RAW or ALL, written so';

/**
 * Stricter than PSS baseline, which only forbids adding NET_RAW: NET_RAW is in the default
 * capability set of containerd and CRI-O, so a container keeps it unless it drops it.
 */
export const netRaw = defineDataControl({
  id: 'CIS-5.2.8',
  title: 'Containers drop the NET_RAW capability',
  section: SECTION.podSecurity,
  severity: 'medium',
  frameworks: ['cis-1.12', 'nsa'],
  refs: { cis: '5.2.8', nsa: NSA_THEME.escalation, kubescape: ['C-0199', 'C-0046'] },
  level: 'L1',
  needs: POD_SPEC_EVIDENCE,
  rationale:
    'NET_RAW lets a process craft raw packets: ARP and DNS spoofing of neighbouring pods and some kernel exploits start there. Container runtimes grant it by default, so leaving it out of add is not enough. Capability case, one rule for the whole catalog: an entry of add counts in every spelling a runtime accepts (net_raw, CAP_NET_RAW, all), since containerd and CRI-O grant it; an entry of drop counts only written exactly (NET_RAW, ALL), as PodSecurity admission compares them (its restricted check accepts drop ALL, never all), so a pod that relies on a lower-case drop fails here as it fails PSS-capabilities-restricted. Scanners that upper-case drops (kube-bench compares strings, Trivy upper-cases) may pass such a pod.',
  remediation: 'Add NET_RAW (or ALL) to securityContext.capabilities.drop of every container, and never list NET_RAW or ALL in capabilities.add.',
  rule: {
    on: 'container',
    field: ['securityContext', 'capabilities', 'add'],
    require: { noneOfCapabilities: ['NET_RAW', 'ALL'] },
    // Drops count only written as PodSecurity admission compares them (exactly): see the rationale.
    also: [{ field: ['securityContext', 'capabilities', 'drop'], require: { containsAny: ['NET_RAW', 'ALL'] } }],
    expected: EXPECTED_NET_RAW,
    windowsExempt: 'this check does not apply to Windows pods (policy 1.25+)',
  },
});
