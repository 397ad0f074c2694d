/**
 * `analyze` as a user runs it: a child process on the fixtures of test/fixtures/cli, stdout
 * parsed as one JSON object, exit codes and stderr checked. Every process starts at once in
 * beforeAll (each spends most of its time loading modules), so the file takes a few seconds.
 *
 * sales_gb18030.csv (GB18030, CRLF; 客户编号, 客户名称, 订单号, 下单日期, 实付金额):
 *   line 2  C001 O1  2024-01-05  100.00      line 9  C003 O7  2024-05-03  60.00
 *   line 3  C001 O2  2024-02-10   50.00      line 10 C004 O8  2024-03-15  40.00
 *   line 4  C002 O4  2023-12-20  200.00      line 11 C004 O10 2024-06-10  25.00
 *   line 5  C002 O5  2023-12-28  -20.00      line 12 C005 O9  2024-06-30   0.00
 *   line 6  C003 O6  2024-02-03   80.00      line 13 C001 O3  2024-07-01  35.00
 *   line 7  C003 O6  2024-02-03   20.00      line 14 合计 … 590.00 (summary row: skipped)
 *   line 8  (blank customer) O11 2024-03-01 15.00 (rejected: missing_customer_id)
 * survey_by_order.csv (UTF-8; 订单号, 评分): O1 5, O2 4, O4 2, O6 3, O6 5, O8 3, O9 5,
 *   O99 5 (no such order), O7 blank (rejected: missing_score).
 * currency_mixed.csv (UTF-8; 客户ID, 订单号, 订单日期, 金额):
 *   K1 O1 2024-01-10 ¥100.00   K1 O2 2024-02-10 ￥50.50   K2 O3 2024-01-15 RMB 200   (CNY: 350.50, customers K1 K2)
 *   K3 U1 2024-01-20 $30.00    K3 U2 2024-03-01 USD -10                          (USD: 20.00, customer K3, a return of −10)
 *   K4 N1 2024-02-01 7                                                           (no marker: 7.00)
 * two_months.xlsx (workbook_helper salesSheet; 客户ID, 订单日期, 金额): sheet 一月 3 orders of
 *   100, 110, 120 (330.00); sheet 二月 7 orders of 100, 110, …, 160 (910.00).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PANEL_IDS } from '../../src/lib/analyses/registry.ts';
import { SETTINGS_TABLE } from '../../src/lib/model/settings-table.ts';
import { ROOT, runCli, type Run } from './run-cli.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/lib/ingest/load.ts';
import { METRIC_IDS, type Metrics } from '../../src/lib/model/metrics.ts';
import { CLV_METRIC_IDS } from '../../src/lib/clv/fit.ts';

const CLV_NULLS = Object.fromEntries(CLV_METRIC_IDS.map((id) => [id, null])) as Record<(typeof CLV_METRIC_IDS)[number], null>;

const FIX = 'test/fixtures/cli/';
const SALES = `${FIX}sales_gb18030.csv`;
const SURVEY = `${FIX}survey_by_order.csv`;
const MIXED = `${FIX}currency_mixed.csv`;
const WORKBOOK = `${FIX}two_months.xlsx`;

const analyze = (...args: string[]): Promise<Run> => runCli('analyze', ...args);

interface CurrencyTotal {
  readonly currency: string | null;
  readonly lines: number;
  readonly customers: number;
  readonly revenue: number;
  readonly analysed: boolean;
}

interface Output {
  readonly asOf: string | null;
  readonly linesAfterAsOf: number;
  readonly settings: {
    readonly asOf: string | null;
    readonly churnWindowDays: number;
    readonly currency: string | null;
    readonly cohortClock: string;
    readonly completeThrough: number | null;
  };
  readonly currency: { readonly analysed: string | null; readonly shown: string | null; readonly mixed: boolean; readonly totals: readonly CurrencyTotal[] };
  readonly metrics: Metrics;
  readonly report: {
    readonly files: readonly { readonly name: string; readonly encoding: string; readonly labels: readonly string[]; readonly mapping: Record<string, number> }[];
    readonly rejected: readonly { readonly file: number; readonly line: number; readonly reason: string }[];
  };
}

function json(run: Run): Output {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Output;
}

const CASES = {
  full: [SALES, '--survey', SURVEY, '--json'],
  asOfLater: [SALES, '--as-of', '2024-09-30', '--churn-window', '100', '--json'],
  asOfEarlier: [SALES, '--as-of', '2024-03-31', '--cohort-clock', 'rolling', '--complete-through', '2', '--json'],
  asOfEarlierText: [SALES, '--as-of', '2024-03-31'],
  badClock: [SALES, '--cohort-clock', 'lunar', '--json'],
  mapped: [`${FIX}amount_unlabelled.csv`, '--map', 'amount=净额', '--json'],
  unknownLabel: [`${FIX}amount_unlabelled.csv`, '--map', 'amount=不存在', '--json'],
  binary: [`${FIX}binary.csv`, '--json'],
  empty: [`${FIX}empty.csv`, '--json'],
  badAsOf: [SALES, '--as-of', '2024/09/30', '--json'],
  impossibleAsOf: [SALES, '--as-of', '2024-02-30', '--json'],
  mixed: [MIXED, '--json'],
  mixedUsd: [MIXED, '--currency', 'usd', '--json'],
  mixedUnmarked: [MIXED, '--currency', 'none', '--json'],
  mixedText: [MIXED, '--currency', 'USD'],
  mixedAbsent: [MIXED, '--currency', 'EUR', '--json'],
  badCurrency: [MIXED, '--currency', 'dollars', '--json'],
  singleWithCode: [SALES, '--currency', 'CNY', '--json'],
  singleUnmarked: [SALES, '--currency', 'none', '--json'],
  labelled: [SALES, '--currency-label', 'USD', '--json'],
  mixedLabelled: [MIXED, '--currency', 'usd', '--currency-label', 'EUR'],
  ambiguous: [`${FIX}ambiguous_dates.csv`, '--json'],
  ambiguousMdy: [`${FIX}ambiguous_dates.csv`, '--date-order', 'mdy', '--json'],
  settings: [SALES, '--tier-cuts', '60,90', '--cohort-period', 'quarter', '--retention-mode', 'on_or_after', '--top-share', '40%', '--json'],
  filtered: [SALES, '--from', '2024-02-01', '--to', '2024-06-30', '--json'],
  badFilter: [SALES, '--filter', 'region=华东', '--json'],
  badChoice: [SALES, '--cohort-period', 'year', '--json'],
  badTiers: [SALES, '--tier-cuts', '90,80', '--json'],
  badOrder: [SALES, '--date-order', 'ymd', '--json'],
  help: ['--help'],
  erp: [`${FIX}erp_export.csv`, '--json'],
  byValues: [`${FIX}date_by_values.csv`, '--json'],
  sheetDefault: [WORKBOOK, '--json'],
  sheetNamed: [WORKBOOK, '--sheet', '二月', '--json'],
  sheetMapped: [WORKBOOK, '--sheet', '二月', '--map', 'amount=金额', '--json'],
  sheetUnknown: [WORKBOOK, '--sheet', '三月', '--json'],
} as const;

const runs = {} as Record<keyof typeof CASES, Run>;

beforeAll(async () => {
  const entries = await Promise.all(Object.entries(CASES).map(async ([k, args]) => [k, await analyze(...args)] as const));
  for (const [k, run] of entries) runs[k as keyof typeof CASES] = run;
}, 120_000);

describe('analyze --json on a GB18030 sales file with a survey keyed by order id', () => {
  it('prints one JSON object whose metrics are exactly the METRIC_IDS', () => {
    const out = json(runs.full);
    expect(Object.keys(out.metrics)).toEqual([...METRIC_IDS]);
    expect(out.report.files.map((f) => [f.name, f.encoding])).toEqual([
      ['sales_gb18030.csv', 'gb18030'],
      ['survey_by_order.csv', 'utf-8'],
    ]);
    expect(out.report.rejected).toEqual([
      { file: 0, line: 8, reason: 'missing_customer_id', text: ',刘洋,O11,2024-03-01,15.00' },
      { file: 1, line: 10, reason: 'missing_score', text: 'O7,' },
    ]);
  });

  it('gives the hand-computed value of every metric', () => {
    const out = json(runs.full);
    // as_of = the latest kept day, 2024-07-01 (line 13).
    expect(out.asOf).toBe('2024-07-01');
    // Orders: C001 O1 100, O2 50, O3 35 | C002 O4 200, O5 −20 (return) | C003 O6 80+20, O7 60 |
    // C004 O8 40, O10 25 | C005 O9 0 (a purchase). Purchase orders 3+1+2+2+1 = 9, customers 5.
    // Values: C001 185, C002 180, C003 160, C004 65, C005 0; total 590.
    // Days to second order: C001 01-05→02-10 = 36, C003 02-03→05-03 = 90 (leap year),
    // C004 03-15→06-10 = 87; repeaters' median 87. Kaplan–Meier: C005 censored at 1, C002 at 194;
    // day 36 at risk 4 → S = 3/4, day 87 at risk 3 → S = 1/2 (median 87), day 90 at risk 2 → 1/4.
    // Gini on 0, 65, 160, 180, 185: (−4·0 −2·65 + 0·160 + 2·180 + 4·185) / (5·590) = 970/2950.
    // Tier A: cumulative 185, 365, 525 → 525/590 = 0.89 ≥ 0.8 at rank 3.
    // Retention (cohort: purchase months): Dec'23 C002 {Dec}; Jan C001 {Jan, Feb, Jul};
    // Feb C003 {Feb, May}; Mar C004 {Mar, Jun}; Jun C005 {Jun}. Complete cells end ≤ 07-01:
    // m1 Dec→Jan 0, Jan→Feb 1, Feb→Mar 0, Mar→Apr 0 → 1/4; m3 Dec→Mar 0, Jan→Apr 0,
    // Feb→May 1, Mar→Jun 1 → 2/4; m6 only Dec→Jun, 0 → 0/1; m12 no complete cell → null.
    // Recency at 07-01: C001 0, C002 (last purchase 12-20) 194, C003 59, C004 21, C005 1 → 4 active.
    // Scores (mean per order, then per customer): C001 (5, 4) 4.5, C002 2, C003 O6 (3+5)/2 = 4,
    // C004 3, C005 5; O99 matches no order. Scale 1–5 (observed 2…5), high = the top box 5, loyal ≥ 2
    // orders: no loyalist; mercenary C005; hostages C001, C003, C004; defector C002. Mean 18.5/5 = 3.7.
    const expected: Metrics = {
      rows_read: 13 + 9,
      rows_kept: 11 + 8,
      rows_rejected: 1 + 1,
      rows_skipped: 1,
      customers: 5,
      orders: 9,
      revenue: 590,
      returns_value: -20,
      aov: 610 / 9,
      orders_per_customer: 9 / 5,
      repurchase_rate: 3 / 5,
      repeat_order_share: 4 / 9,
      median_days_to_second: 87,
      top20_share: 185 / 590,
      gini: 970 / 2950,
      tier_a_customers: 3,
      tier_a_customer_share: 3 / 5,
      retention_m1: 1 / 4,
      retention_m3: 2 / 4,
      retention_m6: 0,
      retention_m12: null,
      active_customers: 4,
      lapsed_customers: 1,
      customers_with_score: 5,
      satisfaction_mean: 3.7,
      quadrant_loyalists: 0,
      quadrant_mercenaries: 1,
      quadrant_hostages: 3,
      quadrant_defectors: 1,
      nps: null,
      km_reached_share: 3 / 4,
      median_days_to_second_repeaters: 87,
      nps_responses: null,
      // RFM at 07-01 (METRICS.md §7). Recency worst → best: C002 194, C003 59, C004 21, C005 1,
      // C001 0 → ranks 1…5, scores 1 + ⌊5(rank − 1)/4⌋ capped: 1, 2, 3, 4, 5. Orders: C002 1,
      // C005 1 (rank 1), C003 2, C004 2 (rank 3), C001 3 (rank 5) → F 1, 1, 3, 3, 5.
      // (R, F): C001 (5, 5) champions, C002 (1, 1) hibernating, C003 (2, 3) at risk,
      // C004 (3, 3) need attention, C005 (4, 1) promising.
      rfm_champions: 1,
      rfm_loyal: 0,
      rfm_potential_loyalists: 0,
      rfm_new: 0,
      rfm_promising: 1,
      rfm_need_attention: 1,
      rfm_about_to_sleep: 0,
      rfm_at_risk: 1,
      rfm_cant_lose: 0,
      rfm_hibernating: 1,
      // Means: recency 275/5 = 55 (R high below it: C001, C004, C005), orders 9/5 = 1.8 (F high
      // above: C001, C003, C004), value 590/5 = 118 (M high above: C001 185, C002 180, C003 160).
      // C001 hhh important value, C002 llh important retain, C003 lhh important keep,
      // C004 hhl general value, C005 hll general develop.
      rfm8_important_value: 1,
      rfm8_important_develop: 0,
      rfm8_important_keep: 1,
      rfm8_important_retain: 1,
      rfm8_general_value: 1,
      rfm8_general_develop: 1,
      rfm8_general_keep: 0,
      rfm8_general_retain: 0,
      // Stages (§8, W 180, k 2, S 4): C002 lost (194 > 180); C005 exploration (p = 1);
      // C001 p 3, gaps 36 and 142 → g 89, 0 ≤ 178; C003 g 90, 59 ≤ 180; C004 g 87, 21 ≤ 174:
      // formation (2 ≤ p < 4).
      stage_lost: 1,
      stage_exploration: 1,
      stage_decline: 0,
      stage_stability: 0,
      stage_formation: 3,
      // At as_of − 90 = 04-02 nobody was lost (C002 104 days); C005's first purchase (06-30) is
      // the only one in (04-02, 07-01].
      returning_customers: 0,
      new_customers_period: 1,
      // First-month purchase orders: C001 O1 100, C002 O4 200, C003 O6 100, C004 O8 40, C005 O9 0
      // = 440 of all purchase orders' 610.
      new_customer_revenue_share: 440 / 610,
      // Nobody in decline; the pace baseline needs B ≥ 90 days before 04-02 and nobody bought
      // first before 2024-01-04 but C002, who is lost.
      churn_warning_customers: 0,
      churn_warning_value: 0,
      pace_warning_customers: 0,
      pace_warning_drop: 0,
      // No profit or cost column.
      key_red: null,
      key_white: null,
      key_dark: null,
      key_potential: null,
      key_ordinary: null,
      // Three repeat customers, fewer than the 20 the lifetime-value models need: refused, no numbers.
      ...CLV_NULLS,
    };
    for (const id of METRIC_IDS) {
      const want = expected[id];
      const got = out.metrics[id];
      if (want === null) expect(got, id).toBeNull();
      else expect(got, id).toBeCloseTo(want, 9);
    }
  });
});

describe('--as-of and --churn-window', () => {
  it('--as-of before the end cuts the data as it stood that day and says how many lines it set aside', () => {
    const out = json(runs.asOfEarlier);
    // After 03-31: O7 05-03, O10 06-10, O9 06-30, O3 07-01. Left: C001 O1 100, O2 50; C002 O4 200, O5 −20;
    // C003 O6 80 + 20; C004 O8 40 → 4 customers (C005 first bought 06-30), 5 purchase orders, revenue 470.
    expect(out.linesAfterAsOf).toBe(4);
    expect([out.metrics.customers, out.metrics.orders, out.metrics.revenue]).toEqual([4, 5, 470]);
    expect(out.settings).toMatchObject({ cohortClock: 'rolling', completeThrough: 2 });
    expect(runs.asOfEarlierText.stdout).toMatch(/\nas of 2024-03-31\n {2}4 lines after the as-of date set aside\n/);
    // Line 8 has no customer id; its amount, 15.00, is what the rejected row carries.
    expect(runs.asOfEarlierText.stdout).toContain('\n  rejected missing_customer_id: 1 (amount 15.00)\n');
    expect(runs.badClock.code).toBe(2);
    expect(runs.badClock.stderr).toMatch(/--cohort-clock takes one of calendar, rolling, not "lunar"/);
  });

  it('--as-of 2024-09-30 --churn-window 100 moves recency and completes July…September', () => {
    const out = json(runs.asOfLater);
    expect(out.asOf).toBe('2024-09-30');
    expect(out.settings).toMatchObject({ asOf: '2024-09-30', churnWindowDays: 100, currency: null, cohortClock: 'calendar', completeThrough: null });
    expect(out.linesAfterAsOf).toBe(0);
    // Recency at 09-30: C001 91, C002 285, C003 150, C004 112, C005 92 → ≤ 100: C001, C005
    // (the default window, 180, would keep 4 active; as-of 07-01 with 100 days: all but C002).
    expect([out.metrics.active_customers, out.metrics.lapsed_customers]).toEqual([2, 3]);
    // Now also complete: Jun→Jul (C005: 0) for m1, Jun→Sep (0) for m3, Jan→Jul (C001: 1) for m6.
    expect(out.metrics.retention_m1).toBeCloseTo(1 / 5, 12);
    expect(out.metrics.retention_m3).toBeCloseTo(2 / 5, 12);
    expect(out.metrics.retention_m6).toBeCloseTo(1 / 4, 12);
    expect(out.metrics.retention_m12).toBeNull();
    expect(out.metrics.revenue).toBe(590);
  });
});

describe('--map', () => {
  it("is a choice: 净额 (net amount) is no known amount label; alone, the file's column is only proposed by its values", async () => {
    const bytes = new Uint8Array(readFileSync(`${ROOT}${FIX}amount_unlabelled.csv`));
    const insp = await inspectFile({ name: 'amount_unlabelled.csv', bytes });
    expect(insp.error).toBeNull();
    expect(insp.auto.proposed).toEqual([{ field: 'amount', column: 2 }]);
  });

  it('amount=净额 maps the column by its label and the file loads', () => {
    const out = json(runs.mapped);
    const [file] = out.report.files;
    expect(file?.labels[file.mapping.amount ?? -1]).toBe('净额');
    // M1 03-01 10.50, M1 03-09 4.50, M2 03-09 7.25: no order id, so one order per customer-day.
    expect(out.metrics.customers).toBe(2);
    expect(out.metrics.orders).toBe(3);
    expect(out.metrics.revenue).toBe(22.25);
    expect(out.metrics.aov).toBeCloseTo(22.25 / 3, 12);
    expect(out.metrics.repurchase_rate).toBe(0.5);
    expect(out.metrics.median_days_to_second).toBe(8);
  });

  it('an unknown label exits 2, names it and lists the columns the file has', () => {
    expect(runs.unknownLabel.code).toBe(2);
    expect(runs.unknownLabel.stdout).toBe('');
    expect(runs.unknownLabel.stderr).toMatch(/^analyze: --map [a-z_]+=不存在: \S+ has no column "不存在"; its columns are #1 "[^"]+"/);
    expect(runs.unknownLabel.stderr).toMatch(/\nusage: /);
  });
});

describe('unusable input', () => {
  it('a binary file exits 1 with NOT_TEXT', () => {
    expect(runs.binary.code).toBe(1);
    expect(runs.binary.stdout).toBe('');
    expect(runs.binary.stderr).toBe(
      'analyze: binary.csv: The file is not a text table (it looks like a binary file). Save it as CSV, Excel (.xlsx) or Parquet and try again. [NOT_TEXT]\n',
    );
  });

  it('an empty file exits 1 with EMPTY_FILE', () => {
    expect(runs.empty.code).toBe(1);
    expect(runs.empty.stdout).toBe('');
    expect(runs.empty.stderr).toMatch(/^analyze: empty\.csv: The file is empty\. .*\[EMPTY_FILE\]\n$/);
  });

  it('an --as-of that is not YYYY-MM-DD exits 2 with the usage', () => {
    expect(runs.badAsOf.code).toBe(2);
    expect(runs.badAsOf.stdout).toBe('');
    expect(runs.badAsOf.stderr).toMatch(/^analyze: --as-of takes a date YYYY-MM-DD, not "2024\/09\/30"\nusage: /);
  });

  it('an --as-of that names no calendar day (2024-02-30) exits 2 like any other bad date', () => {
    expect(runs.impossibleAsOf.stdout).toBe('');
    expect(runs.impossibleAsOf.stderr).toMatch(/^analyze: --as-of takes a date YYYY-MM-DD, not "2024-02-30"\nusage: /);
    expect(runs.impossibleAsOf.code).toBe(2);
  });
});

describe('--currency on a file naming two currencies', () => {
  const totals = (o: Output) => o.currency.totals.map((t) => [t.currency, t.lines, t.customers, t.revenue, t.analysed]);

  it('analyses CNY (most lines) by default, never the sum 377.50, and lists every currency', () => {
    const o = json(runs.mixed);
    expect(o.currency.analysed).toBe('CNY');
    expect(o.currency.mixed).toBe(true);
    expect(o.settings.currency).toBeNull();
    expect([o.metrics.revenue, o.metrics.customers, o.metrics.orders, o.metrics.rows_kept]).toEqual([350.5, 2, 3, 6]);
    expect(totals(o)).toEqual([
      ['CNY', 3, 2, 350.5, true],
      ['USD', 2, 1, 20, false],
      [null, 1, 1, 7, false],
    ]);
  });

  it('--currency usd analyses the USD lines: 30 − 10', () => {
    const o = json(runs.mixedUsd);
    expect(o.currency.analysed).toBe('USD');
    expect(o.settings.currency).toBe('USD');
    expect([o.metrics.revenue, o.metrics.customers, o.metrics.orders, o.metrics.returns_value, o.metrics.aov]).toEqual([20, 1, 1, -10, 30]);
    expect(o.asOf).toBe('2024-03-01'); // the latest USD line
  });

  it('--currency none analyses the lines without a currency marker', () => {
    const o = json(runs.mixedUnmarked);
    expect(o.currency.analysed).toBe('none');
    expect([o.metrics.revenue, o.metrics.customers]).toEqual([7, 1]);
  });

  it('the text output names the currency analysed and the totals of the others', () => {
    expect(runs.mixedText.code).toBe(0);
    const out = runs.mixedText.stdout;
    expect(out).toContain('currency USD only; not analysed: CNY (3 lines), none (1 line)\n');
    expect(out).toContain('  CNY  lines 3, customers 2, revenue 350.50\n');
    expect(out).toContain('  USD  lines 2, customers 1, revenue 20.00  (analysed)\n');
    expect(out).toMatch(/\nrevenue +20\n/);
  });

  it('a currency the file does not name exits 2 and lists those it does', () => {
    expect(runs.mixedAbsent.code).toBe(2);
    expect(runs.mixedAbsent.stdout).toBe('');
    expect(runs.mixedAbsent.stderr).toMatch(/^analyze: --currency EUR: the amounts have CNY \(3 lines\), USD \(2 lines\), none \(1 line\)\nusage: /);
  });

  it('a value that is no currency code exits 2 before reading the file', () => {
    expect(runs.badCurrency.code).toBe(2);
    expect(runs.badCurrency.stderr).toMatch(/^analyze: --currency takes a three-letter code such as CNY, or "none" for amounts without one, not "dollars"\n/);
  });

  it('a file naming no currency is analysed whole: --currency none is accepted, a code is refused', () => {
    const o = json(runs.singleUnmarked);
    expect(o.currency).toEqual({ analysed: null, shown: null, mixed: false, totals: [{ currency: null, lines: 11, customers: 5, revenue: 590, analysed: true }] });
    expect(o.metrics.revenue).toBe(590);
    expect(runs.singleWithCode.code).toBe(2);
    expect(runs.singleWithCode.stderr).toMatch(/^analyze: --currency CNY: the amounts have none \(11 lines\); with fewer than two currencies named, every line is analysed\n/);
  });
});

describe('--currency-label names the currency shown, converting nothing', () => {
  it('names the amounts of a file that names none; auto shows the one a file names', () => {
    const o = json(runs.labelled);
    expect(o.currency.analysed).toBeNull();
    expect(o.currency.shown).toBe('USD');
    expect((o.settings as unknown as { currencyLabel: string }).currencyLabel).toBe('USD');
    expect(o.metrics.revenue).toBe(590);
    expect(json(runs.singleUnmarked).currency.shown).toBeNull();
    expect(json(runs.mixed).currency.shown).toBe('CNY');
    expect(json(runs.mixedUnmarked).currency.shown).toBeNull();
  });

  it('an explicit label wins over the analysed group\'s own currency, which it does not change', () => {
    expect(runs.mixedLabelled.code).toBe(0);
    expect(runs.mixedLabelled.stdout).toContain('currency USD only (amounts named EUR, not converted); not analysed: CNY (3 lines), none (1 line)\n');
    expect(runs.mixedLabelled.stdout).toMatch(/\nrevenue +20\n/);
  });
});

describe("every setting is a flag, every panel's tables are in --json", () => {
  interface WithTables {
    readonly settings: Record<string, unknown>;
    readonly tables: Record<string, Record<string, readonly Record<string, unknown>[]>>;
    readonly report: { readonly files: readonly { readonly warnings: readonly { readonly code: string; readonly detail?: string }[] }[] };
  }
  const withTables = (run: Run) => json(run) as unknown as Output & WithTables;

  it('dates that read both ways are read day first with a warning, and say how to flip them', () => {
    expect(runs.ambiguous.code).toBe(0);
    expect(runs.ambiguous.stderr).toMatch(/read day first .*--date-order mdy/);
    const out = JSON.parse(runs.ambiguous.stdout) as Output & WithTables;
    expect(out.report.files[0]?.warnings).toContainEqual({ code: 'ambiguous_day_month_order', count: 1, detail: 'dmy' });
    // 12/11/2023 day first is 12 November.
    expect(out.asOf).toBe('2023-11-12');
  });

  it('--date-order mdy reads them month first (the warning names the order used): 12/11/2023 is 11 December', () => {
    expect(runs.ambiguousMdy.stderr).toBe('');
    const out = withTables(runs.ambiguousMdy);
    expect(out.asOf).toBe('2023-12-11');
    expect(out.report.files[0]?.warnings).toContainEqual({ code: 'ambiguous_day_month_order', count: 1, detail: 'mdy' });
  });

  it('the tables member holds every panel of the registry with its named tables', () => {
    const out = withTables(runs.full);
    expect(Object.keys(out.tables)).toEqual(PANEL_IDS);
    expect(Object.keys(out.tables.pareto ?? {})).toEqual(['tiers', 'deciles', 'lorenz']);
    // Tiers of the hand-worked file: C002 180 → A (180/545 = 33 %) …; the rows are the page's.
    expect(out.tables.pareto?.tiers?.reduce((s, t) => s + Number(t.customers), 0)).toBe(out.metrics.customers);
    expect(out.tables.overview?.trend?.reduce((s, m) => s + Number(m.orders), 0)).toBe(out.metrics.orders);
  });

  it('setting flags reach the analysis and are echoed in settings', () => {
    const out = withTables(runs.settings);
    expect(out.settings).toMatchObject({ tierA: 0.6, tierB: 0.9, cohortPeriod: 'quarter', retentionMode: 'on_or_after', topShare: 0.4 });
    expect(out.tables.retention?.cohorts?.every((c) => /^\d{4}-Q[1-4]$/.test(String(c.cohort_label)))).toBe(true);
  });

  it("--from/--to filter the lines as the page's date filter does", () => {
    const out = withTables(runs.filtered);
    expect(out.settings).toMatchObject({ filters: { from: '2024-02-01', to: '2024-06-30', dims: {} } });
    // Orders dated 2024-02-03 … 2024-06-30: O2, O6, O7, O8, O10, O9.
    expect(out.metrics.orders).toBe(6);
  });

  it('refuses what the page would not offer, naming the flag', () => {
    expect([runs.badFilter.code, runs.badChoice.code, runs.badTiers.code, runs.badOrder.code]).toEqual([2, 2, 2, 2]);
    expect(runs.badFilter.stderr).toMatch(/--filter region=…: no region column is mapped/);
    expect(runs.badChoice.stderr).toMatch(/--cohort-period takes one of week, month, quarter, not "year"/);
    expect(runs.badTiers.stderr).toMatch(/tier B's cut point \(0\.8\) must lie above tier A's \(0\.9\)/);
    expect(runs.badOrder.stderr).toMatch(/--date-order takes dmy \(day first\) or mdy \(month first\)/);
  });

  it('--help lists every setting of the table with its default', () => {
    expect(runs.help.code).toBe(0);
    for (const def of SETTINGS_TABLE) expect(runs.help.stdout).toContain(`--${def.flag} `);
    expect(runs.help.stdout).toMatch(/--churn-window INT .*\(default 180\)/);
  });
});

describe('analyze --customers', () => {
  it("writes one row per customer, in Pareto order, with the columns of the page's customer lists", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-cust-'));
    const file = join(dir, '客户.csv');
    const run = await analyze(SALES, '--customers', file, '--json');
    const out = json(run) as Output & { customers: { rows: number } };
    const text = readFileSync(file, 'utf8');
    // The fixture's 客户名称 is the name (a contact field), right after the id. The lifetime-value
    // columns follow the segment columns; empty here, where the models refuse (3 repeat customers < 20).
    expect(
      text.startsWith('\uFEFFcustomer_id,name,rank,value,n_orders,first_date,last_date,recency_days,tier,score,quadrant,r_score,f_score,m_score,rfm_segment,rfm8_class,stage,p_alive,expected_purchases,expected_spend,clv\r\n'),
    ).toBe(true);
    const rows = text.trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(out.metrics.customers ?? -1);
    expect(out.customers.rows).toBe(rows.length);
    // C001: 100 + 50 + 35 = 185, the largest value, rank 1.
    expect(rows[0]?.split(',').slice(0, 5)).toEqual(['C001', '张伟', '1', '185', '3']);
    // The scores, segment, class and stage worked out for the metrics above: C001 R 5, F 5,
    // M 5 (185, the largest value); C002 R 1, F 1, M 4 (180: value rank 4 of 5 → 1 + ⌊5·3/4⌋).
    expect(rows[0]?.split(',').slice(11, 17)).toEqual(['5', '5', '5', 'champions', 'important_value', 'formation']);
    expect(rows[1]?.split(',').slice(0, 1).concat(rows[1]?.split(',').slice(11, 17) ?? [])).toEqual(['C002', '1', '1', '4', 'hibernating', 'important_retain', 'lost']);
    expect(rows[0]?.split(',').slice(-4)).toEqual(['', '', '', '']);
  });
});

describe('analyze --sheet', () => {
  type SheetFile = { readonly sheet?: string; readonly rows_read: number };
  const files = (o: Output) => o.report.files as unknown as readonly SheetFile[];

  it('reads the first sheet of a workbook by default', () => {
    const o = json(runs.sheetDefault);
    expect(files(o).map((f) => [f.sheet, f.rows_read])).toEqual([['一月', 3]]);
    expect(o.metrics.revenue).toBe(330);
  });

  it('reads the sheet named, with or without --map', () => {
    for (const run of [runs.sheetNamed, runs.sheetMapped]) {
      const o = json(run);
      expect(files(o).map((f) => [f.sheet, f.rows_read])).toEqual([['二月', 7]]);
      expect(o.metrics.revenue).toBe(910);
    }
  });

  it('a sheet the workbook does not have exits 1 with UNREADABLE_WORKBOOK', () => {
    expect(runs.sheetUnknown.code).toBe(1);
    expect(runs.sheetUnknown.stderr).toMatch(/^analyze: two_months\.xlsx: .*\[UNREADABLE_WORKBOOK\]\n$/);
  });
});

describe('columns real exports use', () => {
  it('an ERP export loads by its names (开单日期, 销售金额, 成本金额) and has a profit view', () => {
    const o = json(runs.erp);
    // 1,200 + 800 + 600 + 300 = 2,900; profit 300 + 100 + 180 − 10.
    expect([o.metrics.revenue, o.metrics.orders, o.metrics.customers]).toEqual([2900, 4, 3]);
    expect(o.report.files[0]?.mapping).toMatchObject({ order: 0, customer: 1, date: 4, amount: 5, cost: 6, region: 7 });
  });

  it('takes the column whose values all read as dates when no name says date, and warns', () => {
    const o = json(runs.byValues);
    expect([o.metrics.revenue, o.asOf]).toEqual([35.5, '2024-02-07']);
    const warnings = (o.report.files[0] as unknown as { warnings: readonly { code: string; detail?: string }[] }).warnings;
    expect(warnings).toContainEqual({ code: 'mapped_by_values', count: 1, detail: 'date=记录' });
  });
});
