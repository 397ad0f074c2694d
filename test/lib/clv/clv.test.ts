/**
 * CLV sums, totals and the holdout comparison, on the CDNOW sample through the SQL summary
 * (calibration to 1997-09-30, holdout to 1998-06-30), against plain loops over the
 * transactions in the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { expectedPurchases, type BgNbdParams } from '../../../src/lib/clv/bgnbd.ts';
import { defaultHorizon, discountedPurchases, horizonMonths } from '../../../src/lib/clv/clv.ts';
import { CLV_METRIC_IDS, clvMetrics, fitClvSync, type ClvProgress, type ClvResult } from '../../../src/lib/clv/fit.ts';
import { expectedSpend } from '../../../src/lib/clv/gamma-gamma.ts';
import { readClvSummary } from '../../../src/lib/clv/summary.ts';
import { isRefusal } from '../../../src/lib/clv/types.ts';
import { cdnowTransactions, loadCdnow } from './cdnow.ts';
import { simulate } from './simulate.ts';

const CDNOW: BgNbdParams = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 };

describe('horizon and discounting', () => {
  it('rounds the horizon to whole months of 30.4375 days, at least one', () => {
    expect(horizonMonths(52, 'week')).toBe(12); // 364 days = 11.96 months
    expect(horizonMonths(365, 'day')).toBe(12);
    expect(horizonMonths(6, 'month')).toBe(6);
    expect(horizonMonths(1, 'day')).toBe(1);
  });

  it('defaults to 52 weeks in every unit', () => {
    expect(defaultHorizon('week')).toBe(52);
    expect(defaultHorizon('day')).toBe(364);
    expect(defaultHorizon('month')).toBeCloseTo(11.959, 3);
    expect(horizonMonths(defaultHorizon('month'), 'month')).toBe(12);
  });

  it('with d = 0 the monthly increments add up to E[Y] at M months', () => {
    const months = 12;
    const monthWeeks = 30.4375 / 7;
    const got = discountedPurchases(CDNOW, 2, 20, 38, months, monthWeeks, 0);
    expect(got).toBeCloseTo(expectedPurchases(CDNOW, months * monthWeeks, 2, 20, 38), 12);
  });

  it('discounts month m by (1 + d)^m', () => {
    const monthWeeks = 30.4375 / 7;
    let want = 0;
    for (let m = 1; m <= 3; m++) {
      const inc = expectedPurchases(CDNOW, m * monthWeeks, 3, 30, 35) - expectedPurchases(CDNOW, (m - 1) * monthWeeks, 3, 30, 35);
      want += inc / 1.1 ** m;
    }
    expect(discountedPurchases(CDNOW, 3, 30, 35, 3, monthWeeks, 0.1)).toBeCloseTo(want, 12);
  });
});

describe('fitClvSync on CDNOW with the holdout', () => {
  let db: NodeDb;
  let result: ClvResult;
  let ids: string[];
  const stages = new Set<string>();
  beforeAll(async () => {
    db = await NodeDb.open();
    await loadCdnow(db);
    const s = await readClvSummary(db, { calibrationEnd: '1997-09-30', asOf: '1998-06-30', unit: 'week' });
    ids = s.ids;
    result = fitClvSync(s.summary, { unit: 'week', horizon: 52, monthlyDiscount: 0.01, holdoutDays: s.holdoutDays }, (p: ClvProgress) =>
      stages.add(p.stage),
    );
  });
  afterAll(async () => {
    await db.close();
  });

  it('fits both models, reports every stage, and gives every metric id', () => {
    expect(isRefusal(result.bgnbd)).toBe(false);
    expect(isRefusal(result.gammaGamma)).toBe(false);
    expect([...stages].sort()).toEqual(['bgnbd', 'gamma-gamma', 'holdout', 'predict']);
    const m = clvMetrics(result);
    expect(Object.keys(m).sort()).toEqual([...CLV_METRIC_IDS].sort());
    for (const id of CLV_METRIC_IDS) expect(Number.isFinite(m[id])).toBe(true);
    expect(m.clv_customers).toBe(2357);
  });

  it('totals are the sums of the per-customer values', () => {
    const c = result.customers;
    if (!c || !result.totals) throw new Error('no predictions');
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    expect(result.totals.expectedAlive).toBeCloseTo(sum(c.pAlive), 9);
    expect(result.totals.expectedPurchases).toBeCloseTo(sum(c.expectedPurchases), 9);
    expect(result.totals.total).toBeCloseTo(sum(c.clv), 6);
  });

  it('customer 1 (x = 2, t_x = 30.43, T = 38.86, zbar = 22.35): clv = E[spend] × discounted purchases', () => {
    const i = ids.indexOf('1');
    const bg = result.bgnbd;
    const gg = result.gammaGamma;
    if (isRefusal(bg) || isRefusal(gg) || !result.customers) throw new Error('refused');
    // Purchases 1997-01-01, 01-18, 08-02 (29.33, 29.73, 14.96): x = 2, zbar = 22.345.
    const spend = expectedSpend(gg, 2, (29.73 + 14.96) / 2);
    const disc = discountedPurchases(bg, 2, 213 / 7, 272 / 7, 12, 30.4375 / 7, 0.01);
    expect(result.customers.clv[i]).toBeCloseTo(spend * disc, 9);
  });

  it('holdout actuals equal the purchase days counted from the transactions', () => {
    // Independent count: distinct (customer, day) after 1997-09-30, bucketed by the
    // customer's distinct calibration days − 1 (capped at 7).
    const cal = new Map<string, Set<string>>();
    const hold = new Map<string, Set<string>>();
    for (const t of cdnowTransactions()) {
      const m = t.date <= '1997-09-30' ? cal : hold;
      const set = m.get(t.id) ?? new Set<string>();
      set.add(t.date);
      m.set(t.id, set);
    }
    const want = new Array<number>(8).fill(0);
    const customers = new Array<number>(8).fill(0);
    for (const [id, days] of cal) {
      const b = Math.min(days.size - 1, 7);
      customers[b] = (customers[b] as number) + 1;
      want[b] = (want[b] as number) + (hold.get(id)?.size ?? 0);
    }
    const h = result.holdout;
    if (!h) throw new Error('no holdout');
    expect(h.byX.map((r) => r.customers)).toEqual(customers);
    expect(h.byX.map((r) => r.actual)).toEqual(want);
    expect(h.actual).toBe(want.reduce((s, v) => s + v, 0));
    const last = h.cumulative[h.cumulative.length - 1];
    expect(h.cumulative).toHaveLength(39);
    expect(last?.actual).toBe(h.actual);
    // The last week ends at as_of (273 days = 39 weeks): cumulative expected = the total.
    expect(last?.expected).toBeCloseTo(h.expected, 6);
    expect(h.byX.reduce((s, r) => s + r.expected, 0)).toBeCloseTo(h.expected, 6);
    for (let w = 1; w < h.cumulative.length; w++) {
      expect(h.cumulative[w]?.expected).toBeGreaterThan(h.cumulative[w - 1]?.expected ?? Infinity);
    }
  });
});

describe('fitClvSync when only Gamma-Gamma refuses', () => {
  it('refuses q ≤ 1 (infinite mean spend) and still predicts purchases, with no CLV', () => {
    // Spend rates ν ~ Gamma(q = 0.7): so heavy-tailed across customers that the fitted q < 1.
    const s = simulate({ r: 0.5, alpha: 4, a: 0.8, b: 2.5, spend: { p: 3, q: 0.7, gamma: 10 } }, { customers: 5000, seed: 7 });
    const r = fitClvSync({ ...s, holdoutX: null, holdoutWeekly: null }, { unit: 'week', horizon: 52, monthlyDiscount: 0.01, holdoutDays: null });
    expect(r.gammaGamma).toMatchObject({ refused: true, reason: 'not-finite', parameter: 'q' });
    expect((r.gammaGamma as { value: number }).value).toBeLessThan(1);
    expect(isRefusal(r.bgnbd)).toBe(false);
    expect(r.totals?.total).toBeNull();
    expect(r.totals?.expectedPurchases).toBeGreaterThan(0);
    expect(r.customers?.clv.every((v) => Number.isNaN(v))).toBe(true);
    const m = clvMetrics(r);
    expect([m.gg_p, m.clv_total, m.clv_holdout_actual]).toEqual([null, null, null]);
    expect(m.clv_customers).toBe(5000);
  });
});
