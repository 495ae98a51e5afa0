import type { EvalContext } from '../context.js';
import { analyzeNetwork, type NetworkAnalysis } from './analyze.js';
import { networkModel, type NetworkModel } from './model.js';

export interface SnapshotNetwork {
  readonly model: NetworkModel;
  readonly analysis: NetworkAnalysis;
}

/** The snapshot's connectivity with its exposure view, computed once and shared by the network controls and the risk score. */
export function snapshotNetwork(ctx: EvalContext): SnapshotNetwork {
  return ctx.shared('network-analysis', () => {
    const model = networkModel(ctx.snapshot);
    return { model, analysis: analyzeNetwork(model, { exposure: true }) };
  });
}

/** What the analysis reads; with any of it unread, its answer would be a guess. */
export const NETWORK_EVIDENCE = ['networkpolicies', 'namespaces', 'services', 'ingresses'] as const;
