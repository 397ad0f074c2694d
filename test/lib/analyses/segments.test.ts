/**
 * RFM scores, segments and the eight classes (METRICS.md §7) on tiny hand-made customers.
 * as_of 2024-06-30. Hand computations in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { derive } from '../../../src/lib/analyses/index.ts';
import {
  buildSegmentTables,
  CUSTOMER_SEGMENT_COLUMNS,
  runSegments,
  segmentsMetrics,
  segmentsTables,
  SEGMENT_DEFAULTS,
  type SegmentParams,
  type SegmentsResult,
} from '../../../src/lib/analyses/segments.ts';
import { runComposition } from '../../../src/lib/analyses/composition.ts';
import { runKeyCustomers } from '../../../src/lib/analyses/key-customers.ts';
import { runLifecycle } from '../../../src/lib/analyses/lifecycle.ts';
import { runWarnings } from '../../../src/lib/analyses/warnings.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { loadLines } from './fixture.ts';

const MAPPED: Mapped = { category: false, region: false, channel: false, order: true };
const PARAMS: SegmentParams = { ...SEGMENT_DEFAULTS, asOf: '2024-06-30', churnWindowDays: 180, tierA: 0.8, tierB: 0.95 };

/**
 *  cust  orders (date amount)                         recency  F  M
 *  T1    06-30 10                                     0        1  10
 *  T2    06-30 10                                     0        1  10   (ties T1 on R, F, M)
 *  T3    06-01 20, 06-20 20                           10       2  40
 *  T4    05-31 40                                     30       1  40   (ties T3 on M)
 *  T5    01-01 30, 02-01 30, 03-01 30                 121      3  90
 *  T6    2023-12-31 5                                 182      1  5
 *
 * n = 6, score = 1 + ⌊5·(rank − 1) ÷ 5⌋ = rank, capped at 5; rank() gives ties the lowest rank.
 *  R (largest recency first): T6 r1 → 1, T5 r2 → 2, T4 r3 → 3, T3 r4 → 4, T1 = T2 r5 → 5
 *  F (smallest first): T1, T2, T4, T6 r1 → 1; T3 r5 → 5; T5 r6 → 6 → capped 5
 *  M (smallest first): T6 r1 → 1; T1 = T2 r2 → 2; T3 = T4 r4 → 4; T5 r6 → 5
 * Segments: T1, T2 R5 F1 new; T3 R4 F5 loyal; T4 R3 F1 about_to_sleep; T5 R2 F5 cant_lose; T6 R1 F1 hibernating.
 * Means: R 343/6 = 57.17, F 9/6 = 1.5, M 195/6 = 32.5 → T1, T2 general_develop (R high); T3 important_value;
 *   T4 important_develop (R high, M high); T5 important_keep (F, M high); T6 general_retain.
 * Medians: R (10 + 30)/2 = 20, F 1, M (10 + 40)/2 = 25 → as the means except T4 (R 30 ≥ 20: low) important_retain.
 */
const LINES = [
  ['T1', '2024-06-30', 'a1', 10],
  ['T2', '2024-06-30', 'b1', 10],
  ['T3', '2024-06-01', 'c1', 20],
  ['T3', '2024-06-20', 'c2', 20],
  ['T4', '2024-05-31', 'd1', 40],
  ['T5', '2024-01-01', 'e1', 30],
  ['T5', '2024-02-01', 'e2', 30],
  ['T5', '2024-03-01', 'e3', 30],
  ['T6', '2023-12-31', 'f1', 5],
] as const;

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

async function run(lines: readonly (readonly [string, string, string, number])[], p: SegmentParams = PARAMS): Promise<SegmentsResult> {
  await loadLines(db, lines.map(([c, d, o, a]) => [c, d, o, a, 'x', 'N', null, null]));
  await derive(db, DEFAULT_SETTINGS, MAPPED);
  await buildSegmentTables(db, p);
  return runSegments(db, p);
}

