/**
 * The customers behind an aggregate (METRICS.md: every count a panel shows of customers): a
 * Pareto decile, a repurchase bar, a cohort cell, a satisfaction level, a migration cell, a
 * composition cell … `drillMembers` selects their ids with the same definitions as the panel
 * queries that count them, so a list opened from an aggregate holds exactly its n customers.
 * Reads the derived tables of a dashboard run (`customers`, `orders`, `f_lines`,
 * `ranked_value`, `ranked_profit`, `customer_segments`, `customer_keys`).
 */
import { join, raw, sql } from '../db/sql.ts';
import { DIMENSIONS, type Dimension } from '../model/schema.ts';
import type { Settings } from '../model/settings.ts';
import { asOfDate, dayBinOf, type SqlFragment } from './common.ts';
import { clvBinIds, type ClvBinSource } from './clv-bins.ts';
import { compositionCustomersCte, type CompositionGrouping } from './composition.ts';
import { migrationPairs, stageStatesCtes, type FromStage } from './lifecycle.ts';
import type { ProfitGroup } from './pareto.ts';
import { kmTimes } from './repurchase.ts';
import { activeAtCondition, firstCohortCte, periodIndex, ROLLING_DAYS } from './retention.ts';
import { groupOf, type SatisfactionGroup } from './satisfaction.ts';
import { segmentParamsOf, type KeyClass, type Stage } from './segments.ts';

/** One aggregate a user can point at (besides tier, quadrant, segment, class and stage, which are plain CustomerFilter fields). */
export type Drill =
  /** Overview: customers active (a purchase within the churn window) or lapsed at as_of. */
  | { readonly kind: 'active'; readonly active: boolean }
  /** Overview trend: customers with a purchase order in `month` (ISO first day), or new in it. */
  | { readonly kind: 'month'; readonly month: string; readonly newOnly: boolean }
  /** Pareto decile d (1 = most valuable) by value or by profit. */
  | { readonly kind: 'decile'; readonly measure: 'value' | 'profit'; readonly decile: number }
  /** Pareto 20/60/20 split by profit. */
  | { readonly kind: 'profitGroup'; readonly group: ProfitGroup }
  /** Repeat (n_orders ≥ 2) or one-time customers. */
  | { readonly kind: 'repeat'; readonly repeat: boolean }
  /** Customers with `orders` purchase orders (10 = ten or more). */
  | { readonly kind: 'orderCount'; readonly orders: number }
  /** Repeat customers whose first-to-second purchase days fall in day bin `bin` (common.ts DAY_BIN_EDGES). */
  | { readonly kind: 'daysToSecond'; readonly bin: number }
  /** Customers whose first purchase order has `value` in `dimension` (null = blank); optionally only repeat or one-time ones. */
  | { readonly kind: 'firstDimension'; readonly dimension: Dimension; readonly value: string | null; readonly repeat?: boolean }
  /** 回购率: buyers of `period` ('YYYY-MM'); `returning` = those who also buy in the next month. */
  | { readonly kind: 'nextMonth'; readonly period: string; readonly returning: boolean }
  /** Retention: the cohort starting `cohort` (ISO), or its customers active in period k (by the retention settings). */
  | { readonly kind: 'cohort'; readonly cohort: string; readonly k?: number }
  /** Satisfaction: customer score rounded half up = `level`. */
  | { readonly kind: 'level'; readonly level: number }
  /** Satisfaction group by customer score. */
  | { readonly kind: 'satisfactionGroup'; readonly group: SatisfactionGroup }
  /** RFM grid cell. */
  | { readonly kind: 'rfmCell'; readonly r: number; readonly f: number }
  /** Lifecycle migration: stage `from` at as_of − P, `to` at as_of. */
  | { readonly kind: 'migration'; readonly from: FromStage; readonly to: Stage }
  /** Lifecycle: lost at as_of − P and not lost at as_of (回流). */
  | { readonly kind: 'returning' }
  /** Lifecycle: first purchase in (as_of − P, as_of]. */
  | { readonly kind: 'newInPeriod' }
  /** Composition cell: customers with lines of `value` (null: blank; `other`: beyond the values shown) in `group` of `grouping`. */
  | {
      readonly kind: 'composition';
      readonly dimension: Dimension;
      readonly value: string | null;
      readonly other: boolean;
      readonly grouping: CompositionGrouping;
      readonly group: string | null;
    }
  /** Composition: customers with purchase orders in `month` (ISO first day) that are new (their first month) or returning. */
  | { readonly kind: 'newReturning'; readonly month: string; readonly isNew: boolean }
  /** Key customers class. */
  | { readonly kind: 'keyClass'; readonly keyClass: KeyClass }
  /**
   * Overview activity at `date` (a month end or as_of, ISO): customers active then (a purchase
   * order in [date − W, date]) or lapsed (first purchase on or before `date`, none in that window).
   */
  | { readonly kind: 'activeAt'; readonly date: string; readonly active: boolean }
  /** Lifecycle stage history: customers in `stage` on `date` (a month end or as_of), from their orders on or before it. */
  | { readonly kind: 'stageAt'; readonly date: string; readonly stage: Stage }
  /**
   * Kaplan–Meier curve at `day`: the customers at risk just before it (`atRisk`: second purchase
   * or censoring on `day` or later) or those whose second purchase is on it (`events`).
   */
  | { readonly kind: 'km'; readonly day: number; readonly part: 'atRisk' | 'events' }
  /** Lorenz curve point: the top `rank` customers by value (the Pareto rank, ties by id). */
  | { readonly kind: 'topRank'; readonly rank: number }
  /**
   * Lifetime value: P(alive) tenth or CLV histogram bin `bin` (clv-bins.ts), ids from the model
   * fit; `from` and `to` (null: open) are the bin's edges, for the list's heading only.
   */
  | { readonly kind: 'clvBin'; readonly measure: 'pAlive' | 'clv'; readonly bin: number; readonly from?: number; readonly to?: number | null };

