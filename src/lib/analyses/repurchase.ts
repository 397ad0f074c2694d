/**
 * Repurchase (复购, METRICS.md §3): second purchases, gaps between purchases,
 * period-over-period 回购率 and breakdowns by the first order's dimensions.
 */
import { join, raw, sql, type SqlQuery } from '../db/sql.ts';
import type { Dimension } from '../model/schema.ts';
import { asOfDate, dayBinOf, dayBins, div, isoDate, type DayBinRow, type SqlFragment } from './common.ts';
import { mappedDimensions } from '../model/mapped.ts';
import { DEFAULT_SETTINGS } from '../model/settings.ts';
import { one, rows } from './common.ts';
import type { PanelDescriptor } from './panel.ts';

export interface RepurchaseParams {
  /** ISO date: Kaplan–Meier censoring and the completeness of 回购率 periods. */
  readonly asOf: string;
  /** First-order dimensions to break the repurchase rate down by (only mapped ones). */
  readonly dimensions: readonly Dimension[];
  /** A group with fewer customers than this is `small` (default 30, METRICS.md §1). */
  readonly minGroupSize?: number;
}

export interface RepurchaseSummaryRow {
  readonly customers: number;
  /** Customers with n_orders ≥ 2. */
  readonly repeat_customers: number;
  /** repeat_customers ÷ customers (复购率, by customer). */
  readonly repurchase_rate: number | null;
  /** (orders − customers) ÷ orders (复购率, by order). */
  readonly repeat_order_share: number | null;
  /**
   * Interpolated median, over the repeat customers only (n_orders ≥ 2), of the days from the
   * first to the second purchase order (purchase orders ordered by date, then order key).
   * Leaves out everyone who has not (yet) bought again, so it is not the typical wait.
   */
  readonly median_days_to_second_repeaters: number | null;
  /** Mean of the same days. */
  readonly mean_days_to_second: number | null;
}

/** Read off the Kaplan–Meier curve (all customers; those without a second purchase censored). */
export interface KmSummary {
  /**
   * Kaplan–Meier median days to the second purchase: the first day at which the cumulative
   * share reaches 50 % (S(day) ≤ 0.5); null when the curve never reaches 50 %.
   */
  readonly median_days_to_second: number | null;
  /** The cumulative share at the curve's last day (null without customers). */
  readonly km_reached_share: number | null;
}

/** Customers by number of purchase orders: buckets '1' … '9' and '10+'. */
export interface OrderCountRow {
  /** '1' … '9', '10+'. */
  readonly bucket: string;
  /** Smallest n_orders of the bucket (1 … 10), for sorting. */
  readonly n_orders: number;
  readonly customers: number;
  /** customers ÷ all customers. */
  readonly share: number | null;
}

/**
 * Kaplan–Meier cumulative repurchase: after `day` days from the first purchase, the share
 * of customers who made a second purchase order (1 − S(day)). Customers without one (or
 * whose second comes after as_of) are censored at as_of − first_date; customers whose
 * first purchase is after as_of are left out. One point per distinct day with an event or a
 * censoring, plus day 0.
 */
export interface KmPoint {
  readonly day: number;
  /** Customers still at risk just before `day`. */
  readonly at_risk: number;
  /** Second purchases on `day`. */
  readonly events: number;
  /** Customers censored on `day`. */
  readonly censored: number;
  /** 1 − Π (1 − events ÷ at_risk) over days ≤ day. */
  readonly cumulative: number;
}

/**
 * 回购率 by calendar month: of the customers with a purchase order in month `period`, the
 * share who also have one in the next month. Months from the first with data to the one
 * before as_of's month; `complete` when the next month ended on or before as_of.
 */
export interface PeriodRepurchaseRow {
  /** 'YYYY-MM'. */
  readonly period: string;
  /** 'YYYY-MM' of t + 1. */
  readonly next_period: string;
  readonly buyers: number;
  /** Buyers of `period` who also buy in `next_period`. */
  readonly returning: number;
  /** returning ÷ buyers. */
  readonly rate: number | null;
  readonly complete: boolean;
  /** buyers < minGroupSize: the month's rate is greyed. */
  readonly small: boolean;
}

/** Repurchase rate by a dimension of the customer's first purchase order. */
export interface RepurchaseByDimRow {
  readonly dimension: Dimension;
  /** The dimension value; null = blank. */
  readonly value: string | null;
  /** n: the group's customers (their first purchase order has this value). */
  readonly customers: number;
  readonly repeat_customers: number;
  readonly repurchase_rate: number | null;
  /** customers < minGroupSize: greyed, sorted last within its dimension, never quoted in a headline. */
  readonly small: boolean;
}

