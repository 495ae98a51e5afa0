/**
 * Errors a cluster's work raises where no caller can catch them: a timer callback that throws,
 * an emitter's 'error' without a listener, a promise nobody awaits. Node hands these to the
 * process ('uncaughtException', 'unhandledRejection'), which would end every cluster's scan.
 * Each cluster's work runs in its own async context, so the process's handler can ask whose
 * error it is (claimClusterFault) and fail that cluster alone.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { errorMessage } from '../core/errors.js';

interface FaultScope {
  readonly cluster: string;
  /** What the cluster was doing, for the message. */
  stage: string;
  settled: boolean;
  fail(err: Error): void;
}

const scopes = new AsyncLocalStorage<FaultScope>();

/** An error raised by a cluster's work outside any awaited call; its message names the stage. */
export class ClusterFaultError extends Error {
  constructor(
    readonly cluster: string,
    stage: string,
    cause: unknown,
  ) {
    super(`uncaught error during ${stage}: ${errorMessage(cause)}`, { cause });
    this.name = 'ClusterFaultError';
  }
}


export interface ClusterWork {
  /** Names what the cluster does from now on (collection, evaluation…), for fault messages. */
  stage(name: string): void;
}

/**
 * Run one cluster's work in its own fault scope: resolves or rejects as `work` does, or rejects
 * with a ClusterFaultError as soon as claimClusterFault claims an error of its context.
 */
export function isolateCluster<T>(cluster: string, work: (w: ClusterWork) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const scope: FaultScope = {
      cluster,
      stage: 'collection',
      settled: false,
      fail(err) {
        if (scope.settled) return;
        scope.settled = true;
        reject(err);
      },
    };
    const settle = (value: T) => {
      if (scope.settled) return;
      scope.settled = true;
      resolve(value);
    };
    scopes
      .run(scope, async () => work({ stage: (name) => void (scope.stage = name) }))
      .then(settle, (err: unknown) => scope.fail(err instanceof Error ? err : new Error(errorMessage(err), { cause: err })));
  });
}

export interface ClaimedFault {
  cluster: string;
  /** The cluster had already finished: the error is only logged. */
  late: boolean;
  error: ClusterFaultError;
}

/**
 * For the process's 'uncaughtException' and 'unhandledRejection' handlers, called in the
 * context of the failing callback: when it belongs to a cluster's work, that cluster fails with
 * the error and the process carries on. Undefined when no cluster's work raised it.
 */
export function claimClusterFault(err: unknown): ClaimedFault | undefined {
  const scope = scopes.getStore();
  if (!scope) return undefined;
  const error = new ClusterFaultError(scope.cluster, scope.stage, err);
  const late = scope.settled;
  scope.fail(error);
  return { cluster: scope.cluster, late, error };
}
