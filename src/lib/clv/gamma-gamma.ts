/**
 * The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma model
 * of monetary value"; Colombo & Jiang 1999): a customer's purchase values are
 * Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, independent of the purchase process.
 * Fitted on customers with x > 0 repeat purchases of mean value zbar > 0.
 */
import { minimizeRobust } from './optimize.ts';
import { digamma, lgamma } from './special.ts';
import { boundRefusal, MIN_REPEAT_CUSTOMERS, type ClvRefusal } from './types.ts';

export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

/** A Gamma-Gamma maximum-likelihood fit. */
export interface GammaGammaFit extends GammaGammaParams {
  /** Log-likelihood at the optimum (density of zbar given x, summed over customers). */
  readonly ll: number;
  /** Customers fitted (x > 0 and zbar > 0). */
  readonly n: number;
  readonly converged: boolean;
  readonly iterations: number;
}

/** The fit's customers: x > 0 and a finite zbar (NaN marks "no spend model"). */
export interface SpendArrays {
  readonly x: Float64Array;
  readonly zbar: Float64Array;
}

/**
 * Σ ln f(zbar | x; p, q, γ), where zbar·x ~ Gamma(p·x, ν), ν ~ Gamma(q, γ):
 *   f = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · x^(px) · zbar^(px−1) / (γ + x·zbar)^(px+q).
 * Customers with x = 0 or zbar not finite are skipped.
 */
export function ggLogLikelihood(params: GammaGammaParams, s: SpendArrays): number {
  return ggLogLikelihoodGradient(params, prepareSpend(s), null);
}

/** The fit's customers, with the sums that depend on x alone gathered per distinct x. */
export interface SpendData {
  readonly x: Float64Array;
  readonly zbar: Float64Array;
  /** Distinct x values, their customer counts and Σ ln zbar. */
  readonly xs: Float64Array;
  readonly counts: Float64Array;
  readonly sumLogZ: Float64Array;
}

export function prepareSpend(s: SpendArrays): SpendData {
  const x: number[] = [];
  const z: number[] = [];
  const perX = new Map<number, { n: number; sumLogZ: number }>();
  for (let i = 0; i < s.x.length; i++) {
    const xi = s.x[i] as number;
    const zi = s.zbar[i] as number;
    if (!(xi > 0) || !Number.isFinite(zi)) continue;
    x.push(xi);
    z.push(zi);
    const e = perX.get(xi) ?? { n: 0, sumLogZ: 0 };
    e.n++;
    e.sumLogZ += Math.log(zi);
    perX.set(xi, e);
  }
  const keys = [...perX.keys()].sort((u, v) => u - v);
  return {
    x: Float64Array.from(x),
    zbar: Float64Array.from(z),
    xs: Float64Array.from(keys),
    counts: Float64Array.from(keys, (k) => perX.get(k)?.n ?? 0),
    sumLogZ: Float64Array.from(keys, (k) => perX.get(k)?.sumLogZ ?? 0),
  };
}

/**
 * The log-likelihood and, into `grad` when given, its derivatives with respect to
 * (ln p, ln q, ln γ):
 *   ∂/∂p = x (ψ(px+q) − ψ(px) + ln x + ln zbar − ln(γ + x·zbar))
 *   ∂/∂q = ψ(px+q) − ψ(q) + ln γ − ln(γ + x·zbar)
 *   ∂/∂γ = q/γ − (px+q)/(γ + x·zbar)
 */
