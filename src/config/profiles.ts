/**
 * Profiles: groups of configured clusters, chosen by label selector, each held to its own
 * frameworks, severity floor, gate thresholds, exceptions and report jobs (ADR 0015). Pure:
 * the checks across keys, the membership of each cluster, and what a profile selects.
 *
 * A cluster belongs to one profile at most (two profiles matching one cluster is a
 * configuration error, not an order to remember); a cluster in none is held to the defaults:
 * every framework, no floor, no gate of its own.
 */
import { FRAMEWORKS, type Framework } from '../core/control.js';
import { globRegExp, type Exception } from '../core/exception.js';
import { formatSelector, selectorMatches, type LabelSelector } from '../core/label-selector.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import { UsageError } from '../core/errors.js';
import type { ExpectedEnforcement } from '../core/admission.js';
import type { RawConfig } from './schema.js';

/** The same keys as the gates' `GateThresholds` (--fail-on, --fail-below-score, --fail-on-new). */
export interface GateThresholds {
  readonly failOn?: Severity;
  readonly failBelowScore?: number;
  readonly failOnNew?: boolean;
}

/** A validated profile with its clusters resolved. */
export interface Profile {
  readonly name: string;
  readonly selector: LabelSelector;
  readonly frameworks: readonly Framework[];
  readonly severityFloor?: Severity;
  readonly gates: GateThresholds;
  /** Exceptions files and directories (absolute). */
  readonly exceptions: readonly string[];
  /** Expected admission action per framework or control id (ADR 0020); absent: nothing expected. */
  readonly enforcement?: ExpectedEnforcement;
  /** Names of the configured clusters it selects, in configuration order. */
  readonly clusters: readonly string[];
  /** Where it sits in the configuration file (`profiles[1]`). */
  readonly configPath: string;
}

/** A profile as reports name it: the group, its selector as Kubernetes prints it, what it is held to. */
export interface ProfileSummary {
  readonly name: string;
  readonly selector: string;
  readonly frameworks: readonly Framework[];
  readonly severityFloor?: Severity;
}

export function profileSummary(p: Pick<Profile, 'name' | 'selector' | 'frameworks' | 'severityFloor'>): ProfileSummary {
  return { name: p.name, selector: formatSelector(p.selector), frameworks: p.frameworks, ...(p.severityFloor ? { severityFloor: p.severityFloor } : {}) };
}

/** What the scan records of a cluster's profile: its name (none: the defaults) and the frameworks evaluated. */
export interface ClusterProfile {
  readonly name?: string;
  readonly frameworks: readonly Framework[];
  readonly severityFloor?: Severity;
}

/** Every framework, for a cluster in no profile. */
export const DEFAULT_PROFILE: ClusterProfile = { frameworks: FRAMEWORKS };

type RawProfile = RawConfig['profiles'][number];
type Issue = (path: Array<string | number>, message: string) => void;

/** The names of the clusters each profile selects, in configuration order. */
export function profileMembers(clusters: ReadonlyArray<{ name: string; labels: Readonly<Record<string, string>> }>, profiles: ReadonlyArray<{ selector: LabelSelector }>): string[][] {
  return profiles.map((p) => clusters.filter((c) => selectorMatches(p.selector, c.labels)).map((c) => c.name));
}

/**
 * The checks across keys, once each profile is valid on its own: unique names, one profile
 * per cluster, none that selects nothing, report names unique across the file, and report
 * jobs kept to the group's clusters and frameworks.
 */
