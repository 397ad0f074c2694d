/**
 * Composition (METRICS.md §11) on customers A–K (lifecycle-fixture.ts), category mapped.
 *
 * Lines by category (stage at as_of): x: A 30 (formation), B 80 (decline), D 15 (lost),
 * E 40 (stability), G 90, H 110, I 870, J 139.99, K 113 (formation); y: A 30, J 730
 * (formation), C 25, F 60 (exploration). x total 1487.99, y 845.
 *
 * Purchase orders by month, new = in the customer's first purchase month:
 *  2023-01 I, J new 100 · 2023-09 G new 70 · 2023-11 I, J returning 1460 (K's −20 return is
 *  not a purchase) · 2023-12 K new 123 · 2024-01 C, D, H new 140 · 2024-05 A, B, F new 130,
 *  K returning 10 · 2024-06 E new 40; A, B, G, H, I, J returning 279.99.
 *  New 603 of 2352.99.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { derive } from '../../../src/lib/analyses/index.ts';
import { buildSegmentTables } from '../../../src/lib/analyses/segments.ts';
import { compositionMetrics, runComposition, type CompositionResult } from '../../../src/lib/analyses/composition.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { loadLines } from './fixture.ts';
import { LIFECYCLE_LINES, LIFECYCLE_PARAMS as P } from './lifecycle-fixture.ts';

let db: NodeDb;
let r: CompositionResult;
beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db, LIFECYCLE_LINES);
  await derive(db, DEFAULT_SETTINGS, { category: true, region: false, channel: false, order: true });
  await buildSegmentTables(db, P);
  r = await runComposition(db, { asOf: P.asOf, dimensions: ['category'] });
});
afterAll(async () => {
  await db.close();
});

describe('by dimension', () => {
  it('crosses each value with the stages', () => {
    const stage = r.rows.filter((x) => x.grouping === 'stage').map((x) => [x.value, x.group, x.customers, x.revenue]);
    expect(stage).toEqual([
      ['x', 'decline', 1, 80],
      ['x', 'formation', 6, 1352.99],
      ['x', 'lost', 1, 15],
      ['x', 'stability', 1, 40],
      ['y', 'exploration', 2, 85],
      ['y', 'formation', 2, 760],
    ]);
    expect(r.rows.every((x) => x.profit === null && !x.other)).toBe(true);
  });

  it('sums to the same revenue under every grouping', () => {
    for (const g of ['tier', 'segment', 'stage'] as const) {
      const sum = r.rows.filter((x) => x.grouping === g && x.value === 'y').reduce((s, x) => s + x.revenue, 0);
      expect(sum, g).toBeCloseTo(845, 9);
    }
  });

  it('puts values beyond maxValues together', async () => {
    const one = await runComposition(db, { asOf: P.asOf, dimensions: ['category'], maxValues: 1 });
    const other = one.rows.filter((x) => x.grouping === 'stage' && x.other);
    expect(other.map((x) => [x.value, x.group, x.customers, x.revenue])).toEqual([[null, 'exploration', 2, 85], [null, 'formation', 2, 760]]);
  });
});

/**
 * Several dimensions in one statement. Region: I, J → E (870 + 869.99 = 1739.99); A–E → N
 * (60, 80, 25, 15, 40); F, G, H, K blank (60, 90, 110, 113). With maxValues 1 each dimension
 * keeps its own first value: category x (1487.99 against 845), region E (N goes to other).
 * Channel: A's two lines p (30) and q (30), every other line r, so with maxValues 1 both of
 * A's values are in other.
 */
