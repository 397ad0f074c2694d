/**
 * The customers behind a tier or a quadrant, for export (one row per customer).
 */
import { join, raw, sql, type SqlQuery } from '../db/sql.ts';
import type { Settings } from '../model/settings.ts';
import type { Tier } from './pareto.ts';
import { quadrantCase, type Quadrant } from './satisfaction.ts';
import { asOfDate, isoDate, type SqlFragment } from './common.ts';

export interface CustomerListParams {
  readonly asOf: string;
  readonly tierA: number;
  readonly tierB: number;
  /** Resolved threshold (ScaleInfo.high); null = no quadrant. */
  readonly high: number | null;
  readonly loyalMinOrders: number;
  /** Keep only this tier / quadrant; omitted = everyone. */
  readonly tier?: Tier;
  readonly quadrant?: Quadrant;
}

/** Ordered by value descending, then customer id (the Pareto rank). */
export interface CustomerListRow {
  readonly customer_id: string;
  readonly rank: number;
  readonly value: number;
  readonly n_orders: number;
  /** ISO dates. */
  readonly first_date: string;
  readonly last_date: string;
  readonly recency_days: number;
  /** null when total value ≤ 0. */
  readonly tier: Tier | null;
  readonly score: number | null;
  /** null without a score or a scale. */
  readonly quadrant: Quadrant | null;
}

export function customerListQuery(p: CustomerListParams): SqlQuery {
  const quadrant = p.high === null ? raw('NULL::VARCHAR') : quadrantCase(p.high, p.loyalMinOrders);
  const conds: SqlFragment[] = [];
  if (p.tier) conds.push(sql`tier = ${p.tier}`);
  if (p.quadrant) conds.push(sql`quadrant = ${p.quadrant}`);
  const where = conds.length ? sql`WHERE ${join(conds, ' AND ')}` : raw('');
  return sql`WITH r AS (
  SELECT *, row_number() OVER (ORDER BY value DESC, customer_id) AS rank,
         sum(value) OVER (ORDER BY value DESC, customer_id ROWS UNBOUNDED PRECEDING) AS cum,
         sum(value) OVER () AS total
  FROM customers),
cuts AS (SELECT min(rank) FILTER (WHERE total > 0 AND cum::DOUBLE >= ${p.tierA}::DOUBLE * total::DOUBLE) AS a,
                min(rank) FILTER (WHERE total > 0 AND cum::DOUBLE >= ${p.tierB}::DOUBLE * total::DOUBLE) AS b FROM r),
l AS (
  SELECT r.customer_id, r.rank, r.value, r.n_orders, r.first_date, r.last_date, r.score,
         CASE WHEN cuts.a IS NULL THEN NULL WHEN r.rank <= cuts.a THEN 'A' WHEN r.rank <= cuts.b THEN 'B' ELSE 'C' END AS tier,
         ${quadrant} AS quadrant
  FROM r, cuts)
SELECT customer_id, rank::INTEGER AS rank, value::DOUBLE AS value, n_orders::INTEGER AS n_orders,
       ${isoDate(sql`first_date`)} AS first_date, ${isoDate(sql`last_date`)} AS last_date,
       date_diff('day', last_date, ${asOfDate(p.asOf)})::INTEGER AS recency_days,
       tier, score::DOUBLE AS score, quadrant
FROM l ${where} ORDER BY rank`;
}

/**
 * The customer list of a dashboard run (everyone, or one tier or quadrant), with the run's
 * as-of date and thresholds: the one place the page's exports, the report and `analyze
 * --customers` get it from.
 */
export function customerListFor(
  run: { readonly asOf: string | null; readonly satisfaction: { readonly scaleInfo: { readonly high: number | null } } },
  settings: Pick<Settings, 'tierA' | 'tierB' | 'loyalMinOrders'>,
  filter: { readonly tier?: Tier; readonly quadrant?: Quadrant } = {},
): SqlQuery {
  return customerListQuery({
    asOf: run.asOf ?? '1970-01-01',
    tierA: settings.tierA,
    tierB: settings.tierB,
    high: run.satisfaction.scaleInfo.high,
    loyalMinOrders: settings.loyalMinOrders,
    ...filter,
  });
}

/** The columns of `CustomerListRow`, in order. */
export const CUSTOMER_LIST_COLUMNS = ['customer_id', 'rank', 'value', 'n_orders', 'first_date', 'last_date', 'recency_days', 'tier', 'score', 'quadrant'] as const;