export type DrillKind = Drill['kind'];

/** What the member queries need of a run besides its tables. */
export interface DrillContext {
  readonly asOf: string;
  readonly settings: Settings;
  /** The satisfaction thresholds in use (ScaleInfo). */
  readonly high: number | null;
  readonly satisfied: number | null;
  /** The lifetime-value fit, for its bins' lists (absent: those lists are empty). */
  readonly clv?: ClvBinSource | null;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_MONTH = /^\d{4}-\d{2}$/;

function checkDimension(d: Dimension): Dimension {
  // The dimension becomes a column name: only the canonical ones.
  if (!(DIMENSIONS as readonly string[]).includes(d)) throw new RangeError(`unknown dimension: ${String(d).slice(0, 40)}`);
  return d;
}

function checkDate(v: string, re: RegExp): string {
  if (!re.test(v)) throw new RangeError(`not a date: ${v.slice(0, 40)}`);
  return v;
}

/** The cohort cell's customers, as retention.ts cellsCte counts them (calendar or rolling clock, "on" or "on or after"). */
function cohortMembers(d: { readonly cohort: string; readonly k?: number }, c: DrillContext): SqlFragment {
  const s = c.settings;
  const asOf = asOfDate(c.asOf);
  const cohort = sql`CAST(${checkDate(d.cohort, ISO_DAY)} AS DATE)`;
  const inCohort = sql`${periodIndex(s.cohortPeriod, sql`first_date`)} = ${periodIndex(s.cohortPeriod, cohort)}`;
  if (d.k === undefined) return sql`SELECT customer_id FROM customers WHERE ${inCohort} AND first_date <= ${asOf}`;
  const k = Math.floor(d.k);
  const rolling = s.cohortClock === 'rolling';
  const len = raw(String(ROLLING_DAYS[s.cohortPeriod]));
  if (s.retentionMode === 'on') {
    const orderK = rolling
      ? sql`floor(date_diff('day', cu.first_date, o.order_date) / ${len})::BIGINT`
      : sql`${periodIndex(s.cohortPeriod, sql`o.order_date`)} - ${periodIndex(s.cohortPeriod, sql`cu.first_date`)}`;
    return sql`SELECT DISTINCT cu.customer_id FROM customers cu JOIN orders o USING (customer_id)
WHERE o.is_purchase AND ${periodIndex(s.cohortPeriod, sql`cu.first_date`)} = ${periodIndex(s.cohortPeriod, cohort)}
  AND ${orderK} = ${k}`;
  }
  const lastK = rolling
    ? sql`floor(date_diff('day', first_date, least(last_date, ${asOf})) / ${len})::BIGINT`
    : sql`${periodIndex(s.cohortPeriod, sql`least(last_date, ${asOf})`)} - ${periodIndex(s.cohortPeriod, sql`first_date`)}`;
  return sql`SELECT customer_id FROM customers WHERE ${inCohort} AND ${lastK} >= ${k}`;
}

/** How many ids one bound list holds (a list longer than that is a union of several). */
export const ID_CHUNK = 2000;

/** Ids computed outside SQL as rows of `customer_id`: every id a bound parameter, never SQL text. */
export function boundIds(ids: readonly string[]): SqlFragment {
  if (ids.length === 0) return raw('SELECT NULL::VARCHAR AS customer_id WHERE FALSE');
  const parts: SqlFragment[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) parts.push(sql`SELECT unnest([${join(ids.slice(i, i + ID_CHUNK))}]::VARCHAR[]) AS customer_id`);
  return join(parts, ' UNION ALL ');
}

/** The ids (one row each, column `customer_id`) of the customers `d` counts. */
export function drillMembers(d: Drill, c: DrillContext): SqlFragment {
  const asOf = asOfDate(c.asOf);
  const s = c.settings;
  switch (d.kind) {
    case 'active':
      return sql`SELECT customer_id FROM customers
WHERE (date_diff('day', last_date, ${asOf}) <= ${s.churnWindowDays}) = ${d.active}`;
    case 'month': {
      const month = sql`CAST(${checkDate(d.month, ISO_DAY)} AS DATE)`;
      if (!d.newOnly) return sql`SELECT DISTINCT customer_id FROM orders WHERE is_purchase AND date_trunc('month', order_date)::DATE = ${month}`;
      // As the trend counts them: none in a first month whose customers are taken as from before the data.
      return sql`WITH ${firstCohortCte('month', s.firstCohort)}
SELECT customer_id FROM customers
WHERE date_trunc('month', first_date)::DATE = ${month}
  AND NOT coalesce((SELECT existing FROM fc) AND ${month} = (SELECT start FROM fc)::DATE, FALSE)`;
    }
    case 'decile':
      return sql`SELECT customer_id FROM ${raw(d.measure === 'profit' ? 'ranked_profit' : 'ranked_value')}
WHERE (10 * rank + n - 1) // n = ${Math.floor(d.decile)}`;
    case 'profitGroup':
      return sql`SELECT customer_id FROM ranked_profit
WHERE CASE WHEN rank <= ceil(round(0.2 * n, 9)) THEN 'top20' WHEN rank > n - floor(round(0.2 * n, 9)) THEN 'bottom20' ELSE 'middle60' END = ${d.group}`;
    case 'repeat':
      return sql`SELECT customer_id FROM customers WHERE (n_orders >= 2) = ${d.repeat}`;
    case 'orderCount':
      return sql`SELECT customer_id FROM customers WHERE least(n_orders, 10) = ${Math.floor(d.orders)}`;
    case 'daysToSecond':
      return sql`SELECT customer_id FROM (SELECT customer_id, date_diff('day', first_date, second_date) AS days FROM customers WHERE n_orders >= 2)
WHERE ${dayBinOf('days')} = ${Math.floor(d.bin)}`;
    case 'firstDimension': {
      const col = raw(`first_${checkDimension(d.dimension)}`);
      const repeat = d.repeat === undefined ? raw('') : sql` AND (n_orders >= 2) = ${d.repeat}`;
      return sql`SELECT customer_id FROM customers WHERE ${col} IS NOT DISTINCT FROM CAST(${d.value} AS VARCHAR)${repeat}`;
    }
    case 'nextMonth': {
      const m = sql`CAST(${`${checkDate(d.period, ISO_MONTH)}-01`} AS DATE)`;
      const buyers = (month: SqlFragment) => sql`SELECT customer_id FROM orders WHERE is_purchase AND date_trunc('month', order_date) = ${month}`;
      return d.returning
        ? sql`SELECT DISTINCT customer_id FROM (${buyers(m)}) WHERE customer_id IN (${buyers(sql`${m} + INTERVAL 1 MONTH`)})`
        : sql`SELECT DISTINCT customer_id FROM (${buyers(m)})`;
    }
    case 'cohort':
      return cohortMembers(d, c);
    case 'level':
      return sql`SELECT customer_id FROM customers WHERE score IS NOT NULL AND floor(score + 0.5) = ${Math.floor(d.level)}`;
    case 'satisfactionGroup':
      if (c.high === null || c.satisfied === null) return raw('SELECT NULL::VARCHAR AS customer_id WHERE FALSE');
      return sql`SELECT customer_id FROM customers WHERE score IS NOT NULL AND ${groupOf({ high: c.high, satisfied: c.satisfied }, sql`score`)} = ${d.group}`;
    case 'rfmCell':
      return sql`SELECT customer_id FROM customer_segments WHERE r_score = ${Math.floor(d.r)} AND f_score = ${Math.floor(d.f)}`;
    case 'migration':
      return sql`SELECT customer_id FROM (${migrationPairs(segmentParamsOf(s, c))}) WHERE "from" = ${d.from} AND "to" = ${d.to}`;
    case 'returning':
      return sql`SELECT customer_id FROM (${migrationPairs(segmentParamsOf(s, c))}) WHERE "from" = 'lost' AND "to" <> 'lost'`;
    case 'newInPeriod':
      return sql`SELECT customer_id FROM customer_segments WHERE first_date > (${asOf} - INTERVAL (${s.periodDays}) DAY)::DATE`;
    case 'composition': {
      const col = raw(d.grouping === 'tier' ? 'tier' : d.grouping === 'segment' ? 'rfm_segment' : 'stage');
      return sql`WITH ${compositionCustomersCte({ asOf: c.asOf, dimensions: [checkDimension(d.dimension)] })}
SELECT DISTINCT customer_id FROM o
WHERE shown IS NOT DISTINCT FROM CAST(${d.value} AS VARCHAR) AND other = ${d.other} AND ${col} IS NOT DISTINCT FROM CAST(${d.group} AS VARCHAR)`;
    }
    case 'newReturning':
      return sql`SELECT DISTINCT o.customer_id FROM orders o JOIN customer_segments c USING (customer_id)
WHERE o.is_purchase AND o.order_date <= ${asOf}
  AND date_trunc('month', o.order_date)::DATE = CAST(${checkDate(d.month, ISO_DAY)} AS DATE)
  AND (date_trunc('month', o.order_date) = date_trunc('month', c.first_date)) = ${d.isNew}`;
    case 'keyClass':
      return sql`SELECT customer_id FROM customer_keys WHERE key_class = ${d.keyClass}`;
    case 'activeAt': {
      const e = sql`CAST(${checkDate(d.date, ISO_DAY)} AS DATE)`;
      const active = sql`SELECT DISTINCT o.customer_id FROM orders o WHERE ${activeAtCondition(e, s.churnWindowDays)}`;
      return d.active ? active : sql`SELECT customer_id FROM customers WHERE first_date <= ${e} AND customer_id NOT IN (${active})`;
    }
    case 'stageAt':
      return sql`WITH ${stageStatesCtes(segmentParamsOf(s, c), checkDate(d.date, ISO_DAY))}
SELECT customer_id FROM c WHERE stage = ${d.stage}`;
    case 'km':
      return d.part === 'atRisk'
        ? sql`SELECT customer_id FROM (${kmTimes(c.asOf)}) WHERE day >= ${Math.floor(d.day)}`
        : sql`SELECT customer_id FROM (${kmTimes(c.asOf)}) WHERE day = ${Math.floor(d.day)} AND event`;
    case 'topRank':
      return sql`SELECT customer_id FROM ranked_value WHERE rank <= ${Math.floor(d.rank)}`;
    case 'clvBin':
      return boundIds(clvBinIds(c.clv, d.measure, Math.floor(d.bin)));
  }
}
