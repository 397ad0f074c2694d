/**
 * Whole lists behind the warnings and key-customer panels, for the follow-up sheet (回访表)
 * and the class exports: every row of a filtered list in the list's own order, with names
 * stable enough to stream through export/stream.ts. The page itself reads lists a page at a
 * time (warnings.ts `warningPage`, `keyClassPage` here).
 */
import type { DbClient } from '../db/client.ts';
import { join, raw, sql, type SqlQuery } from '../db/sql.ts';
import type { UnusedColumn } from '../model/mapped.ts';
import type { ContactField } from '../model/schema.ts';
import { isoDate, one, rows } from './common.ts';
import type { KeyClass } from './segments.ts';
import { warningOrder, warningWhere, type WarningListParams } from './warnings.ts';

/** A warning list without paging: what the follow-up sheet exports. */
export type WarningFilter = Omit<WarningListParams, 'limit' | 'offset'>;

/** Columns of the follow-up sheet, in order (`withLine` adds LATEST_LINE_COLUMNS after them). */
export const FOLLOW_UP_COLUMNS = [
  'rank', 'customer_id', 'stage', 'rfm_segment', 'tier', 'first_date', 'last_date', 'p', 'g', 'recency_days', 'overdue_days',
  'value', 'value_365', 'current', 'baseline', 'drop',
] as const;

/**
 * The file's mapped columns as they stood on the customer's latest line (latest order_ts
 * on or before the as-of date, after the filters; ties: the later line of the file).
 */
export const LATEST_LINE_COLUMNS = ['product', 'category', 'region', 'channel'] as const;

/** What the follow-up sheet adds to a warning list's columns. */
export interface FollowUpExtras {
  /** Contact fields after the id (`customer_info`: latest non-empty value of each). */
  readonly contacts?: readonly ContactField[];
  /**
   * Unused columns of the customer's latest line over all loaded lines (`customer_info`:
   * neither the filters nor the as-of date apply, as the load keeps that line only), trimmed;
   * written as `unused_1`, `unused_2` … in this order (headings: their labels).
   */
  readonly unused?: readonly UnusedColumn[];
}

/** The output name of the i-th unused column chosen (0-based). */
export const unusedColumnName = (i: number): string => `unused_${i + 1}`;

/**
 * The names a follow-up sheet's columns take in a file that keeps column names (Parquet): an
 * unused column under its label, as the CSV and workbook headings have it; every other column
 * under its own name. A label that another column already has gets " (2)", " (3)" … added.
 */
export function followUpColumnNames(columns: readonly string[], unused: readonly UnusedColumn[]): string[] {
  const taken = new Set(columns.filter((c) => !/^unused_\d+$/.test(c)));
  return columns.map((c) => {
    const u = unused.find((_, i) => unusedColumnName(i) === c);
    if (!u) return c;
    let name = u.label;
    for (let k = 2; taken.has(name); k++) name = `${u.label} (${k})`;
    taken.add(name);
    return name;
  });
}

/**
 * Every customer of a warning list in the order the page shows it (`rank` = the 1-based
 * position in that order), the same columns as `WarningRow`; with `withLine`, the mapped
 * columns of each customer's latest line; with `extras`, contact fields and unused columns.
 * Reads `customer_segments` (and `f_lines`, `customer_info`).
 */
export function followUpQuery(p: WarningFilter, withLine = false, extras: FollowUpExtras = {}): SqlQuery {
  const order = warningOrder(p);
  const contacts = extras.contacts ?? [];
  const unused = extras.unused ?? [];
  const info = contacts.length > 0 || unused.length > 0;
  const cellOf = (u: UnusedColumn) =>
    sql`nullif(trim(CASE ${join(u.sources.map((s) => sql`WHEN ci.file_no = ${s.file}::INTEGER THEN ci.cells[${s.index + 1}::INTEGER]`), ' ')} END), '')`;
  const infoCols = info
    ? sql`${raw(contacts.map((f) => `, ci.${f}::VARCHAR AS ${f}`).join(''))}${join(
        unused.map((u, i) => sql`, ${cellOf(u)}::VARCHAR AS ${raw(unusedColumnName(i))}`),
        '',
      )}`
    : raw('');
  const line = withLine
    ? sql`, ll.product::VARCHAR AS product, ll.category::VARCHAR AS category, ll.region::VARCHAR AS region, ll.channel::VARCHAR AS channel`
    : raw('');
  const from = withLine
    ? raw(`l LEFT JOIN (
  SELECT customer_id, product, category, region, channel
  FROM f_lines WHERE customer_id IN (SELECT customer_id FROM l)
  QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY order_ts DESC, file_no DESC, line_no DESC) = 1) ll USING (customer_id)`)
    : raw('l');
  return sql`WITH l AS (
  SELECT customer_id, stage, rfm_segment, tier, first_date, last_date, p, g, recency_days, overdue_days, value, value_365,
         current_net AS current, baseline, baseline - current_net::DOUBLE AS drop
  FROM customer_segments WHERE ${warningWhere(p)})
SELECT (row_number() OVER (ORDER BY ${order}))::INTEGER AS rank, customer_id::VARCHAR AS customer_id, stage::VARCHAR AS stage,
       rfm_segment::VARCHAR AS rfm_segment, tier::VARCHAR AS tier, ${isoDate(sql`first_date`)} AS first_date, ${isoDate(sql`last_date`)} AS last_date,
       p::INTEGER AS p, g::DOUBLE AS g, recency_days::INTEGER AS recency_days, overdue_days::DOUBLE AS overdue_days,
       value::DOUBLE AS value, value_365::DOUBLE AS value_365, current::DOUBLE AS current, baseline::DOUBLE AS baseline, drop::DOUBLE AS drop${line}${infoCols}
FROM ${from}${info ? raw(' LEFT JOIN customer_info ci USING (customer_id)') : raw('')}
ORDER BY ${order}`;
}

