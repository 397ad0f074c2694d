/**
 * The customers behind a tier, a quadrant, an RFM segment, one of the eight classes, a
 * lifecycle stage or any other aggregate of a panel (drill.ts), for the customer list and its
 * export (one row per customer), with their RFM scores, segment, class and stage from
 * `customer_segments` (segments.ts).
 */
import { join, raw, sql, type SqlQuery } from '../db/sql.ts';
import type { ContactField } from '../model/schema.ts';
import type { Settings } from '../model/settings.ts';
import type { Tier } from './pareto.ts';
import type { Rfm8Class, RfmSegment, Stage } from './segments.ts';
import { quadrantCase, type Quadrant } from './satisfaction.ts';
import type { DbClient } from '../db/client.ts';
import { asOfDate, isoDate, one, rows, type SqlFragment } from './common.ts';
import type { ClvBinSource } from './clv-bins.ts';
import { drillMembers, type Drill } from './drill.ts';

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
  readonly segment?: RfmSegment;
  readonly rfm8Class?: Rfm8Class;
  readonly stage?: Stage;
  /** Keep only these customer ids (a query selecting `customer_id`, drill.ts `drillMembers`). */
  readonly members?: SqlFragment;
  /** Sort (a column of the list, then rank) and page; default: by rank, every row. */
  readonly sort?: CustomerListSort;
  readonly descending?: boolean;
  readonly limit?: number;
  readonly offset?: number;
  /** Contact fields to add after the id (from `customer_info`, latest non-empty value each). */
  readonly contacts?: readonly ContactField[];
  /** Write the quadrant as these labels (an export in the page's language) instead of its id. */
  readonly quadrantLabels?: Readonly<Record<Quadrant, string>>;
}

/** Which customers a list keeps (none set = everyone; several = all of them at once). */
export interface CustomerFilter {
  readonly tier?: Tier;
  readonly quadrant?: Quadrant;
  readonly segment?: RfmSegment;
  readonly rfm8Class?: Rfm8Class;
  readonly stage?: Stage;
  /** Any other aggregate of a panel (a decile, a cohort cell, a migration cell …). */
  readonly drill?: Drill;
}

/** Ordered by value descending, then customer id (the Pareto rank). */
export interface CustomerListRow {
  readonly customer_id: string;
  /**
   * Contact fields, present when the list asks for them (`contacts`): the value of the
   * customer's latest kept line on which the field is not empty (schema.ts `customer_info`).
   */
  readonly name?: string | null;
  readonly phone?: string | null;
  readonly contact?: string | null;
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
  /** RFM scores 1–5 at as_of (METRICS.md §7); null for a customer without a purchase by as_of. */
  readonly r_score: number | null;
  readonly f_score: number | null;
  readonly m_score: number | null;
  readonly rfm_segment: RfmSegment | null;
  readonly rfm8_class: Rfm8Class | null;
  /** Lifecycle stage at as_of (§8). */
  readonly stage: Stage | null;
}

export function customerListQuery(p: CustomerListParams): SqlQuery {
  return listFragment(p);
}

function listFragment(p: CustomerListParams): SqlFragment {
  const quadrant = p.high === null ? raw('NULL::VARCHAR') : quadrantCase(p.high, p.loyalMinOrders);
  const conds: SqlFragment[] = [];
  if (p.tier) conds.push(sql`tier = ${p.tier}`);
  if (p.quadrant) conds.push(sql`quadrant = ${p.quadrant}`);
  if (p.segment) conds.push(sql`rfm_segment = ${p.segment}`);
  if (p.rfm8Class) conds.push(sql`rfm8_class = ${p.rfm8Class}`);
  if (p.stage) conds.push(sql`stage = ${p.stage}`);
  if (p.members) conds.push(sql`customer_id IN (${p.members})`);
  const where = conds.length ? sql`WHERE ${join(conds, ' AND ')}` : raw('');
  return sql`${customerListBody(p, quadrant, where)} ${listOrder(p)}`;
}



/** Sortable columns of the list (any of them; ties by rank). */
export type CustomerListSort = (typeof CUSTOMER_LIST_COLUMNS)[number];

function listOrder(p: CustomerListParams): SqlFragment {
  const sort = p.sort && (CUSTOMER_LIST_COLUMNS as readonly string[]).includes(p.sort) && p.sort !== 'rank' ? p.sort : null;
  const by = sort === null ? raw(`ORDER BY rank${p.descending ? ' DESC' : ''}`) : raw(`ORDER BY ${sort} ${p.descending ? 'DESC' : 'ASC'} NULLS LAST, rank`);
  const limit = p.limit === undefined ? raw('') : sql` LIMIT ${Math.max(0, Math.floor(p.limit))} OFFSET ${Math.max(0, Math.floor(p.offset ?? 0))}`;
  return sql`${by}${limit}`;
}

