/**
 * A file mixing currencies is analysed one currency at a time (METRICS.md §1 "Currency"),
 * on a hand-made fixture. Hand computations are in the comments.
 *
 *  line cust date        order amount currency
 *   2   K1   2024-01-10  O1    100.00 CNY
 *   3   K1   2024-02-10  O2     50.50 CNY
 *   4   K2   2024-01-15  O3    200.00 CNY
 *   5   K3   2024-01-20  U1     30.00 USD
 *   6   K3   2024-03-01  U2    -10.00 USD   return order
 *   7   K4   2024-02-01  N1      7.00 –     amount names no currency
 *
 * CNY: 3 lines, revenue 350.50, customers K1 K2, orders 3. USD: 2 lines, revenue 20.00,
 * customer K3, 1 purchase order (30) and 1 return (−10). Unmarked: 1 line, 7.00.
 * Summing everything as one (377.50) is what must never be shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { sql } from '../../../src/lib/db/sql.ts';
import { runDashboard } from '../../../src/lib/analyses/index.ts';
import { currencyChoice, currencyTotalsQuery, currencyView, type CurrencyTotalRow } from '../../../src/lib/analyses/overview.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { DEFAULT_SETTINGS, UNMARKED, type Filters } from '../../../src/lib/model/settings.ts';
import { loadLines } from './fixture.ts';

const MAPPED: Mapped = { category: false, region: false, channel: false, order: true };
type Line = [customer: string, date: string, order: string, amount: number, currency: string | null];

const MIXED: readonly Line[] = [
  ['K1', '2024-01-10', 'O1', 100, 'CNY'],
  ['K1', '2024-02-10', 'O2', 50.5, 'CNY'],
  ['K2', '2024-01-15', 'O3', 200, 'CNY'],
  ['K3', '2024-01-20', 'U1', 30, 'USD'],
  ['K3', '2024-03-01', 'U2', -10, 'USD'],
  ['K4', '2024-02-01', 'N1', 7, null],
];

let db: NodeDb;

async function load(lines: readonly Line[]): Promise<void> {
  await loadLines(db, lines.map(([c, d, o, a]) => [c, d, o, a, 'x', 'N', null, null]));
  // loadLines numbers the lines from 2 in order.
  for (const [i, line] of lines.entries()) await db.exec(sql`UPDATE lines SET currency = ${line[4]} WHERE line_no = ${i + 2}`);
}

async function analyse(filters: Partial<Filters> = {}) {
  const result = await runDashboard(db, { ...DEFAULT_SETTINGS, filters: { ...DEFAULT_SETTINGS.filters, ...filters } }, MAPPED);
  const totals = (await db.query(currencyTotalsQuery(MAPPED))) as unknown as CurrencyTotalRow[];
  return { overview: result.overview, trend: result.overview.trend, view: currencyView(totals) };
}

const table = (rows: readonly CurrencyTotalRow[]) => rows.map((r) => [r.currency, r.all_lines, r.lines, r.customers, r.revenue, r.shown]);

beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

describe('a file naming two currencies', () => {
  beforeAll(() => load(MIXED));

  it('analyses the currency with the most lines by default, never the sum of all', async () => {
    const { overview, trend, view } = await analyse();
    expect(view.mixed).toBe(true);
    expect(view.analysed).toBe('CNY');
    expect(overview.revenue).toBe(350.5);
    expect(overview.customers).toBe(2);
    expect(overview.orders).toBe(3);
    expect(overview.aov).toBeCloseTo(350.5 / 3, 12);
    expect(overview.returns_value).toBe(0);
    // Months of the CNY lines only: Jan O1 100 + O3 200, Feb O2 50.50.
    expect(trend.map((m) => [m.period, m.revenue])).toEqual([
      ['2024-01-01', 300],
      ['2024-02-01', 50.5],
    ]);
  });

  it('lists every group with its lines, customers and revenue, the shown one marked', async () => {
    const { view } = await analyse();
    // [currency, lines (all), lines (filtered), customers, revenue, shown]
    expect(table(view.totals)).toEqual([
      ['CNY', 3, 3, 2, 350.5, true],
      ['USD', 2, 2, 1, 20, false],
      [null, 1, 1, 1, 7, false],
    ]);
  });

  it('analyses the requested currency', async () => {
    const { overview, view } = await analyse({ currency: 'USD' });
    expect(view.analysed).toBe('USD');
    expect(overview.revenue).toBe(20); // 30 − 10
    expect(overview.customers).toBe(1); // K3
    expect(overview.orders).toBe(1); // U1
    expect(overview.returns_value).toBe(-10); // U2
    expect(overview.aov).toBe(30);
  });

  it('analyses the unmarked lines as their own group when asked', async () => {
    const { overview, view } = await analyse({ currency: UNMARKED });
    expect(view.analysed).toBe(UNMARKED);
    expect(overview.revenue).toBe(7);
    expect(overview.customers).toBe(1);
  });

  it('falls back to the default for a currency the data does not name', async () => {
    const { overview, view } = await analyse({ currency: 'EUR' });
    expect(view.analysed).toBe('CNY');
    expect(overview.revenue).toBe(350.5);
  });

  it('applies the date filter to the table but keeps every group listed', async () => {
    // From 2024-02-01: CNY O2 50.50 (K1); USD U2 −10 (a return only: no customer); unmarked N1 7.
    const { overview, view } = await analyse({ from: '2024-02-01' });
    expect(overview.revenue).toBe(50.5);
    expect(table(view.totals)).toEqual([
      ['CNY', 3, 1, 1, 50.5, true],
      ['USD', 2, 1, 0, -10, false],
      [null, 1, 1, 1, 7, false],
    ]);
  });
});

describe('ties and single-currency files', () => {
  it('breaks a tie in line counts alphabetically', async () => {
    await load([
      ['A', '2024-01-01', 'a1', 5, 'USD'],
      ['A', '2024-01-02', 'a2', 6, 'USD'],
      ['B', '2024-01-01', 'b1', 7, 'EUR'],
      ['B', '2024-01-02', 'b2', 8, 'EUR'],
    ]);
    const { overview, view } = await analyse();
    expect(view.analysed).toBe('EUR');
    expect(overview.revenue).toBe(15);
  });

  it('analyses every line when one currency is named, the unmarked lines included, and ignores a request', async () => {
    await load([
      ['A', '2024-01-01', 'a1', 5, 'CNY'],
      ['B', '2024-01-02', 'b1', 6.25, null],
    ]);
    for (const currency of [null, 'USD', UNMARKED]) {
      const { overview, view } = await analyse({ currency });
      expect(view).toMatchObject({ mixed: false, analysed: 'CNY' });
      expect(overview.revenue).toBe(11.25);
    }
    const { view } = await analyse();
    expect(table(view.totals)).toEqual([
      ['CNY', 1, 1, 1, 5, false],
      [null, 1, 1, 1, 6.25, false],
    ]);
  });

  it('analyses every line when none names a currency', async () => {
    await load([
      ['A', '2024-01-01', 'a1', 5, null],
      ['B', '2024-01-02', 'b1', 6, null],
    ]);
    const { overview, view } = await analyse({ currency: 'CNY' });
    expect(view).toMatchObject({ mixed: false, analysed: null });
    expect(overview.revenue).toBe(11);
  });
});

describe('the currency selector', () => {
  const named = [
    { currency: 'CNY', lines: 3 },
    { currency: 'USD', lines: 2 },
  ];
  const total = (currency: string | null, all_lines: number, shown: boolean): CurrencyTotalRow => ({
    currency, all_lines, lines: all_lines, customers: 1, revenue: 1, shown,
  });

  it('is not offered when fewer than two currencies are named', () => {
    expect(currencyChoice([{ currency: 'CNY', lines: 3 }], [total('CNY', 3, false), total(null, 1, false)], 'USD')).toBeNull();
    expect(currencyChoice([], [], null)).toBeNull();
  });

  it('before the totals are read: the named currencies, the default being the first (most lines)', () => {
    expect(currencyChoice(named, [], null)).toEqual({ options: [{ value: 'CNY', lines: 3 }, { value: 'USD', lines: 2 }], selected: 'CNY' });
    expect(currencyChoice(named, [], 'USD')?.selected).toBe('USD');
    expect(currencyChoice(named, [], 'EUR')?.selected).toBe('CNY');
  });

  it('after: every group including the unmarked lines, the requested one shown at once', () => {
    const totals = [total('CNY', 3, true), total('USD', 2, false), total(null, 1, false)];
    expect(currencyChoice(named, totals, null)).toEqual({
      options: [{ value: 'CNY', lines: 3 }, { value: 'USD', lines: 2 }, { value: UNMARKED, lines: 1 }],
      selected: 'CNY',
    });
    // Picked while the run that applies it is still going: the old totals still mark CNY.
    expect(currencyChoice(named, totals, UNMARKED)?.selected).toBe(UNMARKED);
  });
});
