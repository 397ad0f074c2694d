/**
 * BG/NBD: the likelihood against hand values and an independent product form, its
 * gradient against finite differences, the model's properties, and every refusal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bgnbdLogLikelihood,
  bgnbdLogLikelihoodGradient,
  expectedPurchases,
  expectedPurchasesNew,
  fitBgNbd,
  groupRfm,
  pAlive,
  type BgNbdParams,
} from '../../../src/lib/clv/bgnbd.ts';
import { cdnowSummary, toArrays } from './cdnow.ts';
import { simulate } from './simulate.ts';

const CDNOW: BgNbdParams = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 };

/**
 * FHL 2005 eq. 6 for integer x without any log-gamma: Γ(r+x)/Γ(r) = Π_{j<x} (r+j),
 * B(a, b+x)/B(a, b) = Π_{j<x} (b+j)/(a+b+j), B(a+1, b+x−1)/B(a, b) = a/(a+b+x−1) ·
 * Π_{j<x−1} (b+j)/(a+b+j). Products in logs only to avoid underflow at large x.
 */
function productLogLikelihood(p: BgNbdParams, x: number, tx: number, T: number): number {
  let lr = 0;
  let l1 = 0;
  let l2 = Math.log(p.a / (p.a + p.b + x - 1));
  for (let j = 0; j < x; j++) {
    lr += Math.log(p.r + j);
    l1 += Math.log((p.b + j) / (p.a + p.b + j));
    if (j < x - 1) l2 += Math.log((p.b + j) / (p.a + p.b + j));
  }
  const head = lr + p.r * Math.log(p.alpha);
  const e1 = l1 - (p.r + x) * Math.log(p.alpha + T);
  if (x === 0) return head + e1;
  const e2 = l2 - (p.r + x) * Math.log(p.alpha + tx);
  const m = Math.max(e1, e2);
  return head + m + Math.log(Math.exp(e1 - m) + Math.exp(e2 - m));
}

const one = (x: number, tx: number, T: number) =>
  groupRfm({ x: Float64Array.of(x), tx: Float64Array.of(tx), T: Float64Array.of(T) });

describe('BG/NBD log-likelihood', () => {
  it('matches values worked out by hand', () => {
    const p = { r: 1, alpha: 1, a: 2, b: 3 };
    // x = 0, T = 2: L = Γ(1)·1/(Γ(1)·3) = 1/3.
    expect(bgnbdLogLikelihood(p, one(0, 0, 2))).toBeCloseTo(-Math.log(3), 14);
    // x = 1, t_x = 1, T = 2: B(2,4)/B(2,3) = 12/20, ÷ 3² → 1/15; B(3,3)/B(2,3) = 12/30,
    // ÷ 2² → 1/10; L = 1/15 + 1/10 = 1/6.
    expect(bgnbdLogLikelihood(p, one(1, 1, 2))).toBeCloseTo(-Math.log(6), 14);
  });

  it('equals the product form on the CDNOW summary (−9582.43 at the published parameters)', () => {
    const rows = cdnowSummary();
    const want = rows.reduce((s, r) => s + productLogLikelihood(CDNOW, r.x, r.tx, r.T), 0);
    const got = bgnbdLogLikelihood(CDNOW, groupRfm(toArrays(rows)));
    expect(Math.abs(got - want)).toBeLessThan(1e-8);
    expect(Math.abs(got - -9582.43)).toBeLessThan(0.02);
  });

  it('stays finite where the plain terms underflow (x = 200)', () => {
    const got = bgnbdLogLikelihood(CDNOW, one(200, 38, 39));
    expect(Number.isFinite(got)).toBe(true);
    expect(got).toBeCloseTo(productLogLikelihood(CDNOW, 200, 38, 39), 9);
  });

  it('has the analytic gradient of central differences (in log-parameters)', () => {
    const g = groupRfm(toArrays(cdnowSummary()));
    const at = Float64Array.of(Math.log(0.3), Math.log(5), Math.log(0.9), Math.log(2));
    const unpack = (v: Float64Array) => ({
      r: Math.exp(v[0] as number),
      alpha: Math.exp(v[1] as number),
      a: Math.exp(v[2] as number),
      b: Math.exp(v[3] as number),
    });
    const grad = new Float64Array(4);
    bgnbdLogLikelihoodGradient(unpack(at), g, grad);
    for (let j = 0; j < 4; j++) {
      const up = Float64Array.from(at);
      const down = Float64Array.from(at);
      up[j] = (up[j] as number) + 1e-6;
      down[j] = (down[j] as number) - 1e-6;
      const numeric = (bgnbdLogLikelihood(unpack(up), g) - bgnbdLogLikelihood(unpack(down), g)) / 2e-6;
      expect(Math.abs((grad[j] as number) - numeric)).toBeLessThan(1e-4 * Math.max(1, Math.abs(numeric)));
    }
  });
});

