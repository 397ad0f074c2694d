/**
 * RFM scores, the ten RFM segments and the eight Chinese RFM classes (METRICS.md §7), and
 * the per-customer table every segment panel reads (`customer_segments`, with the
 * lifecycle stage of §8, the warning figures of §9 and the key class of §10).
 *
 * Run after derive (which writes `orders`, `customers`, `purchase_days`, `ranked_value`):
 * `segmentTables` (or `buildSegmentTables`) writes `customer_segments`.
 */
import type { DbClient } from '../db/client.ts';
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import { createDerived } from '../model/derive.ts';
import { asOfDate, div, one, rows, type SqlFragment } from './common.ts';
import { KEY_FLAGS, KEY_TOTALS, keyClassColumns } from './key-customers.ts';
import type { Metrics } from '../model/metrics.ts';
import type { Settings } from '../model/settings.ts';
import type { PanelContext, PanelDescriptor, PanelTable } from './panel.ts';

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export const RFM8_CLASSES = [
  'important_value',
  'important_develop',
  'important_keep',
  'important_retain',
  'general_value',
  'general_develop',
  'general_keep',
  'general_retain',
] as const;
export type Rfm8Class = (typeof RFM8_CLASSES)[number];

export const STAGES = ['lost', 'exploration', 'decline', 'stability', 'formation'] as const;
export type Stage = (typeof STAGES)[number];

export const KEY_CLASSES = ['red', 'white', 'dark', 'potential', 'ordinary'] as const;
export type KeyClass = (typeof KEY_CLASSES)[number];

export type Rfm8Basis = 'mean' | 'median';

/** The settings every segment panel shares (defaults and bounds: SEGMENT_DEFAULTS, SEGMENT_BOUNDS). */
export interface SegmentParams {
  /** ISO date; only orders dated on or before it count. */
  readonly asOf: string;
  /** W, churn window in days (§5). */
  readonly churnWindowDays: number;
  /** k, overdue factor: decline when recency_days > k·g. */
  readonly overdueFactor: number;
  /** S, purchase days from which a customer is stable. */
  readonly stableDays: number;
  /** P, the look-back period in days (migration, new customers, pace warning). */
  readonly periodDays: number;
  /** t, the pace warning fires when current < t × baseline. */
  readonly paceThreshold: number;
  /** High/low cut of the eight classes: the customers' mean (default) or median. */
  readonly rfm8Basis: Rfm8Basis;
  /** Tier cut points of §4 (0.8, 0.95). */
  readonly tierA: number;
  readonly tierB: number;
}

export const SEGMENT_DEFAULTS = {
  overdueFactor: 2,
  stableDays: 4,
  periodDays: 90,
  paceThreshold: 0.5,
  rfm8Basis: 'mean',
} as const satisfies Partial<SegmentParams>;

/** Inclusive bounds the settings are clamped to (integers for S and P). */
export const SEGMENT_BOUNDS = {
  overdueFactor: [1, 10],
  stableDays: [2, 50],
  periodDays: [7, 365],
  paceThreshold: [0.05, 1],
} as const;

/** The stage of §8 from p, g and recency_days columns (first rule that holds). */
export function stageCase(p: SegmentParams, cols: { p: string; g: string; recency: string }): SqlFragment {
  const { p: pd, g, recency } = { p: raw(cols.p), g: raw(cols.g), recency: raw(cols.recency) };
  return sql`CASE WHEN ${recency} > ${p.churnWindowDays} THEN 'lost'
     WHEN ${pd} = 1 THEN 'exploration'
     WHEN ${recency}::DOUBLE > ${p.overdueFactor}::DOUBLE * ${g} THEN 'decline'
     WHEN ${pd} >= ${p.stableDays} THEN 'stability'
     ELSE 'formation' END`;
}

/**
 * An R, F or M score is 1 + ⌊5·(rank − 1) ÷ (n − 1)⌋ capped at 5 (1 when n = 1), rank being
 * 1 + the customers before the value (ties share the lowest). It is at least s exactly when
 * rank − 1 ≥ k_s = ⌈(s − 1)·(n − 1) ÷ 5⌉, and rank is monotone in the value, so each score is
 * a step of the value: `scoreCuts` gives c2 … c5, the last value (in rank order) whose rank
 * exceeds k_s, from a CTE of (v, rank) rows, one per value; null when none does or n = 1.
 */
