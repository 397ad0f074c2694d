/**
 * Overview KPIs (METRICS.md §2, plus the customer-level counts of §3 and §5 that share
 * the same scan of `customers`), the monthly trend, and two facts of the whole dataset:
 * the values the dimension filters offer and the currencies the amounts name; and the
 * totals per currency group, so that a file mixing currencies hides none of them.
 */
import { ident, join, raw, sql, type SqlQuery } from '../db/sql.ts';
import type { Mapped } from '../model/derive.ts';
import type { FirstCohort } from '../model/settings.ts';
import type { Dimension } from '../model/schema.ts';
import { UNMARKED } from '../model/settings.ts';
import { asOfDate, div, isoDate } from './common.ts';
import { one, rows } from './common.ts';
import type { PanelDescriptor } from './panel.ts';
import { activityQuery, firstCohortCte, type ActivityRow } from './retention.ts';

export interface OverviewParams {
  /** ISO date (YYYY-MM-DD). */
  readonly asOf: string;
  /** Churn window W in days. */
  readonly churnWindowDays: number;
}

/** One row. Money in the data's currency (DOUBLE from exact DECIMAL sums). */
export interface OverviewRow {
  /** Customers: ids with at least one purchase order (`order_net ≥ 0`). */
  readonly customers: number;
  /** Purchase orders. */
  readonly orders: number;
  /** Return orders (`order_net < 0`), of customers and non-customers. */
  readonly return_orders: number;
  /** Sum of the amounts of all kept lines after the filters (net of returns). */
  readonly revenue: number;
  /** Sum of `order_net` over return orders (≤ 0). */
  readonly returns_value: number;
  /** Sum of `order_net` over purchase orders. */
  readonly purchase_value: number;
  /** Sum of `order_net` over purchase orders ÷ `orders`; null when no orders. */
  readonly aov: number | null;
  /** `orders ÷ customers`; null when no customers. */
  readonly orders_per_customer: number | null;
  /** Customers with `n_orders ≥ 2` ÷ `customers`. */
  readonly repurchase_rate: number | null;
  /** `(orders − customers) ÷ orders`. */
  readonly repeat_order_share: number | null;
  /** Customers with `as_of − last_date ≤ W` days. */
  readonly active_customers: number;
  /** `customers − active_customers`. */
  readonly lapsed_customers: number;
  /** Earliest / latest calendar day among kept lines (ISO), null when none. */
  readonly first_day: string | null;
  readonly last_day: string | null;
  /** The as-of date used (ISO). */
  readonly as_of: string;
}

export function overviewQuery(p: OverviewParams): SqlQuery {
  return sql`WITH
l AS (SELECT sum(amount) AS revenue, min(order_date) AS first_day, max(order_date) AS last_day FROM f_lines),
o AS (
  SELECT count(*) FILTER (WHERE is_purchase) AS orders,
         count(*) FILTER (WHERE NOT is_purchase) AS return_orders,
         coalesce(sum(order_net) FILTER (WHERE NOT is_purchase), 0) AS returns_value,
         coalesce(sum(order_net) FILTER (WHERE is_purchase), 0) AS purchase_value
  FROM orders),
c AS (
  SELECT count(*) AS customers,
         count(*) FILTER (WHERE n_orders >= 2) AS repeaters,
         count(*) FILTER (WHERE date_diff('day', last_date, ${asOfDate(p.asOf)}) <= ${p.churnWindowDays}) AS active
  FROM customers)
SELECT c.customers::INTEGER AS customers,
       o.orders::INTEGER AS orders,
       o.return_orders::INTEGER AS return_orders,
       coalesce(l.revenue, 0)::DOUBLE AS revenue,
       o.returns_value::DOUBLE AS returns_value,
       o.purchase_value::DOUBLE AS purchase_value,
       ${div(sql`o.purchase_value`, sql`o.orders`)} AS aov,
       ${div(sql`o.orders`, sql`c.customers`)} AS orders_per_customer,
       ${div(sql`c.repeaters`, sql`c.customers`)} AS repurchase_rate,
       ${div(sql`o.orders - c.customers`, sql`o.orders`)} AS repeat_order_share,
       c.active::INTEGER AS active_customers,
       (c.customers - c.active)::INTEGER AS lapsed_customers,
       ${isoDate(sql`l.first_day`)} AS first_day,
       ${isoDate(sql`l.last_day`)} AS last_day,
       ${isoDate(asOfDate(p.asOf))} AS as_of
FROM l, o, c`;
}

/**
 * One calendar month of the trend, every month from the first to the last order
 * (after the filters), empty months included. Months are those of `order_date`.
 */
export interface TrendRow {
  /** ISO date of the first day of the month. */
  readonly period: string;
  /** Sum of `order_net` over all orders of the month (returns included). Over all months it is `revenue`. */
  readonly revenue: number;
  /** Purchase orders of the month. */
  readonly orders: number;
  /** Active customers: customers with a purchase order in the month. */
  readonly customers: number;
  /**
   * New customers: customers whose `first_date` is in the month; 0 in the first month when its
   * customers are taken as customers from before the data starts (METRICS.md §5).
   */
  readonly new_customers: number;
}

