import type { Logger } from '../core/log.js';
import { errorMessage } from '../core/errors.js';
import type { RunWriter } from '../store/run-store.js';
import { claimClusterFault } from '../scan/cluster-faults.js';

/** How long a crashing process waits for the store before it exits anyway. */
const CRASH_RECORD_MS = 5_000;

/**
 * An error nothing caught (thrown from a callback deep in a library) still kills the process,
 * since its state can no longer be trusted, but first the run in flight is recorded as
 * interrupted: the next process may not be able to tell this one is gone (a restarted
 * container has another PID space) and would wait for the lease. An error raised by one
 * cluster's work is that cluster's failure instead (see scan/cluster-faults.ts): the process goes
 * on. Returns the uninstaller.
 */
export function recordRunOnCrash(store: RunWriter, log: Logger, current: () => string | undefined): () => void {
  let crashing = false;
  const crashed = (err: unknown) => {
    const fault = claimClusterFault(err);
    if (fault) {
      log.error({ cluster: fault.cluster, err: fault.error.message, late: fault.late }, fault.late ? 'error raised by a cluster after its scan ended; ignored' : 'cluster failed on an uncaught error');
      return;
    }
    if (crashing) return;
    crashing = true;
    log.error({ err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined }, 'crashed');
    setTimeout(() => process.exit(1), CRASH_RECORD_MS);
    const runId = current();
    const recorded = runId === undefined ? Promise.resolve() : store.finishRun(runId, 'interrupted', new Date()).then(() => log.warn({ runId }, 'run recorded as interrupted'));
    void recorded.catch((e: unknown) => log.error({ runId, err: errorMessage(e) }, 'could not mark run interrupted')).finally(() => process.exit(1));
  };
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  return () => {
    process.off('uncaughtException', crashed);
    process.off('unhandledRejection', crashed);
  };
}
