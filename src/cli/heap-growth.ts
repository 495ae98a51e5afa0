import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what was live at its last full collection, in percent.
 * Left to itself V8 picks 10 % to 300 % from how fast the program allocates against how fast it
 * collects: a large scan allocates fast, so its heap was sized at about twice the live data
 * (2.1 GiB of RSS for 0.98 GiB live when evaluating 200,000 pods). At 30 % the same evaluation
 * peaks at 1.4 GiB for 7 % more time (benchmarks/RESULTS.md; ADR 0025).
 */
export const HEAP_GROWTH_PERCENT = 30;

/**
 * Bounds the heap's growth for this process, unless node was started with its own
 * `--heap-growing-percent` (the way to change it: V8 does not accept the flag in NODE_OPTIONS).
 * The flag is read at every full collection, so setting it at start-up takes effect.
 * Returns whether it was set.
 */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWTH_PERCENT}`);
  return true;
}
