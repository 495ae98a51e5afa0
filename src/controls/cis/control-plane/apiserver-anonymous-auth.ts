import { defineControl } from '../../define.js';
import { APISERVER, CIS_AND_NSA, NSA, SECTION, eachReplica, flagPath, shown, verdict } from './common.js';
import { judgeBool } from './rules.js';

const EXPECTED = '--anonymous-auth=false';

export default defineControl({
  id: 'CIS-1.2.1',
  title: 'The API server rejects anonymous requests',
  section: SECTION.apiServer,
  severity: 'high',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.2.1', nsa: NSA.authn, kubescape: ['C-0113', 'C-0262'] },
  needs: ['controlPlane'],
  rationale:
    'kube-apiserver accepts requests without credentials unless told otherwise (the flag defaults to true) and treats them as system:anonymous. ' +
    'Any binding that names that user or system:unauthenticated, now or after a careless change, is then open to the whole network. ' +
    'When anonymous access is configured through --authentication-config instead, the setting lives in that file and complyd reports unknown ' +
    '(kube-bench, which looks only for the flag, fails it).',
  remediation:
    'Add --anonymous-auth=false to the kube-apiserver static pod manifest (/etc/kubernetes/manifests/kube-apiserver.yaml on kubeadm), ' +
    'or, from Kubernetes 1.32, limit anonymous access to the health endpoints with the anonymous section of an AuthenticationConfiguration file. ' +
    'Load balancer health checks that call /healthz, /livez or /readyz without credentials need one of those two.',
  evaluate: (ctx) =>
    eachReplica(ctx, APISERVER, (r) => {
      const config = r.flags.flags.get('authentication-config');
      if (config && !r.flags.flags.has('anonymous-auth')) {
        return verdict(
          'unknown',
          r,
          { path: flagPath(r, config), observed: `${shown(config)}; --anonymous-auth: <unset>`, expected: `${EXPECTED}, or an authentication config that limits anonymous access` },
          'anonymous access is then set by the anonymous section of the AuthenticationConfiguration file named by --authentication-config, which the API does not show',
        );
      }
      return judgeBool(r, 'anonymous-auth', false, EXPECTED);
    }),
});
