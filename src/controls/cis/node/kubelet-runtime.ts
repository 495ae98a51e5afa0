import { kubeletControl, goDurationMs, judgeField } from './configz.js';

/**
 * CIS 4.2.5, 4.2.6, 4.2.8, 4.2.13 and 4.2.14: how the kubelet runs pods and streams. All of
 * these fields are defaulted by the kubelet and therefore always present in configz.
 */

const idleTimeout = judgeField({
  path: 'streamingConnectionIdleTimeout',
  absent: 'always-reported',
  ok: (v) => typeof v === 'string' && (goDurationMs(v) ?? 0) > 0,
  expected: 'a non-zero duration (default 4h0m0s)',
});

export const streamingIdleTimeout = kubeletControl({
  id: 'CIS-4.2.5',
  refs: { cis: '4.2.5', kubescape: ['C-0176'] },
  title: 'Idle exec, attach and port-forward streams are closed',
  severity: 'low',
  level: 'L1',
  frameworks: ['cis-1.12'],
  rationale:
    'With a timeout of 0s an idle exec, attach or port-forward session stays open forever, holding kubelet resources and ' +
    'leaving forgotten interactive access into containers behind. configz always shows a Go duration (0s), which complyd reads as one; ' +
    'kube-bench compares the text with 0 and so passes 0s written in a config file.',
  remediation:
    'Set streamingConnectionIdleTimeout to a non-zero duration such as 4h0m0s (the default) or shorter in the kubelet config file ' +
    '(or --streaming-connection-idle-timeout) and restart the kubelet.',
  judge: idleTimeout,
});

const utilChains = judgeField({
  path: 'makeIPTablesUtilChains',
  absent: 'always-reported',
  ok: (v) => v === true,
  expected: 'true (default)',
});

export const iptablesUtilChains = kubeletControl({
  id: 'CIS-4.2.6',
  refs: { cis: '4.2.6', kubescape: ['C-0178'] },
  title: 'Kubelet maintains its iptables utility chains',
  severity: 'low',
  level: 'L1',
  frameworks: ['cis-1.12'],
  rationale:
    'When the kubelet manages its own iptables chains they stay consistent with pod networking; turning that off leaves ' +
    'those rules to hand-made host firewall scripts that drift from what the cluster needs.',
  remediation: 'Remove makeIPTablesUtilChains: false from the kubelet config file (or --make-iptables-util-chains=false) and restart the kubelet.',
  judge: utilChains,
});

const eventQps = judgeField({
  path: 'eventRecordQPS',
  absent: 'always-reported',
  ok: (v) => typeof v === 'number' && v >= 0,
  expected: '0 or more events per second (0 = no limit; default 50), set to what your event volume needs',
});

export const eventRecordQps = kubeletControl({
  id: 'CIS-4.2.8',
  refs: { cis: '4.2.8', nsa: 'Audit logging & threat detection: event capture', kubescape: ['C-0180'] },
  title: 'Kubelet event rate limit lets relevant events through',
  severity: 'low',
  level: 'L2',
  frameworks: ['cis-1.12', 'nsa'],
  rationale:
    'Events are how a kubelet reports failed probes, evictions and image pulls; a limit that is too low silently drops them ' +
    'during an incident, while no limit lets a noisy node flood the API server. The default is 50 per second (the ' +
    "benchmark's default-value text says 5, which is outdated); any value of 0 or more passes, the right one is site policy.",
  remediation: 'Set eventRecordQPS (and eventBurst) in the kubelet config file to a value sized for your event volume and restart the kubelet.',
  judge: eventQps,
});

const pidsLimit = judgeField({
  path: 'podPidsLimit',
  absent: 'always-reported',
  ok: (v) => typeof v === 'number' && v > 0,
  expected: 'a positive number of processes per pod (default -1: no limit)',
});

export const podPidsLimit = kubeletControl({
  id: 'CIS-4.2.13',
  refs: { cis: '4.2.13', kubescape: ['C-0284'] },
  title: 'Each pod has a process-count limit',
  severity: 'medium',
  level: 'L1',
  frameworks: ['cis-1.12'],
  rationale:
    'Without a per-pod PID limit one pod (a fork bomb, a leaking worker pool) can use up the PIDs of the whole node and stop ' +
    'the kubelet and every other pod from starting processes. The benchmark asks for a limit, so the default -1 (none) fails; ' +
    'kube-bench only asks that the setting be present and passes an explicit -1.',
  remediation:
    'Set podPidsLimit in the kubelet config file (or --pod-max-pids) to a positive number sized for your largest workload, for ' +
    'example 4096, and restart the kubelet.',
  judge: pidsLimit,
});

const seccomp = judgeField({
  path: 'seccompDefault',
  absent: 'always-reported',
  ok: (v) => v === true,
  expected: 'true (containers without a profile run with RuntimeDefault)',
});

export const seccompDefault = kubeletControl({
  id: 'CIS-4.2.14',
  refs: { cis: '4.2.14', nsa: 'Pod security: seccomp, AppArmor, SELinux' },
  title: 'Kubelet applies the RuntimeDefault seccomp profile by default',
  severity: 'medium',
  level: 'L1',
  frameworks: ['cis-1.12', 'nsa'],
  rationale:
    'A container that names no seccomp profile otherwise runs Unconfined, with every system call available. With ' +
    "seccompDefault the runtime's default filter blocks many of the system calls that container escapes rely on. " +
    'The benchmark asks for true; kube-bench only asks that the setting be present and passes an explicit false.',
  remediation:
    'Set seccompDefault: true in the kubelet config file (or --seccomp-default) and restart the kubelet; test workloads first, ' +
    'since a few need system calls the default profile blocks and must then name a profile of their own.',
  judge: seccomp,
});
