/**
 * Customer composition 客户构成 (METRICS.md §11): customers, revenue and profit by each
 * mapped line dimension crossed with tier, RFM segment and lifecycle stage; and revenue
 * from new against returning customers month by month. Reads `f_lines`, `orders` and
 * `customer_segments`.
 */
import type { DbClient } from '../db/client.ts';
import { ident, join, literal, raw, sql, type SqlPart, type SqlQuery } from '../db/sql.ts';
import type { Dimension } from '../model/schema.ts';
import { asOfDate, div, isoDate, one, rows, type SqlFragment } from './common.ts';
import { mappedDimensions } from '../model/mapped.ts';
import type { Metrics } from '../model/metrics.ts';
import type { PanelDescriptor } from './panel.ts';
import { namedTables } from './segments.ts';

export type CompositionGrouping = 'tier' | 'segment' | 'stage';
export const COMPOSITION_GROUPINGS: readonly CompositionGrouping[] = ['tier', 'segment', 'stage'];

export interface CompositionParams {
  readonly asOf: string;
  /** The mapped line dimensions (category, region, channel). */
  readonly dimensions: readonly Dimension[];
  /** Values per dimension shown one by one (by revenue); the rest are one `other` row (default 20). */
  readonly maxValues?: number;
}

/**
 * The lines dated on or before as_of of customers (at as_of) whose line has `value` in
 * `dimension` and who are in `group` of `grouping`: their distinct customers, Σ amount and
 * Σ profit (null when no line has a profit). `value` null = lines with the dimension blank;
 * `other` = every value beyond the first maxValues by revenue, together.
 */
export interface CompositionRow {
  readonly dimension: Dimension;
  readonly value: string | null;
  readonly other: boolean;
  readonly grouping: CompositionGrouping;
  /** Tier A/B/C, RFM segment id or stage id; null for the tier when total value ≤ 0. */
  readonly group: string | null;
  readonly customers: number;
  readonly revenue: number;
  readonly profit: number | null;
}

/**
 * One month (first day, ISO) of purchase orders dated on or before as_of: those in their
 * customer's first purchase month (new) and the others (returning), with their customers
 * and Σ order_net.
 */
export interface NewReturningRow {
  readonly month: string;
  readonly new_customers: number;
  readonly new_revenue: number;
  readonly returning_customers: number;
  readonly returning_revenue: number;
}

export interface CompositionSummaryRow {
  /** Σ new_revenue ÷ Σ order_net of all purchase orders dated on or before as_of (null when 0). */
  readonly new_customer_revenue_share: number | null;
}

export interface CompositionResult {
  readonly rows: readonly CompositionRow[];
  readonly months: readonly NewReturningRow[];
  readonly summary: CompositionSummaryRow;
}

/**
 * CTE `o`: one row per dimension of `p.dimensions` (`dim_no`, its place there), customer (at
 * as_of) and shown value (`shown` null with `other` for the values beyond the dimension's
 * first maxValues by revenue, and for blank ones without it), with the customer's tier,
 * segment and stage and their lines' Σ amount and Σ profit. One scan of the lines serves every
 * dimension: a grouping set each.
 */
export function compositionCustomersCte(p: CompositionParams): SqlFragment {
  const max = Math.max(1, Math.floor(p.maxValues ?? 20));
  const dims = p.dimensions.map((d) => ident(d));
  const perDimension = (value: (i: number) => SqlPart) =>
    sql`CASE ${join(dims.map((d, i) => sql`WHEN GROUPING(${d}) = 0 THEN ${value(i)}`), ' ')} END`;
  // Lines are first summed per customer and value, so that the grouping sets count rows, not
  // distinct ids. A customer's row is then unique for each shown value and for blanks; only the
  // values put together as `other` need summing again.
  return sql`cv AS (
  SELECT customer_id, ${perDimension((i) => raw(String(i)))} AS dim_no, ${perDimension((i) => dims[i] ?? null)} AS value,
         sum(amount) AS revenue, sum(profit) AS profit
  FROM f_lines WHERE order_date <= ${asOfDate(p.asOf)}
  GROUP BY GROUPING SETS (${join(dims.map((d) => sql`(customer_id, ${d})`))})),
l AS (
  SELECT cv.*, c.tier, c.rfm_segment, c.stage FROM cv JOIN customer_segments c USING (customer_id)),
top AS (
  SELECT dim_no, value FROM l WHERE value IS NOT NULL GROUP BY dim_no, value
  QUALIFY row_number() OVER (PARTITION BY dim_no ORDER BY sum(revenue) DESC, value) <= ${max}),
v AS (
  SELECT l.*, l.value IS NOT NULL AND top.value IS NULL AS other, top.value AS shown
  FROM l LEFT JOIN top USING (dim_no, value)),
o AS (
  SELECT dim_no, customer_id, shown, other, tier, rfm_segment, stage, revenue, profit FROM v WHERE NOT other
  UNION ALL
  SELECT dim_no, customer_id, NULL, true, any_value(tier), any_value(rfm_segment), any_value(stage), sum(revenue), sum(profit)
  FROM v WHERE other GROUP BY dim_no, customer_id)`;
}