export function trendQuery(firstCohort: FirstCohort = 'new'): SqlQuery {
  return sql`WITH ${firstCohortCte('month', firstCohort)},
bounds AS (SELECT date_trunc('month', min(order_date))::TIMESTAMP AS lo, date_trunc('month', max(order_date))::TIMESTAMP AS hi FROM orders),
months AS (SELECT unnest(generate_series(lo, hi, INTERVAL 1 MONTH))::DATE AS period FROM bounds WHERE lo IS NOT NULL),
o AS (
  SELECT date_trunc('month', order_date)::DATE AS period,
         sum(order_net) AS revenue,
         count(*) FILTER (WHERE is_purchase) AS orders,
         count(DISTINCT customer_id) FILTER (WHERE is_purchase) AS customers
  FROM orders GROUP BY 1),
n AS (SELECT date_trunc('month', first_date)::DATE AS period, count(*) AS new_customers FROM customers GROUP BY 1)
SELECT ${isoDate(sql`m.period`)} AS period,
       coalesce(o.revenue, 0)::DOUBLE AS revenue,
       coalesce(o.orders, 0)::INTEGER AS orders,
       coalesce(o.customers, 0)::INTEGER AS customers,
       CASE WHEN (SELECT existing FROM fc) AND m.period = (SELECT start FROM fc)::DATE THEN 0
            ELSE coalesce(n.new_customers, 0) END::INTEGER AS new_customers
FROM months m LEFT JOIN o USING (period) LEFT JOIN n USING (period)
ORDER BY m.period`;
}

/** How many values of one dimension the filters offer. */
export const CHOICES_LIMIT = 200;

/**
 * One value a dimension filter offers: over all kept lines (no filter applied), the most
 * frequent first (ties by value), at most `limit` per dimension. Null values are not offered.
 */
export interface DimensionChoiceRow {
  readonly dimension: Dimension;
  readonly value: string;
  /** Kept lines with this value. */
  readonly lines: number;
  /** 1-based position in the dimension's list. */
  readonly rank: number;
  /** Distinct non-null values of the dimension (the list stops at `limit`). */
  readonly distinct_values: number;
}

/** Null when no dimension is mapped. */
export function dimensionChoicesQuery(dimensions: readonly Dimension[], limit = CHOICES_LIMIT): SqlQuery | null {
  if (dimensions.length === 0) return null;
  const counts = dimensions.map(
    (d) => sql`SELECT ${d} AS dimension, ${ident(d)} AS value, count(*) AS lines FROM lines WHERE ${ident(d)} IS NOT NULL GROUP BY ${ident(d)}`,
  );
  return sql`WITH
v AS (${join(counts, ' UNION ALL ')}),
r AS (
  SELECT *, row_number() OVER (PARTITION BY dimension ORDER BY lines DESC, value) AS rank,
         count(*) OVER (PARTITION BY dimension) AS distinct_values
  FROM v)
SELECT dimension::VARCHAR AS dimension, value::VARCHAR AS value, lines::INTEGER AS lines, rank::INTEGER AS rank,
       distinct_values::INTEGER AS distinct_values
FROM r WHERE rank <= ${limit}
ORDER BY dimension, rank`;
}

/** A currency the amount cells name (ISO 4217), with its kept lines. */
export interface CurrencyRow {
  readonly currency: string;
  readonly lines: number;
}

/** Over all kept lines; most lines first. Lines whose amount names no currency are left out. */
export function currenciesQuery(): SqlQuery {
  return sql`SELECT currency::VARCHAR AS currency, count(*)::INTEGER AS lines
FROM lines WHERE currency IS NOT NULL
GROUP BY currency
ORDER BY lines DESC, currency`;
}

/**
 * One currency group of the kept lines (METRICS.md §1 "Currency"), from `f_currency` and
 * `f_scope` (after derive): what the dashboard shows when that group is analysed.
 */
export interface CurrencyTotalRow {
  /** ISO code; null for the lines whose amount names no currency. */
  readonly currency: string | null;
  /** Kept lines of the group, no filter applied (the default group has the most). */
  readonly all_lines: number;
  /** After the date and dimension filters: kept lines, customers, revenue (Σ amount). */
  readonly lines: number;
  readonly customers: number;
  readonly revenue: number;
  /** The group the dashboard analyses; false for every group unless two or more currencies are named. */
  readonly shown: boolean;
}

/**
 * Every group present in the data, most lines first, unmarked last. `customers` follows
 * METRICS.md §1 on the group's lines alone (ids with a purchase order), so the shown
 * group's row equals the dashboard's `customers` and `revenue`.
 */
