import { defineControl } from '../../define.js';
import { CIS_AND_NSA, CONTROLLER_MANAGER, NSA, SECTION, eachReplica } from './common.js';
import { judgeLoopbackBind } from './rules.js';

export default defineControl({
  id: 'CIS-1.3.7',
  title: 'The controller manager listens on loopback only',
  section: SECTION.controllerManager,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.3.7', nsa: NSA.controlPlane, kubescape: ['C-0150'] },
  needs: ['controlPlane'],
  rationale:
    'The controller manager\'s secure port serves health, metrics and, with profiling on, debug endpoints; nothing outside the host needs them. ' +
    'Decision: an absent --bind-address is judged by the compiled default, 0.0.0.0 (all interfaces), and fails. kube-bench passes it instead; ' +
    'complyd follows what the binary does. --secure-port=0 (no serving at all) passes.',
  remediation: 'Set --bind-address=127.0.0.1 on kube-controller-manager (kubeadm does). Scrape its metrics through a local proxy if needed.',
  evaluate: (ctx) => eachReplica(ctx, CONTROLLER_MANAGER, (r) => judgeLoopbackBind(r, '--bind-address=127.0.0.1 (a loopback address)')),
});
