/**
 * Speed of the CLV fit in Node (`fitClvSync`, the code the page's worker runs): customers
 * drawn from the BG/NBD + Gamma-Gamma processes with the CDNOW parameters, seeded.
 *
 *   npx tsx test/bench/clv-fit.ts [--runs N]
 *
 * Two timelines: "cdnow" (first purchases over 12 weeks, 39-week calibration, as in the
 * published data) and "long" (first purchases over 2 years, 3-year calibration: many more
 * distinct (x, t_x, T) triples). `fitClvSync` gets the customers sorted by (x, t_x, T),
 * as the SQL summary delivers them; grouping is also timed on the simulation's unsorted
 * order. Every run includes a 39-week holdout comparison. Prints the median of N runs of
 * the whole `fitClvSync` and, separately timed, of its steps.
 * The page's targets: ≤ 1 s for 25 k customers, ≤ 10 s for 500 k.
 */
import { cpus, loadavg } from 'node:os';
import { fitBgNbd, groupRfm } from '../../src/lib/clv/bgnbd.ts';
import { customerValues, holdoutComparison, predictGroups } from '../../src/lib/clv/clv.ts';
import { fitClvSync } from '../../src/lib/clv/fit.ts';
import { fitGammaGamma } from '../../src/lib/clv/gamma-gamma.ts';
import { isRefusal } from '../../src/lib/clv/types.ts';
import { simulate } from '../lib/clv/simulate.ts';

const PARAMS = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259, spend: { p: 6.2496, q: 3.7442, gamma: 15.4436 } };
const TIMELINES = {
  cdnow: { acquisitionDays: 84, calibrationDays: 273 },
  long: { acquisitionDays: 730, calibrationDays: 1095 },
} as const;
const HOLDOUT_DAYS = 273;
const SETTINGS = { unit: 'week', horizon: 52, monthlyDiscount: 0.01, holdoutDays: HOLDOUT_DAYS } as const;

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const time = <T>(out: number[], f: () => T): T => {
  const t0 = performance.now();
  const v = f();
  out.push((performance.now() - t0) / 1000);
  return v;
};

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${runs} runs each\n`);
console.log('| timeline | customers | groups | fitClvSync s | group s (unsorted input) | group s | BG/NBD s | Gamma-Gamma s | predict s | holdout s | evals BG/NBD, GG |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const [name, timeline] of Object.entries(TIMELINES)) {
  for (const n of [25_000, 500_000]) {
    const sim = simulate(PARAMS, { customers: n, seed: 42, ...timeline });
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (i, j) => (sim.x[i] as number) - (sim.x[j] as number) || (sim.tx[i] as number) - (sim.tx[j] as number) || (sim.T[i] as number) - (sim.T[j] as number),
    );
    const pick = (a: Float64Array) => Float64Array.from(order, (i) => a[i] as number);
    const summary = {
      x: pick(sim.x),
      tx: pick(sim.tx),
      T: pick(sim.T),
      zbar: pick(sim.zbar),
      holdoutX: new Float64Array(n),
      holdoutWeekly: new Float64Array(39),
    };
    const t = { total: [] as number[], unsorted: [] as number[], group: [] as number[], bg: [] as number[], gg: [] as number[], predict: [] as number[], holdout: [] as number[] };
    let groups = 0;
    let evals = '';
    for (let i = 0; i < runs; i++) {
      time(t.total, () => fitClvSync(summary, SETTINGS));
      time(t.unsorted, () => groupRfm(sim));
      const g = time(t.group, () => groupRfm(summary));
      const bg = time(t.bg, () => fitBgNbd(g));
      const gg = time(t.gg, () => fitGammaGamma(summary));
      if (isRefusal(bg) || isRefusal(gg)) throw new Error('a model refused the synthetic data');
      time(t.predict, () => customerValues(g, predictGroups(bg, g, 52, 'week', 0.01), summary.x, summary.zbar, gg));
      time(t.holdout, () => holdoutComparison(bg, g, 'week', HOLDOUT_DAYS, summary.holdoutX, summary.holdoutWeekly));
      groups = g.x.length;
      evals = `${bg.iterations}, ${gg.iterations}`;
    }
    const f = (v: number[]) => median(v).toFixed(3);
    console.log(
      `| ${name} | ${n.toLocaleString('en')} | ${groups.toLocaleString('en')} | ${f(t.total)} | ${f(t.unsorted)} | ${f(t.group)} | ${f(t.bg)} | ${f(t.gg)} | ${f(t.predict)} | ${f(t.holdout)} | ${evals} |`,
    );
  }
}