async function perCustomer(): Promise<Record<string, unknown>[]> {
  return db.query('SELECT customer_id, r_score, f_score, m_score, rfm_segment, rfm8_class FROM customer_segments ORDER BY customer_id');
}

describe('six customers with ties', () => {
  let r: SegmentsResult;
  beforeAll(async () => {
    r = await run(LINES);
  });

  it('gives equal values equal scores, the lowest rank of the tie', async () => {
    expect(await perCustomer()).toEqual([
      { customer_id: 'T1', r_score: 5, f_score: 1, m_score: 2, rfm_segment: 'new', rfm8_class: 'general_develop' },
      { customer_id: 'T2', r_score: 5, f_score: 1, m_score: 2, rfm_segment: 'new', rfm8_class: 'general_develop' },
      { customer_id: 'T3', r_score: 4, f_score: 5, m_score: 4, rfm_segment: 'loyal', rfm8_class: 'important_value' },
      { customer_id: 'T4', r_score: 3, f_score: 1, m_score: 4, rfm_segment: 'about_to_sleep', rfm8_class: 'important_develop' },
      { customer_id: 'T5', r_score: 2, f_score: 5, m_score: 5, rfm_segment: 'cant_lose', rfm8_class: 'important_keep' },
      { customer_id: 'T6', r_score: 1, f_score: 1, m_score: 1, rfm_segment: 'hibernating', rfm8_class: 'general_retain' },
    ]);
  });

  it('counts every segment and class, empty ones included, as metrics', () => {
    expect(segmentsMetrics(r)).toEqual({
      rfm_champions: 0, rfm_loyal: 1, rfm_potential_loyalists: 0, rfm_new: 2, rfm_promising: 0, rfm_need_attention: 0,
      rfm_about_to_sleep: 1, rfm_at_risk: 0, rfm_cant_lose: 1, rfm_hibernating: 1,
      rfm8_important_value: 1, rfm8_important_develop: 1, rfm8_important_keep: 1, rfm8_important_retain: 0,
      rfm8_general_value: 0, rfm8_general_develop: 2, rfm8_general_keep: 0, rfm8_general_retain: 1,
    });
    expect(r.customers).toBe(6);
  });

  it('sums a segment: customers, shares of customers and of Σ value (195), mean R, F, M', () => {
    const n = r.segments.find((s) => s.id === 'new');
    expect(n).toEqual({ id: 'new', customers: 2, customer_share: 2 / 6, revenue: 20, revenue_share: 20 / 195, avg_r: 0, avg_f: 1, avg_m: 10 });
    expect(r.segments.find((s) => s.id === 'champions')).toMatchObject({ customers: 0, revenue: 0, avg_r: null });
    expect(r.classes.map((c) => c.id)).toEqual([
      'important_value', 'important_develop', 'important_keep', 'important_retain', 'general_value', 'general_develop', 'general_keep', 'general_retain',
    ]);
    expect(r.thresholds.basis).toBe('mean');
    expect(r.thresholds.r).toBeCloseTo(343 / 6, 12);
    expect([r.thresholds.f, r.thresholds.m]).toEqual([1.5, 32.5]);
  });

  it('fills the 5 × 5 grid, R and F descending', () => {
    expect(r.grid).toHaveLength(25);
    expect(r.grid[0]).toMatchObject({ r_score: 5, f_score: 5, segment: 'champions', customers: 0 });
    const cell = r.grid.find((c) => c.r_score === 5 && c.f_score === 1);
    expect(cell).toEqual({ r_score: 5, f_score: 1, segment: 'new', customers: 2, avg_m: 10, revenue_share: 20 / 195, avg_recency: 0 });
    expect(r.grid.find((c) => c.r_score === 2 && c.f_score === 5)).toMatchObject({ segment: 'cant_lose', customers: 1, avg_m: 90, avg_recency: 121 });
    expect(r.grid.filter((c) => c.r_score <= 2 && c.f_score >= 3 && c.f_score <= 4).every((c) => c.segment === 'at_risk')).toBe(true);
  });

  it('states what each score covers', () => {
    const s1 = r.boundaries[0];
    const s5 = r.boundaries[4];
    expect(s1).toEqual({ score: 1, r_min: 182, r_max: 182, r_customers: 1, f_min: 1, f_max: 1, f_customers: 4, m_min: 5, m_max: 5, m_customers: 1 });
    expect(s5).toEqual({ score: 5, r_min: 0, r_max: 0, r_customers: 2, f_min: 2, f_max: 3, f_customers: 2, m_min: 90, m_max: 90, m_customers: 1 });
    expect(r.boundaries[2]).toMatchObject({ score: 3, f_min: null, f_max: null, f_customers: 0 });
    expect(Object.keys(segmentsTables(r))).toEqual(['rfm_grid', 'rfm_segments', 'rfm8_classes', 'rfm8_thresholds', 'rfm_score_boundaries']);
  });

  it('cuts the eight classes at the median when asked', async () => {
    const m = await run(LINES, { ...PARAMS, rfm8Basis: 'median' });
    expect([m.thresholds.r, m.thresholds.f, m.thresholds.m]).toEqual([20, 1, 25]);
    expect((await perCustomer()).map((c) => c.rfm8_class)).toEqual([
      'general_develop', 'general_develop', 'important_value', 'important_retain', 'important_keep', 'general_retain',
    ]);
  });
});

