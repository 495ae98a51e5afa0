/**
 * How property tests run: a bounded number of generated inputs and a fixed seed in CI, so a
 * run is repeatable and a pull request never fails on an input no one changed the code for;
 * a longer hunt on demand:
 *
 *   COMPLYD_PROPERTY_RUNS=20000 COMPLYD_PROPERTY_SEED=random npm test -- test/property
 *
 * COMPLYD_PROPERTY_SEED=<n> replays a seed a failure printed. Whatever a hunt finds is fixed
 * and kept as an example test beside the property.
 */
import fc from 'fast-check';

/** The seed CI uses (any fixed number would do; changing it is a new sample, not a fix). */
const CI_SEED = 20261206;

let configured = false;

/** Inputs per property (`fallback` unless COMPLYD_PROPERTY_RUNS is set); fixes the seed once. */
export function propertyRuns(fallback: number): number {
  if (!configured) {
    configured = true;
    const wanted = process.env['COMPLYD_PROPERTY_SEED']?.trim();
    if (wanted !== 'random') fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: wanted ? Number(wanted) : CI_SEED });
  }
  const runs = Number(process.env['COMPLYD_PROPERTY_RUNS'] ?? fallback);
  return Number.isInteger(runs) && runs > 0 ? runs : fallback;
}
