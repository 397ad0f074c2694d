/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers
 * the easy way", Marketing Science 24(2)): while alive a customer buys at Poisson rate
 * λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 */
import { minimizeRobust } from './optimize.ts';
import { digamma, hyp2f1, lbeta, lgamma, logAddExp } from './special.ts';
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
  const { x: ix, tx: itx, T: iT } = input;
  const cmp = (i: number, j: number) =>
    (ix[i] as number) - (ix[j] as number) || (itx[i] as number) - (itx[j] as number) || (iT[i] as number) - (iT[j] as number);
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (sorted && i > 0 && cmp(i - 1, i) > 0) sorted = false;
  }
  // Sorting beats a Map keyed by strings by ~10× at 500 k customers; the SQL summary
  // arrives sorted, and then there is nothing to do.
  if (!sorted) order.sort(cmp);
  const groupOf = new Uint32Array(n);
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const weight: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    const g = x.length - 1;
    if (g >= 0 && x[g] === ix[i] && tx[g] === itx[i] && T[g] === iT[i]) {
      weight[g] = (weight[g] as number) + 1;
      groupOf[i] = g;
    } else {
      x.push(ix[i] as number);
      tx.push(itx[i] as number);
      T.push(iT[i] as number);
      weight.push(1);
      groupOf[i] = g + 1;
    }
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
  return bgnbdLogLikelihoodGradient(p, g, null);
}

/**
 * The log-likelihood and, into `grad` (when given), its derivatives with respect to
 * (ln r, ln α, ln a, ln b). With w₁, w₂ the shares of the two bracket terms:
 *   ∂/∂r = ψ(r+x) − ψ(r) + ln α − w₁ ln(α+T) − w₂ ln(α+t_x)
 *   ∂/∂α = r/α − (r+x)(w₁/(α+T) + w₂/(α+t_x))
 *   ∂/∂a, ∂/∂b = w₁ ∂t₁ + w₂ ∂t₂ with the digamma derivatives of the log-beta terms.
 */
export function bgnbdLogLikelihoodGradient(p: BgNbdParams, g: RfmGroups, grad: Float64Array | null): number {
  const { r, alpha, a, b } = p;
  let maxX = 0;
  for (let i = 0; i < g.x.length; i++) maxX = Math.max(maxX, g.x[i] as number);
  const base = lbeta(a, b);
  const lgr = lgamma(r);
  const logAlpha = Math.log(alpha);
  const perX1 = new Float64Array(maxX + 1);
  const perX2 = new Float64Array(maxX + 1);
  // Per x: ∂/∂r of ln Γ(r+x) − ln Γ(r); ∂t₁/∂a, ∂t₂/∂a, ∂t₁/∂b, ∂t₂/∂b.
  const dR = new Float64Array(maxX + 1);
  const dA1 = new Float64Array(maxX + 1);
  const dA2 = new Float64Array(maxX + 1);
  const dB1 = new Float64Array(maxX + 1);
  const dB2 = new Float64Array(maxX + 1);
  const psiR = grad ? digamma(r) : 0;
  const psiA = grad ? digamma(a) : 0;
  const psiB = grad ? digamma(b) : 0;
  const psiAB = grad ? digamma(a + b) : 0;
  for (let k = 0; k <= maxX; k++) {
    const common = lgamma(r + k) - lgr + r * logAlpha - base;
    perX1[k] = common + lbeta(a, b + k);
    perX2[k] = k > 0 ? common + lbeta(a + 1, b + k - 1) : -Infinity;
    if (grad) {
      const psiABk = digamma(a + b + k);
      dR[k] = digamma(r + k) - psiR + logAlpha;
      dA1[k] = psiA - psiABk - (psiA - psiAB);
      dB1[k] = digamma(b + k) - psiABk - (psiB - psiAB);
      if (k > 0) {
        dA2[k] = digamma(a + 1) - psiABk - (psiA - psiAB);
        dB2[k] = digamma(b + k - 1) - psiABk - (psiB - psiAB);
      }
    }
  }
  let ll = 0;
  let gr = 0;
  let ga = 0;
  let gA = 0;
  let gB = 0;
  for (let i = 0; i < g.x.length; i++) {
    const k = g.x[i] as number;
    const w = g.weight[i] as number;
    const rx = r + k;
    const aT = alpha + (g.T[i] as number);
    const lT = Math.log(aT);
    const t1 = (perX1[k] as number) - rx * lT;
    if (k === 0) {
      ll += w * t1;
      if (grad) {
        gr += w * ((dR[0] as number) - lT);
        ga += w * (r / alpha - rx / aT);
        gA += w * (dA1[0] as number);
        gB += w * (dB1[0] as number);
      }
      continue;
    }
    const aTx = alpha + (g.tx[i] as number);
    const lTx = Math.log(aTx);
    const t2 = (perX2[k] as number) - rx * lTx;
    const li = logAddExp(t1, t2);
    ll += w * li;
    if (grad) {
      const w1 = Math.exp(t1 - li);
      const w2 = 1 - w1;
      gr += w * ((dR[k] as number) - w1 * lT - w2 * lTx);
      ga += w * (r / alpha - rx * (w1 / aT + w2 / aTx));
      gA += w * (w1 * (dA1[k] as number) + w2 * (dA2[k] as number));
      gB += w * (w1 * (dB1[k] as number) + w2 * (dB2[k] as number));
    }
  }
  if (grad) {
    grad[0] = gr * r;
    grad[1] = ga * alpha;
    grad[2] = gA * a;
    grad[3] = gB * b;
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
    const x = g.x[i] as number;
    // The likelihood indexes its per-x terms by x.
    if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`BG/NBD: x must be a whole number ≥ 0, got ${x}`);
    if (x > 0) repeat += g.weight[i] as number;
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
  const res = minimizeRobust(
    (v, grad) => {
      const ll = bgnbdLogLikelihoodGradient(unpack(v), g, grad);
      for (let j = 0; j < 4; j++) grad[j] = -(grad[j] as number) * scale;
      return -ll * scale;
    },
    start,
    {
      maxEvaluations: options.maxEvaluations ?? 20_000,
      onProgress: (f, evaluations) => options.onProgress?.(evaluations, -f / scale),
    },
  );
  const p = unpack(res.x);
  // A parameter run off to a bound explains a failed convergence better than the failure.
  const bound = boundRefusal('bgnbd', { r: p.r, alpha: p.alpha, a: p.a, b: p.b });
  if (bound) return bound;
  if (!res.converged) return { refused: true, model: 'bgnbd', reason: 'no-convergence' };
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
 * The divisor is 1 / P(alive); the rest depends on x and T only (`purchasesIfAlive`).
 */
export function expectedPurchases(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  return purchasesIfAlive(p, t, x, T) * pAlive(p, x, tx, T);
}

/** E[Y(t)] ÷ P(alive): the part of FHL 2005 eq. 10 that does not depend on t_x. */
export function purchasesIfAlive(p: BgNbdParams, t: number, x: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = p;
  const h = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const ratio = Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t)));
  return ((a + b + x - 1) / (a - 1)) * (1 - ratio * h);
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
