import type { Command } from 'commander';
import { stringify } from 'yaml';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { catalogOf, loadRunExceptions } from '../../main.js';
import { findProfile, inProfile } from '../../config/profiles.js';
import { UsageError } from '../../core/errors.js';
import { SYSTEM_NAMESPACES } from '../../core/namespace-scope.js';
import { exportPerClusterGroup, exportPolicies, VALIDATION_ACTIONS, type ClusterGroupManifests, type PolicyManifest, type ValidationAction } from '../../controls/policy-export.js';
import { addOutputOption, emit, OUT_HELP, outputFormat } from '../output-option.js';
import { exitCodesHelp } from '../exit-codes.js';
import type { Config } from '../../config/load.js';
import type { Logger } from '../../core/log.js';
import { registerPolicyApply } from './policy-apply.js';

interface PolicyExportOptions extends ConfigOptions {
  profile?: string;
  action: string;
  out?: string;
}

const FORMATS = ['yaml', 'json'] as const;

/** Manifests as `kubectl apply -f` reads them: YAML documents, or one JSON List. */
export function renderManifests(manifests: readonly PolicyManifest[], format: (typeof FORMATS)[number]): string {
  if (format === 'json') return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }, null, 2)}\n`;
  return manifests.map((m) => `---\n${stringify(m, { lineWidth: 0 })}`).join('');
}

/**
 * The manifests of `policy export` (and what `policy apply` pushes): the profile's exportable
 * controls, its clusters' exceptions turned into exclusions. Refused exceptions files are said
 * on stderr; `invalidExceptions` tells the caller to end with 2.
 */
export function profileManifests(
  config: Config,
  opts: { profile?: string; action: string },
  log: Logger,
): { manifests: PolicyManifest[]; groups: ClusterGroupManifests[]; invalidExceptions: boolean; clusters: Config['clusters'] } {
  if (!(VALIDATION_ACTIONS as readonly string[]).includes(opts.action)) throw new UsageError(`--action must be one of ${VALIDATION_ACTIONS.join(', ')}, not "${opts.action}"`);
  const profile = opts.profile !== undefined ? findProfile(config.profiles, opts.profile, config.file) : undefined;
  const catalog = catalogOf(config);
  const controls = profile ? catalog.filter((c) => inProfile(c, profile)) : catalog;
  const loaded = loadRunExceptions(config, log);
  for (const bad of loaded.invalid) process.stderr.write(`complyd: ${bad.file}: exceptions file refused, its exceptions not turned into exclusions:\n  ${bad.issues.join('\n  ')}\n`);
  const clusters = config.clusters.filter((c) => !profile || profile.clusters.includes(c.name));
  const input = {
    controls,
    action: opts.action as ValidationAction,
    exceptions: loaded.exceptions,
    clusters,
    now: new Date(),
    ...(profile ? { profile: profile.name } : {}),
  };
  // The whole profile's manifests (export), and per cluster group those each cluster gets (apply).
  return { manifests: exportPolicies(input), groups: exportPerClusterGroup(input), invalidExceptions: loaded.invalid.length > 0, clusters };
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description(COMMAND_SUMMARIES.policy.summary);
  const cmd = policy
    .command('export')
    .description('write a ValidatingAdmissionPolicy and its binding for every exportable control of a profile (complyd controls: EXPORT)')
    .option('-c, --config <file>', 'configuration file (its profiles, exceptions and controls.dirs)', DEFAULT_CONFIG)
    .option('--profile <name>', "only the profile's controls, its clusters' exceptions (default: every control, every cluster)")
    .option('--action <action>', `what the bindings do with a failing object: ${VALIDATION_ACTIONS.join(', ')}`, 'Deny');
  addOutputOption(cmd, FORMATS, 'yaml')
    .option('--out <path>', OUT_HELP)
    .option('--log-level <level>', 'log level on stderr (info, debug, ...)')
    .addHelpText(
      'after',
      `
One policy and one binding per control, both named complyd-<control id in lower case>, labelled
app.kubernetes.io/managed-by: complyd and annotated complyd.io/control: <control id>. They match
Pods and every workload kind with a pod template (CREATE and UPDATE) outside ${SYSTEM_NAMESPACES.join(', ')}.
Exceptions in force for every cluster of the profile leave their objects out (matchConditions);
one in force for some of its clusters only is named in complyd.io/exceptions-not-exported
(policy apply pushes each cluster the manifests of its group, with that exclusion where it holds);
those expiring within 30 days are named in complyd.io/exceptions-expiring, and complyd.io/valid-until
says when to export again. The output can be given to kubectl apply -f.

${exitCodesHelp('policy')}`,
    )
    .action(async (opts: PolicyExportOptions) => {
      const format = outputFormat(cmd, FORMATS);
      const { config, log } = setup(opts);
      const { manifests, invalidExceptions } = profileManifests(config, opts, log);
      await emit(opts.out, renderManifests(manifests, format));
      const policies = manifests.filter((m) => m.kind === 'ValidatingAdmissionPolicy').length;
      if (opts.out !== undefined) process.stderr.write(`complyd: wrote ${policies} policies and their bindings to ${opts.out}\n`);
      if (invalidExceptions) process.exitCode = 2;
    });
  registerPolicyApply(policy);
}