it('scores a single customer 1 on R, F and M (n = 1)', async () => {
  const r = await run([['T1', '2024-06-30', 'a1', 10]]);
  expect(await perCustomer()).toEqual([{ customer_id: 'T1', r_score: 1, f_score: 1, m_score: 1, rfm_segment: 'hibernating', rfm8_class: 'general_retain' }]);
  expect(r.segments.find((s) => s.id === 'hibernating')?.customer_share).toBe(1);
});

it('counts only orders dated on or before as_of', async () => {
  // as_of 2024-03-01: T5's third order is that day; T1–T4 and T3 bought later and are not customers yet.
  const r = await run(LINES, { ...PARAMS, asOf: '2024-03-01' });
  expect(r.customers).toBe(2);
  expect(await db.query('SELECT customer_id, n_orders, value::DOUBLE AS value, recency_days FROM customer_segments ORDER BY 1')).toEqual([
    { customer_id: 'T5', n_orders: 3, value: 90, recency_days: 0 },
    { customer_id: 'T6', n_orders: 1, value: 5, recency_days: 61 },
  ]);
});

it('runs every segment panel on empty tables (nothing passes the filters)', async () => {
  const r = await run([]);
  expect([r.customers, r.grid.length, r.segments.length, r.thresholds.r]).toEqual([0, 25, 10, null]);
  const life = await runLifecycle(db, PARAMS);
  expect([life.history, life.summary.returning_customers, life.migration.length]).toEqual([[], 0, 30]);
  const warn = await runWarnings(db, PARAMS);
  expect([warn.summary.churn_warning_customers, warn.pace.total]).toEqual([0, 0]);
  expect((await runKeyCustomers(db)).hasProfit).toBe(false);
  const comp = await runComposition(db, { asOf: PARAMS.asOf, dimensions: ['category'] });
  expect([comp.rows, comp.months, comp.summary.new_customer_revenue_share]).toEqual([[], [], null]);
});

it('documents every column of customer_segments', async () => {
  await run(LINES);
  const cols = await db.query("SELECT column_name FROM duckdb_columns() WHERE table_name = 'customer_segments' ORDER BY column_index");
  expect(cols.map((c) => c.column_name)).toEqual(Object.keys(CUSTOMER_SEGMENT_COLUMNS));
});

