/**
 * One customer's page: their orders (from `orders`, after the filters and the as-of date)
 * and their row of `customer_segments` (stage, RFM segment, tier, warning figures).
 */
import type { DbClient } from '../db/client.ts';
import { sql, type SqlQuery } from '../db/sql.ts';
import { isoDate, rows } from './common.ts';
import type { Tier } from './pareto.ts';
import type { KeyClass, RfmSegment, Stage } from './segments.ts';

/** One order: its key (the order id, or the day for lines without one), day, net amount (returns negative) and lines. */
export interface CustomerOrderRow {
  readonly order_key: string;
  readonly order_date: string;
  readonly order_net: number;
  readonly n_lines: number;
  readonly is_purchase: boolean;
  readonly category: string | null;
  readonly region: string | null;
  readonly channel: string | null;
}

/** The customer's figures of METRICS.md §7–§10 at the as-of date (`customer_segments`). */
export interface CustomerProfileRow {
  readonly customer_id: string;
  readonly stage: Stage;
  readonly rfm_segment: RfmSegment;
  readonly r_score: number;
  readonly f_score: number;
  readonly m_score: number;
  readonly tier: Tier | null;
  readonly key_class: KeyClass | null;
  readonly first_date: string;
  readonly last_date: string;
  readonly p: number;
  readonly g: number | null;
  readonly recency_days: number;
  readonly overdue_days: number | null;
  readonly n_orders: number;
  readonly value: number;
  readonly value_365: number;
  readonly current: number;
  readonly baseline: number | null;
  readonly drop: number | null;
  readonly churn_flag: boolean;
  readonly pace_flag: boolean;
  readonly profit: number | null;
  readonly margin: number | null;
}

export interface CustomerDetail {
  readonly profile: CustomerProfileRow | null;
  readonly orders: readonly CustomerOrderRow[];
  /** Orders of the customer in all (the list holds the latest `limit`). */
  readonly totalOrders: number;
}

/** The customer's latest `limit` orders, oldest first (ties: order key). */
export function customerOrdersQuery(customerId: string, limit = 500): SqlQuery {
  const n = Math.max(1, Math.min(5000, Math.floor(limit)));
  return sql`SELECT * FROM (
  SELECT order_key::VARCHAR AS order_key, ${isoDate(sql`order_date`)} AS order_date, order_net::DOUBLE AS order_net,
         n_lines::INTEGER AS n_lines, is_purchase, category::VARCHAR AS category, region::VARCHAR AS region, channel::VARCHAR AS channel,
         count(*) OVER ()::INTEGER AS total
  FROM orders WHERE customer_id = ${customerId}
  ORDER BY order_date DESC, order_key DESC LIMIT ${n})
ORDER BY order_date, order_key`;
}

export function customerProfileQuery(customerId: string): SqlQuery {
  return sql`SELECT customer_id::VARCHAR AS customer_id, stage::VARCHAR AS stage, rfm_segment::VARCHAR AS rfm_segment,
       r_score::INTEGER AS r_score, f_score::INTEGER AS f_score, m_score::INTEGER AS m_score, tier::VARCHAR AS tier,
       key_class::VARCHAR AS key_class, ${isoDate(sql`first_date`)} AS first_date, ${isoDate(sql`last_date`)} AS last_date,
       p::INTEGER AS p, g::DOUBLE AS g, recency_days::INTEGER AS recency_days, overdue_days::DOUBLE AS overdue_days,
       n_orders::INTEGER AS n_orders, value::DOUBLE AS value, value_365::DOUBLE AS value_365, current_net::DOUBLE AS current,
       baseline::DOUBLE AS baseline, (baseline - current_net::DOUBLE)::DOUBLE AS drop, churn_flag, pace_flag,
       profit::DOUBLE AS profit, margin::DOUBLE AS margin
FROM customer_segments WHERE customer_id = ${customerId}
ORDER BY customer_id`;
}

export async function customerDetail(db: DbClient, customerId: string, limit = 500): Promise<CustomerDetail> {
  const [profile] = await rows<CustomerProfileRow>(db, customerProfileQuery(customerId));
  const got = await rows<CustomerOrderRow & { total: number }>(db, customerOrdersQuery(customerId, limit));
  return {
    profile: profile ?? null,
    orders: got.map(({ total: _t, ...o }) => o),
    totalOrders: got[0]?.total ?? 0,
  };
}
