/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers
 * the easy way", Marketing Science 24(2)): while alive a customer buys at Poisson rate
 * λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 */
import { minimize } from './optimize.ts';
import { hyp2f1, lbeta, lgamma, logAddExp } from './special.ts';
import { boundRefusal, MIN_REPEAT_CUSTOMERS, type ClvRefusal, type RfmArrays } from './types.ts';

export interface BgNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

/** A BG/NBD maximum-likelihood fit. */
export interface BgNbdFit extends BgNbdParams {
  /** Log-likelihood at the optimum (FHL 2005 eq. 6, summed over customers). */
  readonly ll: number;
  /** Customers fitted. */
  readonly n: number;
  /** Of them, customers with x > 0. */
  readonly repeatCustomers: number;
  readonly converged: boolean;
  /** Likelihood evaluations the optimiser used. */
  readonly iterations: number;
}

/** Customers with the same (x, t_x, T) share one likelihood term, weighted by their count. */
export interface RfmGroups extends RfmArrays {
  readonly weight: Float64Array;
  /** For every input customer, the index of its group. */
  readonly groupOf: Uint32Array;
  readonly customers: number;
}

export function groupRfm(input: RfmArrays): RfmGroups {
  const n = input.x.length;
  const index = new Map<string, number>();
  const groupOf = new Uint32Array(n);
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = input.x[i] as number;
    const txi = input.tx[i] as number;
    const Ti = input.T[i] as number;
    const key = `${xi} ${txi} ${Ti}`;
    let g = index.get(key);
    if (g === undefined) {
      g = x.length;
      index.set(key, g);
      x.push(xi);
      tx.push(txi);
      T.push(Ti);
      weight.push(0);
    }
    weight[g] = (weight[g] as number) + 1;
    groupOf[i] = g;
  }
  return {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    weight: Float64Array.from(weight),
    groupOf,
    customers: n,
  };
}

/**
 * Σ weight · ln L(r, α, a, b | x, t_x, T), FHL 2005 eq. 6:
 *   L = Γ(r+x) α^r / Γ(r) · [ B(a, b+x)/B(a, b) · (α+T)^−(r+x)
 *                             + 1{x>0} B(a+1, b+x−1)/B(a, b) · (α+t_x)^−(r+x) ].
 * The bracket is summed in logs (log-sum-exp): computed directly, both terms underflow to 0
 * for customers with many purchases, the "#NUM!" of Hardie's spreadsheet note. Terms that
 * depend on x alone are computed once per distinct x.
 */
export function bgnbdLogLikelihood(p: BgNbdParams, g: RfmGroups): number {
  const { r, alpha, a, b } = p;
  let maxX = 0;
  for (let i = 0; i < g.x.length; i++) maxX = Math.max(maxX, g.x[i] as number);
  const base = lbeta(a, b);
  const lgr = lgamma(r);
  const perX1 = new Float64Array(maxX + 1);
  const perX2 = new Float64Array(maxX + 1);
  const logAlpha = Math.log(alpha);
  for (let k = 0; k <= maxX; k++) {
    const common = lgamma(r + k) - lgr + r * logAlpha - base;
    perX1[k] = common + lbeta(a, b + k);
    perX2[k] = k > 0 ? common + lbeta(a + 1, b + k - 1) : -Infinity;
  }
  let ll = 0;
  for (let i = 0; i < g.x.length; i++) {
    const k = g.x[i] as number;
    const rx = r + k;
    const t1 = (perX1[k] as number) - rx * Math.log(alpha + (g.T[i] as number));
    const li = k > 0 ? logAddExp(t1, (perX2[k] as number) - rx * Math.log(alpha + (g.tx[i] as number))) : t1;
    ll += (g.weight[i] as number) * li;
  }
  return ll;
}

export interface FitOptions {
  /** Fewest customers with x > 0 (default MIN_REPEAT_CUSTOMERS). */
  readonly minRepeatCustomers?: number;
  readonly maxEvaluations?: number;
  readonly onProgress?: (evaluations: number, ll: number) => void;
}

function checkRepeat(model: 'bgnbd' | 'gamma-gamma', have: number, needed: number): ClvRefusal | null {
  return have < needed ? { refused: true, model, reason: 'too-few-repeat-customers', have, needed } : null;
}

/** Fit the BG/NBD model by maximum likelihood over ln r, ln α, ln a, ln b. */
export function fitBgNbd(input: RfmArrays | RfmGroups, options: FitOptions = {}): BgNbdFit | ClvRefusal {
  const g = 'weight' in input ? input : groupRfm(input);
  let repeat = 0;
  let sumT = 0;
  for (let i = 0; i < g.x.length; i++) {
    if ((g.x[i] as number) > 0) repeat += g.weight[i] as number;
    sumT += (g.weight[i] as number) * (g.T[i] as number);
  }
  const few = checkRepeat('bgnbd', repeat, options.minRepeatCustomers ?? MIN_REPEAT_CUSTOMERS);
  if (few) return few;
  const unpack = (v: Float64Array): BgNbdParams => ({
    r: Math.exp(v[0] as number),
    alpha: Math.exp(v[1] as number),
    a: Math.exp(v[2] as number),
    b: Math.exp(v[3] as number),
  });
  // Minimise the mean negative log-likelihood, so that tolerances do not depend on n; α
  // starts at the mean T, which carries the time unit.
  const scale = 1 / g.customers;
  const start = Float64Array.of(0, Math.log(Math.max(sumT * scale, 1e-3)), 0, 0);
  const res = minimize(
    (v) => {
      for (let j = 0; j < 4; j++) if (Math.abs(v[j] as number) > 30) return Infinity;
      return -bgnbdLogLikelihood(unpack(v), g) * scale;
    },
    start,
    {
      maxEvaluations: options.maxEvaluations ?? 20_000,
      onRestart: (f, evaluations) => options.onProgress?.(evaluations, -f / scale),
    },
  );
  const p = unpack(res.x);
  if (!res.converged) return { refused: true, model: 'bgnbd', reason: 'no-convergence' };
  const bound = boundRefusal('bgnbd', { r: p.r, alpha: p.alpha, a: p.a, b: p.b });
  if (bound) return bound;
  return {
    ...p,
    ll: bgnbdLogLikelihood(p, g),
    n: g.customers,
    repeatCustomers: repeat,
    converged: true,
    iterations: res.evaluations,
  };
}

/**
 * P(alive at T | x, t_x, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).
 * A customer with no repeat purchase is alive with probability 1: in the BG/NBD model
 * dropping out can only happen right after a purchase, and the first one is not counted.
 */
export function pAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const logOdds = Math.log(p.a / (p.b + x - 1)) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * Expected repeat purchases in (T, T + t] given (x, t_x, T), FHL 2005 eq. 10:
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
 *   ÷ (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).
 */
export function expectedPurchases(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = p;
  const h = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const ratio = Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t)));
  const unconditional = ((a + b + x - 1) / (a - 1)) * (1 - ratio * h);
  return unconditional * pAlive(p, x, tx, T);
}

/**
 * Expected purchases in (0, t] of a customer just acquired at 0, FHL 2005 eq. 9:
 *   (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))].
 */
export function expectedPurchasesNew(p: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = p;
  const h = hyp2f1(r, b, a + b - 1, t / (alpha + t));
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * h);
}
