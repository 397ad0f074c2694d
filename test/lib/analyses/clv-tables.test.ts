/**
 * The lifetime-value panel's aggregate tables, on hand-made predictions (the models themselves
 * are tested in test/lib/clv, the whole panel on CDNOW in test/cli/clv.test.ts), and its run's
 * reuse of the last fit.
 */
import { describe, expect, it } from 'vitest';
import { clvBins, clvGrid, clvHorizon, kthSmallest, niceStep, pAliveBins, runClv, topCustomers, TOP_CUSTOMERS } from '../../../src/lib/analyses/clv-tables.ts';
import { customerLifetime } from '../../../src/lib/analyses/clv.ts';
import { fitClvSync } from '../../../src/lib/clv/fit.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { loadCdnow } from '../clv/cdnow.ts';
import type { ClvCustomerArrays } from '../../../src/lib/clv/clv.ts';

const f = (...v: number[]) => Float64Array.from(v);

describe('lifetime-value tables', () => {
  it('steps are 1, 2, 2.5 or 5 × 10^k', () => {
    expect([niceStep(0.7), niceStep(1), niceStep(1.2), niceStep(2.2), niceStep(3), niceStep(49), niceStep(0)]).toEqual([1, 1, 2, 2.5, 5, 50, 1]);
  });

  it('horizon: the setting, else 52 weeks in the unit', () => {
    expect(clvHorizon({ horizon: null, clvUnit: 'week' })).toBe(52);
    expect(clvHorizon({ horizon: null, clvUnit: 'day' })).toBe(364);
    expect(clvHorizon({ horizon: null, clvUnit: 'month' })).toBeCloseTo(364 / 30.4375, 12);
    expect(clvHorizon({ horizon: 10, clvUnit: 'month' })).toBe(10);
  });

  it('P(alive) in tenths, 1 in the last bin, one-time customers counted apart', () => {
    // 0.05 → bin 0; 0.1 → bin 1; 0.95 and 1 (x = 0) and 1 (x = 0) → bin 9.
    const rows = pAliveBins(f(0.05, 0.1, 0.95, 1, 1), f(3, 2, 1, 0, 0));
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({ from: 0, to: 0.1, customers: 1, one_time: 0 });
    expect(rows[1]).toEqual({ from: 0.1, to: 0.2, customers: 1, one_time: 0 });
    expect(rows[9]).toEqual({ from: 0.9, to: 1, customers: 3, one_time: 2 });
    expect(rows.reduce((s, r) => s + r.customers, 0)).toBe(5);
  });

  it('CLV bins: a nice width from the 99th percentile, the rest in the open last bin', () => {
    // 100 customers: 0, 1, …, 98 and one at 1000. 99th percentile (index floor(0.99·99) = 98) = 98;
    // width niceStep(98 / 19 = 5.16) = 10 → bins [0,10) … [180,190), then [190, ∞) with the 1000.
    const v = Float64Array.from({ length: 100 }, (_, i) => (i === 99 ? 1000 : i));
    const rows = clvBins(v);
    expect(rows).toHaveLength(20);
    expect(rows[0]).toEqual({ from: 0, to: 10, customers: 10, clv: 45 });
    expect(rows[9]).toEqual({ from: 90, to: 100, customers: 9, clv: 90 + 91 + 92 + 93 + 94 + 95 + 96 + 97 + 98 });
    expect(rows[19]).toEqual({ from: 190, to: null, customers: 1, clv: 1000 });
    expect(clvBins(f(Number.NaN))).toEqual([]);
  });

  it('recency × frequency: means of P(alive) and expected purchases per cell', () => {
    // Recency T − t_x: 0, 6, 12, 24 → max 24, step niceStep(2) = 2, 12 columns.
    const x = f(0, 0, 3, 12);
    const tx = f(0, 0, 10, 6);
    const T = f(0, 6, 22, 30);
    const c: ClvCustomerArrays = { pAlive: f(1, 1, 0.5, 0.2), expectedPurchases: f(1, 0.5, 2, 0.4), expectedSpend: f(1, 1, 1, 1), clv: f(1, 1, 1, 1) };
    const rows = clvGrid(x, tx, T, c);
    expect(rows).toEqual([
      { frequency: 0, frequency_max: 0, recency_from: 0, recency_to: 2, customers: 1, p_alive: 1, expected_purchases: 1 },
      { frequency: 0, frequency_max: 0, recency_from: 6, recency_to: 8, customers: 1, p_alive: 1, expected_purchases: 0.5 },
      { frequency: 3, frequency_max: 3, recency_from: 12, recency_to: 14, customers: 1, p_alive: 0.5, expected_purchases: 2 },
      // x = 12 goes to the "10 or more" row; recency 24 = the end of the last column, kept in it.
      { frequency: 10, frequency_max: null, recency_from: 22, recency_to: 24, customers: 1, p_alive: 0.2, expected_purchases: 0.4 },
    ]);
  });

  it('top customers: highest CLV first, ties by id, at most TOP_CUSTOMERS', () => {
    const n = 120;
    const ids = Array.from({ length: n }, (_, i) => `c${String(i).padStart(3, '0')}`);
    const clv = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : i - 1)); // pairs tie: c001 = c000 = 0 …
    const c: ClvCustomerArrays = { pAlive: new Float64Array(n).fill(1), expectedPurchases: Float64Array.from({ length: n }, (_, i) => n - i), expectedSpend: new Float64Array(n).fill(2), clv };
    const z = new Float64Array(n);
    const rows = topCustomers(ids, z, z, z, c, true);
    expect(rows).toHaveLength(TOP_CUSTOMERS);
    expect(rows.slice(0, 4).map((r) => [r.rank, r.customer_id, r.clv])).toEqual([
      [1, 'c118', 118],
      [2, 'c119', 118],
      [3, 'c116', 116],
      [4, 'c117', 116],
    ]);
    // Without a spend model: by expected purchases, and no spend or CLV.
    const noSpend = topCustomers(ids, z, z, z, c, false);
    expect(noSpend[0]).toMatchObject({ customer_id: 'c000', expected_purchases: 120, clv: null, expected_spend: null });
  });
});

