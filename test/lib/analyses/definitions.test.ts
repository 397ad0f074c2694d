/**
 * The definitions of METRICS.md that a careful analyst could otherwise misread, on tiny
 * hand-made data: the as-of cut, the Kaplan–Meier median, NPS per answer, and the cohort
 * average (complete-through-K, rolling windows). Hand computations are in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { metricsOf, runDashboard, type DashboardResult } from '../../../src/lib/analyses/index.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/lib/model/settings.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { loadLines, loadSurvey } from './fixture.ts';

const MAPPED: Mapped = { category: true, region: true, channel: false, order: true };
const REPORT = { rows_read: 25, rows_kept: 23, rows_rejected: 1, rows_skipped: 1 };

let db: NodeDb;
// The fixture's first cohort is counted as new here (the rule for customers from before the data
// starts has its own tests in dashboard.test.ts).
function run(s: Partial<Settings> = {}, mapped: Mapped = MAPPED): Promise<DashboardResult> {
  return runDashboard(db, { ...DEFAULT_SETTINGS, firstCohort: 'new', ...s }, mapped);
}

beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

describe('as-of means as the data stood that day (fixture.ts)', () => {
  beforeAll(async () => {
    await loadLines(db);
  });

  it('cuts every line dated after as_of', async () => {
    const r = await run({ asOf: '2024-03-31' });
    const m = metricsOf(r, REPORT);
    expect(r.asOf).toBe('2024-03-31');
    // set aside: lines 4 (04-01) 11 (05-05) 15 (04-10) 16 (06-30) 17 (04-20) 18 (05-31) 19 (06-01) 20 (06-15)
    expect(r.linesAfterAsOf).toBe(8);
    // kept: 150 + 80 + 100 + 0 + 500 + 20 + 30 + 300 − 300 + 60 − 15 + 45 − 25 = 945
    expect(m.revenue).toBe(945);
    // C07 C08 C09 first bought after 03-31: 7 customers; purchase orders A1 A2, C02 ×2, B1, D1 D2, E1, F1, J1
    expect([m.customers, m.orders]).toEqual([7, 10]);
    expect(m.returns_value).toBe(-340); // E2 −300, J0 −15, K1 −25 (A3 −30 is on 04-01)
    // repeaters C01 C02 C04 (C04's D3 of 05-05 is set aside, C06 has F1 only)
    expect(m.repurchase_rate).toBeCloseTo(3 / 7, 12);
    // KM at 03-31: C04 event 0; C06 censored 28; C01 event 36; C05 censored 46; C02 event 55; C03 censored 66; C10 censored 89
    // S = 6/7, × 4/5 = 24/35, × 2/3 = 16/35 ≤ ½ at day 55
    expect(m.median_days_to_second).toBe(55);
    expect(m.km_reached_share).toBeCloseTo(19 / 35, 12);
    expect(r.repurchase.km.map((k) => k.day)).toEqual([0, 28, 36, 46, 55, 66, 89]);
    expect(r.pareto.summary.total_value).toBe(970); // 945 without R01's −25
  });

  it('recency counts only purchases up to as_of', async () => {
    // W = 30 at 03-31: last purchase ≥ 03-01 → C02 (03-15) and C06 (03-03). Without the cut C04 (05-05)
    // would count as active with a negative recency, and C07 C08 C09 would be customers.
    const r = await run({ asOf: '2024-03-31', churnWindowDays: 30 });
    expect([r.overview.active_customers, r.overview.lapsed_customers]).toEqual([2, 5]);
    expect(r.overview.activity.at(-1)).toEqual({ date: '2024-03-31', customers: 7, active: 2, lapsed: 5 });
  });

  it('a chosen as_of also leaves out survey responses dated after it (undated ones count)', async () => {
    await loadSurvey(db, [
      { customer: 'C01', score: 9, date: '2024-03-01' }, { customer: 'C01', score: 10, date: '2024-05-01' },
      { customer: 'C02', score: 6, date: '2024-02-01' }, { customer: 'C03', score: 0 },
    ]);
    try {
      // all four: C01 9.5, C02 6, C03 0; answers 9 10 6 0 → NPS (2 − 2) / 4 = 0, a 10 establishes 0–10
      const all = await run();
      expect([all.satisfaction.summary.customers_with_score, all.satisfaction.summary.nps, all.satisfaction.summary.nps_responses]).toEqual([3, 0, 4]);
      // as of 03-31: C01's 10 of 05-01 not given yet → C01 9; answers 9 6 0, no 10: 0–10 by range, no NPS
      const cut = await run({ asOf: '2024-03-31' });
      expect(cut.satisfaction.range).toMatchObject({ source: 'survey', max_score: 9, n_scores: 3 });
      expect(cut.satisfaction.summary.satisfaction_mean).toBeCloseTo(5, 12); // (9 + 6 + 0) / 3
      expect(cut.satisfaction.summary.nps).toBeNull();
    } finally {
      await loadSurvey(db, []);
    }
  });

  it('the default as_of (and one after the data) sets nothing aside', async () => {
    expect((await run()).linesAfterAsOf).toBe(0);
    const later = await run({ asOf: '2024-12-31' });
    expect(later.linesAfterAsOf).toBe(0);
    expect(later.overview.revenue).toBe(1175);
  });

  it('the default as_of is the latest day after the filters, before any cut', async () => {
    const r = await run({ filters: { from: null, to: '2024-04-30', dims: {} } });
    expect([r.asOf, r.linesAfterAsOf]).toEqual(['2024-04-20', 0]);
    const cut = await run({ asOf: '2024-03-31', filters: { from: null, to: '2024-04-30', dims: {} } });
    // lines up to 04-30 after 03-31: 4 (04-01), 15 (04-10), 17 (04-20)
    expect(cut.linesAfterAsOf).toBe(3);
  });
});

describe('Kaplan–Meier median days to the second purchase', () => {
  // P1 01-01 → 01-11 (10 days), P3 01-01 → 01-21 (20 days); P2 and P4 buy once on 01-01.
  const LINES = [
    ['P1', '2024-01-01', 'a1'], ['P1', '2024-01-11', 'a2'], ['P2', '2024-01-01', 'b1'],
    ['P3', '2024-01-01', 'c1'], ['P3', '2024-01-21', 'c2'], ['P4', '2024-01-01', 'd1'],
  ].map(([c, d, o]) => [c!, d!, o!, 10, 'x', 'N', null, null] as [string, string, string, number, string, string, null, null]);
  beforeAll(async () => {
    await loadLines(db, LINES);
  });
  afterAll(async () => {
    await loadLines(db);
  });

  it('is the first day the curve reaches exactly one half', async () => {
    // as-of 01-31: day 10 at risk 4 → S = 3/4; day 20 at risk 3 → S = 1/2; P2 P4 censored at 30
    const m = metricsOf(await run({ asOf: '2024-01-31' }), REPORT);
    expect(m.median_days_to_second).toBe(20);
    expect(m.km_reached_share).toBeCloseTo(0.5, 12);
    expect(m.median_days_to_second_repeaters).toBe(15); // (10 + 20) / 2
  });

  it('is null when the curve never reaches one half', async () => {
    // as-of 01-15: P3's second purchase is set aside; day 10 → S = 3/4, the other three censored at 14
    const m = metricsOf(await run({ asOf: '2024-01-15' }), REPORT);
    expect(m.median_days_to_second).toBeNull();
    expect(m.km_reached_share).toBeCloseTo(0.25, 12);
    expect(m.median_days_to_second_repeaters).toBe(10);
  });
});

describe('NPS from the score cells of the sales lines', () => {
  // N1 one order with two answers 10 and 9; N2 7; N3 two orders 2 and 10; R9 a return only, answering 0.
  const LINES: [string, string, string, number, string, string, number, null][] = [
    ['N1', '2024-01-01', 'n1', 10, 'x', 'N', 10, null], ['N1', '2024-01-01', 'n1', 10, 'x', 'N', 9, null],
    ['N2', '2024-01-02', 'n2', 10, 'x', 'N', 7, null],
    ['N3', '2024-01-03', 'n3', 10, 'x', 'N', 2, null], ['N3', '2024-02-03', 'n4', 10, 'x', 'N', 10, null],
    ['R9', '2024-01-04', 'r1', -10, 'x', 'N', 0, null],
  ];
  beforeAll(async () => {
    await loadLines(db, LINES);
  });
  afterAll(async () => {
    await loadLines(db);
  });

  it('counts every answer of a customer once: % 9–10 minus % 0–6', async () => {
    const s = (await run()).satisfaction;
    // answers of customers: 10 9 7 2 10 → promoters 3, detractors 1 → 100 × 2 / 5 = 40
    // (per customer, N1 9.5, N2 7, N3 6 would give 0)
    expect(s.summary.nps).toBeCloseTo(40, 12);
    expect(s.summary.nps_responses).toBe(5);
    expect(s.scaleInfo).toMatchObject({ scale: '0-10', npsBasis: 'max', high: 9, satisfied: 7 });
    // groups by customer score: top box N1 (9.5); satisfied N2 (7); below N3 (6, a repeater)
    expect(s.groups.map((g) => [g.group, g.n, g.repeat_customers])).toEqual([['top_box', 1, 0], ['satisfied', 1, 0], ['below', 1, 1]]);
  });
});

describe('cohort average curve (fixture.ts, as of 2024-06-30)', () => {
  beforeAll(async () => {
    await loadLines(db);
  });

  it('says how many cohorts each point averages', async () => {
    const c = (await run()).retention.curve;
    // monthly cohorts Jan … Jun; at k the cohorts Jan … (Jun − k) are complete
    expect(c.map((p) => [p.k, p.cohorts])).toEqual([[0, 6], [1, 5], [2, 4], [3, 3], [4, 2], [5, 1]]);
  });

  it('complete through K: the same cohorts at every k ≤ K', async () => {
    const r = await run({ completeThrough: 3 });
    // cohorts whose month 3 ended by 06-30: Jan (4: [4,1,1,0]), Feb (2: [2,0,0,1]), Mar (C06: [1,1,0,1])
    expect(r.retention.curve.map((p) => [p.k, p.cohorts, p.size, p.active])).toEqual([
      [0, 3, 7, 7], [1, 3, 7, 2], [2, 3, 7, 1], [3, 3, 7, 2],
    ]);
    // the KPIs keep their definition (monthly, every complete cohort at each k): k1 = 3/9
    expect(metricsOf(r, REPORT).retention_m1).toBeCloseTo(1 / 3, 12);
    expect((await run({ completeThrough: 6 })).retention.curve).toEqual([]); // no cohort has month 6 complete
  });

  it('rolling 30-day windows since each customer’s first purchase', async () => {
    const r = await run({ cohortClock: 'rolling' });
    const jan = r.retention.cells.filter((x) => x.cohort === '2024-01-01');
    // grid: (06-30 − 01-02 = 180 days) / 30 → windows 0 … 6. C01 A2 after 36 days and C02's 03-15 after 55 → window 1
    // (calendar month 1 has only C01); C01's A3 return after 87 days is window 2; C10's J0 before J1 is in none.
    expect(jan.map((x) => x.active)).toEqual([4, 2, 0, 0, 0, 0, 0]);
    expect(jan.map((x) => x.revenue)).toEqual([795, 80, -30, 0, 0, 0, 0]);
    // complete when the latest first purchase (C03 01-25) + 30(k+1) − 1 ≤ 06-30: k ≤ 4 (k 4 ends 06-22)
    expect(jan.map((x) => x.complete)).toEqual([true, true, true, true, true, false, false]);
    expect(jan[1]?.period_start).toBe('2024-01-31');
    // Feb: C04 02-01 (D3 after 94 days → window 3), C05 02-14 (E2 return after 16 days → window 0);
    // grid (06-30 − 02-01 = 150 days) / 30 → windows 0 … 5
    const feb = r.retention.cells.filter((x) => x.cohort === '2024-02-01');
    expect(feb.map((x) => [x.k, x.active, x.revenue])).toEqual([[0, 2, 50], [1, 0, 0], [2, 0, 0], [3, 1, 25], [4, 0, 0], [5, 0, 0]]);
    // the KPIs keep calendar months
    expect(metricsOf(r, REPORT).retention_m1).toBeCloseTo(1 / 3, 12);
  });
});
