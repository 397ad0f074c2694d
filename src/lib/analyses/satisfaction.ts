/**
 * Satisfaction and loyalty (METRICS.md §6). Customer scores are on `customers.score`
 * (derive.ts); this module detects the scale and builds the quadrant and curve tables.
 */
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import { DEFAULT_SETTINGS, type ScoreScale } from '../model/settings.ts';
import { div, type SqlFragment } from './common.ts';
import { one, rows } from './common.ts';
import type { PanelDescriptor } from './panel.ts';

export interface SatisfactionParams {
  /** Scale to use; null = detected (see `detectScale`). */
  readonly scale: ScoreScale | null;
  /** High-satisfaction threshold; null = the scale's default. */
  readonly highSatisfaction: number | null;
  /** Loyal = n_orders ≥ this. */
  readonly loyalMinOrders: number;
  /** A level or group with fewer customers than this is `small` (default 30, METRICS.md §1). */
  readonly minGroupSize?: number;
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

/** What establishes the 0–10 scale NPS needs: the score column's name, a 10 among the answers, or the scale setting. */
export type NpsBasis = 'column' | 'max' | 'setting';

/** The scale and threshold used, and how they were chosen. */
export interface ScaleInfo {
  /** null when no score was observed or the range fits no known scale. */
  readonly scale: ScoreScale | null;
  readonly detected: ScoreScale | null;
  /** High satisfaction = customer score ≥ this (default: the top box); null when there is no scale. */
  readonly high: number | null;
  /** Satisfied = customer score ≥ this (4 of 5, 6 of 7, 7 of 10): below `high`, satisfied but not completely. */
  readonly satisfied: number | null;
  /** An answer ≤ this is a detractor (6); null when no 0–10 scale is established and there is no NPS. */
  readonly detractorMax: number | null;
  readonly npsBasis: NpsBasis | null;
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
  /**
   * Over responses (survey rows, or score cells of the sales lines, of customers), on an
   * established 0–10 scale only: 100 × (share of answers 9–10 − share of answers 0–6), in
   * points (−100 … 100).
   */
  readonly nps: number | null;
  /** The responses NPS is computed over; null when there is no NPS. */
  readonly nps_responses: number | null;
}

/** Customers by how satisfied they are, with their repurchase rate (Jones & Sasser's groups). */
export type SatisfactionGroup = 'top_box' | 'satisfied' | 'below';

export interface SatisfactionGroupRow {
  /** top_box: score ≥ high; satisfied: satisfied ≤ score < high (satisfied but not completely); below: the rest. */
  readonly group: SatisfactionGroup;
  readonly n: number;
  readonly repeat_customers: number;
  /** repeat (n_orders ≥ loyalMinOrders) customers ÷ n. */
  readonly repurchase_rate: number | null;
  /** n < minGroupSize: greyed and never quoted in a headline. */
  readonly small: boolean;
}

/** Satisfaction–loyalty curve: level = customer score rounded half up. */
export interface LevelRow {
  readonly level: number;
  /** The group the level itself falls in (by the same thresholds as the customer scores). */
  readonly group: SatisfactionGroup;
  readonly n: number;
  readonly repeat_customers: number;
  /** repeat (n_orders ≥ loyalMinOrders) customers ÷ n. */
  readonly repurchase_rate: number | null;
  /** n < minGroupSize: greyed and never quoted in a headline. */
  readonly small: boolean;
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
  /** Always the three groups (zero rows included) when there is a scale; empty otherwise. */
  readonly groups: readonly SatisfactionGroupRow[];
  /** Always the four quadrants (zero rows included) when there is a scale; empty otherwise. */
  readonly quadrants: readonly QuadrantRow[];
}

export function scoreRangeQuery(): SqlQuery {
  return raw(`WITH s AS (SELECT (SELECT count(*) FROM survey) AS n, min(score) AS lo, max(score) AS hi, count(*) AS answers FROM f_survey),
l AS (SELECT count(score) AS n, min(score) AS lo, max(score) AS hi FROM f_lines)
SELECT CASE WHEN s.n > 0 THEN 'survey' WHEN l.n > 0 THEN 'lines' ELSE 'none' END AS source,
       (CASE WHEN s.n > 0 THEN s.lo ELSE l.lo END)::DOUBLE AS min_score,
       (CASE WHEN s.n > 0 THEN s.hi ELSE l.hi END)::DOUBLE AS max_score,
       (CASE WHEN s.n > 0 THEN s.answers ELSE l.n END)::INTEGER AS n_scores
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

/** The top box: completely satisfied. */
const TOP_BOX: Record<ScoreScale, number> = { '1-5': 5, '1-7': 7, '0-10': 9, '1-10': 9 };
/** Satisfied (the lower edge of the upper boxes); on 10 points the passives' 7. */
const SATISFIED: Record<ScoreScale, number> = { '1-5': 4, '1-7': 6, '0-10': 7, '1-10': 7 };

/**
 * `npsScore`: the score column in use is named as a Net Promoter question, which puts it on
 * 0–10 whatever its answers. Otherwise the scale is detected from the answers' range, and
 * NPS needs a 10-point scale established by a 10 among the answers or by the scale setting:
 * the lowest answer seen never decides it (a 0–10 survey nobody answered 0 still has an NPS).
 */
export function scaleInfo(range: { min_score: number | null; max_score: number | null }, p: SatisfactionParams, npsScore = false): ScaleInfo {
  const { min_score: min, max_score: max } = range;
  const named = npsScore && min !== null && max !== null && min >= 0 && max <= 10;
  const detected = named ? '0-10' : detectScale(min, max);
  const scale = p.scale ?? detected;
  const high = scale === null ? null : (p.highSatisfaction ?? TOP_BOX[scale]);
  const satisfied = scale === null ? null : SATISFIED[scale];
  const tenPoint = scale === '0-10' || scale === '1-10';
  const npsBasis: NpsBasis | null = !tenPoint ? null : p.scale !== null ? 'setting' : named ? 'column' : max === 10 ? 'max' : null;
  return { scale, detected, high, satisfied, detractorMax: npsBasis === null ? null : 6, npsBasis };
}

/**
 * The responses NPS counts: when the survey has rows, each survey row that belongs to a
 * customer (by order id, to one of their orders; else by customer id); otherwise each score
 * cell of the analysed sales lines of a customer. One answer each, never averaged first.
 */
const RESPONSES = `responses AS (
  SELECT s.score FROM f_survey s
  WHERE (SELECT count(*) FROM survey) > 0 AND CASE
    WHEN s.order_id IS NOT NULL THEN EXISTS (
      SELECT 1 FROM orders o JOIN customers c USING (customer_id) WHERE o.has_id AND o.order_id = s.order_id)
    ELSE s.customer_id IN (SELECT customer_id FROM customers) END
  UNION ALL
  SELECT score FROM f_lines
  WHERE (SELECT count(*) FROM survey) = 0 AND score IS NOT NULL AND customer_id IN (SELECT customer_id FROM customers))`;

export function satisfactionSummaryQuery(info: ScaleInfo, p: SatisfactionParams): SqlQuery {
  const loyal = sql`n_orders >= ${p.loyalMinOrders}`;
  const quadrant = (high: boolean, isLoyal: boolean) =>
    info.high === null
      ? raw('NULL::INTEGER')
      : sql`(count(*) FILTER (WHERE score ${raw(high ? '>=' : '<')} ${info.high} AND ${raw(isLoyal ? '' : 'NOT ')}(${loyal})))::INTEGER`;
  const nps =
    info.detractorMax === null
      ? raw('NULL::DOUBLE AS nps, NULL::INTEGER AS nps_responses')
      : sql`(SELECT 100 * ${div(sql`count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= ${info.detractorMax})`, sql`count(*)`)} FROM responses) AS nps,
       (SELECT count(*) FROM responses)::INTEGER AS nps_responses`;
  return sql`WITH ${raw(RESPONSES)}
SELECT count(*)::INTEGER AS customers, count(score)::INTEGER AS customers_with_score,
       ${div(sql`count(score)`, sql`count(*)`)} AS coverage,
       avg(score)::DOUBLE AS satisfaction_mean,
       ${quadrant(true, true)} AS quadrant_loyalists,
       ${quadrant(true, false)} AS quadrant_mercenaries,
       ${quadrant(false, true)} AS quadrant_hostages,
       ${quadrant(false, false)} AS quadrant_defectors,
       ${nps}
FROM customers`;
}

/** The satisfaction group of a score expression `x` (by the scale's top box and satisfied thresholds). */
export function groupOf(info: Pick<ScaleInfo, 'high' | 'satisfied'>, x: SqlFragment): SqlFragment {
  if (info.high === null || info.satisfied === null) return sql`'below'`;
  return sql`CASE WHEN ${x} >= ${info.high} THEN 'top_box' WHEN ${x} >= ${info.satisfied} THEN 'satisfied' ELSE 'below' END`;
}

export function levelsQuery(p: SatisfactionParams, info: ScaleInfo): SqlQuery {
  return sql`SELECT level::INTEGER AS level, ${groupOf(info, sql`level`)}::VARCHAR AS "group", count(*)::INTEGER AS n,
       count(*) FILTER (WHERE loyal)::INTEGER AS repeat_customers,
       ${div(sql`count(*) FILTER (WHERE loyal)`, sql`count(*)`)} AS repurchase_rate,
       (count(*) < ${minGroupSize(p)}) AS small
FROM (SELECT floor(score + 0.5) AS level, n_orders >= ${p.loyalMinOrders} AS loyal FROM customers WHERE score IS NOT NULL)
GROUP BY level ORDER BY level`;
}

/** The three groups by customer score (null when there is no scale). */
export function groupsQuery(info: ScaleInfo, p: SatisfactionParams): SqlQuery | null {
  if (info.high === null) return null;
  return sql`WITH g(grp, ord) AS (VALUES ('top_box', 1), ('satisfied', 2), ('below', 3)),
c AS (SELECT ${groupOf(info, sql`score`)} AS grp, n_orders >= ${p.loyalMinOrders} AS loyal FROM customers WHERE score IS NOT NULL)
SELECT g.grp::VARCHAR AS "group", count(c.grp)::INTEGER AS n, (count(c.grp) FILTER (WHERE c.loyal))::INTEGER AS repeat_customers,
       ${div(sql`count(c.grp) FILTER (WHERE c.loyal)`, sql`count(c.grp)`)} AS repurchase_rate,
       (count(c.grp) < ${minGroupSize(p)}) AS small
FROM g LEFT JOIN c USING (grp)
GROUP BY g.grp, g.ord ORDER BY g.ord`;
}

function minGroupSize(p: SatisfactionParams): number {
  return p.minGroupSize ?? DEFAULT_SETTINGS.minGroupSize;
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
  weight: 65,
  kpis: ['customers_with_score', 'satisfaction_mean', 'quadrant_loyalists', 'quadrant_mercenaries', 'quadrant_hostages', 'quadrant_defectors', 'nps'],
  async run(db, settings, { mapped }) {
    const sp: SatisfactionParams = { scale: settings.scoreScale, highSatisfaction: settings.highSatisfaction, loyalMinOrders: settings.loyalMinOrders, minGroupSize: settings.minGroupSize };
    const range = await one<ScoreRangeRow>(db, scoreRangeQuery());
    const info = scaleInfo(range, sp, mapped.npsScore ?? false);
    const quadrants = quadrantsQuery(info, sp);
    const groups = groupsQuery(info, sp);
    return {
      source: range.source,
      range,
      scaleInfo: info,
      summary: await one<SatisfactionSummaryRow>(db, satisfactionSummaryQuery(info, sp)),
      levels: await rows<LevelRow>(db, levelsQuery(sp, info)),
      groups: groups ? await rows<SatisfactionGroupRow>(db, groups) : [],
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
    nps_responses: r.summary.nps_responses,
  }),
  tables: (r) => [
    { name: 'levels', title: 'dash.col.rate', rows: r.levels },
    { name: 'quadrants', title: 'dash.col.quadrant', rows: r.quadrants },
    { name: 'groups', title: 'dash.col.group', rows: r.groups },
  ],
};
