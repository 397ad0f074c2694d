/**
 * Retention by cohort (METRICS.md §5). A customer's cohort is the calendar period of their
 * first purchase order; period k of cohort c is the calendar period c + k ("calendar"
 * clock), or the k-th window of 7/30/91 days since each customer's own first purchase
 * ("rolling" clock).
 */
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import { createDerived } from '../model/derive.ts';
import { DEFAULT_SETTINGS, type CohortClock, type CohortPeriod, type FirstCohort, type RetentionMode } from '../model/settings.ts';
import { asOfDate, div, isoDate, type SqlFragment } from './common.ts';
import { one, rows } from './common.ts';
import type { PanelDescriptor } from './panel.ts';

export interface RetentionParams {
  readonly asOf: string;
  readonly period: CohortPeriod;
  readonly mode: RetentionMode;
  /** Calendar periods (default) or rolling windows since each customer's first purchase. */
  readonly clock?: CohortClock;
  /** The first cohort: new customers (when absent), already customers (left out of averages), or by the rule. */
  readonly firstCohort?: FirstCohort;
  /** A cohort, or a point of the average curve, with fewer customers than this is `small` (default 30, METRICS.md §1). */
  readonly minGroupSize?: number;
}

/** Length in days of a rolling window per cohort period (as Amplitude and Mixpanel count). */
export const ROLLING_DAYS: Readonly<Record<CohortPeriod, number>> = { week: 7, month: 30, quarter: 91 };

/** The average curve: over all cohorts with a complete cell at each k, or only over those complete through `completeThrough`. */
export interface CurveParams {
  /** null = each k over the cohorts whose cell (c, k) is complete; K = only cohorts whose cell (c, K) is complete, at k = 0 … K. */
  readonly completeThrough: number | null;
}

/**
 * One cohort × period cell. Cells exist for every k from 0 up to the period containing
 * as_of (rolling: up to the window the cohort's earliest customer is in on as_of), also
 * when nobody was active.
 */
export interface CohortCell {
  /** ISO date of the first day of the cohort period (weeks start on Monday). */
  readonly cohort: string;
  /** 'YYYY-MM' (month), 'YYYY-Qn' (quarter), or the Monday 'YYYY-MM-DD' (week). */
  readonly cohort_label: string;
  readonly k: number;
  /** ISO date of the first day of period c + k (rolling: cohort start + k windows, the earliest day window k can begin). */
  readonly period_start: string;
  /** size(c): customers whose first purchase order falls in c. */
  readonly size: number;
  /** "on": customers of c with a purchase order in period (window) k; "on_or_after": in k or later. */
  readonly active: number;
  /** active ÷ size. */
  readonly rate: number | null;
  /** Σ order_net (returns included) of cohort c's customers in period c + k. */
  readonly revenue: number;
  /** revenue ÷ revenue of period 0 (can exceed 1); null when that is ≤ 0. */
  readonly revenue_rate: number | null;
  /**
   * Period c + k ended on or before as_of (its last day ≤ as_of); rolling: window k ended on
   * or before as_of for every customer of c (latest first purchase + (k + 1) × L − 1 ≤ as_of).
   */
  readonly complete: boolean;
  /** The first cohort, taken as customers from before the data starts: shown, left out of the averages. */
  readonly existing: boolean;
  /** size < minGroupSize: the cohort is greyed and never quoted in a headline. */
  readonly small: boolean;
}

/**
 * The data's first cohort and the rule that decides whether its customers were new
 * (METRICS.md §5): a file that starts in the middle of a business puts everyone who was
 * already a customer into its first period.
 */
export interface FirstCohortRow {
  readonly cohort_label: string | null;
  readonly size: number | null;
  /** Median size of the next three cohorts (or as many as there are); null when there is none. */
  readonly next_median: number | null;
  /** size > 2 × next_median. */
  readonly by_rule: boolean;
  /** The rule, or the setting when it says new or existing. */
  readonly existing: boolean;
}

/**
 * The size-weighted average curve: Σ_c active(c,k) ÷ Σ_c size(c) over the cohorts whose cell
 * (c, k) is complete; with `completeThrough` K, over the same cohorts at every k ≤ K: those
 * whose cell (c, K) is complete.
 */
