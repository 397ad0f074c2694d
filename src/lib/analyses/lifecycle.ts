/**
 * Lifecycle stages, their migration over P days and their history month by month
 * (METRICS.md §8). Reads `customer_segments` (segments.ts); the history reads `orders`.
 */
import type { DbClient } from '../db/client.ts';
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import { asOfDate, div, isoDate, rows, type SqlFragment } from './common.ts';
import { stageCase, STAGES, type SegmentParams, type Stage } from './segments.ts';
import type { Metrics } from '../model/metrics.ts';
import type { PanelDescriptor } from './panel.ts';
import { namedTables, segmentParamsOf } from './segments.ts';

/** Where a customer comes from in the migration matrix: a stage at as_of − P, or not yet a customer. */
export type FromStage = Stage | 'none';
export const FROM_STAGES: readonly FromStage[] = ['none', ...STAGES];

/** One stage at as_of: customers in it, their share, and Σ order_net of their orders in (as_of − 365, as_of]. */
export interface StageRow {
  readonly stage: Stage;
  readonly customers: number;
  readonly customer_share: number | null;
  readonly revenue_365: number;
}

/**
 * A cell of the migration matrix: customers in stage `from` at as_of − P (only orders dated
 * on or before it; 'none' = no purchase by then) and in stage `to` at as_of. Every
 * from × to pair is present. `from_share` = customers ÷ the row's customers; `share` =
 * customers ÷ all customers at as_of.
 */
export interface MigrationCell {
  readonly from: FromStage;
  readonly to: Stage;
  readonly customers: number;
  readonly from_share: number | null;
  readonly share: number | null;
}

/**
 * Stage counts on `date`, using only orders dated on or before it: every month end from
 * the month of the first purchase day up to as_of, then as_of itself (when as_of is not a
 * month end).
 */
export interface StageHistoryRow {
  readonly date: string;
  readonly lost: number;
  readonly exploration: number;
  readonly decline: number;
  readonly stability: number;
  readonly formation: number;
}

/** The period figures: returning_customers, new_customers_period (METRICS.md §8). */
export interface LifecycleSummaryRow {
  /** as_of − P (ISO). */
  readonly from_date: string;
  /** Lost at as_of − P and not lost at as_of. */
  readonly returning_customers: number;
  /** First purchase day in (as_of − P, as_of]. */
  readonly new_customers_period: number;
}

export interface LifecycleResult {
  readonly stages: readonly StageRow[];
  readonly migration: readonly MigrationCell[];
  readonly history: readonly StageHistoryRow[];
  readonly summary: LifecycleSummaryRow;
}

function stageList(ids: readonly string[], name: string): SqlFragment {
  return raw(`(SELECT * FROM (VALUES ${ids.map((id, i) => `(${i}, '${id}')`).join(', ')}) AS v(ord, ${name}))`);
}

export function stagesQuery(): SqlQuery {
  return sql`WITH t AS (SELECT count(*) AS n FROM customer_segments),
g AS (SELECT stage, count(*) AS customers, sum(value_365) AS revenue FROM customer_segments GROUP BY 1)
SELECT v.stage, coalesce(g.customers, 0)::INTEGER AS customers, ${div(sql`coalesce(g.customers, 0)`, sql`t.n`)} AS customer_share,
       coalesce(g.revenue, 0)::DOUBLE AS revenue_365
FROM ${stageList(STAGES, 'stage')} v CROSS JOIN t LEFT JOIN g USING (stage)
ORDER BY v.ord`;
}

/** Each customer's stage at as_of − P (from the state `customer_segments` keeps for that day; 'none' before their first purchase) and at as_of. */
export function migrationPairs(p: SegmentParams): SqlFragment {
  const from = sql`(${asOfDate(p.asOf)} - INTERVAL (${p.periodDays}) DAY)::DATE`;
  return sql`SELECT customer_id, CASE WHEN start_p = 0 THEN 'none' ELSE ${stageCase(p, { p: 'start_p', g: 'start_g', recency: 'recency' })} END AS "from", "to"
FROM (SELECT customer_id, start_p, start_g, date_diff('day', start_date, ${from}) AS recency, stage AS "to" FROM customer_segments)`;
}

