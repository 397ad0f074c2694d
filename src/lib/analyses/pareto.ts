/**
 * Pareto (80/20) and value tiers (METRICS.md §4). Customers are ranked by `value`
 * descending, ties by customer id ascending; every figure comes from the full ranking,
 * only the curve is thinned for drawing.
 */
import { raw, sql, type SqlPart, type SqlQuery } from '../db/sql.ts';
import { createDerived } from '../model/derive.ts';
import { div } from './common.ts';
import { one, rows } from './common.ts';
import type { PanelDescriptor } from './panel.ts';

export interface ParetoParams {
  /** Tier A ends at the first rank where the cumulative value share reaches this (0.8). */
  readonly tierA: number;
  /** Tier B ends at the first rank where it reaches this (0.95). */
  readonly tierB: number;
  /** X of "the top X % of customers bring Y % of value" (0.2). */
  readonly topShare: number;
  /** Most points of the curve (the last point and the tier cuts are always kept). */
  readonly maxCurvePoints?: number;
}

export type Tier = 'A' | 'B' | 'C';

/** The headline figures, one row. */
export interface ParetoSummaryRow {
  readonly customers: number;
  /** Σ value over customers (returns included). */
  readonly total_value: number;
  /** Σ max(value, 0). */
  readonly positive_value: number;
  /** Value of the first ⌈0.2 × customers⌉ ranked customers ÷ total_value; null when total_value ≤ 0. */
  readonly top20_share: number | null;
  /** ⌈topShare × customers⌉ (the customers counted by `top_share`). */
  readonly top_customers: number;
  /** Value of the first ⌈topShare × customers⌉ ranked customers ÷ total_value; null when total_value ≤ 0. */
  readonly top_share: number | null;
  /** Gini of max(value, 0): Σᵢ (2i − n − 1)·xᵢ ÷ (n · Σ xᵢ), x ascending; null when Σ xᵢ = 0. */
  readonly gini: number | null;
  /** Rank of the first customer where the cumulative value share reaches tierA; null when total_value ≤ 0. */
  readonly tier_a_customers: number | null;
  /** tier_a_customers ÷ customers. */
  readonly tier_a_customer_share: number | null;
  /** Rank of the first customer where the cumulative value share reaches tierB; null when total_value ≤ 0. */
  readonly tier_b_last_rank: number | null;
}

/**
 * A point of the concentration (Pareto/Lorenz) curve: the top `rank` customers by value are
 * `customer_share` of customers and bring `value_share` of total value. Starts at (0, 0).
 * Empty when total_value ≤ 0.
 */
export interface LorenzPoint {
  readonly rank: number;
  readonly customer_share: number;
  readonly value_share: number;
}

/**
 * Decile d (1 = most valuable; in the profit view, `value` is profit) holds the ranks r with ⌈10·r ÷ customers⌉ = d (with fewer
 * than 10 customers some deciles are empty and absent).
 */
export interface DecileRow {
  readonly decile: number;
  readonly customers: number;
  readonly value: number;
  /** value ÷ total_value (null when total_value ≤ 0). */
  readonly value_share: number | null;
  /** Cumulative share up to and including this decile. */
  readonly cum_value_share: number | null;
}

/** One value tier. Tiers are absent when total_value ≤ 0. */
export interface TierRow {
  readonly tier: Tier;
  readonly first_rank: number;
  readonly last_rank: number;
  readonly customers: number;
  /** customers ÷ all customers. */
  readonly customer_share: number;
  readonly value: number;
  /** value ÷ total_value. */
  readonly value_share: number | null;
  /** Purchase orders of the tier's customers. */
  readonly orders: number;
  /** Σ order_net of their purchase orders ÷ orders. */
  readonly aov: number | null;
  /** Their customers with n_orders ≥ 2 ÷ their customers. */
  readonly repurchase_rate: number | null;
  /** Σ profit of the tier's customers; null when no profit/cost is mapped. */
  readonly profit: number | null;
}