describe('BG/NBD predictions', () => {
  it('P(alive) by hand: x = 1, t_x = 1, T = 2 with r = α = 1, a = 2, b = 3 is 1/(1 + 2/3 · (3/2)²) = 0.4', () => {
    expect(pAlive({ r: 1, alpha: 1, a: 2, b: 3 }, 1, 1, 2)).toBeCloseTo(0.4, 14);
  });

  it('E[X(1)] of a new customer by hand: 4(1 − ½ · 2F1(1, 3; 4; ½)) = 4(1 − 12(ln 2 − 5/8))', () => {
    // 2F1(1, 3; 4; z) = Σ 3 zⁿ/(n+3) = 3z⁻³(−ln(1−z) − z − z²/2) = 24(ln 2 − 5/8) at z = ½.
    expect(expectedPurchasesNew({ r: 1, alpha: 1, a: 2, b: 3 }, 1)).toBeCloseTo(4 * (1 - 12 * (Math.LN2 - 0.625)), 12);
  });

  it('E[X(t)] of a new customer agrees with simulating the process', () => {
    // 40,000 customers acquired at day 0 and watched for 52 weeks: the mean repeat
    // purchase days (a few fall on the same day, so slightly fewer) against 1.444.
    const s = simulate(CDNOW, { customers: 40_000, seed: 11, acquisitionDays: 1, calibrationDays: 364 });
    const mean = s.x.reduce((a, v) => a + v, 0) / s.x.length;
    expect(Math.abs(mean - expectedPurchasesNew(CDNOW, 52))).toBeLessThan(0.06);
  });

  it('FHL 2005’s worked example: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks', () => {
    expect(expectedPurchases(CDNOW, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  it('a customer just acquired (x = 0, T = 0) is a new customer', () => {
    for (const t of [1, 10, 52, 200]) {
      expect(expectedPurchases(CDNOW, t, 0, 0, 0)).toBeCloseTo(expectedPurchasesNew(CDNOW, t), 10);
    }
  });

  const params = fc.record({
    r: fc.double({ min: 0.05, max: 5, noNaN: true }),
    alpha: fc.double({ min: 0.5, max: 50, noNaN: true }),
    a: fc.double({ min: 0.1, max: 5, noNaN: true }).filter((a) => Math.abs(a - 1) > 1e-3),
    b: fc.double({ min: 0.5, max: 10, noNaN: true }),
  });
  const customer = fc
    .record({ x: fc.integer({ min: 0, max: 60 }), T: fc.double({ min: 0, max: 100, noNaN: true }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(({ x, T, share }) => ({ x, T, tx: x === 0 ? 0 : T * share }));

  it('P(alive) lies in [0, 1] and is 1 when x = 0 (dropout happens only after a repeat purchase)', () => {
    fc.assert(
      fc.property(params, customer, (p, c) => {
        const v = pAlive(p, c.x, c.tx, c.T);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(pAlive(p, 0, 0, c.T)).toBe(1);
      }),
      { numRuns: 300 },
    );
  });

  it('E[Y(t)] is positive and increases with t', () => {
    fc.assert(
      fc.property(params, customer, fc.double({ min: 0.5, max: 100, noNaN: true }), (p, c, t) => {
        const y1 = expectedPurchases(p, t, c.x, c.tx, c.T);
        const y2 = expectedPurchases(p, t * 1.5, c.x, c.tx, c.T);
        expect(y1).toBeGreaterThan(0);
        expect(y2).toBeGreaterThan(y1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('BG/NBD refusals', () => {
  it('refuses too few repeat customers', () => {
    const n = 50;
    const x = new Float64Array(n);
    for (let i = 0; i < 10; i++) x[i] = 1;
    const r = fitBgNbd({ x, tx: Float64Array.from(x, (v) => v * 3), T: new Float64Array(n).fill(10) });
    expect(r).toEqual({ refused: true, model: 'bgnbd', reason: 'too-few-repeat-customers', have: 10, needed: 20 });
  });

  it('refuses a fit that does not converge in its budget', () => {
    const r = fitBgNbd(toArrays(cdnowSummary()), { maxEvaluations: 3 });
    expect(r).toEqual({ refused: true, model: 'bgnbd', reason: 'no-convergence' });
  });

  it('refuses a parameter at a bound: everyone buys every other week to the end, nobody drops out', () => {
    // No heterogeneity and no dropout: the likelihood grows as r, α → ∞ (Poisson rate fixed).
    const n = 40;
    const T = Float64Array.from({ length: n }, (_, i) => 30 + (i % 10));
    const x = Float64Array.from(T, (t, i) => Math.floor(t / 2) + (i % 3));
    const tx = Float64Array.from(T, (t, i) => t - (i % 2));
    const r = fitBgNbd({ x, tx, T });
    expect(r).toMatchObject({ refused: true, model: 'bgnbd', reason: 'parameter-at-bound' });
  });
});

describe('grouping', () => {
  it('gives the same groups whether or not the customers arrive sorted', () => {
    const x = Float64Array.of(2, 0, 1, 0, 2, 1);
    const tx = Float64Array.of(5, 0, 3, 0, 5, 2);
    const T = Float64Array.of(9, 4, 9, 4, 9, 9);
    const g = groupRfm({ x, tx, T });
    // Groups in (x, t_x, T) order: (0,0,4)×2, (1,2,9), (1,3,9), (2,5,9)×2.
    expect([...g.x]).toEqual([0, 1, 1, 2]);
    expect([...g.tx]).toEqual([0, 2, 3, 5]);
    expect([...g.weight]).toEqual([2, 1, 1, 2]);
    expect([...g.groupOf]).toEqual([3, 0, 2, 0, 3, 1]);
    const sorted = groupRfm({ x: Float64Array.of(0, 0, 1, 1, 2, 2), tx: Float64Array.of(0, 0, 2, 3, 5, 5), T: Float64Array.of(4, 4, 9, 9, 9, 9) });
    expect([...sorted.weight]).toEqual([2, 1, 1, 2]);
    expect([...sorted.groupOf]).toEqual([0, 0, 1, 2, 3, 3]);
  });
});
