import { defineControl } from '../../define.js';
import { APISERVER, CIS_ONLY, SECTION, eachReplica } from './common.js';
import { judgeAdmissionPlugin } from './rules.js';

export default defineControl({
  id: 'CIS-1.2.11',
  title: 'The AlwaysPullImages admission plugin is enabled',
  section: SECTION.apiServer,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_ONLY,
  refs: { cis: '1.2.11', kubescape: ['C-0123'] },
  needs: ['controlPlane'],
  rationale:
    'An image pulled once with one tenant\'s registry credentials stays in the node\'s cache, and any pod on that node can then run it by name without credentials. ' +
    'AlwaysPullImages forces a pull, and so a credential check, for every new pod. It is off by default.',
  remediation:
    'Add AlwaysPullImages to --enable-admission-plugins on kube-apiserver. Every pod start then depends on the registry being reachable; ' +
    'from Kubernetes 1.33 the kubelet can re-check credentials for cached images itself (feature gate KubeletEnsureSecretPulledImages), a lighter alternative to weigh.',
  evaluate: (ctx) => eachReplica(ctx, APISERVER, (r) => judgeAdmissionPlugin(r, 'AlwaysPullImages', true, 'AlwaysPullImages among the enabled admission plugins')),
});