/** Profit view headline (present only when some line has a profit, i.e. profit or cost mapped). */
export interface ProfitSummaryRow {
  /** Customers with a profit figure. */
  readonly customers: number;
  readonly total_profit: number;
  /** Profit of the first ⌈0.2 × customers⌉ by profit ÷ total_profit; null when total_profit ≤ 0. */
  readonly top20_share: number | null;
}

export type ProfitGroup = 'top20' | 'middle60' | 'bottom20';

/**
 * 20/60/20 split by profit (descending, ties by customer id): top = ranks ≤ ⌈0.2·n⌉,
 * bottom = ranks > n − ⌊0.2·n⌋, middle = the rest. Shares can be negative.
 */
export interface ProfitSplitRow {
  readonly group: ProfitGroup;
  readonly customers: number;
  readonly profit: number;
  /** profit ÷ total_profit; null when total_profit = 0. */
  readonly profit_share: number | null;
}

export interface ProfitView {
  readonly summary: ProfitSummaryRow;
  readonly split: readonly ProfitSplitRow[];
  readonly deciles: readonly DecileRow[];
}

export interface ParetoResult {
  readonly summary: ParetoSummaryRow;
  readonly curve: readonly LorenzPoint[];
  readonly deciles: readonly DecileRow[];
  readonly tiers: readonly TierRow[];
  /** Null when no profit or cost column is mapped (no line has a profit). */
  readonly profit: ProfitView | null;
}

/**
 * ⌈share × n⌉ without floating-point noise (0.2 × 15 is 3.0000000000000004 in binary):
 * the product is rounded to 9 decimals before the ceiling.
 */
export function topCount(share: number, n: number): number {
  return Math.ceil(Number((share * n).toFixed(9)));
}

function topCountSql(share: number, n: SqlPart) {
  return sql`ceil(round(${share}::DOUBLE * (${n}), 9))`;
}

/** The tables `rankedTables` writes, one per measure. */
const RANKED = { value: 'ranked_value', profit: 'ranked_profit' } as const;

/**
 * Customers ranked by `measure` descending, ties by customer id, with running sums:
 * written once per derive (every Pareto query reads the same ranking; a window over all
 * customers is the costly part of each).
 */
export function rankedTables(): SqlQuery[] {
  return (['value', 'profit'] as const).map((measure) => {
    const m = raw(measure);
    const where = measure === 'profit' ? raw('WHERE profit IS NOT NULL') : raw('');
    return sql`${createDerived(RANKED[measure])} AS
SELECT customer_id, ${m} AS x, n_orders, purchase_value, profit,
       row_number() OVER w AS rank,
       sum(${m}) OVER (w ROWS UNBOUNDED PRECEDING) AS cum,
       count(*) OVER () AS n,
       sum(${m}) OVER () AS total
FROM customers ${where}
WINDOW w AS (ORDER BY ${m} DESC, customer_id)`;
  });
}

function ranked(measure: 'value' | 'profit') {
  return raw(`SELECT * FROM ${RANKED[measure]}`);
}

/** Last rank of tier A and of tier B (null when total ≤ 0). */
function cuts(p: ParetoParams) {
  return sql`SELECT min(rank) FILTER (WHERE total > 0 AND cum::DOUBLE >= ${p.tierA}::DOUBLE * total::DOUBLE) AS a,
       min(rank) FILTER (WHERE total > 0 AND cum::DOUBLE >= ${p.tierB}::DOUBLE * total::DOUBLE) AS b
FROM r`;
}

