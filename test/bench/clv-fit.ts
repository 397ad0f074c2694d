/**
 * Speed of the CLV fit in Node (`fitClvSync`, the code the page's worker runs): customers
 * drawn from the BG/NBD + Gamma-Gamma processes with the CDNOW parameters, seeded.
 *
 *   npx tsx test/bench/clv-fit.ts [--runs N]
 *
 * Two timelines: "cdnow" (first purchases over 12 weeks, 39-week calibration, as in the
 * published data) and "long" (first purchases over 2 years, 3-year calibration: more
 * distinct (x, t_x, T) triples). Prints, per size, the median of N runs of the whole
 * fit (grouping, both fits, predictions over a 52-week horizon) and of its stages.
 * The page's targets: ≤ 1 s for 25 k customers, ≤ 10 s for 500 k.
 */
import { cpus } from 'node:os';
import { fitClvSync, type ClvStage } from '../../src/lib/clv/fit.ts';
import { simulate } from '../lib/clv/simulate.ts';

const PARAMS = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259, spend: { p: 6.2496, q: 3.7442, gamma: 15.4436 } };
const TIMELINES = {
  cdnow: { acquisitionDays: 84, calibrationDays: 273 },
  long: { acquisitionDays: 730, calibrationDays: 1095 },
} as const;

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${runs} runs each\n`);
console.log('| timeline | customers | groups | median total s | bgnbd s | gamma-gamma s | predict s | BG/NBD evals | GG evals |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, timeline] of Object.entries(TIMELINES)) {
  for (const n of [25_000, 500_000]) {
    const sim = simulate(PARAMS, { customers: n, seed: 42, ...timeline });
    const totals: number[] = [];
    const stageTimes: Record<ClvStage | 'group', number[]> = { group: [], bgnbd: [], 'gamma-gamma': [], predict: [], holdout: [] };
    let groups = 0;
    let evals = ['', ''];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const marks = new Map<ClvStage, number>();
      const r = fitClvSync(
        { ...sim, holdoutX: null, holdoutWeekly: null },
        { unit: 'week', horizon: 52, monthlyDiscount: 0.01, holdoutDays: null },
        (p) => {
          if (!marks.has(p.stage)) marks.set(p.stage, performance.now());
        },
      );
      const end = performance.now();
      totals.push((end - start) / 1000);
      const bg = marks.get('bgnbd') ?? start;
      const gg = marks.get('gamma-gamma') ?? bg;
      const pr = marks.get('predict') ?? end;
      stageTimes.bgnbd.push((gg - start) / 1000);
      stageTimes['gamma-gamma'].push((pr - gg) / 1000);
      stageTimes.predict.push((end - pr) / 1000);
      groups = r.groups;
      evals = [
        'iterations' in r.bgnbd ? String(r.bgnbd.iterations) : r.bgnbd.reason,
        'iterations' in r.gammaGamma ? String(r.gammaGamma.iterations) : r.gammaGamma.reason,
      ];
    }
    const f = (v: number[]) => median(v).toFixed(3);
    console.log(
      `| ${name} | ${n.toLocaleString('en')} | ${groups.toLocaleString('en')} | ${f(totals)} | ${f(stageTimes.bgnbd)} | ${f(stageTimes['gamma-gamma'])} | ${f(stageTimes.predict)} | ${evals[0]} | ${evals[1]} |`,
    );
  }
}
