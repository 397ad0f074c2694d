/**
 * The monthly trend and the dataset facts (filter choices, currencies) on the hand-made
 * fixture (fixture.ts). Hand computations are in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { raw } from '../../../src/lib/db/sql.ts';
import { datasetFacts, groupChoices, runDashboard, singleCurrency } from '../../../src/lib/analyses/index.ts';
import { dimensionChoicesQuery, trendQuery } from '../../../src/lib/analyses/overview.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/lib/model/settings.ts';
import { loadLines } from './fixture.ts';

const MAPPED: Mapped = { category: true, region: true, channel: false, order: true };

let db: NodeDb;
// The fixture's first month counts as new customers here; the rule for customers from before
// the data starts is tested in dashboard.test.ts and below.
const run = (s: Partial<Settings> = {}) => runDashboard(db, { ...DEFAULT_SETTINGS, firstCohort: 'new', ...s }, MAPPED);
const tuples = (rows: readonly { period: string; revenue: number; orders: number; customers: number; new_customers: number }[]) =>
  rows.map((r) => [r.period, r.revenue, r.orders, r.customers, r.new_customers]);

beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db);
});
afterAll(async () => {
  await db.close();
});

describe('monthly trend', () => {
  it('sums order_net by order month and counts purchase orders, active and new customers', async () => {
    const r = await run();
    // [month, Σ order_net, purchase orders, customers buying, customers whose first purchase is in the month]
    expect(tuples(r.overview.trend)).toEqual([
      ['2023-12-01', -15, 0, 0, 0], // J0: C10's return before any purchase
      ['2024-01-01', 795, 4, 4, 4], // A1 150 (two days, dated 01-05), C02 100, B1 500, J1 45
      ['2024-02-01', 405, 4, 3, 2], // A2 80, D1 20, D2 30, E1 300, K1 −25 (R01); buyers C01 C04 C05; new C04 C05
      ['2024-03-01', -240, 2, 2, 1], // C02 0 (a purchase), E2 −300, F1 60; new C06
      ['2024-04-01', 120, 2, 2, 1], // A3 −30, F2 60, G1 90; new C07
      ['2024-05-01', 35, 2, 2, 1], // D3 25, H1 10; new C08
      ['2024-06-01', 75, 3, 3, 1], // H2 10, I1 5, F3 60; new C09
    ]);
    // Over all months: the revenue, orders and customers of the KPIs.
    expect(r.overview.trend.reduce((s, m) => s + m.revenue, 0)).toBe(r.overview.revenue);
    expect(r.overview.trend.reduce((s, m) => s + m.orders, 0)).toBe(r.overview.orders);
    expect(r.overview.trend.reduce((s, m) => s + m.new_customers, 0)).toBe(r.overview.customers);
  });

  it('follows the filters', async () => {
    // lines 3 4 7 9 10 11 14 15 18 23 (02-01…05-31, categories x and y): first purchases move
    // (C01 → A2 in Feb, C02 → its 0-value order in Mar)
    const r = await run({ filters: { from: '2024-02-01', to: '2024-05-31', dims: { category: ['x', 'y'] } } });
    expect(tuples(r.overview.trend)).toEqual([
      ['2024-02-01', 105, 3, 2, 2], // A2 80, D1 20, D2 30, K1 −25
      ['2024-03-01', 60, 2, 2, 2], // C02 0, F1 60
      ['2024-04-01', 30, 1, 1, 0], // A3 −30, F2 60
      ['2024-05-01', 35, 2, 2, 1], // D3 25, H1 10
    ]);
    expect((await run({ filters: { from: '2030-01-01', to: null, dims: {} } })).overview.trend).toEqual([]);
  });

  it('keeps empty months, with zeros', async () => {
    await loadLines(db, [
      ['G1', '2024-01-10', 'g1', 10, 'b', 'N', null, null],
      ['G1', '2024-03-05', 'g2', 20, 'a', 'N', null, null],
    ]);
    await run();
    const trend = await db.query(trendQuery());
    expect(trend).toEqual([
      { period: '2024-01-01', revenue: 10, orders: 1, customers: 1, new_customers: 1 },
      { period: '2024-02-01', revenue: 0, orders: 0, customers: 0, new_customers: 0 },
      { period: '2024-03-01', revenue: 20, orders: 1, customers: 1, new_customers: 0 },
    ]);
    // one line each: a tie, broken by value
    expect((await datasetFacts(db, MAPPED)).choices.category).toEqual({ values: [{ value: 'a', lines: 1 }, { value: 'b', lines: 1 }], more: 0 });
    await loadLines(db);
  });
});

describe('dataset facts', () => {
  it('offers each mapped dimension’s values by line count, unfiltered, with how many are left out', async () => {
    // category x: lines 1 5 7 9 11 14 15 18 19 21 22 (11), y: 2 3 4 6 10 16 20 23 (8), z: 8 12 13 17 (4)
    // region N: C01 ×4, C04 ×3, C06 ×3, C09 (11); S: C02 ×3, C03, C08 ×2, R01 (7); E: C05 ×2, C07, C10 ×2 (5)
    await run({ filters: { from: '2024-06-01', to: null, dims: { category: ['y'] } } }); // filters do not narrow the choices
    const facts = await datasetFacts(db, MAPPED);
    expect(facts.choices).toEqual({
      category: { values: [{ value: 'x', lines: 11 }, { value: 'y', lines: 8 }, { value: 'z', lines: 4 }], more: 0 },
      region: { values: [{ value: 'N', lines: 11 }, { value: 'S', lines: 7 }, { value: 'E', lines: 5 }], more: 0 },
    });
    const top2 = await datasetFacts(db, MAPPED, 2);
    expect(top2.choices.category).toEqual({ values: [{ value: 'x', lines: 11 }, { value: 'y', lines: 8 }], more: 1 });
    expect(top2.choices.region?.more).toBe(1);
    expect(facts.currencies).toEqual([]);
  });

  it('lists a mapped dimension with no values as empty, and builds no query without dimensions', async () => {
    await db.exec(raw('UPDATE lines SET region = NULL'));
    expect((await datasetFacts(db, MAPPED)).choices.region).toEqual({ values: [], more: 0 });
    expect(dimensionChoicesQuery([])).toBeNull();
    expect((await datasetFacts(db, { category: false, region: false, channel: false, order: true })).choices).toEqual({});
    expect(groupChoices(['channel'], [])).toEqual({ channel: { values: [], more: 0 } });
    await loadLines(db);
  });

  it('reads the currencies the amounts name; money gets a symbol only when there is exactly one', async () => {
    await db.exec(raw("UPDATE lines SET currency = 'CNY' WHERE customer_id IN ('C01', 'C02')")); // 4 + 3 lines
    const one = await datasetFacts(db, MAPPED);
    expect(one.currencies).toEqual([{ currency: 'CNY', lines: 7 }]);
    expect(singleCurrency(one.currencies)).toBe('CNY');
    await db.exec(raw("UPDATE lines SET currency = 'USD' WHERE customer_id = 'C03'"));
    const two = await datasetFacts(db, MAPPED);
    expect(two.currencies).toEqual([{ currency: 'CNY', lines: 7 }, { currency: 'USD', lines: 1 }]);
    expect(singleCurrency(two.currencies)).toBeNull();
    await loadLines(db);
  });

  it('accepts only a well-formed currency code', () => {
    expect(singleCurrency([])).toBeNull();
    expect(singleCurrency([{ currency: 'EUR' }])).toBe('EUR');
    expect(singleCurrency([{ currency: 'eur' }])).toBeNull();
    expect(singleCurrency([{ currency: 'EURO' }])).toBeNull();
  });
});

describe('new customers when the first month holds customers from before the data starts', () => {
  it('counts none as new in that month, and the others as before', async () => {
    const asNew = (await run()).overview.trend;
    const existing = (await run({ firstCohort: 'existing' })).overview.trend;
    // The first month with a first purchase is January 2024 (December holds only a return).
    const first = asNew.findIndex((m) => m.new_customers > 0);
    expect([asNew[first]?.period, asNew[first]?.new_customers, existing[first]?.new_customers]).toEqual(['2024-01-01', 4, 0]);
    expect(existing.filter((_, i) => i !== first)).toEqual(asNew.filter((_, i) => i !== first));
    expect(existing.map((m) => m.customers)).toEqual(asNew.map((m) => m.customers));
  });
});