export interface RetentionCurvePoint {
  readonly k: number;
  /** Cohorts the point averages. */
  readonly cohorts: number;
  /** Σ size(c) over the cohorts averaged at k: the customers the point rests on. */
  readonly size: number;
  readonly active: number;
  readonly rate: number | null;
  /** Σ revenue(c, k) ÷ Σ revenue(c, 0) over the same cohorts; null when that is ≤ 0. */
  readonly revenue_rate: number | null;
  /** size < minGroupSize: the point is greyed and the headline never quotes it. */
  readonly small: boolean;
}

/** retention_m1/m3/m6/m12: monthly cohorts, mode "on", whatever the settings. */
export interface RetentionKpiRow {
  readonly retention_m1: number | null;
  readonly retention_m3: number | null;
  readonly retention_m6: number | null;
  readonly retention_m12: number | null;
}

/**
 * Active vs lapsed customers at each month end before as_of, and at as_of itself (the
 * last point equals the active_customers / lapsed_customers KPIs). At date e: customers =
 * first purchase ≤ e; active = a purchase order in [e − W, e].
 */
export interface ActivityRow {
  /** ISO date. */
  readonly date: string;
  readonly customers: number;
  readonly active: number;
  readonly lapsed: number;
}

export interface RetentionResult {
  readonly cells: readonly CohortCell[];
  readonly curve: readonly RetentionCurvePoint[];
  readonly kpis: RetentionKpiRow;
  /** The first cohort of the chosen period and whether it is left out. */
  readonly firstCohort: FirstCohortRow;
}

const STEP: Record<CohortPeriod, string> = { week: '7 DAY', month: '1 MONTH', quarter: '3 MONTH' };

/** A calendar period as a running integer (consecutive periods differ by 1). */
export function periodIndex(period: CohortPeriod, d: SqlFragment) {
  switch (period) {
    case 'month':
      return sql`(year(${d}) * 12 + month(${d}) - 1)`;
    case 'quarter':
      return sql`(year(${d}) * 4 + quarter(${d}) - 1)`;
    case 'week':
      // 1970-01-05 is a Monday, the first day of DuckDB's (ISO) weeks.
      return sql`(date_diff('day', DATE '1970-01-05', date_trunc('week', ${d})) // 7)`;
  }
}

function periodLabel(period: CohortPeriod, start: SqlFragment) {
  switch (period) {
    case 'month':
      return sql`strftime(${start}, '%Y-%m')`;
    case 'quarter':
      return sql`(year(${start})::VARCHAR || '-Q' || quarter(${start})::VARCHAR)`;
    case 'week':
      return sql`strftime(${start}, '%Y-%m-%d')`;
  }
}

/**
 * CTE `cells`: cohort × k grid up to the period containing as_of, with size, active
 * ("on" or "on or after"), revenue, revenue of period 0 and completeness.
 */
