import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-list.js';
import { setup, DEFAULT_CONFIG, type ConfigOptions } from '../context.js';
import { openStore } from '../../main.js';
import { complydVersion } from '../../config/version.js';
import { UsageError } from '../../core/errors.js';
import { sampleEvents } from '../../alerts/sample.js';
import { sendAlerts } from '../../alerts/send.js';
import { table } from '../format.js';
import { EXIT } from '../exit-codes.js';
import { emit, OUT_HELP } from '../output-option.js';

interface TestOptions extends ConfigOptions {
  webhook?: string;
}

interface DeadLetterOptions extends ConfigOptions {
  limit: string;
  output: string;
  out?: string;
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description(COMMAND_SUMMARIES.alerts.summary);
  alerts
    .command('test')
    .description('send one sample event of each kind to every webhook of alerts.webhooks (or the one named), marked as a test')
    .option('-c, --config <file>', 'configuration file (its alerts.webhooks)', DEFAULT_CONFIG)
    .option('--webhook <name>', 'only this webhook')
    .option('--log-level <level>', 'log level on stderr (info, debug, ...)')
    .addHelpText(
      'after',
      `
Each webhook gets the sample events its \`events\` filter lets through, in its format, signed when
it has a secret, with its retries and timeout; nothing is stored. One line per webhook says
whether it was delivered; the exit status is ${EXIT.unexpected} when one was not.`,
    )
    .action(async (opts: TestOptions) => {
      const { config, log } = setup(opts);
      const hooks = config.alerts.webhooks.filter((w) => opts.webhook === undefined || w.name === opts.webhook);
      if (config.alerts.webhooks.length === 0) throw new UsageError(`${config.file}: alerts.webhooks is empty: nothing to test`);
      if (hooks.length === 0) throw new UsageError(`--webhook: no webhook named "${opts.webhook}" in alerts.webhooks (${config.alerts.webhooks.map((w) => w.name).join(', ')})`);
      const now = new Date();
      const events = sampleEvents(config.clusters[0]?.name ?? 'sample', now);
      const context = { run: { id: 'complyd-alerts-test', startedAt: now.toISOString() }, complydVersion: complydVersion(), sentAt: now, test: true };
      const results = await sendAlerts(events, { webhooks: hooks, context, deadline: Date.now() + config.alerts.deadline, log });
      for (const r of results) {
        const o = r.outcome;
        process.stdout.write(o.ok ? `${r.webhook}: delivered ${r.events} events (HTTP ${o.status}, ${o.attempts} attempt${o.attempts === 1 ? '' : 's'})\n` : `${r.webhook}: NOT delivered after ${o.attempts} attempt${o.attempts === 1 ? '' : 's'}: ${o.error}\n`);
      }
      if (results.some((r) => !r.outcome.ok)) process.exitCode = EXIT.unexpected;
    });
  alerts
    .command('dead-letters')
    .description('list the alerts whose delivery failed for good (newest first), with the body that was not delivered')
    .option('-c, --config <file>', 'configuration file (its storage)', DEFAULT_CONFIG)
    .option('--limit <n>', 'how many at most', '20')
    .option('-o, --output <format>', 'text or json (json includes each body)', 'text')
    .option('--out <path>', OUT_HELP)
    .option('--log-level <level>', 'log level on stderr (info, debug, ...)')
    .action(async (opts: DeadLetterOptions) => {
      if (opts.output !== 'text' && opts.output !== 'json') throw new UsageError(`--output must be text or json, not "${opts.output}"`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${opts.limit}"`);
      const { config, log } = setup(opts);
      const store = await openStore(config, log);
      try {
        const letters = await store.deadLetters.list(limit);
        const text =
          opts.output === 'json'
            ? `${JSON.stringify(letters, null, 2)}\n`
            : letters.length === 0
              ? 'no undelivered alerts\n'
              : `${table(['ID', 'AT', 'WEBHOOK', 'RUN', 'EVENTS', 'ATTEMPTS', 'LAST ERROR'], letters.map((l) => [String(l.id), l.createdAt, l.webhook, l.runId.slice(0, 8), l.events.join(','), String(l.attempts), l.lastError]))}\n`;
        await emit(opts.out, text);
      } finally {
        await store.close();
      }
    });
}
