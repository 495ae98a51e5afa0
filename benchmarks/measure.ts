/**
 * Measurement helpers for the benchmarks: RSS sampled from a worker thread (so samples are taken
 * while the main thread is busy in synchronous code) and GC pauses attributed to timed steps.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

// ---------------------------------------------------------------------------------------------
// RSS sampling.

export const PHASES = ['setup', 'generate', 'serialize', 'parse', 'evaluate', 'breakdown', 'idle'] as const;
export type Phase = (typeof PHASES)[number];

const SAMPLER_SOURCE = `
const { workerData } = require('node:worker_threads');
const phase = new Int32Array(workerData.phase);
const peaks = new Float64Array(workerData.peaks);
const samples = new Float64Array(workerData.samples);
setInterval(() => {
  const rss = process.memoryUsage.rss();
  const p = Atomics.load(phase, 0);
  if (rss > peaks[p]) peaks[p] = rss;
  samples[0] += 1;
}, workerData.intervalMs);
`;

export class RssMonitor {
  private readonly phaseBuf = new SharedArrayBuffer(4);
  private readonly peaksBuf = new SharedArrayBuffer(8 * PHASES.length);
  private readonly samplesBuf = new SharedArrayBuffer(8);
  private readonly phase = new Int32Array(this.phaseBuf);
  private readonly worker: Worker;
  /** Peaks of the after-step samples taken on the main thread, per phase. */
  readonly stepPeaks = new Map<Phase, number>();

  constructor(intervalMs: number) {
    this.worker = new Worker(SAMPLER_SOURCE, {
      eval: true,
      workerData: { phase: this.phaseBuf, peaks: this.peaksBuf, samples: this.samplesBuf, intervalMs },
    });
  }

  enter(phase: Phase): void {
    Atomics.store(this.phase, 0, PHASES.indexOf(phase));
  }

  /** An after-step sample, attributed to the step just finished. */
  sample(step: Phase): number {
    const rss = process.memoryUsage.rss();
    if (rss > (this.stepPeaks.get(step) ?? 0)) this.stepPeaks.set(step, rss);
    return rss;
  }

  samplerPeaks(): Map<Phase, number> {
    const peaks = new Float64Array(this.peaksBuf);
    return new Map(PHASES.map((p, i) => [p, peaks[i] ?? 0]));
  }

  samplerCount(): number {
    return new Float64Array(this.samplesBuf)[0] ?? 0;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// GC accounting: gc pauses that fall inside timed parse/evaluate intervals.

export class GcAccounting {
  private readonly intervals: Array<{ phase: 'parse' | 'evaluate'; start: number; end: number }> = [];
  private readonly entries: Array<{ start: number; duration: number }> = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.entries.push({ start: e.startTime, duration: e.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  interval(phase: 'parse' | 'evaluate', start: number, end: number): void {
    this.intervals.push({ phase, start, end });
  }

  /** Milliseconds of gc inside parse and evaluate intervals (entries delivered so far). */
  totals(): { parse: number; evaluate: number } {
    const out = { parse: 0, evaluate: 0 };
    const sorted = [...this.intervals].sort((a, b) => a.start - b.start);
    for (const e of this.entries) {
      for (const iv of sorted) {
        if (e.start >= iv.start && e.start <= iv.end) {
          out[iv.phase] += e.duration;
          break;
        }
      }
    }
    return out;
  }

  stop(): void {
    this.observer.disconnect();
  }
}
