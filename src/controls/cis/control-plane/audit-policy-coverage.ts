import { defineControl } from '../../define.js';
import { CIS_AND_NSA, NSA, SECTION } from './common.js';

export default defineControl({
  id: 'CIS-3.2.2',
  title: 'The audit policy covers the key security concerns',
  section: SECTION.logging,
  severity: 'medium',
  level: 'L2',
  frameworks: CIS_AND_NSA,
  refs: { cis: '3.2.2', nsa: NSA.audit, kubescape: ['C-0161'] },
  needs: [],
  manual:
    'The audit policy is a file on the control-plane hosts (named by --audit-policy-file, see CIS 3.2.1); the API does not show its rules. ' +
    'Review it by hand against the list in the remediation.',
  rationale:
    'An audit log only helps an investigation if it holds the right events: access to Secrets and tokens, changes to pods and workloads, ' +
    'and interactive access through exec, port-forward and proxy. Logging request bodies for Secrets would copy them into the log.',
  remediation:
    'Check that the policy logs Secrets, ConfigMaps and TokenReviews at Metadata level only; logs create, update, patch and delete of pods and deployments; ' +
    'and logs pods/exec, pods/portforward, pods/proxy and services/proxy. Keep an explicit rule for every resource group you care about before any catch-all.',
});
