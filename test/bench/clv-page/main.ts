/**
 * The benchmark page of test/bench/clv-page.ts (built on its own, never part of the app):
 * generates a calibration summary in the page, then times `fitClv` — the app's Web Worker
 * client, unchanged — and records the main thread's long tasks while the worker fits.
 */
import { fitClv } from '../../../src/lib/clv/client.ts';
import { isRefusal } from '../../../src/lib/clv/types.ts';
import { simulate } from '../../lib/clv/simulate.ts';

const PARAMS = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259, spend: { p: 6.2496, q: 3.7442, gamma: 15.4436 } };
const TIMELINES = {
  cdnow: { acquisitionDays: 84, calibrationDays: 273 },
  long: { acquisitionDays: 730, calibrationDays: 1095 },
} as const;
const HOLDOUT_DAYS = 273;

const longTasks: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });

export interface FitTiming {
  readonly customers: number;
  readonly ms: number;
  /** Longest main-thread task that started while the worker fitted (0: none over 50 ms). */
  readonly longestTaskMs: number;
  readonly longTasks: number;
  readonly r: number | null;
  /** Long tasks seen since the page opened (the summary generation's among them): proves the observer works. */
  readonly observed: number;
}

async function run(customers: number, timeline: keyof typeof TIMELINES, seed: number): Promise<FitTiming> {
  // Work in tasks of the page's own event loop (a task run by the test driver is not reported as a long task).
  await new Promise((r) => setTimeout(r, 0));
  const sim = simulate(PARAMS, { customers, seed, ...TIMELINES[timeline] });
  // In (x, t_x, T) order, as the SQL summary delivers it.
  const order = Array.from({ length: customers }, (_, i) => i).sort(
    (i, j) => (sim.x[i] as number) - (sim.x[j] as number) || (sim.tx[i] as number) - (sim.tx[j] as number) || (sim.T[i] as number) - (sim.T[j] as number),
  );
  const pick = (a: Float64Array) => Float64Array.from(order, (i) => a[i] as number);
  const summary = { x: pick(sim.x), tx: pick(sim.tx), T: pick(sim.T), zbar: pick(sim.zbar), holdoutX: new Float64Array(customers), holdoutWeekly: new Float64Array(39) };
  // Let the generation's own long task end before the clock starts.
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  const result = await fitClv(summary, { unit: 'week', horizon: 52, monthlyDiscount: 0.01, holdoutDays: HOLDOUT_DAYS });
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 50));
  const during = longTasks.filter((t) => t.start >= t0 && t.start <= t1);
  return {
    customers,
    ms: t1 - t0,
    longestTaskMs: Math.max(0, ...during.map((t) => t.duration)),
    longTasks: during.length,
    r: isRefusal(result.bgnbd) ? null : result.bgnbd.r,
    observed: longTasks.length,
  };
}

/** A main-thread task of about `ms`, to check that the observer reports long tasks at all. */
async function probe(ms: number): Promise<number> {
  const before = longTasks.length;
  await new Promise<void>((r) =>
    setTimeout(() => {
      const t = performance.now();
      while (performance.now() - t < ms);
      r();
    }, 0),
  );
  await new Promise((r) => setTimeout(r, 100));
  return Math.max(0, ...longTasks.slice(before).map((t) => t.duration));
}

Object.assign(window, { __clvBench: { run, probe } });
document.getElementById('status')!.textContent = 'loaded';