function cellsCte(p: RetentionParams): SqlFragment {
  const asOf = asOfDate(p.asOf);
  const unit = raw(`'${p.period}'`);
  const step = raw(`INTERVAL ${STEP[p.period]}`);
  const rolling = p.clock === 'rolling';
  const len = raw(String(ROLLING_DAYS[p.period]));
  const activeExpr =
    p.mode === 'on'
      ? raw('coalesce(act.on_active, 0)')
      : raw('sum(coalesce(h.reaching, 0)) OVER (PARTITION BY g.cidx ORDER BY g.k DESC ROWS UNBOUNDED PRECEDING)');
  // k of an order: calendar periods after the cohort's, or whole windows since the customer's first purchase.
  const orderK = rolling
    ? sql`floor(date_diff('day', cust.first_date, o.order_date) / ${len})::BIGINT`
    : sql`${periodIndex(p.period, sql`o.order_date`)} - cust.cidx`;
  // The last period with a purchase, within the grid (an as-of date before the data's end is cut in derive; this keeps any other as_of inside the grid too).
  const lastK = rolling
    ? sql`floor(date_diff('day', first_date, least(last_date, ${asOf})) / ${len})::BIGINT`
    : sql`${periodIndex(p.period, sql`least(last_date, ${asOf})`)} - ${periodIndex(p.period, sql`first_date`)}`;
  const lastKOfCohort = rolling
    ? sql`floor(date_diff('day', cohorts.min_first, ${asOf}) / ${len})::BIGINT`
    : sql`horizon.aidx - cohorts.cidx`;
  const periodStart = rolling ? sql`(g.cohort_start::DATE + (g.k * ${len})::INTEGER)` : sql`(g.cohort_start + g.k * ${step})::DATE`;
  const periodEnd = rolling ? sql`(g.max_first::DATE + ((g.k + 1) * ${len} - 1)::INTEGER)` : sql`((g.cohort_start + (g.k + 1) * ${step})::DATE - 1)`;
  return sql`cust AS (
  SELECT customer_id, first_date, ${periodIndex(p.period, sql`first_date`)} AS cidx, ${lastK} AS lk
  FROM customers),
cohorts AS (
  SELECT cidx, count(*) AS size, any_value(date_trunc(${unit}, first_date)) AS cohort_start,
         min(first_date) AS min_first, max(first_date) AS max_first
  FROM cust GROUP BY cidx),
horizon AS (SELECT ${periodIndex(p.period, asOf)} AS aidx),
g AS (
  SELECT cohorts.cidx, cohorts.size, cohorts.cohort_start, cohorts.max_first, unnest(range(0, ${lastKOfCohort} + 1)) AS k
  FROM cohorts, horizon WHERE cohorts.min_first <= ${asOf}),
act AS (
  SELECT cust.cidx, ${orderK} AS k,
         count(DISTINCT o.customer_id) FILTER (WHERE o.is_purchase) AS on_active,
         sum(o.order_net) AS revenue
  FROM orders o JOIN cust USING (customer_id)
  GROUP BY 1, 2),
h AS (SELECT cidx, lk AS k, count(*) AS reaching FROM cust GROUP BY 1, 2),
cells AS (
  SELECT g.cidx, g.k, g.size, g.cohort_start,
         ${periodStart} AS period_start,
         ${activeExpr} AS active,
         coalesce(act.revenue, 0) AS revenue,
         ${periodEnd} <= ${asOf} AS complete
  FROM g
  LEFT JOIN act ON act.cidx = g.cidx AND act.k = g.k
  LEFT JOIN h ON h.cidx = g.cidx AND h.k = g.k),
cells0 AS (
  SELECT cells.*, first_value(revenue) OVER (PARTITION BY cidx ORDER BY k) AS revenue0 FROM cells)`;
}

/**
 * CTE `fc`: the first cohort by `period` of first purchase, the median size of the next
 * three cohorts, and whether it is left out (`existing`) under the setting `choice`.
 */
export function firstCohortCte(period: CohortPeriod, choice: FirstCohort): SqlFragment {
  return sql`fc_sizes AS (SELECT ${periodIndex(period, sql`first_date`)} AS cidx, any_value(date_trunc(${raw(`'${period}'`)}, first_date)) AS start, count(*) AS n FROM customers GROUP BY 1),
fc_ranked AS (SELECT cidx, start, n, row_number() OVER (ORDER BY cidx) AS i FROM fc_sizes),
fc_rule AS (
  SELECT (SELECT cidx FROM fc_ranked WHERE i = 1) AS cidx, (SELECT start FROM fc_ranked WHERE i = 1) AS start,
         (SELECT n FROM fc_ranked WHERE i = 1) AS size,
         (SELECT median(n) FROM fc_ranked WHERE i BETWEEN 2 AND 4) AS next_median),
fc AS (
  SELECT cidx, start, size, next_median, coalesce(size > 2 * next_median, FALSE) AS by_rule,
         CASE CAST(${choice} AS VARCHAR) WHEN 'existing' THEN size IS NOT NULL WHEN 'new' THEN FALSE
              ELSE coalesce(size > 2 * next_median, FALSE) END AS existing
  FROM fc_rule)`;
}

export function firstCohortQuery(period: CohortPeriod, choice: FirstCohort): SqlQuery {
  return sql`WITH ${firstCohortCte(period, choice)}
SELECT CASE WHEN start IS NOT NULL THEN ${periodLabel(period, sql`start`)} END AS cohort_label, size::INTEGER AS size,
       next_median::DOUBLE AS next_median, by_rule, existing
FROM fc`;
}

/** Where the cohort queries read their cells: computed inline, or a table `retentionCellsTable` wrote. */
export type CellsSource = { readonly table: string } | null;

function cellsFrom(p: RetentionParams, source: CellsSource): SqlFragment {
  return source ? sql`cells0 AS (SELECT * FROM ${raw(source.table)})` : cellsCte(p);
}