export function paretoSummaryQuery(p: ParetoParams): SqlQuery {
  return sql`WITH r AS (${ranked('value')}), cuts AS (${cuts(p)}),
s AS (
  SELECT count(*) AS n,
         coalesce(sum(x), 0) AS total,
         coalesce(sum(greatest(x, 0)), 0) AS positive,
         sum(x) FILTER (WHERE rank <= ${topCountSql(0.2, sql`n`)}) AS top20,
         sum(x) FILTER (WHERE rank <= ${topCountSql(p.topShare, sql`n`)}) AS topx,
         sum((n + 1 - 2 * rank) * greatest(x, 0)) AS gini_num
  FROM r)
SELECT s.n::INTEGER AS customers,
       s.total::DOUBLE AS total_value,
       s.positive::DOUBLE AS positive_value,
       CASE WHEN s.total > 0 THEN ${div(sql`s.top20`, sql`s.total`)} END AS top20_share,
       ${topCountSql(p.topShare, sql`s.n`)}::INTEGER AS top_customers,
       CASE WHEN s.total > 0 THEN ${div(sql`s.topx`, sql`s.total`)} END AS top_share,
       ${div(sql`s.gini_num`, sql`s.n * s.positive`)} AS gini,
       cuts.a::INTEGER AS tier_a_customers,
       ${div(sql`cuts.a`, sql`s.n`)} AS tier_a_customer_share,
       cuts.b::INTEGER AS tier_b_last_rank
FROM s, cuts`;
}

export function paretoCurveQuery(p: ParetoParams): SqlQuery {
  const maxPoints = Math.max(2, Math.floor(p.maxCurvePoints ?? 500));
  return sql`WITH r AS (${ranked('value')}), cuts AS (${cuts(p)})
SELECT 0::INTEGER AS rank, 0::DOUBLE AS customer_share, 0::DOUBLE AS value_share
FROM (SELECT 1) WHERE (SELECT sum(x) FROM r) > 0
UNION ALL
SELECT rank::INTEGER, ${div(sql`rank`, sql`n`)}, ${div(sql`cum`, sql`total`)}
FROM r, cuts
WHERE total > 0
  AND (rank % ceil(n / ${maxPoints}::DOUBLE)::BIGINT = 0 OR rank = n OR rank = cuts.a OR rank = cuts.b)
ORDER BY rank`;
}

function decilesOf(measure: 'value' | 'profit'): SqlQuery {
  return sql`WITH r AS (${ranked(measure)}),
d AS (SELECT (10 * rank + n - 1) // n AS decile, count(*) AS customers, sum(x) AS x, any_value(total) AS total
      FROM r GROUP BY 1)
SELECT decile::INTEGER AS decile, customers::INTEGER AS customers, x::DOUBLE AS value,
       CASE WHEN total > 0 THEN ${div(sql`x`, sql`total`)} END AS value_share,
       CASE WHEN total > 0 THEN ${div(sql`sum(x) OVER (ORDER BY decile)`, sql`total`)} END AS cum_value_share
FROM d ORDER BY decile`;
}

export function paretoDecilesQuery(): SqlQuery {
  return decilesOf('value');
}

export function paretoTiersQuery(p: ParetoParams): SqlQuery {
  return sql`WITH r AS (${ranked('value')}), cuts AS (${cuts(p)}),
t AS (
  SELECT CASE WHEN rank <= cuts.a THEN 'A' WHEN rank <= cuts.b THEN 'B' ELSE 'C' END AS tier,
         min(rank) AS first_rank, max(rank) AS last_rank, count(*) AS customers,
         any_value(n) AS n, any_value(total) AS total, sum(x) AS value,
         sum(n_orders) AS orders, sum(purchase_value) AS purchase_value,
         count(*) FILTER (WHERE n_orders >= 2) AS repeaters,
         sum(profit) AS profit
  FROM r, cuts WHERE cuts.a IS NOT NULL
  GROUP BY 1)
SELECT tier, first_rank::INTEGER AS first_rank, last_rank::INTEGER AS last_rank,
       customers::INTEGER AS customers, ${div(sql`customers`, sql`n`)} AS customer_share,
       value::DOUBLE AS value, ${div(sql`value`, sql`total`)} AS value_share,
       orders::INTEGER AS orders, ${div(sql`purchase_value`, sql`orders`)} AS aov,
       ${div(sql`repeaters`, sql`customers`)} AS repurchase_rate,
       profit::DOUBLE AS profit
FROM t ORDER BY tier`;
}

