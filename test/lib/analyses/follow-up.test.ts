/**
 * The follow-up sheet, the key-class lists, the customer dialog's queries and the to-do
 * lines on four hand-made customers (as_of = the last day, 2024-06-30; W 180, k 2, P 90):
 *
 *  cust  orders (date amount category region profit)           at 2024-06-30
 *  B     05-30 40 x N 8, 06-09 40 y S 8                          p 2, g 10, recency 21 > 20 → decline; value 80
 *  A     05-31 30 x N 3, 06-10 30 x N 3                          recency 20 = k·g → formation; value 60
 *  Y     03-01 10 z E 1, 03-11 10 w W 1                          recency 111 > 20 → decline; value 20
 *  Z     06-30 5 x N 1                                           exploration; value 5
 *
 * Churn list by value_365: B (80), Y (20). Pareto ranks B 1, A 2, Y 3, Z 4; n = 4 → large =
 * ⌈0.8⌉ = 1 (B): one key customer in decline, and the large cut is B's value, 80.
 * Latest lines: B's is 06-09 (y, S), Y's 03-11 (w, W); their first orders are x/N and z/E.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { derive } from '../../../src/lib/analyses/index.ts';
import { customerDetail } from '../../../src/lib/analyses/customer-detail.ts';
import { followUpQuery, keyClassPage, keyClassQuery, warningFilterChoices } from '../../../src/lib/analyses/follow-up.ts';
import { buildKeyTable, runKeyCustomers } from '../../../src/lib/analyses/key-customers.ts';
import { buildSegmentTables } from '../../../src/lib/analyses/segments.ts';
import { todoLines } from '../../../src/lib/analyses/todo.ts';
import { runWarnings, type WarningsResult } from '../../../src/lib/analyses/warnings.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { loadLines } from './fixture.ts';
import { LIFECYCLE_PARAMS as P } from './lifecycle-fixture.ts';

let db: NodeDb;
let w: WarningsResult;
beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db, [
    ['B', '2024-05-30', 'B1', 40, 'x', 'N', null, 8],
    ['B', '2024-06-09', 'B2', 40, 'y', 'S', null, 8],
    ['A', '2024-05-31', 'A1', 30, 'x', 'N', null, 3],
    ['A', '2024-06-10', 'A2', 30, 'x', 'N', null, 3],
    ['Y', '2024-03-01', 'Y1', 10, 'z', 'E', null, 1],
    ['Y', '2024-03-11', 'Y2', 10, 'w', 'W', null, 1],
    ['Z', '2024-06-30', 'Z1', 5, 'x', 'N', null, 1],
  ]);
  await derive(db, DEFAULT_SETTINGS, { category: true, region: true, channel: false, order: true });
  await buildSegmentTables(db, P);
  await buildKeyTable(db);
  w = await runWarnings(db, P);
});
afterAll(async () => {
  await db.close();
});

describe('follow-up sheet', () => {
  it('holds the whole list in its order, ranked from 1, with the columns of §9', async () => {
    const rows = await db.query(followUpQuery({ kind: 'churn', sort: 'rank', descending: true }));
    expect(rows.map((r) => [r.rank, r.customer_id, r.stage, r.value_365, r.recency_days, r.overdue_days])).toEqual([
      [1, 'B', 'decline', 80, 21, 1],
      [2, 'Y', 'decline', 20, 111, 91],
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'rank', 'customer_id', 'stage', 'rfm_segment', 'tier', 'first_date', 'last_date', 'p', 'g', 'recency_days', 'overdue_days',
      'value', 'value_365', 'current', 'baseline', 'drop',
    ]);
    const asc = await db.query(followUpQuery({ kind: 'churn', sort: 'value', descending: false }));
    expect(asc.map((r) => [r.rank, r.customer_id])).toEqual([[1, 'Y'], [2, 'B']]);
    // Both gaps are 10 days: the tie falls to the id.
    const byGap = await db.query(followUpQuery({ kind: 'churn', sort: 'g', descending: true }));
    expect(byGap.map((r) => [r.customer_id, r.g])).toEqual([['B', 10], ['Y', 10]]);
  });

  it('adds the latest line’s mapped columns, not the first order’s', async () => {
    const rows = await db.query(followUpQuery({ kind: 'churn', sort: 'rank', descending: true }, true));
    expect(rows.map((r) => [r.customer_id, r.product, r.category, r.region, r.channel])).toEqual([
      ['B', null, 'y', 'S', null],
      ['Y', null, 'w', 'W', null],
    ]);
    // The filters read the first purchase order: B's is region N.
    const north = await db.query(followUpQuery({ kind: 'churn', sort: 'rank', descending: true, region: 'N' }, true));
    expect(north.map((r) => r.customer_id)).toEqual(['B']);
  });

  it('offers the first-order regions and categories of listed customers', async () => {
    expect(await warningFilterChoices(db)).toEqual({ regions: ['E', 'N'], categories: ['x', 'z'] });
  });

  it('refuses a sort column outside the list', () => {
    expect(() => followUpQuery({ kind: 'churn', sort: 'value; DROP TABLE orders' as 'value', descending: true })).toThrow(/unknown sort column/);
  });
});

describe('key-class lists and the to-do lines', () => {
  it('lists customers by Pareto rank, a page at a time', async () => {
    const all = await db.query(keyClassQuery(null));
    expect(all.map((r) => [r.value_rank, r.customer_id, r.value])).toEqual([[1, 'B', 80], [2, 'A', 60], [3, 'Y', 20], [4, 'Z', 5]]);
    const page = await keyClassPage(db, null, 2, 1);
    expect([page.total, page.rows.map((r) => r.customer_id)]).toEqual([4, ['A', 'Y']]);
    const red = await keyClassPage(db, 'red', 10, 0);
    // Overall margin 25 ÷ 165; B 16/80 = 0.2 ≥ it and large → red.
    expect([red.total, red.rows.map((r) => r.customer_id)]).toEqual([1, ['B']]);
  });

  it('counts large customers in decline and draws the large cut at the smallest large value', async () => {
    expect(w.keyDecline).toBe(1);
    expect((await runKeyCustomers(db)).largeCut).toBe(80);
  });

  it('says each warning worth acting on, leaving out the empty ones', () => {
    const lines = todoLines(w, 0.5, { t: (k, p) => `${k} ${JSON.stringify(p)}`, int: String, money: (v) => `¥${v}`, pct: (v) => `${v * 100}%` });
    expect(lines.map((l) => [l.id, l.n])).toEqual([['churn', 2], ['keyDecline', 1]]);
    expect(lines[0]?.text).toBe('todo.churn {"n":"2","value":"¥100"}');
  });
});

describe('customer detail', () => {
  it('reads the customer’s orders oldest first and their figures', async () => {
    const d = await customerDetail(db, 'B');
    expect(d.totalOrders).toBe(2);
    expect(d.orders.map((o) => [o.order_key, o.order_date, o.order_net, o.n_lines, o.is_purchase, o.category])).toEqual([
      ['B1', '2024-05-30', 40, 1, true, 'x'],
      ['B2', '2024-06-09', 40, 1, true, 'y'],
    ]);
    expect(d.profile).toMatchObject({ customer_id: 'B', stage: 'decline', p: 2, g: 10, recency_days: 21, overdue_days: 1, value: 80, churn_flag: true, key_class: 'red', tier: 'A' });
    const latest = await customerDetail(db, 'B', 1);
    expect([latest.totalOrders, latest.orders.map((o) => o.order_key)]).toEqual([2, ['B2']]);
    expect(await customerDetail(db, "nobody' OR 1=1 --")).toEqual({ profile: null, orders: [], totalOrders: 0 });
  });
});