/** The rows of every dimension of `p.dimensions`, in that order; null when there is none. */
export function compositionQuery(p: CompositionParams): SqlQuery | null {
  if (p.dimensions.length === 0) return null;
  const names = join(p.dimensions.map((d) => literal(d)));
  return sql`WITH ${compositionCustomersCte(p)},
g AS (
  SELECT dim_no, shown, other, tier, rfm_segment, stage, GROUPING(tier, rfm_segment, stage) AS gid,
         count(*) AS customers, sum(revenue) AS revenue, sum(profit) AS profit
  FROM o GROUP BY GROUPING SETS ((dim_no, shown, other, tier), (dim_no, shown, other, rfm_segment), (dim_no, shown, other, stage)))
SELECT [${names}][dim_no + 1]::VARCHAR AS dimension, shown::VARCHAR AS value, other,
       CASE gid WHEN 3 THEN 'tier' WHEN 5 THEN 'segment' ELSE 'stage' END AS grouping,
       coalesce(tier, rfm_segment, stage)::VARCHAR AS "group",
       customers::INTEGER AS customers, revenue::DOUBLE AS revenue, profit::DOUBLE AS profit
FROM g
ORDER BY dim_no, gid, other, shown NULLS LAST, "group" NULLS LAST`;
}

export function newReturningQuery(asOf: string): SqlQuery {
  return sql`WITH o AS (
  SELECT o.customer_id, o.order_net, date_trunc('month', o.order_date) AS month,
         date_trunc('month', o.order_date) = date_trunc('month', c.first_date) AS is_new
  FROM orders o JOIN customer_segments c USING (customer_id)
  WHERE o.is_purchase AND o.order_date <= ${asOfDate(asOf)})
SELECT ${isoDate(sql`month`)} AS month,
       (count(DISTINCT customer_id) FILTER (WHERE is_new))::INTEGER AS new_customers,
       coalesce(sum(order_net) FILTER (WHERE is_new), 0)::DOUBLE AS new_revenue,
       (count(DISTINCT customer_id) FILTER (WHERE NOT is_new))::INTEGER AS returning_customers,
       coalesce(sum(order_net) FILTER (WHERE NOT is_new), 0)::DOUBLE AS returning_revenue
FROM o GROUP BY month ORDER BY month`;
}

/** From the per-customer sums of `customer_segments` (the same orders: purchase orders dated on or before as_of). */
export function compositionSummaryQuery(): SqlQuery {
  return sql`SELECT ${div(sql`sum(first_month_net)`, sql`sum(purchase_net)`)} AS new_customer_revenue_share FROM customer_segments`;
}

/**
 * Needs the tables of `buildSegmentTables` (same as_of). With `deferCrosses` the rows and the
 * months are left empty, for `compositionCrosses` to fill when the panel is opened.
 */
export async function runComposition(db: DbClient, p: CompositionParams, deferCrosses = false): Promise<CompositionResult> {
  const summary = await one<CompositionSummaryRow>(db, compositionSummaryQuery());
  return { ...(deferCrosses ? { rows: [], months: [] } : await compositionCrosses(db, p)), summary };
}

/** The crosses by dimension and the months of new against returning revenue (the costly part). */
export async function compositionCrosses(db: DbClient, p: CompositionParams): Promise<Pick<CompositionResult, 'rows' | 'months'>> {
  const crosses = compositionQuery(p);
  return { rows: crosses ? await rows<CompositionRow>(db, crosses) : [], months: await rows<NewReturningRow>(db, newReturningQuery(p.asOf)) };
}

export function compositionTables(r: CompositionResult): Record<string, readonly object[]> {
  return { composition: r.rows, new_vs_returning: r.months };
}

export function compositionMetrics(r: CompositionResult): Record<string, number | null> {
  return { new_customer_revenue_share: r.summary.new_customer_revenue_share };
}

/** Customers, revenue and profit by dimension × tier, segment and stage; new vs returning revenue (reads the segments panel's tables). */
export const compositionPanel: PanelDescriptor<'composition', CompositionResult> = {
  id: 'composition',
  needs: ['segments'],
  weight: 3,
  kpis: ['new_customer_revenue_share'],
  run: (db, _settings, { asOf, mapped, defer }) => runComposition(db, { asOf, dimensions: mappedDimensions(mapped) }, defer === true),
  deferred: {
    complete: async (db, _settings, { asOf, mapped }, r) => ({ ...r, ...(await compositionCrosses(db, { asOf, dimensions: mappedDimensions(mapped) })) }),
  },
  metrics: (r) => compositionMetrics(r) as Partial<Metrics>,
  tables: (r) => namedTables(compositionTables(r), 'dash.col.group'),
};
