import { Command } from 'commander';
import { complydVersion } from '../config/version.js';
import { registerScan } from './commands/scan.js';
import { registerDaemon } from './commands/daemon.js';
import { registerControls } from './commands/controls.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerReport } from './commands/report.js';
import { registerDemo } from './commands/demo.js';
import { registerHistory } from './commands/history.js';

export function buildProgram(): Command {
  const program = new Command('complyd')
    .description(
      'Multi-cluster Kubernetes compliance reporting: scans clusters through their kubeconfigs, evaluates ' +
        'CIS / Pod Security Standards / NSA-CISA controls centrally, keeps the history in SQL, renders reports.',
    )
    .version(complydVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Start here:
  complyd demo                          scan a simulated fleet and write reports to ./complyd-out
  complyd scan -c complyd.yaml          scan your clusters once (example config: config/complyd.example.yaml)
  complyd evaluate ./manifests          judge manifests without a cluster
  complyd trend -c complyd.yaml         compliance score and risk over the last 90 days
  complyd report -c complyd.yaml --format pdf --out report.pdf`,
    );
  registerScan(program);
  registerDaemon(program);
  registerReport(program);
  registerHistory(program);
  registerEvaluate(program);
  registerControls(program);
  registerDemo(program);
  return program;
}
