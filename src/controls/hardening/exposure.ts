import type { Verdict } from '../../core/types.js';
import { defineControl } from '../define.js';
import { failFields, type Offender } from '../pss/common.js';
import { pass } from '../verdicts.js';
import { objectRef } from '../../evaluate/rbac.js';
import { NSA_THEME, SECTION } from './common.js';

const EXPOSING_TYPES = new Set(['NodePort', 'LoadBalancer']);

export const serviceExposure = defineControl({
  id: 'HARD-service-exposure',
  title: 'Services are not exposed outside the cluster without review',
  section: SECTION.exposure,
  severity: 'medium',
  frameworks: ['hardening', 'nsa'],
  refs: { nsa: NSA_THEME.exposure, kubescape: ['C-0256'] },
  needs: ['services'],
  rationale:
    'A NodePort Service opens its port on every node, a LoadBalancer Service usually opens it to the internet, and externalIPs make nodes answer for addresses an administrator chose (CVE-2020-8554 lets whoever writes a Service intercept traffic that way). Each is an entry point to review; one finding per Service, naming the fields that expose it. Exposure is often intended: record it as an exception with its reason. Kubescape C-0256 reports the same types; an internal load balancer (cloud annotations) is still reported, since complyd cannot tell which annotation a cloud honours.',
  remediation: 'Use type ClusterIP behind an Ingress or Gateway with TLS and authentication, restrict LoadBalancer sources (loadBalancerSourceRanges), and remove externalIPs (deny them with an admission policy).',
  evaluate: (ctx) =>
    ctx.objects('services').map((svc): Verdict => {
      const spec = svc.spec ?? {};
      const offenders: Offender[] = [];
      if (typeof spec.type === 'string' && EXPOSING_TYPES.has(spec.type)) offenders.push({ path: 'spec.type', value: spec.type });
      if (Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0) offenders.push({ path: 'spec.externalIPs', value: spec.externalIPs });
      return offenders.length > 0 ? failFields(objectRef(svc), offenders, 'type ClusterIP (or ExternalName, headless) and no externalIPs') : pass(objectRef(svc));
    }),
});