function scoreCuts(ranks: string, agg: 'min' | 'max'): SqlFragment {
  const cut = (s: number) => `${agg}(v) FILTER (WHERE rank > (${s - 1} * (n - 1) + 4) // 5) AS c${s}`;
  return raw(`SELECT ${[2, 3, 4, 5].map(cut).join(', ')} FROM ${ranks}, nn WHERE n > 1`);
}

/** The score of `value` from its cuts (`op` '<=' for R, whose rank runs from the largest value). */
function scoreOf(value: string, op: '<=' | '>=', cuts: string): SqlFragment {
  return raw(`CASE ${[5, 4, 3, 2].map((s) => `WHEN ${value} ${op} ${cuts}.c${s} THEN ${s}`).join(' ')} ELSE 1 END`);
}

/** The segment of an (R, F) score pair: a partition of the 5 × 5 grid. */
function segmentCase(r: string, f: string): SqlFragment {
  return raw(`CASE
  WHEN ${r} = 5 AND ${f} >= 4 THEN 'champions'
  WHEN ${r} IN (3, 4) AND ${f} >= 4 THEN 'loyal'
  WHEN ${r} >= 4 AND ${f} IN (2, 3) THEN 'potential_loyalists'
  WHEN ${r} = 5 AND ${f} = 1 THEN 'new'
  WHEN ${r} = 4 AND ${f} = 1 THEN 'promising'
  WHEN ${r} = 3 AND ${f} = 3 THEN 'need_attention'
  WHEN ${r} = 3 AND ${f} <= 2 THEN 'about_to_sleep'
  WHEN ${f} = 5 THEN 'cant_lose'
  WHEN ${f} >= 3 THEN 'at_risk'
  ELSE 'hibernating' END`);
}

const RFM8_CASE = raw(`CASE
  WHEN m_high AND r_high AND f_high THEN 'important_value'
  WHEN m_high AND r_high THEN 'important_develop'
  WHEN m_high AND f_high THEN 'important_keep'
  WHEN m_high THEN 'important_retain'
  WHEN r_high AND f_high THEN 'general_value'
  WHEN r_high THEN 'general_develop'
  WHEN f_high THEN 'general_keep'
  ELSE 'general_retain' END`);

/**
 * The columns of `customer_segments` (one row per customer at as_of), for panels and
 * exports that join on it. Dates are DATE and money DECIMAL(18,4) in the table: cast them
 * (`::VARCHAR` / `::DOUBLE`, or common.ts `isoDate`) when selecting.
 */
export const CUSTOMER_SEGMENT_COLUMNS = {
  customer_id: 'the customer id',
  first_date: 'first purchase day (≤ as_of)',
  last_date: 'last purchase day (≤ as_of)',
  p: 'purchase days',
  g: 'rhythm: interpolated median of the day gaps between purchase days (null when p = 1)',
  recency_days: 'as_of − last_date',
  n_orders: 'purchase orders dated ≤ as_of',
  value: 'Σ order_net of orders dated ≤ as_of (returns included)',
  r_score: 'R score 1–5',
  f_score: 'F score 1–5',
  m_score: 'M score 1–5',
  rfm_segment: 'RfmSegment id',
  rfm8_class: 'Rfm8Class id',
  stage: 'Stage id at as_of',
  overdue_days: 'recency_days − k·g (null when p = 1)',
  value_365: 'Σ order_net over (as_of − 365, as_of]',
  current_net: 'Σ order_net over (as_of − P, as_of]',
  base_net: 'Σ order_net over the pace baseline window (as_of − P − B, as_of − P]',
  b_days: 'B = min(365, (as_of − P) − first_date + 1)',
  pace_assessed: 'B ≥ P',
  baseline: 'base_net × P ÷ B when assessed',
  churn_flag: 'on the churn warning list (decline stage)',
  pace_flag: 'on the pace warning list',
  tier: "Tier of §4 ('A' | 'B' | 'C'; null when Σ value ≤ 0), over all orders",
  value_rank: 'Pareto rank of §4 (value descending, then customer id), over all orders',
  profit: 'Σ line profit over all orders (null without profit/cost)',
  margin: 'profit ÷ value over all orders (null when value ≤ 0)',
  key_class: 'KeyClass id (null without a profit figure)',
  start_p: 'purchase days on or before as_of − P (0 when none)',
  start_g: 'the rhythm g on as_of − P (null when start_p < 2)',
  start_date: 'last purchase day on or before as_of − P (null when none)',
  purchase_net: 'Σ order_net of purchase orders dated ≤ as_of',
  first_month_net: 'Σ order_net of those in the month of first_date (new-customer revenue, §11)',
} as const;