/** Whether any customer has a profit figure (profit or cost mapped). */
export interface HasProfitRow {
  readonly has_profit: boolean;
}

export function hasProfitQuery(): SqlQuery {
  return raw('SELECT count(profit) > 0 AS has_profit FROM customers');
}

export function profitSummaryQuery(): SqlQuery {
  return sql`WITH r AS (${ranked('profit')})
SELECT count(*)::INTEGER AS customers, coalesce(sum(x), 0)::DOUBLE AS total_profit,
       CASE WHEN sum(x) > 0 THEN ${div(sql`sum(x) FILTER (WHERE rank <= ${topCountSql(0.2, sql`n`)})`, sql`sum(x)`)} END AS top20_share
FROM r`;
}

export function profitSplitQuery(): SqlQuery {
  return sql`WITH r AS (${ranked('profit')}),
g AS (
  SELECT CASE WHEN rank <= ${topCountSql(0.2, sql`n`)} THEN 1
              WHEN rank > n - floor(round(0.2 * n, 9)) THEN 3 ELSE 2 END AS g,
         count(*) AS customers, sum(x) AS profit, any_value(total) AS total
  FROM r GROUP BY 1)
SELECT CASE g WHEN 1 THEN 'top20' WHEN 2 THEN 'middle60' ELSE 'bottom20' END AS "group",
       customers::INTEGER AS customers, profit::DOUBLE AS profit,
       ${div(sql`profit`, sql`total`)} AS profit_share
FROM g ORDER BY g`;
}

export function profitDecilesQuery(): SqlQuery {
  return decilesOf('profit');
}

export const paretoPanel: PanelDescriptor<'pareto', ParetoResult> = {
  id: 'pareto',
  weight: 208,
  kpis: ['top20_share', 'gini', 'tier_a_customers', 'tier_a_customer_share'],
  async run(db, settings, ctx) {
    await ctx.ensure?.('rankings');
    const pp: ParetoParams = { tierA: settings.tierA, tierB: settings.tierB, topShare: settings.topShare };
    const hasProfit = (await one<HasProfitRow>(db, hasProfitQuery())).has_profit;
    return {
      summary: await one<ParetoSummaryRow>(db, paretoSummaryQuery(pp)),
      curve: await rows<LorenzPoint>(db, paretoCurveQuery(pp)),
      deciles: await rows<DecileRow>(db, paretoDecilesQuery()),
      tiers: await rows<TierRow>(db, paretoTiersQuery(pp)),
      profit: hasProfit
        ? {
            summary: await one<ProfitSummaryRow>(db, profitSummaryQuery()),
            split: await rows<ProfitSplitRow>(db, profitSplitQuery()),
            deciles: await rows<DecileRow>(db, profitDecilesQuery()),
          }
        : null,
    };
  },
  metrics: (r) => ({
    top20_share: r.summary.top20_share,
    gini: r.summary.gini,
    tier_a_customers: r.summary.tier_a_customers,
    tier_a_customer_share: r.summary.tier_a_customer_share,
  }),
  tables: (r) => [
    { name: 'tiers', title: 'dash.col.tier', rows: r.tiers },
    { name: 'deciles', title: 'dash.col.decile', rows: r.deciles },
    ...(r.profit
      ? [
          { name: 'profit_split', title: 'dash.col.profit', rows: r.profit.split },
          { name: 'profit_deciles', title: 'dash.col.profit', rows: r.profit.deciles, inReport: false },
        ]
      : []),
    { name: 'lorenz', title: 'dash.col.decile', rows: r.curve, inReport: false },
  ],
};
