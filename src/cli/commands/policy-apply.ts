/**
 * `complyd policy apply`: the manifests of `policy export`, pushed to the clusters of a profile
 * with server-side apply. A dry run first on every cluster (its diff printed), then, unless
 * --dry-run, the apply on each cluster whose dry run raised nothing: a cluster with a conflict,
 * a 403 or an error is left as it was, never half-applied, and named in the summary.
 */
import type { Command } from 'commander';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { UsageError } from '../../core/errors.js';
import { VALIDATION_ACTIONS } from '../../controls/policy-export.js';
import { applyToFleet, FIELD_MANAGER, type ClusterApplyResult } from '../../collect/apply.js';
import { EXIT, exitCodesHelp } from '../exit-codes.js';
import { progress } from '../progress.js';
import { clusterFailed, renderApplyJson, renderDryRun, renderSummary } from '../render-apply.js';
import { addOutputOption, outputFormat } from '../output-option.js';
import { profileManifests } from './policy.js';

interface PolicyApplyOptions extends ConfigOptions {
  profile?: string;
  action: string;
  dryRun?: boolean;
  cluster?: string[];
}

const FORMATS = ['text', 'json'] as const;

export function registerPolicyApply(policy: Command): void {
  const cmd = policy
    .command('apply')
    .description("push a profile's admission policies to its clusters with server-side apply: a dry run with its diff first, then the apply")
    .option('-c, --config <file>', 'configuration file (its clusters, profiles, exceptions and controls.dirs)', DEFAULT_CONFIG)
    .option('--profile <name>', 'the profile whose controls are pushed to its clusters (required)')
    .option('--action <action>', `what the bindings do with a failing object: ${VALIDATION_ACTIONS.join(', ')}`, 'Deny')
    .option('--dry-run', 'only the dry run (dryRun=All) and its diff: nothing is changed')
    .option('--cluster <name...>', 'only these clusters of the profile (repeatable)')
    .option('--log-level <level>', 'log level on stderr (info, debug, ...)');
  addOutputOption(cmd, FORMATS, 'text', 'output format (json: per cluster its status, the dry run and the apply, object by object)')
    .addHelpText(
      'after',
      `
The manifests are those of complyd policy export --profile NAME. Each cluster is first applied
with dryRun=All and the diff of every object printed (+ added, - removed, ~ changed paths); then,
without --dry-run, applied with the field manager "${FIELD_MANAGER}", never forced: a field another
manager owns is a conflict, reported, and that cluster is left unchanged (as is one answering 403
or unreachable); the other clusters are applied. Writing needs the opt-in ClusterRole of
deploy/kubernetes/policy-writer.yaml; the scanner's role is read-only.

${exitCodesHelp('policy')}`,
    )
    .action(async (opts: PolicyApplyOptions) => {
      if (opts.profile === undefined) throw new UsageError('--profile is required: policy apply pushes one profile to its clusters');
      const format = outputFormat(cmd, FORMATS);
      const { config, log } = setup(opts);
      const { groups, invalidExceptions, clusters } = profileManifests(config, opts, log);
      const unknown = (opts.cluster ?? []).filter((n) => !clusters.some((c) => c.name === n));
      if (unknown.length > 0) throw new UsageError(`--cluster: ${unknown.join(', ')} not in profile "${opts.profile}" (its clusters: ${clusters.map((c) => c.name).join(', ') || 'none'})`);
      if (invalidExceptions) process.exitCode = EXIT.usage;
      if (invalidExceptions) return;
      const targets = opts.cluster ? clusters.filter((c) => opts.cluster?.includes(c.name)) : clusters;
      const say = progress();
      const timeoutMs = config.collect.requestTimeout;
      // Each cluster gets its group's manifests: exceptions scoped to it are exclusions there only.
      const inGroups = (among: typeof targets) =>
        groups.map((g) => ({ manifests: g.manifests, clusters: among.filter((t) => g.clusters.includes(t.name)) })).filter((g) => g.clusters.length > 0);
      const onFleet = async (among: typeof targets, dryRun: boolean): Promise<ClusterApplyResult[]> => {
        const results: ClusterApplyResult[] = [];
        // One group after the other: applyToFleet bounds the clusters worked on at once.
        for (const g of inGroups(among)) results.push(...(await applyToFleet(g.clusters, g.manifests, { dryRun, timeoutMs })));
        return results;
      };
      const objects = Math.max(0, ...groups.map((g) => g.manifests.length));
      say.step(`complyd: dry run of ${objects} objects on ${targets.length} cluster(s)${groups.length > 1 ? ` in ${groups.length} exception groups` : ''}`);
      const dry = await onFleet(targets, true);
      if (format === 'text') for (const r of dry) process.stdout.write(renderDryRun(r));
      let applied: Map<string, ClusterApplyResult> | undefined;
      if (!opts.dryRun) {
        const ready = targets.filter((t) => !clusterFailed(dry.find((d) => d.cluster === t.name) as ClusterApplyResult));
        say.step(`complyd: applying to ${ready.length} cluster(s)`);
        applied = new Map((await onFleet(ready, false)).map((r) => [r.cluster, r]));
      }
      process.stdout.write(format === 'json' ? renderApplyJson(dry, applied, { profile: opts.profile, action: opts.action }) : renderSummary(dry, applied));
      const failed = dry.some((d) => clusterFailed(applied?.get(d.cluster) ?? d));
      if (failed) process.exitCode = EXIT.notAssessed;
    });
}