export function ggLogLikelihoodGradient(params: GammaGammaParams, d: SpendData, grad: Float64Array | null): number {
  const { p, q, gamma } = params;
  const lgq = lgamma(q);
  const logGamma = Math.log(gamma);
  const psiQ = grad ? digamma(q) : 0;
  let ll = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (let k = 0; k < d.xs.length; k++) {
    const x = d.xs[k] as number;
    const n = d.counts[k] as number;
    const sz = d.sumLogZ[k] as number;
    const px = p * x;
    const logX = Math.log(x);
    ll += n * (lgamma(px + q) - lgamma(px) - lgq + q * logGamma + px * logX) + (px - 1) * sz;
    if (grad) {
      const psiPQ = digamma(px + q);
      gp += x * (n * (psiPQ - digamma(px) + logX) + sz);
      gq += n * (psiPQ - psiQ + logGamma);
      gg += (n * q) / gamma;
    }
  }
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i] as number;
    const v = gamma + x * (d.zbar[i] as number);
    const lv = Math.log(v);
    ll -= (p * x + q) * lv;
    if (grad) {
      gp -= x * lv;
      gq -= lv;
      gg -= (p * x + q) / v;
    }
  }
  if (grad) {
    grad[0] = gp * p;
    grad[1] = gq * q;
    grad[2] = gg * gamma;
  }
  return ll;
}

export interface GgFitOptions {
  readonly minRepeatCustomers?: number;
  readonly maxEvaluations?: number;
  readonly onProgress?: (evaluations: number, ll: number) => void;
}

/** Fit (p, q, γ) by maximum likelihood over their logarithms. */
export function fitGammaGamma(s: SpendArrays, options: GgFitOptions = {}): GammaGammaFit | ClvRefusal {
  for (let i = 0; i < s.x.length; i++) {
    const z = s.zbar[i] as number;
    if ((s.x[i] as number) > 0 && !Number.isNaN(z) && !(z > 0 && Number.isFinite(z))) {
      return { refused: true, model: 'gamma-gamma', reason: 'spend-not-positive', value: z };
    }
  }
  const d = prepareSpend(s);
  const n = d.x.length;
  const needed = options.minRepeatCustomers ?? MIN_REPEAT_CUSTOMERS;
  if (n < needed) return { refused: true, model: 'gamma-gamma', reason: 'too-few-repeat-customers', have: n, needed };
  // Start near the method of moments for a single gamma: only the scale of zbar matters.
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    sum += d.zbar[i] as number;
    sumSq += (d.zbar[i] as number) ** 2;
  }
  const mean = sum / n;
  const variance = Math.max(sumSq / n - mean * mean, mean * mean * 1e-3);
  const p0 = Math.max((mean * mean) / variance, 0.1);
  const scale = 1 / n;
  const unpack = (v: Float64Array): GammaGammaParams => ({
    p: Math.exp(v[0] as number),
    q: Math.exp(v[1] as number),
    gamma: Math.exp(v[2] as number),
  });
  const res = minimizeRobust(
    (v, grad) => {
      const ll = ggLogLikelihoodGradient(unpack(v), d, grad);
      for (let j = 0; j < 3; j++) grad[j] = -(grad[j] as number) * scale;
      return -ll * scale;
    },
    Float64Array.of(Math.log(p0), Math.log(2), Math.log(Math.max(mean, 1e-3))),
    {
      maxEvaluations: options.maxEvaluations ?? 20_000,
      onProgress: (f, evaluations) => options.onProgress?.(evaluations, -f / scale),
    },
  );
  const params = unpack(res.x);
  const bound = boundRefusal('gamma-gamma', { p: params.p, q: params.q, gamma: params.gamma });
  if (bound) return bound;
  if (!res.converged) return { refused: true, model: 'gamma-gamma', reason: 'no-convergence' };
  return { ...params, ll: ggLogLikelihoodGradient(params, d, null), n, converged: true, iterations: res.evaluations };
}

/**
 * E[average purchase value | x, zbar] = (γ + x·zbar)·p / (p·x + q − 1) (Fader & Hardie 2013
 * eq. 5): a weighted mean of the population mean pγ/(q−1) and the customer's zbar. With
 * x = 0 (or no zbar) it is the population mean. Needs q > 1 (else the mean is infinite: NaN).
 */
export function expectedSpend(params: GammaGammaParams, x: number, zbar: number): number {
  const { p, q, gamma } = params;
  if (!(q > 1)) return Number.NaN;
  if (!(x > 0) || !Number.isFinite(zbar)) return (p * gamma) / (q - 1);
  return ((gamma + x * zbar) * p) / (p * x + q - 1);
}