/**
 * `customer_segments`: one row per customer with a purchase order on or before as_of,
 * every figure from their orders dated on or before as_of (METRICS.md §7–§10); tier and
 * key class are those of all their orders, as in §4 and §10. Needs `orders`, `purchase_days`
 * and `ranked_value`.
 */
export function customerSegmentsTable(p: SegmentParams): SqlQuery {
  const asOf = asOfDate(p.asOf);
  const start = sql`(${asOf} - INTERVAL (${p.periodDays}) DAY)::DATE`;
  // Bounds as DATEs: a DATE − INTERVAL is a TIMESTAMP, which every order's date would be cast to.
  const yearAgo = sql`(${asOf} - INTERVAL 365 DAY)::DATE`;
  const baseFrom = sql`(${start} - INTERVAL 365 DAY)::DATE`;
  const agg = (a: string) => raw(p.rfm8Basis === 'median' ? `quantile_cont(${a}, 0.5)` : `avg(${a})`);
  return sql`${createDerived('customer_segments')} AS
-- Every per-customer figure from the purchase days (derive.ts \`purchase_days\`, the one ordered
-- pass over the purchases): up to three purchase days the median gap has a closed form
-- ((last − first) ÷ (p − 1)); only longer histories feed quantile_cont. Returns (few) are
-- summed apart and added to the purchase sums.
WITH pc AS (
  SELECT customer_id, min(d) AS first_date, max(d) AS last_date, sum(n)::INTEGER AS n_orders,
         count(*) AS p,
         count(*) FILTER (WHERE d <= ${start}) AS start_p,
         max(d) FILTER (WHERE d <= ${start}) AS start_date,
         sum(net) AS purchase_net,
         sum(net) FILTER (WHERE d <= last_day(first_d)) AS first_month_net,
         sum(net) FILTER (WHERE d > ${yearAgo}) AS p365,
         sum(net) FILTER (WHERE d > ${start}) AS pcur,
         sum(net) FILTER (WHERE d > ${baseFrom} AND d <= ${start}) AS pyear
  FROM purchase_days WHERE d <= ${asOf} GROUP BY customer_id),
-- Medians in an aggregate of their own over the customers with four purchase days or more
-- (p_all ≥ p: some with fewer by as_of come along, unread): fed through FILTER in the one
-- above, every customer would hold their states.
pq AS (
  SELECT customer_id, quantile_cont(gap, 0.5) AS g_all, quantile_cont(gap, 0.5) FILTER (WHERE d <= ${start}) AS start_g_all
  FROM purchase_days
  WHERE gap IS NOT NULL AND d <= ${asOf} AND p_all >= 4
  GROUP BY customer_id),
ro AS (
  SELECT customer_id, sum(order_net) AS rv,
         sum(order_net) FILTER (WHERE order_date > ${yearAgo}) AS r365,
         sum(order_net) FILTER (WHERE order_date > ${start}) AS rcur,
         sum(order_net) FILTER (WHERE order_date > ${baseFrom} AND order_date <= ${start}) AS ryear,
         min(order_date) FILTER (WHERE order_date > ${baseFrom} AND order_date <= ${start}) AS first_return,
         list({'d': order_date, 'n': order_net}) FILTER (WHERE order_date > ${baseFrom} AND order_date <= ${start}) AS window_returns
  FROM orders WHERE NOT is_purchase AND order_date <= ${asOf}
  GROUP BY customer_id),
-- The baseline window (as_of − P − B, as_of − P] is the year before as_of − P, or starts on
-- first_date when B < 365: then only returns dated before the first purchase fall outside it
-- (the list is read only for a customer who has one).
c AS (
  SELECT pc.customer_id, pc.first_date, pc.last_date, pc.n_orders,
         pc.purchase_net + coalesce(ro.rv, 0) AS value,
         coalesce(pc.p365, 0) + coalesce(ro.r365, 0) AS value_365,
         coalesce(pc.pcur, 0) + coalesce(ro.rcur, 0) AS current_net,
         pc.p,
         CASE pc.p WHEN 1 THEN NULL WHEN 2 THEN date_diff('day', pc.first_date, pc.last_date)
              WHEN 3 THEN date_diff('day', pc.first_date, pc.last_date) / 2 ELSE pq.g_all END AS g,
         date_diff('day', pc.last_date, ${asOf}) AS recency_days,
         least(365, date_diff('day', pc.first_date, ${start}) + 1) AS b_days,
         coalesce(pc.pyear, 0) + CASE WHEN ro.first_return IS NULL THEN 0 WHEN ro.first_return >= pc.first_date THEN ro.ryear
              ELSE coalesce(list_sum([r.n FOR r IN ro.window_returns IF r.d >= pc.first_date]), 0) END AS base_net,
         pc.start_p,
         CASE pc.start_p WHEN 0 THEN NULL WHEN 1 THEN NULL WHEN 2 THEN date_diff('day', pc.first_date, pc.start_date)
              WHEN 3 THEN date_diff('day', pc.first_date, pc.start_date) / 2 ELSE pq.start_g_all END AS start_g,
         pc.start_date, pc.purchase_net, pc.first_month_net
  FROM pc LEFT JOIN ro ON ro.customer_id = pc.customer_id LEFT JOIN pq ON pq.customer_id = pc.customer_id),
nn AS (SELECT count(*) AS n FROM c),
-- Ranks from one row per value (rank = 1 + the customers before the value), where a rank()
-- window would sort every customer; each score is then a step of its value (scoreCuts).
rr AS (SELECT recency_days AS v, 1 + sum(count(*)) OVER (ORDER BY recency_days DESC) - count(*) AS rank FROM c GROUP BY recency_days),
fr AS (SELECT n_orders AS v, 1 + sum(count(*)) OVER (ORDER BY n_orders) - count(*) AS rank FROM c GROUP BY n_orders),
mr AS (SELECT value AS v, 1 + sum(count(*)) OVER (ORDER BY value) - count(*) AS rank FROM c GROUP BY value),
cuts_r AS (${scoreCuts('rr', 'max')}),
cuts_f AS (${scoreCuts('fr', 'min')}),
cuts_m AS (${scoreCuts('mr', 'min')}),
s AS (
  SELECT c.*, nn.n, ${scoreOf('c.recency_days', '<=', 'cuts_r')} AS r_score, ${scoreOf('c.n_orders', '>=', 'cuts_f')} AS f_score,
         ${scoreOf('c.value', '>=', 'cuts_m')} AS m_score
  FROM c, nn, cuts_r, cuts_f, cuts_m),
th AS (SELECT ${agg('recency_days')} AS r_th, ${agg('n_orders')} AS f_th, ${agg('value')} AS m_th FROM c),
-- The §4 tier cuts and the §10 totals in one pass over ranked_value.
cuts AS (
  SELECT min(rank) FILTER (WHERE total > 0 AND cum::DOUBLE >= ${p.tierA}::DOUBLE * total::DOUBLE) AS a,
         min(rank) FILTER (WHERE total > 0 AND cum::DOUBLE >= ${p.tierB}::DOUBLE * total::DOUBLE) AS b,
         ${raw(KEY_TOTALS)}
  FROM ranked_value),
-- rank > 0 always holds: the condition only lowers the planner's estimate of k, so that
-- the join below hashes these few columns rather than the wide rows of x (~8 % of the statement).
kv AS (
  SELECT rv.customer_id, rv.rank AS value_rank, rv.x AS value, rv.profit, ${raw(KEY_FLAGS)},
         CASE WHEN kt.a IS NULL THEN NULL WHEN rv.rank <= kt.a THEN 'A' WHEN rv.rank <= kt.b THEN 'B' ELSE 'C' END AS tier
  FROM ranked_value rv, cuts kt WHERE rv.rank > 0),
k AS (SELECT kv.customer_id, kv.value_rank, kv.profit, ${raw(keyClassColumns('kv'))}, kv.tier FROM kv),
x AS (
  SELECT s.*, s.recency_days < th.r_th AS r_high, s.n_orders > th.f_th AS f_high, s.value > th.m_th AS m_high,
         ${stageCase(p, { p: 's.p', g: 's.g', recency: 's.recency_days' })} AS stage,
         s.b_days >= ${p.periodDays} AS pace_assessed
  FROM s CROSS JOIN th)
SELECT x.customer_id, x.first_date, x.last_date, x.p::INTEGER AS p, x.g::DOUBLE AS g,
       x.recency_days::INTEGER AS recency_days, x.n_orders::INTEGER AS n_orders, x.value,
       x.r_score::INTEGER AS r_score, x.f_score::INTEGER AS f_score, x.m_score::INTEGER AS m_score,
       ${segmentCase('x.r_score', 'x.f_score')} AS rfm_segment, ${RFM8_CASE} AS rfm8_class, x.stage,
       x.recency_days - ${p.overdueFactor}::DOUBLE * x.g AS overdue_days,
       x.value_365, x.current_net, x.base_net, x.b_days::INTEGER AS b_days, x.pace_assessed,
       CASE WHEN x.pace_assessed THEN x.base_net::DOUBLE * ${p.periodDays} / x.b_days END AS baseline,
       x.stage = 'decline' AS churn_flag,
       x.stage <> 'lost' AND x.pace_assessed AND x.base_net > 0
         AND x.current_net::DOUBLE * x.b_days < ${p.paceThreshold}::DOUBLE * ${p.periodDays} * x.base_net::DOUBLE AS pace_flag,
       k.tier, k.value_rank::INTEGER AS value_rank, k.profit, k.margin::DOUBLE AS margin, k.key_class,
       x.start_p::INTEGER AS start_p, x.start_g::DOUBLE AS start_g, x.start_date,
       x.purchase_net, x.first_month_net
FROM x LEFT JOIN k ON k.customer_id = x.customer_id`;
}

