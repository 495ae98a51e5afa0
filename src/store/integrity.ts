import type { Knex } from 'knex';
import type { SqlDialect } from './dialect.js';
import { pruneEvidence } from './retention.js';
import type { ChainReport, PruneResult } from './run-types.js';
import { attempt } from './store-error.js';
import { verifyChain } from './verify.js';

/** The store's tamper evidence and its retention: what `complyd verify` and `prune` do. */
export interface StoreIntegrity {
  /** Recompute every cluster's hash chain and list the rows that no longer match. */
  verifyChain(): Promise<ChainReport>;
  /** Blank the evidence text of findings resolved (or superseded) before `olderThan`. Aggregates are kept. */
  pruneEvidence(olderThan: Date): Promise<PruneResult>;
}

export class KnexStoreIntegrity implements StoreIntegrity {
  constructor(
    private readonly db: Knex,
    private readonly dialect: SqlDialect,
  ) {}

  verifyChain(): Promise<ChainReport> {
    return attempt('cannot verify the hash chain', () => verifyChain(this.db, this.dialect));
  }

  pruneEvidence(olderThan: Date): Promise<PruneResult> {
    return attempt('cannot prune evidence', () => pruneEvidence(this.db, olderThan));
  }
}
