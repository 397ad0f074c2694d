/**
 * Churn and pace warnings (METRICS.md §9) on customers A–K (lifecycle-fixture.ts):
 * as_of 2024-06-30, P = 90 (as_of − P = 2024-04-01), t = 0.5.
 *
 * Pace, customers not lost (all but D); B = min(365, (2024-04-01 − first_date) + 1):
 *  A, B, E, F first bought after 04-01 → B < P, not assessed
 *  C  B = 91: baseline = 25 × 90/91 = 24.7253, current 0 → flagged, drop 2250/91
 *  G  B = 214: baseline = 70 × 90/214 = 29.44, current 20 ≥ 14.72 → not flagged
 *  H  B = 83 < 90 → not assessed (its current 10 is far below its 100 of January)
 *  I  B = 365: window (2023-04-02, 2024-04-01] holds 730 → baseline 180, current 90 = t × 180 → not flagged
 *  J  as I with current 89.99 → flagged, drop 90.01
 *  K  B = 123: window (2023-11-30, 2024-04-01] holds 123 (not the −20 return of 11-30) → baseline 90,
 *     current 10 → flagged, drop 80
 * Churn: decline = B alone, order_net over (2023-07-01, 2024-06-30] = 80.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { derive } from '../../../src/lib/analyses/index.ts';
import { buildSegmentTables } from '../../../src/lib/analyses/segments.ts';
import { runWarnings, warningPage, warningsMetrics, type WarningListParams, type WarningsResult, type WarningSort } from '../../../src/lib/analyses/warnings.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { loadLines } from './fixture.ts';
import { LIFECYCLE_LINES, LIFECYCLE_PARAMS as P } from './lifecycle-fixture.ts';

let db: NodeDb;
let r: WarningsResult;
beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db, LIFECYCLE_LINES);
  await derive(db, DEFAULT_SETTINGS, { category: true, region: true, channel: false, order: true });
  await buildSegmentTables(db, P);
  r = await runWarnings(db, P);
});
afterAll(async () => {
  await db.close();
});

describe('headline figures', () => {
  it('sums the churn and pace warnings', () => {
    const m = warningsMetrics(r);
    expect(m).toMatchObject({ churn_warning_customers: 1, churn_warning_value: 80, pace_warning_customers: 3 });
    expect(m.pace_warning_drop).toBeCloseTo(2250 / 91 + 90.01 + 80, 9);
    expect(r.summary.pace_assessed_customers).toBe(5); // C, G, I, J, K
  });
});

describe('lists', () => {
  it('ranks the pace list by drop, with every column', () => {
    expect(r.pace.total).toBe(3);
    expect(r.pace.rows.map((x) => x.customer_id)).toEqual(['J', 'K', 'C']);
    const k = r.pace.rows[1];
    expect(k).toEqual({
      customer_id: 'K', stage: 'formation', rfm_segment: k?.rfm_segment, tier: k?.tier, first_date: '2023-12-01', last_date: '2024-05-01',
      p: 2, g: 152, recency_days: 60, overdue_days: 60 - 304, value: 113, value_365: 113, current: 10, baseline: 90, drop: 80,
    });
    expect(r.pace.rows[0]?.drop).toBeCloseTo(90.01, 9);
    expect(r.pace.rows[2]?.baseline).toBeCloseTo(2250 / 91, 9);
  });

  it('lists the decline stage for churn, with days overdue', () => {
    expect(r.churn.total).toBe(1);
    expect(r.churn.rows[0]).toMatchObject({ customer_id: 'B', stage: 'decline', p: 2, g: 10, recency_days: 21, overdue_days: 1, value_365: 80 });
  });

  it('pages with a total order, sorts by a listed column and filters', async () => {
    const base: WarningListParams = { kind: 'pace', sort: 'customer_id', descending: false, limit: 2, offset: 0 };
    const first = await warningPage(db, base);
    const second = await warningPage(db, { ...base, offset: 2 });
    expect([first.total, first.rows.map((x) => x.customer_id), second.rows.map((x) => x.customer_id)]).toEqual([3, ['C', 'J'], ['K']]);
    const byValue = await warningPage(db, { ...base, sort: 'value', descending: true, limit: 10 });
    expect(byValue.rows.map((x) => x.customer_id)).toEqual(['J', 'K', 'C']); // 869.99, 113, 25
    const none = await warningPage(db, { ...base, category: 'nothing' });
    expect([none.total, none.rows]).toEqual([0, []]);
    const y = await warningPage(db, { ...base, category: 'y' }); // C's first order is category y
    expect(y.rows.map((x) => x.customer_id)).toEqual(['C']);
    await expect(warningPage(db, { ...base, sort: 'value; DROP TABLE orders' as WarningSort })).rejects.toThrow(/unknown sort column/);
  });
});
