/**
 * Overview KPIs (METRICS.md §2, plus the customer-level counts of §3 and §5 that share
 * the same scan of `customers`).
 */
import { sql, type SqlQuery } from '../db/sql.ts';
import { asOfDate, div, isoDate } from './common.ts';

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
