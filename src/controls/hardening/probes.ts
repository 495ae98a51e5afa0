import type { Verdict } from '../../core/types.js';
import { containersOf, type ContainerSubject, type PodSubject } from '../../evaluate/pod-specs.js';
import { defineControl, type CatalogControl } from '../define.js';
import { fail, notApplicable, pass } from '../verdicts.js';
import { SECTION, WORKLOAD_EVIDENCE } from './common.js';

/** Workloads that run to completion: a probe has nothing to keep alive or in rotation. */
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

/**
 * Why a pod runs to completion, if it does: its workload is a Job or CronJob, or its
 * restartPolicy is Never or OnFailure (a Job's pods, a bare one-shot pod, pods that a
 * workflow engine creates), so no container of it is kept running.
 */
function runsToCompletion(s: PodSubject): string | undefined {
  if (RUN_TO_COMPLETION.has(s.object.kind)) return `${s.object.kind}s run to completion`;
  const policy = s.spec.restartPolicy;
  if (policy === 'Never' || policy === 'OnFailure') return `the pod runs to completion (${s.specPath}.restartPolicy: ${policy})`;
  return undefined;
}

/** Containers that run for the pod's life: regular ones and sidecars (init containers with restartPolicy Always). */
function longRunning(s: PodSubject): ContainerSubject[] {
  return containersOf(s).filter((c) => c.list === 'containers' || (c.list === 'initContainers' && c.container.restartPolicy === 'Always'));
}

function probeControl(probe: 'livenessProbe' | 'readinessProbe', id: string, kubescape: string, rationale: string, remediation: string): CatalogControl {
  return defineControl({
    id,
    title: `Long-running containers have a ${probe === 'livenessProbe' ? 'liveness' : 'readiness'} probe`,
    section: SECTION.reliability,
    severity: 'low',
    frameworks: ['reliability'],
    refs: { kubescape: [kubescape] },
    needs: WORKLOAD_EVIDENCE,
    rationale:
      `${rationale} Judged on regular containers and sidecars (init containers with restartPolicy: Always, which run for the pod's life and take probes like regular containers); ordinary init and ephemeral containers cannot have one. Polaris skips every init container, sidecars included, and Kubescape reads regular containers only. ` +
      'Pods that run to completion are not applicable: Jobs and CronJobs, as in Polaris, and any pod whose restartPolicy is Never or OnFailure (a Job\'s pods when the Job was not read, one-shot pods, pods a workflow engine creates), which Polaris, judging by kind, and Kubescape (C-0056, C-0018, which judge Jobs and CronJobs too) fail. A startupProbe stands for neither probe: it only holds them back until the container has started.',
    remediation,
    evaluate: (ctx) =>
      ctx.podSubjects.flatMap((s) => {
        const done = runsToCompletion(s);
        if (done) return [notApplicable(s.resource, `${done}: a ${probe} does not apply`)];
        return longRunning(s).map((c): Verdict => (c.container[probe] ? pass(c.resource) : fail(c.resource, `${c.path}.${probe}`, undefined, `a ${probe}`)));
      }),
  });
}

export const livenessProbe = probeControl(
  'livenessProbe',
  'REL-liveness-probe',
  'C-0056',
  'Without a liveness probe the kubelet restarts a container only when its process exits; one that hangs or deadlocks stays up and keeps failing requests.',
  'Add a livenessProbe that fails only when the process cannot recover (an HTTP health endpoint, a TCP or gRPC check), with timeouts above normal latency.',
);

export const readinessProbe = probeControl(
  'readinessProbe',
  'REL-readiness-probe',
  'C-0018',
  'Without a readiness probe a container receives Service traffic as soon as it starts, before it can answer, and keeps receiving it while it cannot.',
  'Add a readinessProbe that succeeds only when the container can serve (its dependencies reachable, warm-up done).',
);