export interface RepurchaseResult {
  readonly summary: RepurchaseSummaryRow;
  readonly kmSummary: KmSummary;
  readonly orderCounts: readonly OrderCountRow[];
  /** Days from first to second purchase order (customers with n_orders ≥ 2). */
  readonly daysToSecond: readonly DayBinRow[];
  readonly km: readonly KmPoint[];
  /** Days between consecutive purchase orders of the same customer. */
  readonly gaps: readonly DayBinRow[];
  readonly byPeriod: readonly PeriodRepurchaseRow[];
  /** Empty when no dimension is mapped. */
  readonly byDimension: readonly RepurchaseByDimRow[];
}

export function repurchaseSummaryQuery(): SqlQuery {
  return sql`WITH c AS (
  SELECT count(*) AS customers, count(*) FILTER (WHERE n_orders >= 2) AS repeaters,
         coalesce(sum(n_orders), 0) AS orders,
         quantile_cont(date_diff('day', first_date, second_date), 0.5) FILTER (WHERE n_orders >= 2) AS median_days,
         avg(date_diff('day', first_date, second_date)) FILTER (WHERE n_orders >= 2) AS mean_days
  FROM customers)
SELECT customers::INTEGER AS customers, repeaters::INTEGER AS repeat_customers,
       ${div(sql`repeaters`, sql`customers`)} AS repurchase_rate,
       ${div(sql`orders - customers`, sql`orders`)} AS repeat_order_share,
       median_days::DOUBLE AS median_days_to_second_repeaters,
       mean_days::DOUBLE AS mean_days_to_second
FROM c`;
}

export function orderCountsQuery(): SqlQuery {
  return sql`SELECT CASE WHEN b >= 10 THEN '10+' ELSE b::VARCHAR END AS bucket, b::INTEGER AS n_orders,
       count(*)::INTEGER AS customers, ${div(sql`count(*)`, sql`sum(count(*)) OVER ()`)} AS share
FROM (SELECT least(n_orders, 10) AS b FROM customers)
GROUP BY b ORDER BY b`;
}

/** Day bins of `daysSource`: rows of (days, w), each counted w times. */
function binned(daysSource: SqlFragment): SqlQuery {
  return sql`WITH d AS (${daysSource}), bins AS ${dayBins()},
c AS (SELECT ${dayBinOf('days')} AS bin, sum(w) AS n FROM d GROUP BY 1),
total AS (SELECT sum(n) AS n FROM c)
SELECT bins.bin, bins.lo, bins.hi, coalesce(c.n, 0)::INTEGER AS n,
       ${div(sql`coalesce(c.n, 0)`, sql`total.n`)} AS share
FROM bins LEFT JOIN c USING (bin), total ORDER BY bins.bin`;
}

export function daysToSecondQuery(): SqlQuery {
  return binned(sql`SELECT date_diff('day', first_date, second_date) AS days, 1 AS w FROM customers WHERE n_orders >= 2`);
}

export function gapsQuery(): SqlQuery {
  // A customer's second purchase order on the same day is a gap of 0 days: n − 1 of them per purchase day.
  return binned(sql`SELECT gap AS days, 1 AS w FROM purchase_days WHERE gap IS NOT NULL
  UNION ALL SELECT 0, n - 1 FROM purchase_days WHERE n > 1`);
}

/**
 * Each customer the curve follows (first purchase on or before as_of): `day` = days to their
 * second purchase order (`event`) or, without one by as_of, to as_of (censored). A KmPoint
 * counts these rows: at_risk = day ≥ its day, events = day = its day and event.
 */
export function kmTimes(asOf: string): SqlFragment {
  const a = asOfDate(asOf);
  return sql`SELECT customer_id, CASE WHEN second_date <= ${a} THEN date_diff('day', first_date, second_date)
              ELSE date_diff('day', first_date, ${a}) END AS day,
         coalesce(second_date <= ${a}, false) AS event
  FROM customers WHERE first_date <= ${a}`;
}

export function kaplanMeierQuery(p: RepurchaseParams): SqlQuery {
  return sql`WITH t AS (${kmTimes(p.asOf)}),
g AS (
  SELECT day, count(*) FILTER (WHERE event) AS events, count(*) FILTER (WHERE NOT event) AS censored
  FROM t GROUP BY day
  UNION ALL SELECT 0, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM t WHERE day = 0) AND EXISTS (SELECT 1 FROM t)),
r AS (
  SELECT day, events, censored,
         sum(events + censored) OVER (ORDER BY day DESC ROWS UNBOUNDED PRECEDING) AS at_risk
  FROM g),
s AS (
  SELECT day, events, censored, at_risk,
         bool_or(events = at_risk) OVER w AS reached_zero,
         sum(CASE WHEN events < at_risk THEN ln(1 - events / at_risk::DOUBLE) ELSE 0 END) OVER w AS log_s
  FROM r WINDOW w AS (ORDER BY day ROWS UNBOUNDED PRECEDING))
SELECT day::INTEGER AS day, at_risk::INTEGER AS at_risk, events::INTEGER AS events, censored::INTEGER AS censored,
       (CASE WHEN reached_zero THEN 1 ELSE 1 - exp(log_s) END)::DOUBLE AS cumulative
FROM s ORDER BY day`;
}