describe('the lifetime-value run', () => {
  it('fits once for the same summary and settings, again when either changes', async () => {
    const db = await NodeDb.open();
    try {
      await loadCdnow(db);
      let fits = 0;
      const fitter: Parameters<typeof runClv>[3] = (s, o, p) => {
        fits++;
        return Promise.resolve(fitClvSync(s, o, p));
      };
      const base = { ...DEFAULT_SETTINGS, calibrationEnd: '1997-09-30' };
      const a = await runClv(db, base, '1998-06-30', fitter);
      // Another panel's setting: same summary, same fit settings.
      const b = await runClv(db, { ...base, tierA: 0.7, churnWindowDays: 90 }, '1998-06-30', fitter);
      expect(fits).toBe(1);
      expect(b.metrics).toEqual(a.metrics);
      expect(b.top).toEqual(a.top);
      await runClv(db, { ...base, discount: 0.02 }, '1998-06-30', fitter);
      expect(fits).toBe(2);
      // Another calibration end: another summary.
      await runClv(db, { ...base, calibrationEnd: '1997-12-31' }, '1998-06-30', fitter);
      expect(fits).toBe(3);
      expect(a.metrics.clv_customers).toBe(2357);
      // One customer's row (the detail dialog's figures) is the same as the top table's.
      for (const row of a.top.slice(0, 5)) {
        expect(customerLifetime(a, row.customer_id)).toEqual({ p_alive: row.p_alive, expected_purchases: row.expected_purchases, expected_spend: row.expected_spend, clv: row.clv });
      }
      // Not modelled (no purchase by the calibration end), and a refused model: nothing.
      expect(customerLifetime(a, 'no such customer')).toBeNull();
      expect(customerLifetime({ ...a, perCustomer: null }, a.top[0]?.customer_id ?? '')).toBeNull();
      expect(customerLifetime(undefined, a.top[0]?.customer_id ?? '')).toBeNull();
    } finally {
      await db.close();
    }
  });
});

describe('kthSmallest', () => {
  it('agrees with a sort on random data, duplicates included', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const a = Float64Array.from({ length: n }, () => Math.floor(rand() * 20));
      const sorted = [...a].sort((x, y) => x - y);
      for (const k of [0, n >> 1, n - 1, Math.floor(0.99 * (n - 1))]) expect(kthSmallest(a.slice(), n, k), `n ${n} k ${k}`).toBe(sorted[k]);
    }
  });
});