export function migrationQuery(p: SegmentParams): SqlQuery {
  return sql`WITH m AS (${migrationPairs(p)}),
g AS (SELECT "from", "to", count(*) AS n FROM m GROUP BY ALL),
cells AS (SELECT f."from", f.ord AS f_ord, t."to", t.ord AS t_ord FROM ${stageList(FROM_STAGES, '"from"')} f, ${stageList(STAGES, '"to"')} t),
x AS (SELECT cells.*, coalesce(g.n, 0) AS n FROM cells LEFT JOIN g USING ("from", "to"))
SELECT "from", "to", n::INTEGER AS customers,
       ${div(sql`n`, sql`sum(n) OVER (PARTITION BY "from")`)} AS from_share,
       ${div(sql`n`, sql`sum(n) OVER ()`)} AS share
FROM x ORDER BY f_ord, t_ord`;
}

/** as_of − days, ISO (calendar arithmetic in UTC, as DuckDB's DATE − INTERVAL). */
function daysBefore(asOf: string, days: number): string {
  return new Date(Date.parse(`${asOf}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The period figures from the migration matrix: a customer is 'none' at as_of − P exactly
 * when their first purchase day is after it, so no second pass over the customers is needed.
 */
export function lifecycleSummary(p: SegmentParams, migration: readonly MigrationCell[]): LifecycleSummaryRow {
  let returning = 0;
  let fresh = 0;
  for (const c of migration) {
    if (c.from === 'lost' && c.to !== 'lost') returning += c.customers;
    if (c.from === 'none') fresh += c.customers;
  }
  return { from_date: daysBefore(p.asOf, p.periodDays), returning_customers: returning, new_customers_period: fresh };
}

/**
 * The states of the stage history (a query, for a CTE): one row per customer and purchase
 * day up to as_of (derive.ts `purchase_days`), with `i` = purchase days so far, `g` = the
 * interpolated median of the day gaps so far and `next_d` = the next purchase day (null on
 * the last). The state of a customer on any day D ≤ as_of is the row with the latest d ≤ D.
 * Only the states the stage history reads carry `g` (from i = 4): the last purchase day of
 * each month and the last one (as_of). The states at as_of and at as_of − P are also columns
 * of `customer_segments` (p, g; start_p, start_g, start_date), computed there without it.
 */
function dayStatesQuery(asOf: string): SqlFragment {
  // Up to three purchase days the median has a closed form; beyond, a self-join over the
  // customer's earlier gaps (p·(p − 1)/2 pairs), at 1 M lines about a third of the time of
  // a windowed quantile_cont over the same rows.
  return sql`WITH s AS (
  SELECT customer_id, d, row_number() OVER w AS i, gap, gap + lag(gap) OVER w AS gap2, lead(d) OVER w AS next_d
  FROM purchase_days WHERE d <= ${asOfDate(asOf)} WINDOW w AS (PARTITION BY customer_id ORDER BY d)),
read AS (
  SELECT * FROM s
  WHERE i >= 4 AND (next_d IS NULL OR date_trunc('month', next_d) <> date_trunc('month', d))),
m AS (
  SELECT a.customer_id, a.i, quantile_cont(b.gap, 0.5) AS g
  FROM read a JOIN s b ON b.customer_id = a.customer_id AND b.i <= a.i AND b.i >= 2
  GROUP BY a.customer_id, a.i)
SELECT s.customer_id, s.d, s.i::INTEGER AS i,
       (CASE s.i WHEN 1 THEN NULL WHEN 2 THEN s.gap WHEN 3 THEN s.gap2 / 2 ELSE m.g END)::DOUBLE AS g, s.next_d
FROM s LEFT JOIN m USING (customer_id, i)`;
}

/**
 * The CTEs ending in `c` (customer_id, day, stage): each customer's stage on each day of the
 * history (StageHistoryRow), or on `day` alone, from the orders on or before that day. The
 * history counts these rows; the list of a point of it selects them.
 */
export function stageStatesCtes(p: SegmentParams, day?: string): SqlFragment {
  const asOf = asOfDate(p.asOf);
  const days =
    day === undefined
      ? sql`SELECT last_day(ms)::DATE AS day FROM span, generate_series(date_trunc('month', span.lo), date_trunc('month', ${asOf}), INTERVAL 1 MONTH) AS t(ms)
  WHERE span.lo IS NOT NULL AND last_day(ms) < ${asOf}
  UNION ALL SELECT ${asOf} FROM span WHERE span.lo IS NOT NULL`
      : sql`SELECT CAST(${day} AS DATE) AS day FROM span WHERE span.lo IS NOT NULL AND CAST(${day} AS DATE) <= ${asOf}`;
  return sql`day_states AS MATERIALIZED (${dayStatesQuery(p.asOf)}),
span AS (SELECT min(d) AS lo FROM day_states),
days AS (
  ${days}),
s AS (
  SELECT days.day, pd.customer_id, pd.i AS p, pd.g, date_diff('day', pd.d, days.day) AS recency
  FROM day_states pd JOIN days ON pd.d <= days.day AND coalesce(pd.next_d, DATE '9999-12-31') > days.day),
c AS (SELECT customer_id, day, ${stageCase(p, { p: 'p', g: 'g', recency: 'recency' })} AS stage FROM s)`;
}

export function stageHistoryQuery(p: SegmentParams): SqlQuery {
  return sql`WITH ${stageStatesCtes(p)}
SELECT ${isoDate(sql`day`)} AS date,
       (count(*) FILTER (WHERE stage = 'lost'))::INTEGER AS lost,
       (count(*) FILTER (WHERE stage = 'exploration'))::INTEGER AS exploration,
       (count(*) FILTER (WHERE stage = 'decline'))::INTEGER AS decline,
       (count(*) FILTER (WHERE stage = 'stability'))::INTEGER AS stability,
       (count(*) FILTER (WHERE stage = 'formation'))::INTEGER AS formation
FROM c GROUP BY day ORDER BY day`;
}

/**
 * Needs the tables of `buildSegmentTables` (same params). With `deferHistory` the history is
 * left empty, for `lifecycleHistory` to fill when the panel is opened.
 */
export async function runLifecycle(db: DbClient, p: SegmentParams, deferHistory = false): Promise<LifecycleResult> {
  const stages = await rows<StageRow>(db, stagesQuery());
  const migration = await rows<MigrationCell>(db, migrationQuery(p));
  return {
    stages,
    migration,
    history: deferHistory ? [] : await lifecycleHistory(db, p),
    summary: lifecycleSummary(p, migration),
  };
}

/** The stage history alone (the costly part: every customer at every month end). */
export function lifecycleHistory(db: DbClient, p: SegmentParams): Promise<StageHistoryRow[]> {
  return rows<StageHistoryRow>(db, stageHistoryQuery(p));
}

export function lifecycleTables(r: LifecycleResult): Record<string, readonly object[]> {
  return { lifecycle_stages: r.stages, lifecycle_migration: r.migration, lifecycle_history: r.history, lifecycle_summary: [r.summary] };
}

/** stage_<id> (customers at as_of), returning_customers, new_customers_period. */
export function lifecycleMetrics(r: LifecycleResult): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const s of r.stages) out[`stage_${s.stage}`] = s.customers;
  out.returning_customers = r.summary.returning_customers;
  out.new_customers_period = r.summary.new_customers_period;
  return out;
}

/** Lifecycle stages at as_of, their migration over P days and their history (reads the segments panel's tables). */
export const lifecyclePanel: PanelDescriptor<'lifecycle', LifecycleResult> = {
  id: 'lifecycle',
  needs: ['segments'],
  weight: 57,
  kpis: ['stage_exploration', 'stage_formation', 'stage_stability', 'stage_decline', 'stage_lost', 'returning_customers', 'new_customers_period'],
  run: async (db, settings, ctx) => {
    await ctx.ensure?.('purchase_days');
    return runLifecycle(db, segmentParamsOf(settings, ctx), ctx.defer === true);
  },
  deferred: {
    complete: async (db, settings, ctx, r) => ({ ...r, history: await lifecycleHistory(db, segmentParamsOf(settings, ctx)) }),
  },
  metrics: (r) => lifecycleMetrics(r) as Partial<Metrics>,
  tables: (r) => namedTables(lifecycleTables(r), 'dash.col.group'),
};
