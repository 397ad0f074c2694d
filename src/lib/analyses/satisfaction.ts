/**
 * Satisfaction and loyalty (METRICS.md §6). Customer scores are on `customers.score`
 * (derive.ts); this module detects the scale and builds the quadrant and curve tables.
 */
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import type { ScoreScale } from '../model/settings.ts';
import { div, type SqlFragment } from './common.ts';
import { one, rows, type PanelDescriptor } from './panel.ts';

export interface SatisfactionParams {
  /** Scale to use; null = detected (see `detectScale`). */
  readonly scale: ScoreScale | null;
  /** High-satisfaction threshold; null = the scale's default. */
  readonly highSatisfaction: number | null;
  /** Loyal = n_orders ≥ this. */
  readonly loyalMinOrders: number;
}

/** Observed range of the raw scores (order/response level) in use; nulls when none. */
export interface ScoreRangeRow {
  readonly source: ScoreSource;
  readonly min_score: number | null;
  readonly max_score: number | null;
  readonly n_scores: number;
}

/** Where customer scores come from: a survey file, the sales file's score column, or nowhere. */
export type ScoreSource = 'survey' | 'lines' | 'none';

export type Quadrant = 'loyalists' | 'mercenaries' | 'hostages' | 'defectors';

/** The scale and threshold used, and how they were chosen. */
export interface ScaleInfo {
  /** null when no score was observed or the range fits no known scale. */
  readonly scale: ScoreScale | null;
  readonly detected: ScoreScale | null;
  /** High satisfaction = customer score ≥ this; null when there is no scale. */
  readonly high: number | null;
  /** Customer score ≤ this is a detractor (0–10 scale only, for NPS). */
  readonly detractorMax: number | null;
}

export interface SatisfactionSummaryRow {
  readonly customers: number;
  /** Customers who have a customer score. */
  readonly customers_with_score: number;
  /** customers_with_score ÷ customers. */
  readonly coverage: number | null;
  /** Mean of customer scores. */
  readonly satisfaction_mean: number | null;
  readonly quadrant_loyalists: number | null;
  readonly quadrant_mercenaries: number | null;
  readonly quadrant_hostages: number | null;
  readonly quadrant_defectors: number | null;
  /** 0–10 scale only: 100 × (share with score ≥ 9 − share with score ≤ 6), in points (−100 … 100). */
  readonly nps: number | null;
}

/** Satisfaction–loyalty curve: level = customer score rounded half up. */
export interface LevelRow {
  readonly level: number;
  readonly n: number;
  readonly repeat_customers: number;
  /** repeat (n_orders ≥ loyalMinOrders) customers ÷ n. */
  readonly repurchase_rate: number | null;
}

export interface QuadrantRow {
  readonly quadrant: Quadrant;
  readonly high: boolean;
  readonly loyal: boolean;
  readonly customers: number;
  /** customers ÷ customers_with_score. */
  readonly share: number | null;
  readonly value: number;
  /** value ÷ Σ value of customers with a score. */
  readonly value_share: number | null;
}

export interface SatisfactionResult {
  readonly source: ScoreSource;
  readonly range: ScoreRangeRow;
  readonly scaleInfo: ScaleInfo;
  readonly summary: SatisfactionSummaryRow;
  readonly levels: readonly LevelRow[];
  /** Always the four quadrants (zero rows included) when there is a scale; empty otherwise. */
  readonly quadrants: readonly QuadrantRow[];
}

export function scoreRangeQuery(): SqlQuery {
  return raw(`WITH s AS (SELECT count(*) AS n, min(score) AS lo, max(score) AS hi FROM survey),
l AS (SELECT count(score) AS n, min(score) AS lo, max(score) AS hi FROM f_lines)
SELECT CASE WHEN s.n > 0 THEN 'survey' WHEN l.n > 0 THEN 'lines' ELSE 'none' END AS source,
       (CASE WHEN s.n > 0 THEN s.lo ELSE l.lo END)::DOUBLE AS min_score,
       (CASE WHEN s.n > 0 THEN s.hi ELSE l.hi END)::DOUBLE AS max_score,
       (CASE WHEN s.n > 0 THEN s.n ELSE l.n END)::INTEGER AS n_scores
FROM s, l`);
}

/** The smallest known scale that holds every observed score; null when none does. */
export function detectScale(min: number | null, max: number | null): ScoreScale | null {
  if (min === null || max === null) return null;
  if (min >= 1 && max <= 5) return '1-5';
  if (min >= 1 && max <= 7) return '1-7';
  if (min >= 1 && max <= 10) return '1-10';
  if (min >= 0 && max <= 10) return '0-10';
  return null;
}

const DEFAULT_HIGH: Record<ScoreScale, number> = { '1-5': 4, '1-7': 6, '0-10': 9, '1-10': 9 };

export function scaleInfo(range: { min_score: number | null; max_score: number | null }, p: SatisfactionParams): ScaleInfo {
  const detected = detectScale(range.min_score, range.max_score);
  const scale = p.scale ?? detected;
  const high = scale === null ? null : (p.highSatisfaction ?? DEFAULT_HIGH[scale]);
  return { scale, detected, high, detractorMax: scale === '0-10' ? 6 : null };
}

