/**
 * Published values on the CDNOW sample (test/fixtures/clv/SOURCE.md): calibration end
 * 1997-09-30, 39 weeks, time unit the week.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { expectedPurchasesNew, fitBgNbd, groupRfm, type BgNbdFit } from '../../../src/lib/clv/bgnbd.ts';
import { fitGammaGamma, type GammaGammaFit } from '../../../src/lib/clv/gamma-gamma.ts';
import { isRefusal, type ClvRefusal } from '../../../src/lib/clv/types.ts';
import { readClvSummary } from '../../../src/lib/clv/summary.ts';
import { cdnowSummary, cdnowSummaryWithSpend, loadCdnow, toArrays } from './cdnow.ts';

const BGNBD = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259, ll: -9582.43 };
const GG = { p: 6.2496, q: 3.7442, gamma: 15.4436, ll: -4055.92 };

function bg(f: BgNbdFit | ClvRefusal): BgNbdFit {
  if (isRefusal(f)) throw new Error(`refused: ${f.reason}`);
  return f;
}
function gg(f: GammaGammaFit | ClvRefusal): GammaGammaFit {
  if (isRefusal(f)) throw new Error(`refused: ${f.reason}`);
  return f;
}
const within = (got: number, want: number, rel: number) => expect(Math.abs(got / want - 1)).toBeLessThan(rel);

function expectPublishedBgNbd(f: BgNbdFit) {
  within(f.r, BGNBD.r, 1e-3);
  within(f.alpha, BGNBD.alpha, 1e-3);
  within(f.a, BGNBD.a, 1e-3);
  within(f.b, BGNBD.b, 1e-3);
  expect(Math.abs(f.ll - BGNBD.ll)).toBeLessThan(0.01);
  expect(f.n).toBe(2357);
  expect(f.repeatCustomers).toBe(946);
}

describe('BG/NBD on the published CDNOW summary', () => {
  const fit = bg(fitBgNbd(toArrays(cdnowSummaryWithSpend())));

  it('reproduces FHL 2005: r, α, a, b within 0.1 %, log-likelihood within 0.01', () => {
    expectPublishedBgNbd(fit);
    expect(fit.converged).toBe(true);
  });

  it('gives E[X(52)] = 1.444 for a new customer', () => {
    expect(expectedPurchasesNew(fit, 52)).toBeCloseTo(1.444, 3);
  });

  it('fits the same on lifetimes’ frequency/recency/T file', () => {
    expectPublishedBgNbd(bg(fitBgNbd(toArrays(cdnowSummary()))));
  });

  it('is the same model in days: r, a, b unchanged, α × 7, log-likelihood − Σx · ln 7', () => {
    const w = toArrays(cdnowSummaryWithSpend());
    const d = bg(fitBgNbd({ x: w.x, tx: w.tx.map((v) => v * 7), T: w.T.map((v) => v * 7) }));
    within(d.r, fit.r, 1e-4);
    within(d.a, fit.a, 1e-4);
    within(d.b, fit.b, 1e-4);
    within(d.alpha, fit.alpha * 7, 1e-4);
    // The density of the purchase times carries λ^x, and λ per day = λ per week ÷ 7.
    const sumX = w.x.reduce((s, v) => s + v, 0);
    expect(d.ll).toBeCloseTo(fit.ll - sumX * Math.log(7), 4);
  });

  it('groups identical triples without changing the likelihood', () => {
    const g = groupRfm(toArrays(cdnowSummary()));
    expect(g.x.length).toBeLessThan(2357);
    expect(g.weight.reduce((s, w) => s + w, 0)).toBe(2357);
  });
});

describe('Gamma-Gamma on the published CDNOW summary', () => {
  it('reproduces Fader & Hardie 2013 on the 946 repeat customers', () => {
    const f = gg(fitGammaGamma(toArrays(cdnowSummaryWithSpend())));
    expect(f.n).toBe(946);
    within(f.p, GG.p, 1e-3);
    within(f.q, GG.q, 1e-3);
    within(f.gamma, GG.gamma, 1e-3);
    expect(Math.abs(f.ll - GG.ll)).toBeLessThan(0.01);
  });
});

describe('the SQL summary of the CDNOW transactions', () => {
  let db: NodeDb;
  let got: Awaited<ReturnType<typeof readClvSummary>>;
  beforeAll(async () => {
    db = await NodeDb.open();
    await loadCdnow(db);
    got = await readClvSummary(db, { calibrationEnd: '1997-09-30', asOf: '1998-06-30', unit: 'week' });
  });
  afterAll(async () => {
    await db.close();
  });

  it('equals lifetimes’ summary row by row (to its two decimals)', () => {
    const want = new Map(cdnowSummaryWithSpend().map((r) => [r.id, r]));
    expect(got.ids.length).toBe(2357);
    expect(got.holdoutDays).toBe(273);
    got.ids.forEach((id, i) => {
      const w = want.get(id);
      if (!w) throw new Error(`customer ${id} not in the published summary`);
      expect(got.summary.x[i]).toBe(w.x);
      expect(Math.abs((got.summary.tx[i] as number) - w.tx)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs((got.summary.T[i] as number) - w.T)).toBeLessThanOrEqual(0.005 + 1e-9);
      const z = got.summary.zbar[i] as number;
      if (w.x === 0) expect(z).toBeNaN();
      else expect(Math.abs(z - w.zbar)).toBeLessThanOrEqual(0.005 + 1e-9);
    });
  });

  it('gives the published BG/NBD and Gamma-Gamma fits', () => {
    expectPublishedBgNbd(bg(fitBgNbd(got.summary)));
    const f = gg(fitGammaGamma(got.summary));
    expect(f.n).toBe(946);
    within(f.p, GG.p, 1e-3);
    within(f.q, GG.q, 1e-3);
    within(f.gamma, GG.gamma, 1e-3);
    expect(Math.abs(f.ll - GG.ll)).toBeLessThan(0.01);
  });

  it('counts the holdout purchase days (1997-10-01 … 1998-06-30) in 39 weeks', () => {
    const h = got.summary.holdoutX as Float64Array;
    const weekly = got.summary.holdoutWeekly as Float64Array;
    expect(weekly.length).toBe(39);
    const total = h.reduce((s, v) => s + v, 0);
    expect(weekly.reduce((s, v) => s + v, 0)).toBe(total);
    // 6,696 customer-days in all (SOURCE.md): 2,357 first days, Σx calibration repeat days,
    // and the rest after 1997-09-30.
    expect(total).toBe(6696 - 2357 - got.summary.x.reduce((s, v) => s + v, 0));
  });
});