/**
 * S is a product computed as exp(Σ ln), so a curve that reaches exactly one half can come out
 * a few ulps short of it; a tolerance far below any share of a real customer base absorbs that.
 */
const HALF = 0.5 - 1e-9;

export function kmSummary(km: readonly KmPoint[]): KmSummary {
  const median = km.find((p) => p.cumulative >= HALF);
  return { median_days_to_second: median?.day ?? null, km_reached_share: km.at(-1)?.cumulative ?? null };
}

export function periodRepurchaseQuery(p: RepurchaseParams): SqlQuery {
  const asOf = asOfDate(p.asOf);
  return sql`WITH b AS (
  SELECT DISTINCT customer_id, date_trunc('month', order_date) AS m FROM orders WHERE is_purchase),
t AS (SELECT m, count(*) AS buyers FROM b WHERE m + INTERVAL 1 MONTH <= ${asOf} GROUP BY m),
r AS (
  SELECT b.m, count(*) AS returning FROM b JOIN b AS nb
    ON nb.customer_id = b.customer_id AND nb.m = b.m + INTERVAL 1 MONTH
  GROUP BY b.m)
SELECT strftime(t.m, '%Y-%m') AS period, strftime(t.m + INTERVAL 1 MONTH, '%Y-%m') AS next_period,
       t.buyers::INTEGER AS buyers, coalesce(r.returning, 0)::INTEGER AS returning,
       ${div(sql`coalesce(r.returning, 0)`, sql`t.buyers`)} AS rate,
       last_day((t.m + INTERVAL 1 MONTH)::DATE) <= ${asOf} AS complete,
       (t.buyers < ${minGroupSize(p)}) AS small
FROM t LEFT JOIN r USING (m) ORDER BY t.m`;
}

export function repurchaseByDimensionQuery(p: RepurchaseParams): SqlQuery | null {
  if (p.dimensions.length === 0) return null;
  const parts = p.dimensions.map(
    (d) => sql`SELECT ${d} AS dimension, ${raw(`first_${d}`)} AS value, count(*) AS customers,
       count(*) FILTER (WHERE n_orders >= 2) AS repeaters
FROM customers GROUP BY 2`,
  );
  return sql`SELECT dimension, value, customers::INTEGER AS customers, repeaters::INTEGER AS repeat_customers,
       ${div(sql`repeaters`, sql`customers`)} AS repurchase_rate, (customers < ${minGroupSize(p)}) AS small
FROM (${join(parts, '\nUNION ALL\n')})
ORDER BY dimension, small, customers DESC, value NULLS LAST`;
}

function minGroupSize(p: RepurchaseParams): number {
  return p.minGroupSize ?? DEFAULT_SETTINGS.minGroupSize;
}

export const repurchasePanel: PanelDescriptor<'repurchase', RepurchaseResult, 'overview'> = {
  id: 'repurchase',
  shows: ['overview'],
  weight: 398,
  kpis: ['repurchase_rate', 'repeat_order_share', 'median_days_to_second', 'km_reached_share', 'median_days_to_second_repeaters'],
  async run(db, settings, { asOf, mapped, ensure }) {
    await ensure?.('purchase_days');
    const rp: RepurchaseParams = { asOf, dimensions: mappedDimensions(mapped), minGroupSize: settings.minGroupSize };
    const byDim = repurchaseByDimensionQuery(rp);
    const summary = await one<RepurchaseSummaryRow>(db, repurchaseSummaryQuery());
    const orderCounts = await rows<OrderCountRow>(db, orderCountsQuery());
    const daysToSecond = await rows<DayBinRow>(db, daysToSecondQuery());
    const km = await rows<KmPoint>(db, kaplanMeierQuery(rp));
    return {
      summary,
      orderCounts,
      daysToSecond,
      km,
      kmSummary: kmSummary(km),
      gaps: await rows<DayBinRow>(db, gapsQuery()),
      byPeriod: await rows<PeriodRepurchaseRow>(db, periodRepurchaseQuery(rp)),
      byDimension: byDim ? await rows<RepurchaseByDimRow>(db, byDim) : [],
    };
  },
  metrics: (r) => ({
    median_days_to_second: r.kmSummary.median_days_to_second,
    km_reached_share: r.kmSummary.km_reached_share,
    median_days_to_second_repeaters: r.summary.median_days_to_second_repeaters,
  }),
  tables: (r) => [
    { name: 'order_counts', title: 'dash.col.orders', rows: r.orderCounts },
    { name: 'days_to_second', title: 'dash.col.days', rows: r.daysToSecond },
    { name: 'gaps', title: 'dash.col.gaps', rows: r.gaps },
    { name: 'next_month', title: 'dash.col.nextMonth', rows: r.byPeriod },
    ...(r.byDimension.length ? [{ name: 'by_dimension', title: 'dash.col.group', rows: r.byDimension }] : []),
    { name: 'kaplan_meier', title: 'dash.col.day', rows: r.km, inReport: false },
  ],
};
