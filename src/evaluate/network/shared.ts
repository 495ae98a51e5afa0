import type { EvalContext } from '../context.js';
import { analyzeNetwork, type NetworkAnalysis } from './analyze.js';
import { networkModel, type NetworkModel } from './model.js';

/**
 * A snapshot's connectivity with its exposure, computed once per evaluation context: the
 * network controls judge it and the scan stores it, from the same analysis.
 */
export interface SharedNetwork {
  readonly model: NetworkModel;
  readonly analysis: NetworkAnalysis;
}

export function sharedNetwork(ctx: EvalContext): SharedNetwork {
  return ctx.shared('network-analysis', () => {
    const model = networkModel(ctx.snapshot);
    return { model, analysis: analyzeNetwork(model, { exposure: true }) };
  });
}
