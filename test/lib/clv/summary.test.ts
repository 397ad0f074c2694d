/**
 * The SQL summary on a hand-made dataset, through the dashboard's own `lines` → `orders`
 * derivation. Calibration end c = 2024-02-29 (a leap day), as_of = 2024-03-20.
 *
 *  cust date        order amount  notes
 *  A    2024-01-01  a1     10     two orders on one day: purchase day net 30
 *  A    2024-01-01  a2     20
 *  A    2024-01-15  a3     40     repeat day 1: net 40 (the return a4 is not a purchase order)
 *  A    2024-01-15  a4     -5
 *  A    2024-02-12  a5     60     repeat day 2: net 60
 *  A    2024-03-05  a6     25     holdout, week 1 (days 1–7 after c)
 *  A    2024-03-20  a7     25     holdout, week 3 (days 15–21, cut at as_of = day 20)
 *  B    2024-02-01  b1     50     one purchase day by c
 *  B    2024-03-02  b2      0     zero-value order: still a purchase, holdout week 1
 *  C    2024-01-10  c1     30
 *  C    2024-01-20  c2      0     a repeat day with net 0: no zbar
 *  C    2024-02-29  c3     20     on c: in the calibration
 *  D    2024-03-01  d1     70     first purchase after c: not summarised, nor counted in weeks
 *  D    2024-03-08  d2     10
 *  E    2024-01-05  e1    -20     a return only
 *  E    2024-02-10  e2     15     E's only purchase day
 *
 * In weeks: A x = 2, t_x = 42/7 = 6 (01-01 → 02-12), T = 59/7 (01-01 → 02-29), zbar =
 * (40 + 60)/2 = 50, holdout 2; B x = 0, t_x = 0, T = 28/7 = 4, holdout 1; C x = 2, t_x =
 * T = 50/7, zbar none, holdout 0; E x = 0, T = 19/7. Holdout weeks: 20 days → 3 weeks:
 * week 1 A 03-05 and B 03-02 (D's 03-01 is not counted) = 2; week 2 none (D's 03-08) = 0;
 * week 3 A 03-20 = 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThroughDb } from '../ingest/pass-through-db.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { clvHoldoutWeeksQuery, clvSummaryQuery, daysBetween, readClvSummary } from '../../../src/lib/clv/summary.ts';
import { deriveTables, NO_FILTERS } from '../../../src/lib/model/derive.ts';
import { loadLines } from '../analyses/fixture.ts';

type Line = Parameters<typeof loadLines>[1] extends readonly (infer L)[] | undefined ? L : never;
const line = (customer: string, date: string, order: string, amount: number): Line => [customer, date, order, amount, 'x', 'N', null, null];

const LINES: Line[] = [
  line('A', '2024-01-01', 'a1', 10),
  line('A', '2024-01-01', 'a2', 20),
  line('A', '2024-01-15', 'a3', 40),
  line('A', '2024-01-15', 'a4', -5),
  line('A', '2024-02-12', 'a5', 60),
  line('A', '2024-03-05', 'a6', 25),
  line('A', '2024-03-20', 'a7', 25),
  line('B', '2024-02-01', 'b1', 50),
  line('B', '2024-03-02', 'b2', 0),
  line('C', '2024-01-10', 'c1', 30),
  line('C', '2024-01-20', 'c2', 0),
  line('C', '2024-02-29', 'c3', 20),
  line('D', '2024-03-01', 'd1', 70),
  line('D', '2024-03-08', 'd2', 10),
  line('E', '2024-01-05', 'e1', -20),
  line('E', '2024-02-10', 'e2', 15),
];

const PARAMS = { calibrationEnd: '2024-02-29', asOf: '2024-03-20', unit: 'week' } as const;

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db, LINES);
  for (const q of deriveTables(NO_FILTERS, { category: true, region: true, channel: false, order: true })) await db.exec(q);
});
afterAll(async () => {
  await db.close();
});

describe('CLV summary SQL', () => {
  it('gives x, t_x, T, zbar and holdout purchase days per customer, ordered by (x, t_x, T)', async () => {
    expect(await db.query(clvSummaryQuery(PARAMS))).toEqual([
      { customer_id: 'E', x: 0, t_x: 0, t_cal: 19 / 7, zbar: null, holdout_x: 0 },
      { customer_id: 'B', x: 0, t_x: 0, t_cal: 4, zbar: null, holdout_x: 1 },
      { customer_id: 'A', x: 2, t_x: 6, t_cal: 59 / 7, zbar: 50, holdout_x: 2 },
      { customer_id: 'C', x: 2, t_x: 50 / 7, t_cal: 50 / 7, zbar: null, holdout_x: 0 },
    ]);
  });

  it('takes the time unit: days and months of 30.4375 days', async () => {
    const days = await db.query(clvSummaryQuery({ ...PARAMS, unit: 'day' }));
    expect(days[2]).toMatchObject({ customer_id: 'A', t_x: 42, t_cal: 59 });
    const months = await db.query(clvSummaryQuery({ ...PARAMS, unit: 'month' }));
    expect(months[2]).toMatchObject({ customer_id: 'A', t_x: 42 / 30.4375, t_cal: 59 / 30.4375 });
  });

  it('counts holdout purchase days per week, empty weeks included', async () => {
    expect(await db.query(clvHoldoutWeeksQuery(PARAMS))).toEqual([
      { week: 1, purchases: 2 },
      { week: 2, purchases: 0 },
      { week: 3, purchases: 1 },
    ]);
  });

  it('reads the rows into typed arrays (no zbar → NaN)', async () => {
    const r = await readClvSummary(db, PARAMS);
    expect(r.ids).toEqual(['E', 'B', 'A', 'C']);
    expect([...r.summary.x]).toEqual([0, 0, 2, 2]);
    expect([...r.summary.zbar]).toEqual([Number.NaN, Number.NaN, 50, Number.NaN]);
    expect([...(r.summary.holdoutX ?? [])]).toEqual([0, 1, 2, 0]);
    expect([...(r.summary.holdoutWeekly ?? [])]).toEqual([2, 0, 1]);
    expect(r.holdoutDays).toBe(20);
  });

  it('reads the same by rows from a client without Arrow results', async () => {
    for (const params of [PARAMS, { ...PARAMS, asOf: '2024-02-29' }]) {
      const [columns, rows] = [await readClvSummary(db, params), await readClvSummary(new PassThroughDb(db), params)];
      expect(rows.ids).toEqual(columns.ids);
      expect(rows.summary).toEqual(columns.summary);
      expect(rows.holdoutDays).toBe(columns.holdoutDays);
    }
  });

  it('has no holdout when as_of = c, and refuses c after as_of', async () => {
    const r = await readClvSummary(db, { ...PARAMS, asOf: '2024-02-29' });
    expect(r.summary.holdoutX).toBeNull();
    expect(r.summary.holdoutWeekly).toBeNull();
    expect(r.holdoutDays).toBeNull();
    await expect(readClvSummary(db, { ...PARAMS, asOf: '2024-02-28' })).rejects.toThrow(RangeError);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
  });
});
