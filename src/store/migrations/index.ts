import type { Knex } from 'knex';
import * as initial from './001-initial.js';
import * as lifecycles from './002-lifecycles.js';
import * as risk from './003-risk.js';
import * as scoreSpans from './004-score-spans.js';
import * as scheduleClaims from './005-schedule-claims.js';
import * as dropPerRunFindings from './006-drop-per-run-findings.js';
import * as findingIdentity from './007-finding-identity.js';
import * as exceptionDispositions from './008-exception-dispositions.js';
import * as clusterProfiles from './010-cluster-profiles.js';
import * as networkConnectivity from './011-network-connectivity.js';
import * as enforcementPosture from './012-enforcement-posture.js';
import * as alertDeadLetters from './013-alert-dead-letters.js';
import * as scheduleLeases from './014-schedule-leases.js';

export interface NamedMigration {
  /** Recorded in the migrations table: never rename a released migration. */
  readonly name: string;
  readonly migration: Knex.Migration;
}

/**
 * Every migration, in order. Listed explicitly (no directory scan) so the same code runs
 * from `src/` under jest and from `dist/` once compiled. Add new ones at the end.
 */
export const MIGRATIONS: readonly NamedMigration[] = [
  { name: '001_initial', migration: initial },
  { name: '002_lifecycles', migration: lifecycles },
  { name: '003_risk', migration: risk },
  { name: '004_score_spans', migration: scoreSpans },
  { name: '005_schedule_claims', migration: scheduleClaims },
  { name: '006_drop_per_run_findings', migration: dropPerRunFindings },
  { name: '007_finding_identity', migration: findingIdentity },
  { name: '008_exception_dispositions', migration: exceptionDispositions },
  { name: '010_cluster_profiles', migration: clusterProfiles },
  { name: '012_enforcement_posture', migration: enforcementPosture },
  { name: '013_alert_dead_letters', migration: alertDeadLetters },
  // 011 was reserved while 012 and 013 were written; it comes after them in every store.
  { name: '011_network_connectivity', migration: networkConnectivity },
  { name: '014_schedule_leases', migration: scheduleLeases },
];

export class ComplydMigrationSource implements Knex.MigrationSource<NamedMigration> {
  constructor(private readonly migrations: readonly NamedMigration[] = MIGRATIONS) {}

  getMigrations(): Promise<NamedMigration[]> {
    return Promise.resolve([...this.migrations]);
  }

  getMigrationName(m: NamedMigration): string {
    return m.name;
  }

  getMigration(m: NamedMigration): Promise<Knex.Migration> {
    return Promise.resolve(m.migration);
  }
}

/** Where knex records applied migrations (and its lock), namespaced for shared databases. */
export const MIGRATIONS_TABLE = 'complyd_migrations';