/** The statements that write `customer_segments`. */
export function segmentTables(p: SegmentParams): SqlQuery[] {
  return [customerSegmentsTable(p)];
}

export async function buildSegmentTables(db: DbClient, p: SegmentParams): Promise<void> {
  for (const q of segmentTables(p)) await db.exec(q);
}

// ── The RFM panel (§7) ──────────────────────────────────────────────────────────────────

/** A cell of the 5 × 5 R × F grid (all 25 cells, empty ones with 0 customers). */
export interface RfmCellRow {
  readonly r_score: number;
  readonly f_score: number;
  readonly segment: RfmSegment;
  readonly customers: number;
  /** Mean value of the cell's customers (null when empty). */
  readonly avg_m: number | null;
  /** Σ value of the cell ÷ Σ value of all customers (null when that sum is 0). */
  readonly revenue_share: number | null;
  /** Mean recency_days of the cell's customers. */
  readonly avg_recency: number | null;
}

/**
 * One RFM segment or one of the eight classes: its customers, their share of all customers,
 * revenue = Σ value, its share of Σ value, and the mean recency_days, n_orders and value.
 */
export interface SegmentRow {
  readonly id: string;
  readonly customers: number;
  readonly customer_share: number | null;
  readonly revenue: number;
  readonly revenue_share: number | null;
  readonly avg_r: number | null;
  readonly avg_f: number | null;
  readonly avg_m: number | null;
}

