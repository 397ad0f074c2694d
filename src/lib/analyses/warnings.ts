/**
 * Churn and pace warnings (METRICS.md §9): the headline figures, and the two customer
 * lists one page at a time (a list can hold 100 k customers). Reads `customer_segments`.
 */
import type { DbClient } from '../db/client.ts';
import { join, raw, sql, type SqlQuery } from '../db/sql.ts';
import { isoDate, one, rows, type SqlFragment } from './common.ts';
import type { Tier } from './pareto.ts';
import { type RfmSegment, type SegmentParams, type Stage } from './segments.ts';
import type { Metrics } from '../model/metrics.ts';
import type { PanelDescriptor } from './panel.ts';
import { namedTables, segmentParamsOf } from './segments.ts';

export type WarningKind = 'churn' | 'pace';

/** The headline figures of both warnings. */
export interface WarningSummaryRow {
  /** Customers in the decline stage. */
  readonly churn_warning_customers: number;
  /** Σ over them of order_net summed over (as_of − 365, as_of] (all orders, returns included). */
  readonly churn_warning_value: number;
  /** Customers not lost with B ≥ P (B = min(365, (as_of − P) − first_date + 1)). */
  readonly pace_assessed_customers: number;
  /** Assessed customers with baseline > 0 and current < t × baseline. */
  readonly pace_warning_customers: number;
  /** Σ (baseline − current) over the flagged customers. */
  readonly pace_warning_drop: number;
}

/**
 * One customer of a warning list. current = Σ order_net over (as_of − P, as_of];
 * baseline = Σ order_net over (as_of − P − B, as_of − P] × P ÷ B (null when not assessed);
 * drop = baseline − current; overdue_days = recency_days − k·g (null when p = 1).
 */
export interface WarningRow {
  readonly customer_id: string;
  readonly stage: Stage;
  readonly rfm_segment: RfmSegment;
  readonly tier: Tier | null;
  readonly first_date: string;
  readonly last_date: string;
  readonly p: number;
  readonly g: number | null;
  readonly recency_days: number;
  readonly overdue_days: number | null;
  readonly value: number;
  readonly value_365: number;
  readonly current: number;
  readonly baseline: number | null;
  readonly drop: number | null;
}

/** The columns a list can be sorted by (anything else is refused by the type). */
export const WARNING_SORTS = [
  'rank', 'customer_id', 'value', 'value_365', 'drop', 'current', 'baseline', 'recency_days', 'overdue_days', 'p', 'g', 'first_date', 'last_date',
] as const;
export type WarningSort = (typeof WARNING_SORTS)[number];

export interface WarningListParams {
  readonly kind: WarningKind;
  /** 'rank' = the list's own order: value_365 (churn) or drop (pace), descending. */
  readonly sort: WarningSort;
  readonly descending: boolean;
  readonly limit: number;
  readonly offset: number;
  readonly tier?: Tier;
  readonly segment?: RfmSegment;
  /** The customer's first purchase order's region / category (customers.first_*). */
  readonly region?: string;
  readonly category?: string;
}

export interface WarningPage {
  /** Customers in the filtered list (all pages). */
  readonly total: number;
  readonly rows: readonly WarningRow[];
}

export interface WarningsResult {
  readonly summary: WarningSummaryRow;
  /** The first page of each list in its own order. */
  readonly churn: WarningPage;
  readonly pace: WarningPage;
  /** Churn-warning customers among the large ones of §10 (Pareto rank ≤ ⌈0.2 × customers⌉, all orders). */
  readonly keyDecline: number;
}

export const WARNING_PAGE_SIZE = 100;

export function warningSummaryQuery(): SqlQuery {
  return raw(`SELECT (count(*) FILTER (WHERE churn_flag))::INTEGER AS churn_warning_customers,
       coalesce(sum(value_365) FILTER (WHERE churn_flag), 0)::DOUBLE AS churn_warning_value,
       (count(*) FILTER (WHERE pace_assessed AND stage <> 'lost'))::INTEGER AS pace_assessed_customers,
       (count(*) FILTER (WHERE pace_flag))::INTEGER AS pace_warning_customers,
       coalesce(sum(baseline - current_net::DOUBLE) FILTER (WHERE pace_flag), 0)::DOUBLE AS pace_warning_drop
FROM customer_segments`);
}

/** The rows of one warning list under its filters (also the follow-up sheet's). */
export function warningWhere(p: Omit<WarningListParams, 'limit' | 'offset'>): SqlFragment {
  const conds: SqlFragment[] = [raw(p.kind === 'churn' ? 'churn_flag' : 'pace_flag')];
  if (p.tier) conds.push(sql`tier = ${p.tier}`);
  if (p.segment) conds.push(sql`rfm_segment = ${p.segment}`);
  // The first order's dimensions live in `customers`: asked only when a list is narrowed by them.
  if (p.region !== undefined) conds.push(sql`customer_id IN (SELECT customer_id FROM customers WHERE first_region = ${p.region})`);
  if (p.category !== undefined) conds.push(sql`customer_id IN (SELECT customer_id FROM customers WHERE first_category = ${p.category})`);
  return join(conds, ' AND ');
}

