/**
 * Synthetic customers drawn from the BG/NBD and Gamma-Gamma generative processes, seeded,
 * at the resolution of real data: first purchases on whole days spread over the first
 * `acquisitionDays`, purchases rounded down to days and same-day purchases merged.
 */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, rate 1), Marsaglia & Tsang (2000), with the shape < 1 boost. */
export function gammaDraw(u: () => number, shape: number): number {
  if (shape < 1) return gammaDraw(u, shape + 1) * Math.pow(1 - u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = 1 - u();
    if (Math.log(w) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface SimParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
  /** Gamma-Gamma; omitted: every purchase is worth 1. */
  readonly spend?: { readonly p: number; readonly q: number; readonly gamma: number };
}

export interface SimOptions {
  readonly customers: number;
  readonly seed: number;
  /** First purchases fall on days 0 … acquisitionDays − 1 (default 84: 12 weeks). */
  readonly acquisitionDays?: number;
  /** Calibration end, in days from day 0 (default 273: 39 weeks). */
  readonly calibrationDays?: number;
  /** Time unit in days (default 7). */
  readonly unitDays?: number;
}

export function simulate(params: SimParams, o: SimOptions) {
  const u = rng(o.seed);
  const acq = o.acquisitionDays ?? 84;
  const end = o.calibrationDays ?? 273;
  const unit = o.unitDays ?? 7;
  const n = o.customers;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const zbar = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const first = Math.floor(u() * acq);
    const lambda = gammaDraw(u, params.r) / (params.alpha * unit); // per day
    const p = (() => {
      const g1 = gammaDraw(u, params.a);
      return g1 / (g1 + gammaDraw(u, params.b));
    })();
    const nu = params.spend ? gammaDraw(u, params.spend.q) / params.spend.gamma : 1;
    let t = first;
    let lastDay = first;
    let repeats = 0;
    let spent = 0;
    for (;;) {
      // Dropout happens only after a repeat purchase (FHL 2005: X = 0 means alive).
      if (t > first && u() < p) break;
      t += -Math.log(1 - u()) / lambda;
      if (!(t <= end)) break;
      const day = Math.floor(t);
      const value = params.spend ? gammaDraw(u, params.spend.p) / nu : 1;
      if (day > lastDay) {
        repeats++;
        lastDay = day;
      }
      if (repeats > 0) spent += value;
    }
    x[i] = repeats;
    tx[i] = (lastDay - first) / unit;
    T[i] = (end - first) / unit;
    zbar[i] = repeats > 0 ? spent / repeats : Number.NaN;
  }
  return { x, tx, T, zbar };
}