/** The cuts of the eight classes: R high when recency_days < r, F high when n_orders > f, M high when value > m. */
export interface Rfm8ThresholdRow {
  readonly basis: Rfm8Basis;
  readonly r: number | null;
  readonly f: number | null;
  readonly m: number | null;
}

/** What each score covers: the range of recency_days, n_orders and value of the customers with that R, F, M score. */
export interface ScoreBoundaryRow {
  readonly score: number;
  readonly r_min: number | null;
  readonly r_max: number | null;
  readonly r_customers: number;
  readonly f_min: number | null;
  readonly f_max: number | null;
  readonly f_customers: number;
  readonly m_min: number | null;
  readonly m_max: number | null;
  readonly m_customers: number;
}

export interface SegmentsResult {
  readonly customers: number;
  readonly grid: readonly RfmCellRow[];
  readonly segments: readonly SegmentRow[];
  readonly classes: readonly SegmentRow[];
  readonly thresholds: Rfm8ThresholdRow;
  readonly boundaries: readonly ScoreBoundaryRow[];
}

function idList(ids: readonly string[]): SqlFragment {
  return raw(`(SELECT * FROM (VALUES ${ids.map((id, i) => `(${i}, '${id}')`).join(', ')}) AS v(ord, id))`);
}

/** Rows per id of `ids` (all of them, in that order) grouped on `column` of customer_segments. */
export function groupQuery(column: 'rfm_segment' | 'rfm8_class', ids: readonly string[]): SqlQuery {
  return sql`WITH t AS (SELECT count(*) AS n, sum(value) AS total FROM customer_segments),
g AS (SELECT ${raw(column)} AS id, count(*) AS customers, sum(value) AS revenue,
             avg(recency_days) AS avg_r, avg(n_orders) AS avg_f, avg(value) AS avg_m
      FROM customer_segments GROUP BY 1)
SELECT v.id, coalesce(g.customers, 0)::INTEGER AS customers, ${div(sql`coalesce(g.customers, 0)`, sql`t.n`)} AS customer_share,
       coalesce(g.revenue, 0)::DOUBLE AS revenue, ${div(sql`coalesce(g.revenue, 0)`, sql`t.total`)} AS revenue_share,
       g.avg_r::DOUBLE AS avg_r, g.avg_f::DOUBLE AS avg_f, g.avg_m::DOUBLE AS avg_m
FROM ${idList(ids)} v CROSS JOIN t LEFT JOIN g ON g.id = v.id
ORDER BY v.ord`;
}