/** The values a list can be narrowed to: the tiers, segments, regions and categories its customers have. */
export interface WarningFilterChoices {
  readonly regions: readonly string[];
  readonly categories: readonly string[];
}

export async function warningFilterChoices(db: DbClient): Promise<WarningFilterChoices> {
  const got = await rows<{ kind: string; v: string }>(
    db,
    sql`WITH f AS (
  SELECT cu.first_region, cu.first_category FROM customers cu
  WHERE cu.customer_id IN (SELECT customer_id FROM customer_segments WHERE churn_flag OR pace_flag))
SELECT * FROM (
  SELECT DISTINCT 'region' AS kind, first_region::VARCHAR AS v FROM f WHERE first_region IS NOT NULL
  UNION ALL
  SELECT DISTINCT 'category' AS kind, first_category::VARCHAR AS v FROM f WHERE first_category IS NOT NULL)
ORDER BY kind, v LIMIT 2000`,
  );
  return { regions: got.filter((r) => r.kind === 'region').map((r) => r.v), categories: got.filter((r) => r.kind === 'category').map((r) => r.v) };
}

/** One customer of a key class (or of the revenue ranking when no class is given). */
export interface KeyCustomerRow {
  /** Pareto rank of §4 (value descending, then id). */
  readonly value_rank: number;
  readonly customer_id: string;
  /** Contact fields, when asked for (latest non-empty value each, `customer_info`). */
  readonly name?: string | null;
  readonly phone?: string | null;
  readonly contact?: string | null;
  readonly value: number;
  readonly profit: number | null;
  readonly margin: number | null;
  readonly key_class: KeyClass | null;
}

/**
 * Customers of a key class (every customer when null), by value descending then id, with the
 * contact fields asked for after the id. Reads `customer_keys` (and `customer_info`).
 */
export function keyClassQuery(keyClass: KeyClass | null, limit?: number, offset = 0, contacts: readonly ContactField[] = []): SqlQuery {
  const where = keyClass === null ? raw('TRUE') : sql`key_class = ${keyClass}`;
  const page = limit === undefined ? raw('') : sql` LIMIT ${Math.max(1, Math.min(10_000, Math.floor(limit)))} OFFSET ${Math.max(0, Math.floor(offset))}`;
  const info = contacts.length > 0;
  return sql`SELECT value_rank::INTEGER AS value_rank, customer_id::VARCHAR AS customer_id${raw(contacts.map((f) => `, ci.${f}::VARCHAR AS ${f}`).join(''))}, value::DOUBLE AS value, profit::DOUBLE AS profit,
       margin::DOUBLE AS margin, key_class::VARCHAR AS key_class
FROM customer_keys${info ? raw(' LEFT JOIN customer_info ci USING (customer_id)') : raw('')} WHERE ${where}
ORDER BY value_rank, customer_id${page}`;
}

export async function keyClassPage(
  db: DbClient,
  keyClass: KeyClass | null,
  limit: number,
  offset: number,
  contacts: readonly ContactField[] = [],
): Promise<{ total: number; rows: KeyCustomerRow[] }> {
  const where = keyClass === null ? raw('TRUE') : sql`key_class = ${keyClass}`;
  return {
    total: (await one<{ n: number }>(db, sql`SELECT count(*)::INTEGER AS n FROM customer_keys WHERE ${where}`)).n,
    rows: await rows<KeyCustomerRow>(db, keyClassQuery(keyClass, limit, offset, contacts)),
  };
}
