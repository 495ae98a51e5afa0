import { defineControl } from '../../define.js';
import { CIS_AND_NSA, NSA, SCHEDULER, SECTION, eachReplica } from './common.js';
import { judgeLoopbackBind } from './rules.js';

export default defineControl({
  id: 'CIS-1.4.2',
  title: 'The scheduler listens on loopback only',
  section: SECTION.scheduler,
  severity: 'medium',
  level: 'L1',
  frameworks: CIS_AND_NSA,
  refs: { cis: '1.4.2', nsa: NSA.controlPlane, kubescape: ['C-0152'] },
  needs: ['controlPlane'],
  rationale:
    'The scheduler\'s secure port serves health, metrics and, with profiling on, debug endpoints; nothing outside the host needs them. ' +
    'Decision: an absent --bind-address is judged by the compiled default, 0.0.0.0 (all interfaces), and fails. kube-bench passes it instead; ' +
    'complyd follows what the binary does. --secure-port=0 (no serving at all) passes.',
  remediation: 'Set --bind-address=127.0.0.1 on kube-scheduler (kubeadm does).',
  evaluate: (ctx) => eachReplica(ctx, SCHEDULER, (r) => judgeLoopbackBind(r, '--bind-address=127.0.0.1 (a loopback address)')),
});
