/**
 * Key customers 红脸 / 白脸 / 暗脸 (METRICS.md §10): every customer of §1 (all orders after
 * the filters, like the Pareto ranking it uses), classed by profit and margin. Reads
 * `customer_keys` (`customerKeysTable`, written when the panel runs).
 */
import type { DbClient } from '../db/client.ts';
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import { createDerived } from '../model/derive.ts';
import { div, one, rows } from './common.ts';
import type { KeyClass } from './segments.ts';
import type { Metrics } from '../model/metrics.ts';
import type { PanelDescriptor } from './panel.ts';
import { namedTables } from './segments.ts';

export const KEY_CLASS_IDS: readonly KeyClass[] = ['red', 'white', 'dark', 'potential', 'ordinary'];

/**
 * The key-class rule of §10, shared by `customer_keys` and `customer_segments` so that the
 * two tables cannot disagree. `KEY_TOTALS` are the one-row totals `kt` over `ranked_value`;
 * `KEY_FLAGS`, over a row `rv` of `ranked_value`: large = Pareto rank ≤ ⌈0.2 × customers⌉,
 * rich = margin ≥ the overall margin (compared exactly, as profit × Σv ≥ Σp × value).
 */
export const KEY_TOTALS = `sum(profit) FILTER (WHERE x > 0) AS sp, sum(x) FILTER (WHERE x > 0 AND profit IS NOT NULL) AS sv,
         ceil(round(0.2 * count(*), 9)) AS large_n`;
// ⌈0.2 × n⌉ once, in the totals: as a DECIMAL round per row it was a quarter of the table's time.
export const KEY_FLAGS = `rv.rank <= kt.large_n AS large,
       rv.x > 0 AND kt.sv > 0 AND rv.profit::DECIMAL(38, 4) * kt.sv >= kt.sp * rv.x::DECIMAL(38, 4) AS rich`;

/**
 * margin = profit ÷ value when value > 0, and the key class of a row `t` with value, profit,
 * large and rich: dark when profit ≤ 0, red when large and rich, white when large, potential
 * when rich, else ordinary; null when the customer has no profit figure.
 */
export function keyClassColumns(t: string): string {
  return `CASE WHEN ${t}.value > 0 THEN ${t}.profit::DOUBLE / ${t}.value::DOUBLE END AS margin,
       CASE WHEN ${t}.profit IS NULL THEN NULL WHEN ${t}.profit <= 0 THEN 'dark'
            WHEN ${t}.large AND ${t}.rich THEN 'red' WHEN ${t}.large THEN 'white'
            WHEN ${t}.rich THEN 'potential' ELSE 'ordinary' END AS key_class`;
}

/**
 * `customer_keys`, one row per customer of §1 (needs `ranked_value`): value (§1), profit =
 * Σ profit of their lines (null when none has one), margin, large and the key class.
 * Written by the key-customer panel, its reader.
 */
export function customerKeysTable(): SqlQuery {
  // ranked_value carries each customer's value (x) and profit: no join with customers. (As a
  // view instead, the key-customer panel's reads cost 0.3 s more at 1 M lines than the write.)
  return sql`${createDerived('customer_keys')} AS
WITH kt AS (SELECT ${raw(KEY_TOTALS)} FROM ranked_value),
kc AS (SELECT rv.customer_id, rv.rank AS value_rank, rv.x AS value, rv.profit, ${raw(KEY_FLAGS)} FROM ranked_value rv, kt)
SELECT customer_id, value_rank, value, profit, ${raw(keyClassColumns('kc'))}, large
FROM kc`;
}

export async function buildKeyTable(db: DbClient): Promise<void> {
  await db.exec(customerKeysTable());
}

/** The panel's headline: over customers with a profit figure. */
export interface KeySummaryRow {
  readonly customers: number;
  /** Customers with a profit figure (some line with profit or cost). */
  readonly customers_with_profit: number;
  readonly total_profit: number;
  /** Σ profit ÷ Σ value over customers with value > 0 and a profit figure; null when that Σ value is 0. */
  readonly overall_margin: number | null;
  /** ⌈0.2 × customers⌉. */
  readonly large_customers: number;
}

/** One class: its customers, revenue = Σ value, Σ profit, and profit ÷ Σ profit of all customers. */
export interface KeyClassRow {
  readonly key_class: KeyClass;
  readonly customers: number;
  readonly revenue: number;
  readonly profit: number;
  readonly profit_share: number | null;
}

/** A point of the revenue × margin scatter (value > 0 only: the revenue axis is logarithmic). */
export interface KeyPoint {
  readonly customer_id: string;
  readonly value: number;
  readonly margin: number;
  readonly key_class: KeyClass;
}

export interface KeyCustomersParams {
  /** Most points of the scatter (default 2000). */
  readonly maxPoints?: number;
}

export interface KeyCustomersResult {
  /** False when no profit or cost column is mapped: the panel says so and shows nothing else. */
  readonly hasProfit: boolean;
  readonly summary: KeySummaryRow;
  readonly classes: readonly KeyClassRow[];
  readonly points: readonly KeyPoint[];
  /** Customers that could be drawn (value > 0 with a class), before thinning. */
  readonly pointsTotal: number;
  /** The smallest value among the large customers (the scatter's vertical cut line); null when none. */
  readonly largeCut: number | null;
}

