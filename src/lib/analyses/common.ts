/**
 * Small SQL pieces shared by the analyses. Trusted text only (no values from files).
 */
import type { DbClient, Row } from '../db/client.ts';
import { raw, sql, type SqlPart, type SqlQuery } from '../db/sql.ts';

/** `a ÷ b` as DOUBLE, null when `b` is 0 or null (never NaN or Infinity). */
export function div(a: SqlPart, b: SqlPart) {
  return sql`((${a})::DOUBLE / NULLIF((${b})::DOUBLE, 0))`;
}

/** A DATE expression as ISO text `YYYY-MM-DD` (both engines return the same string). */
export function isoDate(e: SqlPart) {
  return sql`strftime((${e})::DATE, '%Y-%m-%d')`;
}

/** The as-of date bound as a DATE. */
export function asOfDate(asOf: string) {
  return sql`CAST(${asOf} AS DATE)`;
}

/** Upper edges (exclusive) of the day bins used by the day histograms; the last bin is open. */
export const DAY_BIN_EDGES = [7, 14, 30, 60, 90, 180, 365] as const;

/**
 * The day bins as a table `(bin, lo, hi)`: bin i covers [lo, hi) days, the last bin is open
 * (hi NULL). Left-join items to it so that empty bins still appear.
 */
export function dayBins() {
  const edges = [0, ...DAY_BIN_EDGES];
  const rows = edges.map((lo, i) => `(${i}, ${lo}, ${i < DAY_BIN_EDGES.length ? String(edges[i + 1]) : 'NULL'})`);
  return raw(`(SELECT bin::INTEGER AS bin, lo::INTEGER AS lo, hi::INTEGER AS hi FROM (VALUES ${rows.join(', ')}) AS b(bin, lo, hi))`);
}

/** The bin index of a day count (NULL when null or below 0): a CASE, so binning is one pass, not a range join. */
export function dayBinOf(column: 'days') {
  const arms = DAY_BIN_EDGES.map((hi, i) => `WHEN ${column} < ${hi} THEN ${i}`).join(' ');
  return raw(`CASE WHEN ${column} IS NULL OR ${column} < 0 THEN NULL ${arms} ELSE ${DAY_BIN_EDGES.length} END`);
}

/** One bin of a day histogram. */
export interface DayBinRow {
  /** 0-based bin index. */
  readonly bin: number;
  /** Inclusive lower edge in days. */
  readonly lo: number;
  /** Exclusive upper edge in days; null for the last, open bin. */
  readonly hi: number | null;
  /** Number of items (customers or gaps) in the bin. */
  readonly n: number;
  /** `n ÷` all items of the histogram; null when there are none. */
  readonly share: number | null;
}

/** A composable query piece (what the `sql` tag returns; plain `SqlQuery` values cannot be nested). */
export type SqlFragment = ReturnType<typeof sql>;

// Row shapes are fixed by the casts in each query; these assert them for the panels that run their own queries.
export async function rows<T>(db: DbClient, q: SqlQuery): Promise<T[]> {
  return (await db.query<Row>(q)) as unknown as T[];
}

export async function one<T>(db: DbClient, q: SqlQuery): Promise<T> {
  const [row] = await rows<T>(db, q);
  if (row === undefined) throw new Error(`query returned no row: ${q.text.slice(0, 80)}`);
  return row;
}
