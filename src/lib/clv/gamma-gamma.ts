/**
 * The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma model
 * of monetary value"; Colombo & Jiang 1999): a customer's purchase values are
 * Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, independent of the purchase process.
 * Fitted on customers with x > 0 repeat purchases of mean value zbar > 0.
 */
import { minimize } from './optimize.ts';
import { lgamma } from './special.ts';
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
  const { p, q, gamma } = params;
  const lgq = lgamma(q);
  const qlg = q * Math.log(gamma);
  let ll = 0;
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i] as number;
    const z = s.zbar[i] as number;
    if (!(x > 0) || !Number.isFinite(z)) continue;
    const px = p * x;
    ll +=
      lgamma(px + q) - lgamma(px) - lgq + qlg + px * Math.log(x) + (px - 1) * Math.log(z) - (px + q) * Math.log(gamma + x * z);
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
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i] as number;
    const z = s.zbar[i] as number;
    if (!(x > 0) || Number.isNaN(z)) continue;
    if (!(z > 0) || !Number.isFinite(z)) return { refused: true, model: 'gamma-gamma', reason: 'spend-not-positive', value: z };
    n++;
    sum += z;
    sumSq += z * z;
  }
  const needed = options.minRepeatCustomers ?? MIN_REPEAT_CUSTOMERS;
  if (n < needed) return { refused: true, model: 'gamma-gamma', reason: 'too-few-repeat-customers', have: n, needed };
  // Start from moments of zbar: p·ν with E[ν⁻¹]-ish scale; only the order of magnitude matters.
  const mean = sum / n;
  const variance = Math.max(sumSq / n - mean * mean, mean * mean * 1e-3);
  const p0 = Math.max((mean * mean) / variance, 0.1);
  const scale = 1 / n;
  const unpack = (v: Float64Array): GammaGammaParams => ({
    p: Math.exp(v[0] as number),
    q: Math.exp(v[1] as number),
    gamma: Math.exp(v[2] as number),
  });
  const res = minimize(
    (v) => {
      for (let j = 0; j < 3; j++) if (Math.abs(v[j] as number) > 30) return Infinity;
      return -ggLogLikelihood(unpack(v), s) * scale;
    },
    Float64Array.of(Math.log(p0), Math.log(2), Math.log(Math.max(mean, 1e-3))),
    {
      maxEvaluations: options.maxEvaluations ?? 20_000,
      onRestart: (f, evaluations) => options.onProgress?.(evaluations, -f / scale),
    },
  );
  const params = unpack(res.x);
  if (!res.converged) return { refused: true, model: 'gamma-gamma', reason: 'no-convergence' };
  const bound = boundRefusal('gamma-gamma', { p: params.p, q: params.q, gamma: params.gamma });
  if (bound) return bound;
  return { ...params, ll: ggLogLikelihood(params, s), n, converged: true, iterations: res.evaluations };
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
