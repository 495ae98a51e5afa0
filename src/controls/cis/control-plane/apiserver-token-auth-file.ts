import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica } from './common.js';
import { judgeUnset } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.2',
  title: 'The API server does not read static bearer tokens from a file',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.2', nsa: NSA.authn, kubescape: ['C-0114'] },
  needs: ['controlPlane'],
  rationale:
    'Tokens in a --token-auth-file are plain text on the control-plane disks, never expire, and can only be changed by editing the file and restarting every API server. ' +
    'A leaked token stays valid until someone notices.',
  remediation:
    'Move the users of the static token file to client certificates, OIDC or service-account tokens, then remove --token-auth-file from the kube-apiserver manifest.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeUnset(r, 'token-auth-file', '--token-auth-file not set')),
});