export function currencyTotalsQuery(mapped: Pick<Mapped, 'order'>): SqlQuery {
  const day = "strftime(order_date, '%Y-%m-%d')";
  const key = mapped.order ? `order_id IS NOT NULL, coalesce(order_id, ${day})` : `false, ${day}`;
  return sql`WITH
o AS (
  SELECT coalesce(currency, ${raw(`'${UNMARKED}'`)}) AS grp, customer_id, sum(amount) AS net, count(*) AS n
  FROM f_scope GROUP BY grp, customer_id, ${raw(key)}),
t AS (
  SELECT grp, sum(n) AS lines, count(DISTINCT customer_id) FILTER (WHERE net >= 0) AS customers, sum(net) AS revenue
  FROM o GROUP BY grp)
SELECT f.currency::VARCHAR AS currency, f.lines::INTEGER AS all_lines,
       coalesce(t.lines, 0)::INTEGER AS lines, coalesce(t.customers, 0)::INTEGER AS customers,
       coalesce(t.revenue, 0)::DOUBLE AS revenue, f.shown AS shown
FROM f_currency f LEFT JOIN t USING (grp)
ORDER BY f.currency IS NULL, f.lines DESC, f.currency`;
}

/** What the currency rule decided for one run. */
export interface CurrencyView {
  /** Two or more currencies named: one group is analysed at a time. */
  readonly mixed: boolean;
  /**
   * The group analysed: an ISO code, `UNMARKED`, or null when every line is analysed and
   * none names a currency. Not mixed: the one named currency (unmarked lines count as it).
   */
  readonly analysed: string | null;
  readonly totals: readonly CurrencyTotalRow[];
}

export function currencyView(totals: readonly CurrencyTotalRow[]): CurrencyView {
  const named = totals.filter((r) => r.currency !== null);
  const shown = totals.find((r) => r.shown);
  if (named.length >= 2) return { mixed: true, analysed: shown ? (shown.currency ?? UNMARKED) : null, totals };
  return { mixed: false, analysed: named[0]?.currency ?? null, totals };
}

/** The currency selector: offered when the data names two or more currencies. */
export interface CurrencyChoice {
  /** Every group, most lines first (unmarked last): ISO code or `UNMARKED`, with its kept lines. */
  readonly options: readonly { readonly value: string; readonly lines: number }[];
  /** The group analysed. */
  readonly selected: string;
}

/**
 * Options from the per-currency totals of the last run when read, else from the dataset's
 * named currencies (facts, most lines first). Selected: the requested group when offered
 * (so the choice shows at once, before its run ends), else the rule of METRICS.md §1.
 * Null when the data names fewer than two currencies.
 */
export function currencyChoice(
  named: readonly CurrencyRow[],
  totals: readonly CurrencyTotalRow[],
  requested: string | null | undefined,
): CurrencyChoice | null {
  const view = currencyView(totals);
  const [first] = named;
  const fromTotals = view.mixed && view.analysed !== null;
  if (!fromTotals && (named.length < 2 || first === undefined)) return null;
  const options = fromTotals
    ? totals.map((r) => ({ value: r.currency ?? UNMARKED, lines: r.all_lines }))
    : named.map((r) => ({ value: r.currency, lines: r.lines }));
  const fallback = (fromTotals ? view.analysed : first?.currency) ?? UNMARKED;
  return { options, selected: options.find((o) => o.value === requested)?.value ?? fallback };
}

/** The Overview's result: the overview row, the monthly trend and the active/lapsed split over time. */
export interface OverviewResult extends OverviewRow {
  /** Month by month from the first to the last order (after the filters). */
  readonly trend: readonly TrendRow[];
  /** Active and lapsed customers at each month end and at as_of. */
  readonly activity: readonly ActivityRow[];
}

export const overviewPanel: PanelDescriptor<'overview', OverviewResult> = {
  id: 'overview',
  weight: 152,
  kpis: ['customers', 'orders', 'revenue', 'returns_value', 'aov', 'orders_per_customer', 'active_customers', 'lapsed_customers'],
  async run(db, settings, { asOf, ensure }) {
    // The activity line reads purchase_days.
    await ensure?.('purchase_days');
    const row = await one<OverviewRow>(db, overviewQuery({ asOf, churnWindowDays: settings.churnWindowDays }));
    return {
      ...row,
      trend: await rows<TrendRow>(db, trendQuery(settings.firstCohort)),
      activity: await rows<ActivityRow>(db, activityQuery({ asOf, churnWindowDays: settings.churnWindowDays })),
    };
  },
  metrics: (r) => ({
    customers: r.customers,
    orders: r.orders,
    revenue: r.revenue,
    returns_value: r.returns_value,
    aov: r.aov,
    orders_per_customer: r.orders_per_customer,
    repurchase_rate: r.repurchase_rate,
    repeat_order_share: r.repeat_order_share,
    active_customers: r.active_customers,
    lapsed_customers: r.lapsed_customers,
  }),
  tables: (r) => [
    { name: 'activity', title: 'dash.col.active', rows: r.activity },
    { name: 'trend', title: 'dash.col.month', rows: r.trend, inReport: false },
  ],
};
