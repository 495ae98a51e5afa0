import { Command, Help } from 'commander';
import { complydVersion } from '../config/version.js';
import { COMMAND_SUMMARIES, type CommandName, type CommandSummary } from './command-list.js';
import { exitCodesHelp } from './exit-codes.js';

type Register = (program: Command) => void;

/** Each command module, loaded when one of its commands runs (or its own --help is asked). */
const MODULES: Record<CommandSummary['module'], () => Promise<Register>> = {
  scan: async () => (await import('./commands/scan.js')).registerScan,
  daemon: async () => (await import('./commands/daemon.js')).registerDaemon,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  report: async () => (await import('./commands/report.js')).registerReport,
  history: async () => (await import('./commands/history.js')).registerHistory,
  evaluate: async () => (await import('./commands/evaluate.js')).registerEvaluate,
  controls: async () => (await import('./commands/controls.js')).registerControls,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  exceptions: async () => (await import('./commands/exceptions.js')).registerExceptions,
  network: async () => (await import('./commands/network.js')).registerNetwork,
  alerts: async () => (await import('./commands/alerts.js')).registerAlerts,
  policy: async () => (await import('./commands/policy.js')).registerPolicy,
};

const isCommand = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(COMMAND_SUMMARIES, name);

/** The command `argv` runs (`help scan` asks about scan), if it names one. */
function commandOf(argv: readonly string[]): CommandName | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return isCommand(name) ? name : undefined;
}

/**
 * The program for `argv`. Only the module of the command being run is loaded; without one
 * (`complyd --help`, a mistyped name) the commands are listed from their summaries and no
 * command's code is loaded at all.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('complyd')
    .description(
      'Multi-cluster Kubernetes compliance reporting: scans clusters through their kubeconfigs, evaluates ' +
        'CIS / Pod Security Standards / NSA-CISA controls centrally, keeps the history in SQL, renders reports.',
    )
    .version(complydVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // Commander's own exits (unknown option, missing argument...) come back as errors that
    // bin.ts turns into the exit table's usage code; every command inherits this.
    .exitOverride()
    // Options after a subcommand belong to it (`network diff -o json`): the root has only
    // --version and --help, and without this it hands a parent's -o to the parent.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `
Start here:
  complyd demo                          scan a simulated fleet and write reports to ./complyd-out
  complyd scan -c complyd.yaml          scan your clusters once (example config: config/complyd.example.yaml)
  complyd evaluate ./manifests          judge manifests without a cluster
  complyd trend -c complyd.yaml         compliance score and risk over the last 90 days
  complyd report -c complyd.yaml -o pdf --out report.pdf
  complyd evaluate ./manifests --fail-on high     a CI gate: exit 5 and say why when it fails

Progress lines go to stderr only when stderr is a terminal, and never with --quiet.

${exitCodesHelp()}`,
    );
  const wanted = commandOf(argv);
  if (wanted) {
    (await MODULES[COMMAND_SUMMARIES[wanted].module]())(program);
    for (const cmd of program.commands) cmd.addHelpText('after', `\n${exitCodesHelp(cmd.name())}`);
    return program;
  }
  // Every command has options; the listing says so as the loaded commands would.
  program.configureHelp({
    subcommandTerm: (cmd) => {
      const term = new Help().subcommandTerm(cmd);
      return isCommand(cmd.name()) ? term.replace(cmd.name(), `${cmd.name()} [options]`) : term;
    },
  });
  for (const [name, c] of Object.entries(COMMAND_SUMMARIES) as Array<[CommandName, CommandSummary]>) {
    const stub = program.command(name).description(c.summary);
    for (const arg of c.args?.split(' ') ?? []) stub.argument(arg);
  }
  return program;
}