/** A warning list's order: the whitelisted sort column, ties by customer id (a total order). */
export function warningOrder(p: Omit<WarningListParams, 'limit' | 'offset'>): SqlFragment {
  if (!(WARNING_SORTS as readonly string[]).includes(p.sort)) throw new RangeError(`unknown sort column: ${p.sort}`);
  const column = p.sort === 'rank' ? (p.kind === 'churn' ? 'value_365' : 'drop') : p.sort;
  const dir = p.sort === 'rank' || p.descending ? 'DESC' : 'ASC';
  return raw(column === 'customer_id' ? `customer_id ${dir}` : `${column} ${dir} NULLS LAST, customer_id`);
}

const LIST_COLUMNS = raw(`customer_id, stage, rfm_segment, tier, first_date, last_date, p, g, recency_days, overdue_days, value,
         value_365, current_net AS current, baseline, baseline - current_net::DOUBLE AS drop`);

export function warningListQuery(p: WarningListParams): SqlQuery {
  const limit = Math.max(1, Math.min(10_000, Math.floor(p.limit)));
  const offset = Math.max(0, Math.floor(p.offset));
  return sql`WITH l AS (SELECT ${LIST_COLUMNS} FROM customer_segments WHERE ${warningWhere(p)})
SELECT customer_id, stage, rfm_segment, tier, ${isoDate(sql`first_date`)} AS first_date, ${isoDate(sql`last_date`)} AS last_date,
       p::INTEGER AS p, g::DOUBLE AS g, recency_days::INTEGER AS recency_days, overdue_days::DOUBLE AS overdue_days,
       value::DOUBLE AS value, value_365::DOUBLE AS value_365, current::DOUBLE AS current, baseline::DOUBLE AS baseline, drop::DOUBLE AS drop
FROM l ORDER BY ${warningOrder(p)} LIMIT ${limit} OFFSET ${offset}`;
}

/** Churn-warning customers whose Pareto rank (§4, all orders) is within the first ⌈0.2 × customers⌉. */
export function keyDeclineQuery(): SqlQuery {
  return raw(`SELECT count(*)::INTEGER AS n FROM customer_segments
WHERE churn_flag AND value_rank <= (SELECT ceil(round(0.2 * count(*), 9)) FROM ranked_value)`);
}

export function warningCountQuery(p: WarningListParams): SqlQuery {
  return sql`SELECT count(*)::INTEGER AS total FROM customer_segments WHERE ${warningWhere(p)}`;
}

export async function warningPage(db: DbClient, p: WarningListParams): Promise<WarningPage> {
  return {
    total: (await one<{ total: number }>(db, warningCountQuery(p))).total,
    rows: await rows<WarningRow>(db, warningListQuery(p)),
  };
}

/**
 * Needs the tables of `buildSegmentTables`, which fixed the settings; they are taken here
 * only so that every panel runs with the same signature.
 */
export async function runWarnings(db: DbClient, _p: SegmentParams, pageSize = WARNING_PAGE_SIZE): Promise<WarningsResult> {
  const first = (kind: WarningKind): WarningListParams => ({ kind, sort: 'rank', descending: true, limit: pageSize, offset: 0 });
  return {
    summary: await one<WarningSummaryRow>(db, warningSummaryQuery()),
    churn: await warningPage(db, first('churn')),
    pace: await warningPage(db, first('pace')),
    keyDecline: (await one<{ n: number }>(db, keyDeclineQuery())).n,
  };
}

export function warningsTables(r: WarningsResult): Record<string, readonly object[]> {
  return { warning_summary: [r.summary], churn_warning: r.churn.rows, pace_warning: r.pace.rows };
}

export function warningsMetrics(r: WarningsResult): Record<string, number | null> {
  const s = r.summary;
  return {
    churn_warning_customers: s.churn_warning_customers,
    churn_warning_value: s.churn_warning_value,
    pace_warning_customers: s.pace_warning_customers,
    pace_warning_drop: s.pace_warning_drop,
  };
}

/** Churn and pace warnings: their totals and the first page of each list (reads the segments panel's tables). */
export const warningsPanel: PanelDescriptor<'warnings', WarningsResult> = {
  id: 'warnings',
  needs: ['segments'],
  weight: 50,
  kpis: ['churn_warning_customers', 'churn_warning_value', 'pace_warning_customers', 'pace_warning_drop'],
  run: async (db, settings, ctx) => {
    await ctx.ensure?.('rankings');
    return runWarnings(db, segmentParamsOf(settings, ctx));
  },
  metrics: (r) => warningsMetrics(r) as Partial<Metrics>,
  tables: (r) => namedTables(warningsTables(r), 'dash.col.group'),
};
