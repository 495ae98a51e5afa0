import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica, evidenceOf, verdict } from './common.js';
import { judgeAdmissionPlugin } from './rules.js';

const EXPECTED = 'EventRateLimit among the enabled admission plugins, configured through --admission-control-config-file';

export default defineControl({
  id: 'CIS-1.2.9',
  title: 'The EventRateLimit admission plugin limits event floods',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.9', kubescape: ['C-0121'] },
  needs: ['controlPlane'],
  rationale:
    'Events are cheap to create and every one is written to etcd. A misbehaving controller or a hostile client can flood the API server and etcd with them; ' +
    'EventRateLimit caps the rate per server, namespace, user or source. Its limits live in the admission configuration file, whose content the API does not show, ' +
    'so complyd checks that the plugin is on and that such a file is given; kube-bench checks the plugin list only, so it passes the plugin without limits.',
  remediation:
    'Write an AdmissionConfiguration with an EventRateLimit entry (limits per Server, Namespace, User or SourceAndObject), pass it with --admission-control-config-file, ' +
    'and add EventRateLimit to --enable-admission-plugins on kube-apiserver. Size the limits on a test cluster first.',
  evaluate: (ctx) =>
    eachReplica(ctx, APISERVER, (r) => {
      const plugin = judgeAdmissionPlugin(r, 'EventRateLimit', true, EXPECTED);
      if (plugin.status !== 'pass' || (r.flags.flags.get('admission-control-config-file')?.value ?? '') !== '') return plugin;
      return verdict('fail', r, evidenceOf(r, 'admission-control-config-file', EXPECTED), 'EventRateLimit is enabled but no admission configuration file gives it limits');
    }),
});