function customerListBody(p: CustomerListParams, quadrant: SqlFragment, where: SqlFragment): SqlFragment {
  const contacts = p.contacts ?? [];
  const info = contacts.length
    ? raw(' LEFT JOIN (SELECT customer_id AS ci_id, name AS ci_name, phone AS ci_phone, contact AS ci_contact FROM customer_info) ci ON ci.ci_id = r.customer_id')
    : raw('');
  const contactCols = contacts.length ? raw(`, ${contacts.map((f) => `ci_${f}`).join(', ')}`) : raw('');
  const contactOut = raw(contacts.map((f) => `ci_${f}::VARCHAR AS ${f}, `).join(''));
  const labels = p.quadrantLabels;
  const quadrantOut = labels
    ? sql`CASE quadrant WHEN 'loyalists' THEN ${labels.loyalists} WHEN 'mercenaries' THEN ${labels.mercenaries}
       WHEN 'hostages' THEN ${labels.hostages} WHEN 'defectors' THEN ${labels.defectors} END::VARCHAR`
    : raw('quadrant');
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
         ${quadrant} AS quadrant, cs.r_score, cs.f_score, cs.m_score, cs.rfm_segment, cs.rfm8_class, cs.stage${contactCols}
  FROM r CROSS JOIN cuts
  LEFT JOIN (SELECT customer_id AS cs_id, r_score, f_score, m_score, rfm_segment, rfm8_class, stage FROM customer_segments) cs ON cs.cs_id = r.customer_id${info})
SELECT customer_id, ${contactOut}rank::INTEGER AS rank, value::DOUBLE AS value, n_orders::INTEGER AS n_orders,
       ${isoDate(sql`first_date`)} AS first_date, ${isoDate(sql`last_date`)} AS last_date,
       date_diff('day', last_date, ${asOfDate(p.asOf)})::INTEGER AS recency_days,
       tier, score::DOUBLE AS score, ${quadrantOut} AS quadrant,
       r_score::INTEGER AS r_score, f_score::INTEGER AS f_score, m_score::INTEGER AS m_score,
       rfm_segment::VARCHAR AS rfm_segment, rfm8_class::VARCHAR AS rfm8_class, stage::VARCHAR AS stage
FROM l ${where}`;
}

/** How many customers the list of `p` holds (its filters; sort and page ignored). */
export function customerListCountQuery(p: CustomerListParams): SqlQuery {
  return sql`SELECT count(*)::INTEGER AS n FROM (${listFragment({ ...p, sort: undefined, limit: undefined })})`;
}

/**
 * The customer list of a dashboard run (everyone, or one tier or quadrant), with the run's
 * as-of date and thresholds, and the contact fields the data maps: the one place the page's
 * exports, the report and `analyze --customers` get it from.
 */
export function customerListFor(run: CustomerListRun, settings: Settings, filter: CustomerFilter = {}, page: CustomerListPage = {}): SqlQuery {
  return customerListQuery(customerListParams(run, settings, filter, page));
}

/** The run a customer list is read against: its as-of date and satisfaction thresholds. */
export interface CustomerListRun {
  readonly asOf: string | null;
  readonly satisfaction: { readonly scaleInfo: { readonly high: number | null; readonly satisfied: number | null } };
  readonly mapped?: { readonly contacts?: readonly ContactField[] };
  /** The lifetime-value fit (its bins' lists take their ids from it). */
  readonly clv?: ClvBinSource | null;
}

/** A page of the list, and how it is written (the quadrant in the page's language for an export). */
export type CustomerListPage = Pick<CustomerListParams, 'sort' | 'descending' | 'limit' | 'offset' | 'quadrantLabels'>;

/** The list parameters of a run, its settings and a filter (drill members included). */
export function customerListParams(run: CustomerListRun, settings: Settings, filter: CustomerFilter = {}, page: CustomerListPage = {}): CustomerListParams {
  const asOf = run.asOf ?? '1970-01-01';
  const { drill, ...plain } = filter;
  const { high, satisfied } = run.satisfaction.scaleInfo;
  return {
    contacts: run.mapped?.contacts ?? [],
    asOf,
    tierA: settings.tierA,
    tierB: settings.tierB,
    high,
    loyalMinOrders: settings.loyalMinOrders,
    ...plain,
    ...(drill ? { members: drillMembers(drill, { asOf, settings, high, satisfied, clv: run.clv ?? null }) } : {}),
    ...page,
  };
}

/** The quadrants' names in the page's language (the chart's labels), for `quadrantLabels`. */
export function quadrantLabels(t: (key: string) => string): Record<Quadrant, string> {
  const name = (q: Quadrant) => t(`chart.satisfaction.quadrant.${q}`);
  return { loyalists: name('loyalists'), mercenaries: name('mercenaries'), hostages: name('hostages'), defectors: name('defectors') };
}

/** The columns of a list with `contacts`, in order: the id, the contact fields, then `CUSTOMER_LIST_COLUMNS`' others. */
export function customerListColumns(contacts: readonly ContactField[] = []): string[] {
  const [id, ...rest] = CUSTOMER_LIST_COLUMNS;
  return [id, ...contacts, ...rest];
}

/** The columns of `CustomerListRow` without contact fields, in order. */
export const CUSTOMER_LIST_COLUMNS = [
  'customer_id',
  'rank',
  'value',
  'n_orders',
  'first_date',
  'last_date',
  'recency_days',
  'tier',
  'score',
  'quadrant',
  'r_score',
  'f_score',
  'm_score',
  'rfm_segment',
  'rfm8_class',
  'stage',
] as const;

/** One page of a customer list and how many customers the whole list holds. */
export interface CustomerListPageResult {
  readonly total: number;
  readonly rows: readonly CustomerListRow[];
}

export async function customerListPage(
  db: DbClient,
  run: CustomerListRun,
  settings: Settings,
  filter: CustomerFilter,
  page: CustomerListPage,
): Promise<CustomerListPageResult> {
  const p = customerListParams(run, settings, filter, page);
  const total = await one<{ n: number }>(db, customerListCountQuery(p));
  return { total: total.n, rows: await rows<CustomerListRow>(db, customerListQuery(p)) };
}
