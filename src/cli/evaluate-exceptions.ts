/**
 * `complyd evaluate --exceptions FILE`: the exceptions teams keep in git, applied to manifests
 * before they reach a cluster. There is no cluster, so cluster scope needs a name: with
 * `--cluster-name NAME` the findings are those of cluster NAME and an exception's `clusters`
 * names match it as in a scan (a `clusterSelector` cannot hold: the manifests carry no cluster
 * labels); without it only the exceptions with no cluster scope apply, since nothing says
 * which cluster the manifests are for.
 */
import { loadExceptions } from '../config/load-exceptions.js';
import { DURATION_RANGES } from '../config/duration.js';
import { CONTROLS } from '../controls/index.js';
import { ConfigError } from '../core/errors.js';
import type { Exception } from '../core/exception.js';
import type { Finding, Snapshot } from '../core/types.js';
import { applyExceptions, compileException, snapshotTarget } from '../evaluate/exceptions.js';

/**
 * The exceptions of `files`. A refused file is a configuration error (exit 2): a CI gate must
 * not pass because an exceptions file it was told to use could not be read. The lifetime
 * limit is the configuration's (`exceptions.maxLifetime`), which evaluate does not read: only
 * the widest limit allowed is checked here.
 */
export function loadEvaluateExceptions(files: readonly string[]): readonly Exception[] {
  if (files.length === 0) return [];
  const loaded = loadExceptions(files, { maxLifetimeMs: DURATION_RANGES.exceptionLifetime.max, knownControls: CONTROLS.map((c) => c.id) });
  if (loaded.invalid.length > 0) {
    const issues = loaded.invalid.flatMap((bad) => bad.issues.map((i) => `${bad.file}: ${i}`));
    throw new ConfigError(`--exceptions: refused:\n  ${issues.join('\n  ')}`, issues);
  }
  return loaded.exceptions;
}

/** Sets the disposition of the failing findings, in place, as the scan's exceptions stage does. */
export function applyEvaluateExceptions(findings: Finding[], exceptions: readonly Exception[], snapshot: Snapshot, clusterNamed: boolean, at: Date): void {
  if (exceptions.length === 0) return;
  const applicable = clusterNamed ? exceptions : exceptions.filter((e) => !e.scope.clusters && !e.scope.clusterSelector);
  applyExceptions(findings, applicable.map(compileException), snapshotTarget(snapshot), at);
}