/**
 * The per-customer figures of customer_segments from purchase days and returns. as_of 2024-06-30,
 * P = 90: as_of − P = 2024-04-01; value_365 over (2023-07-01, 2024-06-30]; baseline year
 * (2023-04-02, 2024-04-01] from the first purchase day on.
 *  U  −5 return 2023-05-01 (before the first purchase: outside the baseline), 100 + 50 on 2023-06-01
 *     (one purchase day), −10 return 2023-08-01, 30 on 2024-05-01.
 *     p 2, g 335 (2023-06-01 → 2024-05-01), n_orders 3, value 165, value_365 −10 + 30 = 20, current 30,
 *     base_net 100 + 50 − 10 = 140, b_days (2024-04-01 − 2023-06-01) + 1 = 306, start_p 1 (g null),
 *     purchase_net 180, first_month_net 150.
 *  V  10 each on 01-01, 01-03 (twice), 01-10, 01-20, 03-01, 05-01, 06-30 (2024): 7 days, gaps
 *     2, 7, 10, 41, 61, 60 → median (10 + 41)/2 = 25.5; by 04-01 5 days, gaps 2, 7, 10, 41 → 8.5.
 *     n_orders 8, value 80, current 20, base 60, b_days 92, first month (January) 50.
 *  W  20 each on 01-01, 02-01, 03-01, 06-01: gaps 31, 29, 92 → 31; by 04-01 3 days → (03-01 − 01-01)/2 = 30;
 *     a −4 return on 02-15 (after the first purchase: in the baseline): value 76, base 56.
 *  X  5 each on 01-10, 03-10, 06-10: gaps 60, 92 → 76; by 04-01 2 days → 60; b_days 83.
 * Counting the second order of V's 01-03 as a day would give a gap of 0 (medians 10 and 7, p 8).
 */
it('takes rhythm, window sums and the state at as_of − P from purchase days and returns', async () => {
  const V = ['01-01', '01-03', '01-03', '01-10', '01-20', '03-01', '05-01', '06-30'];
  await run([
    ['U', '2023-05-01', 'u0', -5], ['U', '2023-06-01', 'u1', 100], ['U', '2023-06-01', 'u2', 50], ['U', '2023-08-01', 'u3', -10], ['U', '2024-05-01', 'u4', 30],
    ...V.map((d, i) => ['V', `2024-${d}`, `v${i}`, 10] as const),
    ...['01-01', '02-01', '03-01', '06-01'].map((d, i) => ['W', `2024-${d}`, `w${i}`, 20] as const),
    ['W', '2024-02-15', 'wr', -4],
    ...['01-10', '03-10', '06-10'].map((d, i) => ['X', `2024-${d}`, `x${i}`, 5] as const),
  ]);
  expect(await db.query(`SELECT customer_id, p, g, n_orders, value::DOUBLE AS value, value_365::DOUBLE AS value_365, current_net::DOUBLE AS current,
      base_net::DOUBLE AS base, b_days, start_p, start_g, start_date::VARCHAR AS start_date, purchase_net::DOUBLE AS purchase_net,
      first_month_net::DOUBLE AS first_month_net FROM customer_segments ORDER BY customer_id`)).toEqual([
    { customer_id: 'U', p: 2, g: 335, n_orders: 3, value: 165, value_365: 20, current: 30, base: 140, b_days: 306, start_p: 1, start_g: null, start_date: '2023-06-01', purchase_net: 180, first_month_net: 150 },
    { customer_id: 'V', p: 7, g: 25.5, n_orders: 8, value: 80, value_365: 80, current: 20, base: 60, b_days: 92, start_p: 5, start_g: 8.5, start_date: '2024-03-01', purchase_net: 80, first_month_net: 50 },
    { customer_id: 'W', p: 4, g: 31, n_orders: 4, value: 76, value_365: 76, current: 20, base: 56, b_days: 92, start_p: 3, start_g: 30, start_date: '2024-03-01', purchase_net: 80, first_month_net: 20 },
    { customer_id: 'X', p: 3, g: 76, n_orders: 3, value: 15, value_365: 15, current: 5, base: 10, b_days: 83, start_p: 2, start_g: 60, start_date: '2024-03-10', purchase_net: 15, first_month_net: 5 },
  ]);
});
