/**
 * What the live heap of a scan's evaluation is made of, at one size: heap used after two full
 * collections as each part is let go (snapshot, evaluation's views, findings, passes, risks).
 *
 *   npm run -s build && node --expose-gc dist/benchmarks/live-parts.js 200000
 */
import { CONTROLS } from '../src/controls/index.js';
import { EvalContext } from '../src/evaluate/context.js';
import { evaluateCompact } from '../src/scan/scan-fleet.js';
import { workloadRisks } from '../src/score/risk.js';
import { ownerlessPodsSnapshot } from './ownerless-pods.js';

const gc = globalThis.gc;
if (!gc) throw new Error('run with node --expose-gc');
const used = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const pods = Number(process.argv[2] ?? 50_000);
const empty = used();
let snapshot: ReturnType<typeof ownerlessPodsSnapshot> | undefined = ownerlessPodsSnapshot({ cluster: 'c', pods });
const withSnapshot = used();
let ctx: EvalContext | undefined = new EvalContext(snapshot, new Date());
let judged: Awaited<ReturnType<typeof evaluateCompact>> | undefined = await evaluateCompact(ctx, CONTROLS);
let risks: ReturnType<typeof workloadRisks> | undefined = workloadRisks(ctx, judged.findings);
const all = used();
const counts = { findings: judged.findings.length, passes: judged.passes.size, risks: risks.length };
ctx = undefined;
const noViews = used();
snapshot = undefined;
const noSnapshot = used();
judged.findings.length = 0;
const noFindings = used();
judged = undefined;
const noPasses = used();
risks = undefined;
const none = used();
const mib = (n: number): string => `${Math.round(n)} MiB`;
process.stdout.write(
  `${JSON.stringify(counts)}\n` +
    `| part | live |\n|---|---:|\n` +
    `| all at the end of evaluation | ${mib(all - empty)} |\n` +
    `| the snapshot (read alone, before evaluation) | ${mib(withSnapshot - empty)} |\n` +
    `| the evaluation's views (EvalContext) | ${mib(all - noViews)} |\n` +
    `| the snapshot, once the views are gone | ${mib(noViews - noSnapshot)} |\n` +
    `| the findings | ${mib(noSnapshot - noFindings)} |\n` +
    `| the passes | ${mib(noFindings - noPasses)} |\n` +
    `| the risks | ${mib(noPasses - none)} |\n`,
);