export function keySummaryQuery(): SqlQuery {
  return sql`SELECT count(*)::INTEGER AS customers, count(profit)::INTEGER AS customers_with_profit,
       coalesce(sum(profit), 0)::DOUBLE AS total_profit,
       ${div(sql`sum(profit) FILTER (WHERE value > 0)`, sql`sum(value) FILTER (WHERE value > 0 AND profit IS NOT NULL)`)} AS overall_margin,
       ceil(round(0.2 * count(*), 9))::INTEGER AS large_customers
FROM customer_keys`;
}

export function keyClassesQuery(): SqlQuery {
  const list = raw(`(SELECT * FROM (VALUES ${KEY_CLASS_IDS.map((id, i) => `(${i}, '${id}')`).join(', ')}) AS v(ord, key_class))`);
  return sql`WITH t AS (SELECT sum(profit) AS total FROM customer_keys),
g AS (SELECT key_class, count(*) AS customers, sum(value) AS revenue, sum(profit) AS profit FROM customer_keys WHERE key_class IS NOT NULL GROUP BY 1)
SELECT v.key_class, coalesce(g.customers, 0)::INTEGER AS customers, coalesce(g.revenue, 0)::DOUBLE AS revenue,
       coalesce(g.profit, 0)::DOUBLE AS profit, ${div(sql`coalesce(g.profit, 0)`, sql`t.total`)} AS profit_share
FROM ${list} v CROSS JOIN t LEFT JOIN g USING (key_class)
ORDER BY v.ord`;
}

/**
 * The scatter, thinned to about `maxPoints`: every point when there are no more; else the
 * ⌊maxPoints ÷ 10⌋ largest customers by value, and within each class every s-th customer by
 * value (s = ⌈class size ÷ quota⌉, quota = the class's share of maxPoints, at least
 * ⌈maxPoints ÷ 40⌉), so small classes stay visible and each keeps its spread of revenue.
 */
export function keyPointsQuery(maxPoints = 2000): SqlQuery {
  const max = Math.max(4, Math.floor(maxPoints));
  return sql`WITH d AS (SELECT *, count(*) OVER () AS n, count(*) OVER (PARTITION BY key_class) AS cn,
             row_number() OVER (PARTITION BY key_class ORDER BY value DESC, customer_id) AS rn
      FROM customer_keys WHERE value > 0 AND key_class IS NOT NULL),
q AS (SELECT *, greatest(${Math.ceil(max / 40)}, round(${max}::DOUBLE * cn / n)) AS quota FROM d)
SELECT customer_id, value::DOUBLE AS value, margin::DOUBLE AS margin, key_class, n::INTEGER AS total
FROM q
WHERE n <= ${max} OR value_rank <= ${Math.floor(max / 10)} OR (rn - 1) % ceil(cn / quota)::BIGINT = 0
ORDER BY value DESC, customer_id`;
}

/** Writes `customer_keys` and reads the panel from it. */
export async function runKeyCustomers(db: DbClient, p: KeyCustomersParams = {}): Promise<KeyCustomersResult> {
  await buildKeyTable(db);
  const summary = await one<KeySummaryRow>(db, keySummaryQuery());
  const hasProfit = summary.customers_with_profit > 0;
  const points = hasProfit ? await rows<KeyPoint & { total: number }>(db, keyPointsQuery(p.maxPoints)) : [];
  return {
    hasProfit,
    summary,
    classes: hasProfit ? await rows<KeyClassRow>(db, keyClassesQuery()) : [],
    points: points.map(({ total: _total, ...pt }) => pt),
    pointsTotal: points[0]?.total ?? 0,
    largeCut: hasProfit ? (await one<{ cut: number | null }>(db, sql`SELECT (min(value) FILTER (WHERE large))::DOUBLE AS cut FROM customer_keys`)).cut : null,
  };
}

export function keyCustomersTables(r: KeyCustomersResult): Record<string, readonly object[]> {
  return { key_summary: [r.summary], key_classes: r.classes };
}

/** key_<class>: customers in each class; null for every class without profit. */
export function keyCustomersMetrics(r: KeyCustomersResult): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const id of KEY_CLASS_IDS) out[`key_${id}`] = r.hasProfit ? (r.classes.find((c) => c.key_class === id)?.customers ?? 0) : null;
  return out;
}

/** Key customers by revenue and margin (红脸/白脸/暗脸), when profit or cost is mapped (writes and reads `customer_keys`). */
export const keyCustomersPanel: PanelDescriptor<'key_customers', KeyCustomersResult> = {
  id: 'key_customers',
  needs: ['segments'],
  weight: 200,
  kpis: ['key_red', 'key_white', 'key_dark', 'key_potential', 'key_ordinary'],
  run: async (db, _settings, ctx) => {
    await ctx.ensure?.('rankings');
    return runKeyCustomers(db);
  },
  metrics: (r) => keyCustomersMetrics(r) as Partial<Metrics>,
  tables: (r) => namedTables(keyCustomersTables(r), 'dash.col.group'),
};