/**
 * The cohort × k cells written once, for the grid and the curve to read (each would
 * otherwise join every order to its customer's cohort again).
 */
export function retentionCellsTable(p: RetentionParams, table: string): SqlQuery {
  return sql`${createDerived(table)} AS WITH ${cellsCte(p)} SELECT * FROM cells0`;
}

export function cohortCellsQuery(p: RetentionParams, source: CellsSource = null): SqlQuery {
  return sql`WITH ${cellsFrom(p, source)}, ${firstCohortCte(p.period, p.firstCohort ?? 'new')}
SELECT ${isoDate(sql`cohort_start`)} AS cohort, ${periodLabel(p.period, sql`cohort_start`)} AS cohort_label,
       k::INTEGER AS k, ${isoDate(sql`period_start`)} AS period_start,
       size::INTEGER AS size, active::INTEGER AS active, ${div(sql`active`, sql`size`)} AS rate,
       revenue::DOUBLE AS revenue,
       CASE WHEN revenue0 > 0 THEN ${div(sql`revenue`, sql`revenue0`)} END AS revenue_rate,
       complete, coalesce(cidx = (SELECT cidx FROM fc) AND (SELECT existing FROM fc), FALSE) AS existing,
       (size < ${minGroupSize(p)}) AS small
FROM cells0 ORDER BY cidx, k`;
}

export function retentionCurveQuery(p: RetentionParams, source: CellsSource = null, c: CurveParams = { completeThrough: null }): SqlQuery {
  const complete =
    c.completeThrough === null
      ? sql`complete`
      : sql`k <= ${c.completeThrough} AND cidx IN (SELECT cidx FROM cells0 WHERE k = ${c.completeThrough} AND complete)`;
  // A first cohort of customers from before the data starts is left out of the average.
  const where = sql`${complete} AND NOT coalesce(cidx = (SELECT cidx FROM fc) AND (SELECT existing FROM fc), FALSE)`;
  return sql`WITH ${cellsFrom(p, source)}, ${firstCohortCte(p.period, p.firstCohort ?? 'new')}
SELECT k::INTEGER AS k, count(*)::INTEGER AS cohorts, sum(size)::INTEGER AS size, sum(active)::INTEGER AS active,
       ${div(sql`sum(active)`, sql`sum(size)`)} AS rate,
       CASE WHEN sum(revenue0) > 0 THEN ${div(sql`sum(revenue)`, sql`sum(revenue0)`)} END AS revenue_rate,
       (sum(size) < ${minGroupSize(p)}) AS small
FROM cells0 WHERE ${where}
GROUP BY k ORDER BY k`;
}

function minGroupSize(p: RetentionParams): number {
  return p.minGroupSize ?? DEFAULT_SETTINGS.minGroupSize;
}

/** The KPI ks of METRICS.md §5. */
export const RETENTION_KPI_KS = [1, 3, 6, 12] as const;

export function retentionKpiQuery(asOf: string, firstCohort: FirstCohort = 'new'): SqlQuery {
  return sql`WITH ${cellsCte({ asOf, period: 'month', mode: 'on' })}, ${firstCohortCte('month', firstCohort)},
curve AS (
  SELECT k, ${div(sql`sum(active)`, sql`sum(size)`)} AS rate FROM cells0
  WHERE complete AND NOT coalesce(cidx = (SELECT cidx FROM fc) AND (SELECT existing FROM fc), FALSE) GROUP BY k)
SELECT (SELECT rate FROM curve WHERE k = 1) AS retention_m1,
       (SELECT rate FROM curve WHERE k = 3) AS retention_m3,
       (SELECT rate FROM curve WHERE k = 6) AS retention_m6,
       (SELECT rate FROM curve WHERE k = 12) AS retention_m12`;
}

/**
 * An order `o` that makes its customer active at date `e` (ActivityRow): a purchase order in
 * [e − W, e]. The customer lists use it as written; `activityQuery` counts the same customers
 * from `purchase_days` (the real-data drill test checks that both agree at every point).
 */
export function activeAtCondition(e: SqlFragment, churnWindowDays: number): SqlFragment {
  return sql`o.is_purchase AND o.order_date <= ${e}
    AND o.order_date >= ${e} - ${churnWindowDays}::INTEGER`;
}