export function rfmGridQuery(): SqlQuery {
  return sql`WITH t AS (SELECT sum(value) AS total FROM customer_segments),
cells AS (SELECT r.r AS r_score, f.f AS f_score FROM range(1, 6) r(r), range(1, 6) f(f)),
g AS (SELECT r_score, f_score, count(*) AS customers, avg(value) AS avg_m,
             sum(value) AS revenue, avg(recency_days) AS avg_recency
      FROM customer_segments GROUP BY 1, 2)
SELECT c.r_score::INTEGER AS r_score, c.f_score::INTEGER AS f_score,
       ${segmentCase('c.r_score', 'c.f_score')} AS segment,
       coalesce(g.customers, 0)::INTEGER AS customers, g.avg_m::DOUBLE AS avg_m,
       ${div(sql`coalesce(g.revenue, 0)`, sql`t.total`)} AS revenue_share, g.avg_recency::DOUBLE AS avg_recency
FROM cells c CROSS JOIN t LEFT JOIN g ON g.r_score = c.r_score AND g.f_score = c.f_score
ORDER BY c.r_score DESC, c.f_score DESC`;
}

export function rfm8ThresholdQuery(basis: Rfm8Basis): SqlQuery {
  const agg = (a: string) => raw(basis === 'median' ? `quantile_cont(${a}, 0.5)` : `avg(${a})`);
  return sql`SELECT ${basis}::VARCHAR AS basis, ${agg('recency_days')}::DOUBLE AS r, ${agg('n_orders')}::DOUBLE AS f,
       ${agg('value')}::DOUBLE AS m FROM customer_segments`;
}

