/**
 * Key customers (METRICS.md §10) on nine hand-made customers with a profit per line.
 *
 *  cust  value  profit  margin
 *  K01   200    30      0.15   rank 1, large; = overall margin → red
 *  K02   150    15      0.10   rank 2, large; below → white
 *  K03   100     0      0      profit exactly 0 → dark
 *  K04    50     7.5    0.15   = overall margin → potential
 *  K05    40     4      0.10   ordinary
 *  K06    30    30      1.00   potential
 *  K07    20    −5              dark
 *  K08    10     8.5    0.85   potential
 *  K09     5     –              no profit figure: no class
 * n = 9 → large = ⌈1.8⌉ = 2. Overall margin = Σ profit ÷ Σ value over customers with value > 0
 * and a profit figure = 90 ÷ 600 = 0.15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { derive } from '../../../src/lib/analyses/index.ts';
import { keyCustomersMetrics, keyPointsQuery, runKeyCustomers, type KeyCustomersResult } from '../../../src/lib/analyses/key-customers.ts';
import { buildSegmentTables } from '../../../src/lib/analyses/segments.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { loadLines } from './fixture.ts';
import { LIFECYCLE_PARAMS } from './lifecycle-fixture.ts';

const CUSTOMERS: [string, number, number | null][] = [
  ['K01', 200, 30], ['K02', 150, 15], ['K03', 100, 0], ['K04', 50, 7.5], ['K05', 40, 4],
  ['K06', 30, 30], ['K07', 20, -5], ['K08', 10, 8.5], ['K09', 5, null],
];

let db: NodeDb;
let r: KeyCustomersResult;
beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db, CUSTOMERS.map(([c, v, p], i) => [c, '2024-06-01', `o${i}`, v, i % 2 ? 'x' : 'y', 'N', null, p]));
  await derive(db, DEFAULT_SETTINGS, { category: true, region: true, channel: false, order: true });
  await buildSegmentTables(db, LIFECYCLE_PARAMS);
  r = await runKeyCustomers(db);
});
afterAll(async () => {
  await db.close();
});

describe('classes', () => {
  it('classes every customer with a profit figure, first rule that holds', () => {
    expect(r.hasProfit).toBe(true);
    expect(r.summary).toEqual({ customers: 9, customers_with_profit: 8, total_profit: 90, overall_margin: 0.15, large_customers: 2 });
    expect(r.classes).toEqual([
      { key_class: 'red', customers: 1, revenue: 200, profit: 30, profit_share: 30 / 90 },
      { key_class: 'white', customers: 1, revenue: 150, profit: 15, profit_share: 15 / 90 },
      { key_class: 'dark', customers: 2, revenue: 120, profit: -5, profit_share: -5 / 90 },
      { key_class: 'potential', customers: 3, revenue: 90, profit: 46, profit_share: 46 / 90 },
      { key_class: 'ordinary', customers: 1, revenue: 40, profit: 4, profit_share: 4 / 90 },
    ]);
    expect(keyCustomersMetrics(r)).toEqual({ key_red: 1, key_white: 1, key_dark: 2, key_potential: 3, key_ordinary: 1 });
  });

  it('carries the class into customer_segments', async () => {
    const rows = await db.query('SELECT customer_id, key_class, margin FROM customer_segments ORDER BY 1');
    expect(rows.map((x) => x.key_class)).toEqual(['red', 'white', 'dark', 'potential', 'ordinary', 'potential', 'dark', 'potential', null]);
    expect(rows[2]?.margin).toBe(0);
    // customer_segments states the class with the rule customer_keys uses: every customer agrees.
    const apart = await db.query(`SELECT count(*)::INTEGER AS n FROM customer_segments s JOIN customer_keys k USING (customer_id)
WHERE s.key_class IS DISTINCT FROM k.key_class OR s.margin IS DISTINCT FROM k.margin OR s.profit IS DISTINCT FROM k.profit OR s.value_rank <> k.value_rank`);
    expect(apart[0]?.n).toBe(0);
  });

  it('draws customers with value > 0 and a class, and thins only past the cap', async () => {
    expect(r.points).toHaveLength(8);
    expect(r.pointsTotal).toBe(8);
    expect(r.points[0]).toEqual({ customer_id: 'K01', value: 200, margin: 0.15, key_class: 'red' });
    // maxPoints 4: no top customers kept (⌊0.4⌋); quotas red, white, ordinary 1 (all kept), dark 1 of 2
    // (every 2nd by value: K03), potential 2 of 3 (every 2nd: K04, K08).
    const thin = await db.query(keyPointsQuery(4));
    expect(thin.map((x) => x.customer_id)).toEqual(['K01', 'K02', 'K03', 'K04', 'K05', 'K08']);
  });

  it('says when there is no profit', async () => {
    await loadLines(db, [['Z1', '2024-06-01', 'o1', 10, 'x', 'N', null, null]]);
    await derive(db, DEFAULT_SETTINGS, { category: true, region: true, channel: false, order: true });
    await buildSegmentTables(db, LIFECYCLE_PARAMS);
    const none = await runKeyCustomers(db);
    expect([none.hasProfit, none.classes, none.points]).toEqual([false, [], []]);
    expect(keyCustomersMetrics(none)).toEqual({ key_red: null, key_white: null, key_dark: null, key_potential: null, key_ordinary: null });
  });
});
