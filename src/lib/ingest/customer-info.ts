/**
 * `customer_info` (schema.ts): per customer, the contact fields (latest non-empty value of
 * each) and the unused columns of the customer's latest line, for the customer lists and the
 * follow-up sheet. Built beside `lines`, never in it, so that the analyses and every
 * aggregate stay as they are and a million lines do not carry a name, a phone and an
 * address each.
 *
 * Per file, while its raw table is still there: the kept lines (stage) give each customer's
 * latest line and latest non-empty contact values; only for those latest lines are the
 * unused cells read back from the raw table (a semi-join on the line number), so the load
 * keeps one row of unused cells per customer, not one per line. The only file that adds
 * rows writes `customer_info` directly; with several, their per-file rows are merged after
 * the last (latest over all files).
 *
 * "Latest" orders kept lines by order_ts, then file, then physical line number.
 */
import { ident, join, raw, sql, tableIdent, type SqlQuery } from '../db/sql.ts';
import { CONTACT_FIELDS, CUSTOMER_INFO_DDL, type ContactField } from '../model/schema.ts';
import type { Fragment } from './parse.ts';
import { trimText } from './parse.ts';
import { unusedColumns } from './mapping.ts';
import type { ColumnMapping } from './types.ts';

export { MAX_UNUSED_COLUMNS, unusedColumns } from './mapping.ts';

/** What a sales file contributes to `customer_info`. */
export interface InfoSpec {
  readonly contacts: Partial<Record<ContactField, number>>;
  /** Raw columns kept as the latest line's cells (`unusedColumns`). */
  readonly unused: readonly number[];
}

/** Null when the file has neither a contact field nor an unused column (nothing is kept). */
export function infoSpec(mapping: ColumnMapping, columnCount: number): InfoSpec | null {
  const contacts: Partial<Record<ContactField, number>> = {};
  for (const f of CONTACT_FIELDS) if (mapping[f] !== undefined) contacts[f] = mapping[f];
  const unused = unusedColumns(mapping, columnCount);
  return Object.keys(contacts).length === 0 && unused.length === 0 ? null : { contacts, unused };
}

/**
 * The order of "latest" as one HUGEINT: (order_ts, file, line) packed as
 * (epoch µs + 2^63) · 2^48 + file · 2^32 + line, never negative, so that one integer
 * compares as the three would (aggregating with a struct key took 2.4 times as long). Files
 * below 2^16, lines below 2^32.
 */
const LINE_BITS = 4294967296n;
const FILE_BITS = 281474976710656n;
export function lineKey(fileNo: number): Fragment {
  return raw(
    `((epoch_us(order_ts)::HUGEINT + 9223372036854775808) * ${FILE_BITS} + ${Math.max(0, Math.floor(fileNo))}::HUGEINT * ${LINE_BITS} + line_no)`,
  );
}

/** The per-file rows, merged at the end of the load (TEMP). */
export function infoStageDdl(table: string): SqlQuery {
  return sql`CREATE OR REPLACE TEMP TABLE ${ident(table)} (
  customer_id VARCHAR NOT NULL, k HUGEINT NOT NULL,
  name VARCHAR, name_k HUGEINT, phone VARCHAR, phone_k HUGEINT, contact VARCHAR, contact_k HUGEINT,
  cells VARCHAR[])`;
}

/** `CUSTOMER_INFO_DDL` under another name, TEMP when the load keeps its tables in memory. */
export function customerInfoDdl(table: string, temp: boolean): string {
  return CUSTOMER_INFO_DDL.replace('CREATE OR REPLACE TABLE customer_info', `CREATE OR REPLACE ${temp ? 'TEMP ' : ''}TABLE ${table}`);
}

/** The stage's contact columns (`name_v`, `phone_v`, `contact_v`): trimmed, NULL when blank or unmapped. */
export function contactStageColumns(spec: InfoSpec | null | undefined, cell: (c: number) => Fragment): Fragment {
  return join(
    CONTACT_FIELDS.map((f) => {
      const c = spec?.contacts[f];
      return c === undefined ? sql`NULL::VARCHAR AS ${ident(`${f}_v`)}` : sql`nullif(${trimText(cell(c))}, '') AS ${ident(`${f}_v`)}`;
    }),
    ', ',
  );
}

/**
 * Append file `fileNo`'s rows: per customer of its kept lines, the latest line's key and
 * unused cells (read from `rawTable` for those lines only) and each contact field's latest
 * non-empty value with its line's key. With `final` (the load's only file that adds rows),
 * straight into `customer_info`'s shape, without the keys a merge would need.
 */
export function collectInfoSql(stage: string, rawTable: string, fileNo: number, spec: InfoSpec, target: string, final = false): SqlQuery {
  const key = lineKey(fileNo);
  const latest = (f: ContactField) => {
    const v = ident(`${f}_v`);
    if (spec.contacts[f] === undefined) return sql`NULL::VARCHAR AS ${ident(f)}, NULL::HUGEINT AS ${ident(`${f}_k`)}`;
    const value = sql`arg_max(${v}, ${key}) FILTER (WHERE ${v} IS NOT NULL) AS ${ident(f)}`;
    return final ? sql`${value}, NULL::HUGEINT AS ${ident(`${f}_k`)}` : sql`${value}, max(${key}) FILTER (WHERE ${v} IS NOT NULL) AS ${ident(`${f}_k`)}`;
  };
  const cells = spec.unused.length
    ? sql`[${join(spec.unused.map((c) => sql`r.${ident(`c${c}`)}`))}]::VARCHAR[]`
    : raw('NULL::VARCHAR[]');
  // The latest line's number straight from the aggregate: taken from the key (a HUGEINT
  // modulo, 1 µs a customer) it cost more than the aggregate; only its cells are read back.
  const join_ = spec.unused.length
    ? sql`LEFT JOIN (SELECT line_no, ${join(spec.unused.map((c) => ident(`c${c}`)))} FROM ${tableIdent(rawTable)}
          WHERE line_no IN (SELECT line FROM per_customer)) r ON r.line_no = p.line`
    : raw('');
  const out = final
    ? sql`p.customer_id, p.name, p.phone, p.contact, ${fileNo}::INTEGER, p.line, ${cells}`
    : sql`p.customer_id, p.k, p.name, p.name_k, p.phone, p.phone_k, p.contact, p.contact_k, ${cells}`;
  return sql`INSERT INTO ${ident(target)}
WITH per_customer AS (
  SELECT customer_id, ${final ? raw('') : sql`max(${key}) AS k, `}arg_max(line_no, ${key})::INTEGER AS line, ${join(CONTACT_FIELDS.map(latest), ', ')}
  FROM ${tableIdent(stage)} WHERE status = 'kept' GROUP BY customer_id)
SELECT ${out}
FROM per_customer p ${join_}`;
}

/** Merge the per-file rows into `to` (created with `customerInfoDdl`): the latest over all files. */
export function finishInfoSql(from: string, to: string): SqlQuery {
  return sql`INSERT INTO ${ident(to)}
SELECT customer_id,
       arg_max(name, name_k) FILTER (WHERE name IS NOT NULL),
       arg_max(phone, phone_k) FILTER (WHERE phone IS NOT NULL),
       arg_max(contact, contact_k) FILTER (WHERE contact IS NOT NULL),
       ((max(k) // ${raw(String(LINE_BITS))}) % ${raw(String(FILE_BITS / LINE_BITS))})::INTEGER,
       (max(k) % ${raw(String(LINE_BITS))})::INTEGER, arg_max_null(cells, k)
FROM ${ident(from)} GROUP BY customer_id`;
}
