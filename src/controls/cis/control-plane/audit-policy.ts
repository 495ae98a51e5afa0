import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica, evidenceOf, verdict } from './common.js';

const EXPECTED = '--audit-policy-file set to a policy that records security-relevant requests';

export default defineControl({
  id: 'CIS-3.2.1',
  title: 'An audit policy is in place',
  section: SECTION.logging,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '3.2.1', nsa: NSA.audit, kubescape: ['C-0160'] },
  needs: ['controlPlane'],
  manual:
    'The policy file\'s content is not visible through the API. complyd fails the control when kube-apiserver has no --audit-policy-file (no audit events at all); ' +
    'when it has one, a person checks on a control-plane host that the policy records what CIS 3.2.2 lists and is not a single level: None rule.',
  rationale:
    'Without a policy the API server emits no audit events, whatever the log backends. With one, what gets recorded is only as good as its rules.',
  remediation:
    'Write an audit Policy (Metadata for Secrets, ConfigMaps and TokenReviews, RequestResponse or Request for changes to workloads and RBAC, ' +
    'and the pods/exec, pods/portforward, pods/proxy and services/proxy subresources), pass it with --audit-policy-file together with --audit-log-path.',
  evaluate: (ctx) =>
    eachReplica(ctx, APISERVER, (r) => {
      const evidence = evidenceOf(r, 'audit-policy-file', EXPECTED);
      if ((r.flags.flags.get('audit-policy-file')?.value ?? '') === '') return verdict('fail', r, evidence, 'without a policy the API server records no audit events');
      return verdict('manual', r, evidence, 'the policy file is not visible through the API: review its rules on a control-plane host');
    }),
});
