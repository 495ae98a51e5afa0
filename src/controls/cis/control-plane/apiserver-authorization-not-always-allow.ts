import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeAuthorizationMode } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.6',
  title: 'The API server does not authorize every request',
  section: SECTION.apiServer,
  severity: 'critical',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.6', nsa: NSA.rbac, kubescape: ['C-0118'] },
  needs: ['controlPlane'],
  rationale:
    'AlwaysAllow lets every authenticated request (and every anonymous one, if anonymous auth is on) do anything, including reading every Secret. ' +
    'It is also what kube-apiserver uses when --authorization-mode is absent, whatever the benchmark\'s default-value text says, so an absent flag fails. ' +
    'With --authorization-config the chain is in a file the API does not show: unknown (kube-bench, which looks only for the flag, fails it). ' +
    'A list the API server refuses (empty, an unknown or repeated mode, Webhook or ABAC without its file) is unknown too, although it has no AlwaysAllow in it.',
  remediation: 'Set --authorization-mode=Node,RBAC on kube-apiserver (or an authorization configuration file whose chain has no AlwaysAllow authorizer).',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAuthorizationMode(r, 'AlwaysAllow', false, '--authorization-mode without AlwaysAllow')),
});
