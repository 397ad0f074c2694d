/**
 * Small groups (METRICS.md §1 "Small groups"): a group with fewer customers than
 * minGroupSize is `small`, sorts last among the values of its dimension and is never quoted
 * in a headline. The fixture of fixture.ts plus one customer C11 alone in region W who buys
 * twice (a 100 % repurchase rate resting on one customer). Hand counts in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { runDashboard, type DashboardResult } from '../../../src/lib/analyses/index.ts';
import { repurchaseCards } from '../../../src/lib/charts/repurchase.ts';
import { retentionCards } from '../../../src/lib/charts/retention.ts';
import { satisfactionCards } from '../../../src/lib/charts/satisfaction.ts';
import { cardById } from '../../../src/lib/charts/cards.ts';
import { translate, type Locale } from '../../../src/lib/i18n/index.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/lib/model/settings.ts';
import { FIXTURE_LINES, loadLines } from './fixture.ts';

const MAPPED: Mapped = { category: true, region: true, channel: false, order: true };
const ctx = (locale: Locale) => ({ locale, t: (k: string, p?: Readonly<Record<string, string | number>>) => translate(locale, k, p), currency: null });

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db, [
    ...FIXTURE_LINES,
    // June lines, so the default as-of date (2024-06-30) and the monthly cohorts stay as in fixture.ts.
    ['C11', '2024-06-10', 'L1', 10, 'x', 'W', null, null],
    ['C11', '2024-06-20', 'L2', 10, 'x', 'W', null, null],
  ]);
});
afterAll(async () => {
  await db.close();
});

function run(s: Partial<Settings>): Promise<DashboardResult> {
  return runDashboard(db, { ...DEFAULT_SETTINGS, firstCohort: 'new', ...s }, MAPPED);
}

describe('small groups', () => {
  it('repurchase by region: exactly minGroupSize is not small, one fewer is; small values sort last', async () => {
    // Region of the first order: N C01 C04 C06 C09 (4; C01 C04 C06 repeat → 75 %); E C05 C07 C10 (3; none);
    // S C02 C03 C08 (3; C02 C08 → 2/3); W C11 (1; repeat → 100 %).
    const r = await run({ minGroupSize: 4 });
    const region = r.repurchase.byDimension.filter((d) => d.dimension === 'region');
    // N (4 = minGroupSize) first; then the small ones, by customers (E and S tie at 3: by value), W last.
    expect(region.map((d) => [d.value, d.customers, d.repeat_customers, d.small])).toEqual([
      ['N', 4, 3, false],
      ['E', 3, 0, true],
      ['S', 3, 2, true],
      ['W', 1, 1, true],
    ]);
    // W's 100 % is the highest rate, but rests on one customer: the headline names N.
    const card = cardById(repurchaseCards(r, { ...DEFAULT_SETTINGS, minGroupSize: 4 }, ctx('en')), 'repurchase-by-region');
    expect(card.title).toBe('By Region: “N” first-time buyers repurchase most (75%)');
    // With a minimum of 3, E and S are no longer small (3 = minGroupSize); W (1) still is.
    const r3 = await run({ minGroupSize: 3 });
    expect(r3.repurchase.byDimension.filter((d) => d.dimension === 'region').map((d) => [d.value, d.small])).toEqual([
      ['N', false],
      ['E', false],
      ['S', false],
      ['W', true],
    ]);
    // The default 30: every region is small, and the title says so instead of quoting one.
    const r30 = await run({});
    expect(r30.repurchase.byDimension.every((d) => d.small)).toBe(true);
    const title30 = cardById(repurchaseCards(r30, DEFAULT_SETTINGS, ctx('en')), 'repurchase-by-region').title;
    expect(title30).toBe('By Region: no group has 30 customers or more');
    expect(cardById(repurchaseCards(r30, DEFAULT_SETTINGS, ctx('zh-CN')), 'repurchase-by-region').title).toBe('按地区：没有客户数达到 30 的组');
  });

  it('repurchase by month: a month with fewer buyers than the minimum is small', async () => {
    // Buyers: Jan C01 C02 C03 C10 (4), Feb C01 C04 C05 (3), Mar C02 C06 (2), Apr C06 C07 (2), May C04 C08 (2).
    const r = await run({ minGroupSize: 3 });
    expect(r.repurchase.byPeriod.map((p) => [p.period, p.buyers, p.small])).toEqual([
      ['2024-01', 4, false],
      ['2024-02', 3, false],
      ['2024-03', 2, true],
      ['2024-04', 2, true],
      ['2024-05', 2, true],
    ]);
  });

  it('satisfaction: the curve headline quotes only levels with at least minGroupSize customers', async () => {
    // Levels (customer score rounded half up): 1 C03; 2 C09; 3 C02 C06 (both repeat); 4 C01 C04 C05 C10 (C01 C04 repeat);
    // 5 C08 (repeat). C11 has no score. With a minimum of 2: levels 1, 2, 5 (n = 1) are small, 3 (n = 2) is not.
    const r = await run({ minGroupSize: 2 });
    expect(r.satisfaction.levels.map((l) => [l.level, l.n, l.small])).toEqual([
      [1, 1, true],
      [2, 1, true],
      [3, 2, false],
      [4, 4, false],
      [5, 1, true],
    ]);
    // Groups: top box C08 (1, small); satisfied C01 C04 C05 C10 (4); below C02 C03 C06 C09 (4).
    expect(r.satisfaction.groups.map((g) => [g.group, g.n, g.small])).toEqual([
      ['top_box', 1, true],
      ['satisfied', 4, false],
      ['below', 4, false],
    ]);
    // Level 5 (100 %, one customer) and level 1 (0 %, one customer) are not the curve's quoted ends: 3 and 4 are.
    const title = cardById(satisfactionCards(r, { ...DEFAULT_SETTINGS, minGroupSize: 2 }, ctx('en')), 'satisfaction-curve').title;
    expect(title).toBe('Customers scoring 4 repurchase at 50%, those scoring 3 at 100%');
    // With the default 30 no level is large enough: the title says so.
    const r30 = await run({});
    expect(cardById(satisfactionCards(r30, DEFAULT_SETTINGS, ctx('en')), 'satisfaction-curve').title).toBe(
      'Fewer than two satisfaction levels have 30 customers or more',
    );
  });

  it('retention: the curve headline rests only on points with at least minGroupSize customers', async () => {
    // Monthly cohorts (first purchase): Jan C01 C02 C03 C10 (4), Feb C04 C05 (2), Mar C06, Apr C07, May C08,
    // Jun C09 C11 (2). Every cell up to June is complete (as_of 2024-06-30), so the point at k averages the
    // cohorts up to month 6 − k: sizes k0 11, k1 9, k2 8, k3 7, k4 6, k5 4.
    const r = await run({ minGroupSize: 7 });
    expect(r.retention.curve.map((p) => [p.k, p.size, p.small])).toEqual([
      [0, 11, false],
      [1, 9, false],
      [2, 8, false],
      [3, 7, false],
      [4, 6, true],
      [5, 4, true],
    ]);
    // k3: Jan in April (C01's return only: 0), Feb in May (C04), Mar in June (C06) → 2/7 ≈ 29 %.
    const curve = cardById(retentionCards(r, { ...DEFAULT_SETTINGS, minGroupSize: 7 }, ctx('en')), 'retention-curves');
    expect(curve.title).toBe('After 3 months, 29% of customers are still buying (size-weighted average)');
    // Cohort cells carry their cohort's size: Jan (4) is not small at a minimum of 4, Feb (2) is.
    const r4 = await run({ minGroupSize: 4 });
    const small = new Map(r4.retention.cells.map((c) => [c.cohort_label, c.small]));
    expect([...small]).toEqual([
      ['2024-01', false],
      ['2024-02', true],
      ['2024-03', true],
      ['2024-04', true],
      ['2024-05', true],
      ['2024-06', true],
    ]);
    // The default 30: no point is large enough, neither title quotes a rate.
    const r30 = await run({});
    const cards = retentionCards(r30, DEFAULT_SETTINGS, ctx('en'));
    expect(cardById(cards, 'retention-curves').title).toBe('No point of the retention curve rests on 30 customers or more yet');
    expect(cardById(cards, 'cohorts').title).toBe('Fewer than 30 customers are in cohorts with a complete next month yet');
  });
});
