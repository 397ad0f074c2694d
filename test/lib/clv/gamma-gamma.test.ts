/** Gamma-Gamma: likelihood by hand, gradient, conditional mean, refusals. */
import { describe, expect, it } from 'vitest';
import {
  expectedSpend,
  fitGammaGamma,
  ggLogLikelihood,
  ggLogLikelihoodGradient,
  prepareSpend,
} from '../../../src/lib/clv/gamma-gamma.ts';
import { cdnowSummaryWithSpend, toArrays } from './cdnow.ts';

describe('Gamma-Gamma likelihood', () => {
  it('matches a value worked out by hand', () => {
    // p = q = γ = 1, x = 1, zbar = 1: f = Γ(2)/(Γ(1)Γ(1)) · 1 · 1 · 1 / (1 + 1)² = 1/4.
    // x = 2, zbar = 1: f = Γ(3)/(Γ(2)Γ(1)) · 2² · 1 / 3³ = 2 · 4/27 = 8/27.
    const s = { x: Float64Array.of(1, 2, 0), zbar: Float64Array.of(1, 1, Number.NaN) };
    expect(ggLogLikelihood({ p: 1, q: 1, gamma: 1 }, s)).toBeCloseTo(Math.log(1 / 4) + Math.log(8 / 27), 13);
  });

  it('has the analytic gradient of central differences', () => {
    const d = prepareSpend(toArrays(cdnowSummaryWithSpend()));
    const at = Float64Array.of(Math.log(5), Math.log(3), Math.log(20));
    const unpack = (v: Float64Array) => ({ p: Math.exp(v[0] as number), q: Math.exp(v[1] as number), gamma: Math.exp(v[2] as number) });
    const grad = new Float64Array(3);
    ggLogLikelihoodGradient(unpack(at), d, grad);
    for (let j = 0; j < 3; j++) {
      const up = Float64Array.from(at);
      const down = Float64Array.from(at);
      up[j] = (up[j] as number) + 1e-6;
      down[j] = (down[j] as number) - 1e-6;
      const numeric = (ggLogLikelihoodGradient(unpack(up), d, null) - ggLogLikelihoodGradient(unpack(down), d, null)) / 2e-6;
      expect(Math.abs((grad[j] as number) - numeric)).toBeLessThan(1e-4 * Math.max(1, Math.abs(numeric)));
    }
  });
});

describe('conditional expected spend', () => {
  it('weights the population mean and zbar (Fader & Hardie 2013 eq. 5)', () => {
    const p = { p: 6, q: 4, gamma: 15 };
    // population mean pγ/(q−1) = 90/3 = 30; x = 2, zbar = 40: (15 + 80)·6/(12 + 3) = 38.
    expect(expectedSpend(p, 0, Number.NaN)).toBe(30);
    expect(expectedSpend(p, 2, 40)).toBeCloseTo(38, 12);
    // the weight on zbar is px/(px+q−1) = 12/15: 0.8 · 40 + 0.2 · 30 = 38.
    expect(expectedSpend({ p: 6, q: 1, gamma: 15 }, 0, Number.NaN)).toBeNaN();
  });
});

describe('Gamma-Gamma refusals', () => {
  it('refuses a repeat customer whose zbar is not positive', () => {
    const x = new Float64Array(30).fill(2);
    const zbar = new Float64Array(30).fill(10);
    zbar[4] = 0;
    expect(fitGammaGamma({ x, zbar })).toEqual({ refused: true, model: 'gamma-gamma', reason: 'spend-not-positive', value: 0 });
  });

  it('refuses too few repeat customers', () => {
    const x = Float64Array.of(1, 2, 3, 0, 0);
    const zbar = Float64Array.of(5, 6, 7, Number.NaN, Number.NaN);
    expect(fitGammaGamma({ x, zbar })).toEqual({
      refused: true,
      model: 'gamma-gamma',
      reason: 'too-few-repeat-customers',
      have: 3,
      needed: 20,
    });
  });

  it('refuses a parameter at a bound: every repeat customer spends exactly 10', () => {
    // No spread at all: the likelihood grows without bound as p → ∞.
    const x = Float64Array.from({ length: 40 }, (_, i) => 1 + (i % 4));
    const zbar = new Float64Array(40).fill(10);
    expect(fitGammaGamma({ x, zbar })).toMatchObject({ refused: true, model: 'gamma-gamma', reason: 'parameter-at-bound' });
  });

  it('refuses a fit that does not converge in its budget', () => {
    expect(fitGammaGamma(toArrays(cdnowSummaryWithSpend()), { maxEvaluations: 2 })).toEqual({
      refused: true,
      model: 'gamma-gamma',
      reason: 'no-convergence',
    });
  });
});