describe('several dimensions', () => {
  const REGION: Record<string, string | null> = { I: 'E', J: 'E', A: 'N', B: 'N', C: 'N', D: 'N', E: 'N' };
  let two: NodeDb;
  beforeAll(async () => {
    two = await NodeDb.open();
    await loadLines(two, LIFECYCLE_LINES.map(([c, ...rest]) => [c, rest[0], rest[1], rest[2], rest[3], REGION[c] ?? null, rest[5], rest[6]]));
    await two.exec(`UPDATE lines SET channel = CASE WHEN customer_id <> 'A' THEN 'r' WHEN order_date = DATE '2024-05-31' THEN 'p' ELSE 'q' END`);
    await derive(two, DEFAULT_SETTINGS, { category: true, region: true, channel: true, order: true });
    await buildSegmentTables(two, P);
  });
  afterAll(async () => {
    await two.close();
  });

  it('gives each dimension its own first values, in the order asked', async () => {
    const both = await runComposition(two, { asOf: P.asOf, dimensions: ['category', 'region'], maxValues: 1 });
    const region = both.rows.filter((x) => x.dimension === 'region' && x.grouping === 'stage');
    expect(region.map((x) => [x.value, x.other, x.group, x.customers, x.revenue])).toEqual([
      ['E', false, 'formation', 2, 1739.99],
      [null, false, 'exploration', 1, 60],
      [null, false, 'formation', 3, 313],
      [null, true, 'decline', 1, 80],
      [null, true, 'exploration', 1, 25],
      [null, true, 'formation', 1, 60],
      [null, true, 'lost', 1, 15],
      [null, true, 'stability', 1, 40],
    ]);
    const dims = both.rows.map((x) => x.dimension);
    expect(dims.lastIndexOf('category')).toBeLessThan(dims.indexOf('region'));
    const alone = await runComposition(two, { asOf: P.asOf, dimensions: ['category'], maxValues: 1 });
    expect(both.rows.filter((x) => x.dimension === 'category')).toEqual(alone.rows);
    expect(alone.rows.filter((x) => x.grouping === 'stage' && !x.other).map((x) => x.value)).toEqual(['x', 'x', 'x', 'x']);
    const reversed = await runComposition(two, { asOf: P.asOf, dimensions: ['region', 'category'], maxValues: 1 });
    expect(reversed.rows).toEqual([...both.rows.filter((x) => x.dimension === 'region'), ...alone.rows]);
  });

  it("counts a customer once in other when two of their values are there", async () => {
    const r = await runComposition(two, { asOf: P.asOf, dimensions: ['channel'], maxValues: 1 });
    const stage = r.rows.filter((x) => x.grouping === 'stage');
    expect(stage.map((x) => [x.value, x.other, x.group, x.customers, x.revenue])).toEqual([
      ['r', false, 'decline', 1, 80],
      ['r', false, 'exploration', 2, 85],
      ['r', false, 'formation', 5, 2052.99],
      ['r', false, 'lost', 1, 15],
      ['r', false, 'stability', 1, 40],
      [null, true, 'formation', 1, 60],
    ]);
  });

  it('needs no statement for no dimension', async () => {
    const none = await runComposition(two, { asOf: P.asOf, dimensions: [] });
    expect(none.rows).toEqual([]);
    expect(none.months.length).toBe(7);
  });
});

describe('new against returning', () => {
  it('splits each month', () => {
    expect(r.months).toEqual([
      { month: '2023-01-01', new_customers: 2, new_revenue: 100, returning_customers: 0, returning_revenue: 0 },
      { month: '2023-09-01', new_customers: 1, new_revenue: 70, returning_customers: 0, returning_revenue: 0 },
      { month: '2023-11-01', new_customers: 0, new_revenue: 0, returning_customers: 2, returning_revenue: 1460 },
      { month: '2023-12-01', new_customers: 1, new_revenue: 123, returning_customers: 0, returning_revenue: 0 },
      { month: '2024-01-01', new_customers: 3, new_revenue: 140, returning_customers: 0, returning_revenue: 0 },
      { month: '2024-05-01', new_customers: 3, new_revenue: 130, returning_customers: 1, returning_revenue: 10 },
      { month: '2024-06-01', new_customers: 1, new_revenue: 40, returning_customers: 6, returning_revenue: 279.99 },
    ]);
  });

  it('gives the share of new customers in purchase revenue', () => {
    expect(compositionMetrics(r).new_customer_revenue_share).toBeCloseTo(603 / 2352.99, 12);
  });
});