export function scoreBoundariesQuery(): SqlQuery {
  return raw(`WITH s AS (SELECT range AS score FROM range(1, 6)),
r AS (SELECT r_score AS score, min(recency_days) AS lo, max(recency_days) AS hi, count(*) AS n FROM customer_segments GROUP BY 1),
f AS (SELECT f_score AS score, min(n_orders) AS lo, max(n_orders) AS hi, count(*) AS n FROM customer_segments GROUP BY 1),
m AS (SELECT m_score AS score, min(value) AS lo, max(value) AS hi, count(*) AS n FROM customer_segments GROUP BY 1)
SELECT s.score::INTEGER AS score,
       r.lo::INTEGER AS r_min, r.hi::INTEGER AS r_max, coalesce(r.n, 0)::INTEGER AS r_customers,
       f.lo::INTEGER AS f_min, f.hi::INTEGER AS f_max, coalesce(f.n, 0)::INTEGER AS f_customers,
       m.lo::DOUBLE AS m_min, m.hi::DOUBLE AS m_max, coalesce(m.n, 0)::INTEGER AS m_customers
FROM s LEFT JOIN r USING (score) LEFT JOIN f USING (score) LEFT JOIN m USING (score)
ORDER BY s.score`);
}

/** Needs the tables of `buildSegmentTables` (run it first with the same params). */
export async function runSegments(db: DbClient, p: SegmentParams): Promise<SegmentsResult> {
  const segments = await rows<SegmentRow>(db, groupQuery('rfm_segment', RFM_SEGMENTS));
  return {
    customers: segments.reduce((s, r) => s + r.customers, 0),
    grid: await rows<RfmCellRow>(db, rfmGridQuery()),
    segments,
    classes: await rows<SegmentRow>(db, groupQuery('rfm8_class', RFM8_CLASSES)),
    thresholds: await one<Rfm8ThresholdRow>(db, rfm8ThresholdQuery(p.rfm8Basis)),
    boundaries: await rows<ScoreBoundaryRow>(db, scoreBoundariesQuery()),
  };
}

export function segmentsTables(r: SegmentsResult): Record<string, readonly object[]> {
  return {
    rfm_grid: r.grid,
    rfm_segments: r.segments,
    rfm8_classes: r.classes,
    rfm8_thresholds: [r.thresholds],
    rfm_score_boundaries: r.boundaries,
  };
}

/** rfm_<segment> and rfm8_<class>: customers in each. */
export function segmentsMetrics(r: SegmentsResult): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const s of r.segments) out[`rfm_${s.id}`] = s.customers;
  for (const c of r.classes) out[`rfm8_${c.id}`] = c.customers;
  return out;
}

/** The segment settings of a run: the page's settings at the run's as-of date. */
export function segmentParamsOf(settings: Settings, ctx: Pick<PanelContext, 'asOf'>): SegmentParams {
  return {
    asOf: ctx.asOf,
    churnWindowDays: settings.churnWindowDays,
    overdueFactor: settings.overdueFactor,
    stableDays: settings.stableDays,
    periodDays: settings.periodDays,
    paceThreshold: settings.paceThreshold,
    rfm8Basis: settings.rfm8Basis,
    tierA: settings.tierA,
    tierB: settings.tierB,
  };
}

/** A panel module's named tables as registry tables (report titles are the report's own). */
export function namedTables(tables: Record<string, readonly object[]>, title: string): PanelTable[] {
  return Object.entries(tables).map(([name, rows]) => ({ name, title, rows }));
}

/**
 * RFM segments and the eight classes. It runs first of the segment panels and writes the
 * per-customer table (`customer_segments`) the lifecycle, composition and warnings panels
 * read, so it must stay before them in the registry (the registry test checks the order).
 */
export const segmentsPanel: PanelDescriptor<'segments', SegmentsResult> = {
  id: 'segments',
  weight: 580,
  kpis: ['rfm_champions', 'rfm_loyal', 'rfm_at_risk', 'rfm_cant_lose', 'rfm_hibernating', 'rfm8_important_value'],
  async run(db, settings, ctx) {
    await ctx.ensure?.('rankings', 'purchase_days');
    const p = segmentParamsOf(settings, ctx);
    await buildSegmentTables(db, p);
    return runSegments(db, p);
  },
  metrics: (r) => segmentsMetrics(r) as Partial<Metrics>,
  tables: (r) => namedTables(segmentsTables(r), 'dash.col.group'),
};
