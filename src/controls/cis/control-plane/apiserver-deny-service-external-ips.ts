import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeAdmissionPlugin } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.3',
  title: 'The DenyServiceExternalIPs admission plugin is enabled',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.3', kubescape: ['C-0283'] },
  needs: ['controlPlane'],
  rationale:
    'Anyone who may create or edit a Service can set spec.externalIPs and have kube-proxy capture traffic for that address on every node (CVE-2020-8554). ' +
    'The plugin is off by default; with it, new external IPs are refused.',
  remediation:
    'Add DenyServiceExternalIPs to --enable-admission-plugins on kube-apiserver. If some Services need external IPs, allow them through a policy engine instead and keep the plugin off knowingly.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAdmissionPlugin(r, 'DenyServiceExternalIPs', true, 'DenyServiceExternalIPs among the enabled admission plugins')),
});