export function activityQuery(p: { readonly asOf: string; readonly churnWindowDays: number }): SqlQuery {
  const asOf = asOfDate(p.asOf);
  const w = sql`${p.churnWindowDays}::INTEGER`;
  return sql`WITH pts AS (
  SELECT DISTINCT e FROM (
    SELECT last_day(m::DATE) AS e
    FROM (SELECT unnest(generate_series(date_trunc('month', min(first_date)), date_trunc('month', ${asOf}), INTERVAL 1 MONTH)) AS m
          FROM customers HAVING min(first_date) <= ${asOf})
    UNION ALL SELECT ${asOf} WHERE EXISTS (SELECT 1 FROM customers WHERE first_date <= ${asOf}))
  WHERE e <= ${asOf}),
firsts AS (SELECT first_date, count(*) AS n FROM customers GROUP BY first_date),
acq AS (SELECT pts.e, sum(firsts.n) AS customers FROM pts JOIN firsts ON firsts.first_date <= pts.e GROUP BY pts.e),
-- Active at e = a purchase day in [e − W, e]. Each customer is counted once, by the first of
-- their purchase days in that window: purchase day d (previous purchase day d − gap) is that
-- day exactly for e in [lo, d + W], lo = d when gap is null or > W, else d − gap + W + 1.
-- So active(e) = the intervals begun by e less those ended before it: +1 at lo, −1 at
-- d + W + 1, summed over the days up to e (no join of the points with every purchase).
ev AS (
  SELECT day, sum(delta) AS delta FROM (
    SELECT CASE WHEN gap IS NULL OR gap > ${w} THEN d ELSE d - gap + ${w} + 1 END AS day, 1 AS delta FROM purchase_days
    UNION ALL SELECT d + ${w} + 1, -1 FROM purchase_days)
  GROUP BY day),
act AS (SELECT pts.e, sum(ev.delta) AS active FROM pts JOIN ev ON ev.day <= pts.e GROUP BY pts.e)
SELECT ${isoDate(sql`acq.e`)} AS date, acq.customers::INTEGER AS customers,
       coalesce(act.active, 0)::INTEGER AS active, (acq.customers - coalesce(act.active, 0))::INTEGER AS lapsed
FROM acq LEFT JOIN act USING (e) ORDER BY acq.e`;
}

function kpisFromCurve(curve: readonly RetentionCurvePoint[]): RetentionKpiRow {
  const at = (k: number) => curve.find((p) => p.k === k)?.rate ?? null;
  return { retention_m1: at(1), retention_m3: at(3), retention_m6: at(6), retention_m12: at(12) };
}

export const retentionPanel: PanelDescriptor<'retention', RetentionResult, 'overview'> = {
  id: 'retention',
  shows: ['overview'],
  weight: 508,
  kpis: ['retention_m1', 'retention_m3', 'retention_m6', 'retention_m12'],
  async run(db, settings, { asOf, ensure }) {
    await ensure?.('purchase_days');
    const tp: RetentionParams = {
      asOf,
      period: settings.cohortPeriod,
      mode: settings.retentionMode,
      clock: settings.cohortClock,
      firstCohort: settings.firstCohort,
      minGroupSize: settings.minGroupSize,
    };
    const cells = { table: 'retention_cells' };
    await db.exec(retentionCellsTable(tp, cells.table));
    const curve = await rows<RetentionCurvePoint>(db, retentionCurveQuery(tp, cells, { completeThrough: settings.completeThrough }));
    // The KPIs are the monthly "on" curve: read off the curve when that is the one drawn.
    const kpis =
      tp.period === 'month' && tp.mode === 'on' && tp.clock === 'calendar' && settings.completeThrough === null
        ? kpisFromCurve(curve)
        : await one<RetentionKpiRow>(db, retentionKpiQuery(asOf, settings.firstCohort));
    return {
      cells: await rows<CohortCell>(db, cohortCellsQuery(tp, cells)),
      curve,
      kpis,
      firstCohort: await one<FirstCohortRow>(db, firstCohortQuery(tp.period, settings.firstCohort)),
    };
  },
  metrics: (r) => ({ ...r.kpis }),
  tables: (r) => [
    { name: 'curve', title: 'dash.col.k', rows: r.curve },
    { name: 'cohorts', title: 'dash.col.cohort', rows: r.cells },
    { name: 'first_cohort', title: 'dash.col.cohort', rows: [r.firstCohort], inReport: false },
  ],
};