export function satisfactionSummaryQuery(info: ScaleInfo, p: SatisfactionParams): SqlQuery {
  const loyal = sql`n_orders >= ${p.loyalMinOrders}`;
  const quadrant = (high: boolean, isLoyal: boolean) =>
    info.high === null
      ? raw('NULL::INTEGER')
      : sql`(count(*) FILTER (WHERE score ${raw(high ? '>=' : '<')} ${info.high} AND ${raw(isLoyal ? '' : 'NOT ')}(${loyal})))::INTEGER`;
  const nps =
    info.detractorMax === null
      ? raw('NULL::DOUBLE')
      : sql`100 * ${div(sql`count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= ${info.detractorMax})`, sql`count(score)`)}`;
  return sql`SELECT count(*)::INTEGER AS customers, count(score)::INTEGER AS customers_with_score,
       ${div(sql`count(score)`, sql`count(*)`)} AS coverage,
       avg(score)::DOUBLE AS satisfaction_mean,
       ${quadrant(true, true)} AS quadrant_loyalists,
       ${quadrant(true, false)} AS quadrant_mercenaries,
       ${quadrant(false, true)} AS quadrant_hostages,
       ${quadrant(false, false)} AS quadrant_defectors,
       ${nps} AS nps
FROM customers`;
}

export function levelsQuery(p: SatisfactionParams): SqlQuery {
  return sql`SELECT level::INTEGER AS level, count(*)::INTEGER AS n, count(*) FILTER (WHERE loyal)::INTEGER AS repeat_customers,
       ${div(sql`count(*) FILTER (WHERE loyal)`, sql`count(*)`)} AS repurchase_rate
FROM (SELECT floor(score + 0.5) AS level, n_orders >= ${p.loyalMinOrders} AS loyal FROM customers WHERE score IS NOT NULL)
GROUP BY level ORDER BY level`;
}

/** `quadrant` of a customer for threshold `high` (SQL CASE; NULL without a score). */
export function quadrantCase(high: number, loyalMinOrders: number): SqlFragment {
  return sql`CASE WHEN score IS NULL THEN NULL
  WHEN score >= ${high} AND n_orders >= ${loyalMinOrders} THEN 'loyalists'
  WHEN score >= ${high} THEN 'mercenaries'
  WHEN n_orders >= ${loyalMinOrders} THEN 'hostages'
  ELSE 'defectors' END`;
}

export function quadrantsQuery(info: ScaleInfo, p: SatisfactionParams): SqlQuery | null {
  if (info.high === null) return null;
  return sql`WITH q(quadrant, high, loyal, ord) AS (VALUES ('loyalists', true, true, 1), ('mercenaries', true, false, 2),
                                     ('hostages', false, true, 3), ('defectors', false, false, 4)),
c AS (SELECT ${quadrantCase(info.high, p.loyalMinOrders)} AS quadrant, value FROM customers WHERE score IS NOT NULL),
t AS (SELECT count(*) AS n, sum(value) AS v FROM c)
SELECT q.quadrant, q.high, q.loyal, count(c.quadrant)::INTEGER AS customers,
       ${div(sql`count(c.quadrant)`, sql`any_value(t.n)`)} AS share,
       coalesce(sum(c.value), 0)::DOUBLE AS value,
       ${div(sql`coalesce(sum(c.value), 0)`, sql`any_value(t.v)`)} AS value_share
FROM q CROSS JOIN t LEFT JOIN c ON c.quadrant = q.quadrant
GROUP BY q.quadrant, q.high, q.loyal, q.ord ORDER BY q.ord`;
}

export const satisfactionPanel: PanelDescriptor<'satisfaction', SatisfactionResult> = {
  id: 'satisfaction',
  weight: 0.04,
  kpis: ['customers_with_score', 'satisfaction_mean', 'quadrant_loyalists', 'quadrant_mercenaries', 'quadrant_hostages', 'quadrant_defectors', 'nps'],
  async run(db, settings) {
    const sp: SatisfactionParams = { scale: settings.scoreScale, highSatisfaction: settings.highSatisfaction, loyalMinOrders: settings.loyalMinOrders };
    const range = await one<ScoreRangeRow>(db, scoreRangeQuery());
    const info = scaleInfo(range, sp);
    const quadrants = quadrantsQuery(info, sp);
    return {
      source: range.source,
      range,
      scaleInfo: info,
      summary: await one<SatisfactionSummaryRow>(db, satisfactionSummaryQuery(info, sp)),
      levels: await rows<LevelRow>(db, levelsQuery(sp)),
      quadrants: quadrants ? await rows<QuadrantRow>(db, quadrants) : [],
    };
  },
  metrics: (r) => ({
    customers_with_score: r.summary.customers_with_score,
    satisfaction_mean: r.summary.satisfaction_mean,
    quadrant_loyalists: r.summary.quadrant_loyalists,
    quadrant_mercenaries: r.summary.quadrant_mercenaries,
    quadrant_hostages: r.summary.quadrant_hostages,
    quadrant_defectors: r.summary.quadrant_defectors,
    nps: r.summary.nps,
  }),
  tables: (r) => [
    { name: 'levels', title: 'dash.col.rate', rows: r.levels },
    { name: 'quadrants', title: 'dash.col.quadrant', rows: r.quadrants },
  ],
};