export function checkProfiles(cfg: Pick<RawConfig, 'clusters' | 'reports' | 'profiles'>, issue: Issue): void {
  const names = new Map<string, number>();
  cfg.profiles.forEach((p, i) => {
    const first = names.get(p.name);
    if (first !== undefined) issue(['profiles', i, 'name'], `duplicate profile name "${p.name}" (also profiles[${first}])`);
    else names.set(p.name, i);
  });

  const members = profileMembers(cfg.clusters, cfg.profiles);
  const owner = new Map<string, number>();
  members.forEach((clusters, i) => {
    const p = cfg.profiles[i] as RawProfile;
    if (clusters.length === 0) {
      issue(['profiles', i, 'selector'], `selects no configured cluster (${formatSelector(p.selector)}): check the selector against the clusters' labels`);
    }
    for (const c of clusters) {
      const before = owner.get(c);
      if (before === undefined) {
        owner.set(c, i);
        continue;
      }
      const other = cfg.profiles[before] as RawProfile;
      issue(['profiles', i, 'selector'], `selects cluster "${c}", which profiles[${before}] ("${other.name}") selects too: a cluster belongs to one profile at most`);
    }
  });

  const jobs = new Map<string, string>(cfg.reports.map((j, i) => [j.name, `reports[${i}]`]));
  cfg.profiles.forEach((p, i) => {
    const group = new Set(members[i]);
    p.reports.forEach((job, j) => {
      const at = `profiles[${i}].reports[${j}]`;
      const first = jobs.get(job.name);
      if (first !== undefined) issue(['profiles', i, 'reports', j, 'name'], `duplicate report name "${job.name}" (also ${first})`);
      else jobs.set(job.name, at);
      (job.clusters ?? []).forEach((c, k) => {
        if (!group.has(c)) issue(['profiles', i, 'reports', j, 'clusters', k], `cluster "${c}" is not in profile "${p.name}" (its clusters: ${[...group].join(', ') || 'none'})`);
      });
      if (job.framework && !p.frameworks.includes(job.framework)) {
        issue(['profiles', i, 'reports', j, 'framework'], `"${job.framework}" is not a framework of profile "${p.name}" (${p.frameworks.join(', ')})`);
      }
    });
  });
}

/** The profile of a cluster; undefined: it is in none and the defaults hold. */
export function profileOf(profiles: readonly Profile[], cluster: string): Profile | undefined {
  return profiles.find((p) => p.clusters.includes(cluster));
}

/** The profile named on the command line (`--profile`); a usage error naming the configured ones otherwise. */
export function findProfile(profiles: readonly Profile[], name: string, file: string): Profile {
  const found = profiles.find((p) => p.name === name);
  if (found) return found;
  const known = profiles.map((p) => p.name);
  throw new UsageError(`--profile: no profile "${name}" in ${file} (${known.length > 0 ? `its profiles: ${known.join(', ')}` : 'it has no profiles'})`);
}

/** The gate thresholds for a cluster: its profile's, or none of its own (the command line's then hold alone). */
export function gateThresholdsFor(profiles: readonly Profile[], cluster: string): GateThresholds {
  return profileOf(profiles, cluster)?.gates ?? {};
}

/** What a cluster is evaluated with: its profile, or every framework. */
export function clusterProfile(profiles: readonly Profile[], cluster: string): ClusterProfile {
  const p = profileOf(profiles, cluster);
  if (!p) return DEFAULT_PROFILE;
  return { name: p.name, frameworks: p.frameworks, ...(p.severityFloor ? { severityFloor: p.severityFloor } : {}) };
}

/** Whether a severity is at or above a floor (no floor: every severity). */
export function atOrAbove(severity: Severity, floor: Severity | undefined): boolean {
  return floor === undefined || SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(floor);
}

/** Whether a control is evaluated under a profile: one of its frameworks is the profile's, and its severity reaches the floor. */
export function inProfile(control: { readonly frameworks: readonly Framework[]; readonly severity: Severity }, profile: ClusterProfile): boolean {
  return control.frameworks.some((f) => profile.frameworks.includes(f)) && atOrAbove(control.severity, profile.severityFloor);
}

/**
 * A profile's exceptions limited to its clusters: each one's cluster scope becomes the
 * group's clusters that its own cluster names or patterns allow (none allowed: it applies to
 * nothing). The rest of its scope is kept. Exceptions of several runs' sets stay comparable:
 * the digest covers the scope as applied.
 */
export function scopeToProfile(exceptions: readonly Exception[], profile: Pick<Profile, 'clusters'>): Exception[] {
  return exceptions.map((e) => {
    const allowed = e.scope.clusters?.map(globRegExp);
    const clusters = profile.clusters.filter((c) => !allowed || allowed.some((r) => r.test(c)));
    return { ...e, scope: { ...e.scope, clusters } };
  });
}

/**
 * The keys of each profile's `enforcement` that are neither a framework nor a known control
 * id, as `profiles[i].enforcement.KEY: ...` messages (the catalog is not the configuration's
 * to import, so the caller gives the ids).
 */
export function unknownEnforcementKeys(profiles: readonly Pick<Profile, 'enforcement' | 'configPath'>[], controlIds: readonly string[]): string[] {
  const known = new Set<string>([...FRAMEWORKS, ...controlIds]);
  return profiles.flatMap((p) =>
    Object.keys(p.enforcement ?? {})
      .filter((k) => !known.has(k))
      .map((k) => `${p.configPath}.enforcement.${k}: not a framework (${FRAMEWORKS.join(', ')}) nor a control id of the catalog`),
  );
}
