/**
 * Simple records (simple-cells.ts) read by the simple branch of the rules alone. A raw
 * table whose rows are all simple is staged by `simpleStageSql`; one whose rows are mostly
 * simple records has those inserted straight into the lines by `buildSimpleLines`, and only
 * the other rows go through the full rules. The lines and the load report are the same as
 * the full rules give (a property test loads random near-miss files both ways).
 */
import type { DbClient } from '../db/client.ts';
import {
  STAGE_SLICE_LINES,
  accountFor,
  amountsOfRejected,
  cell,
  lineSlices,
  num,
  productAmount,
  profitFromCost,
  rejectedLineTexts,
  releaseRaw,
  resolveParse,
  stageLists,
  stageSql,
  stageWarningCounts,
  warningsOf,
  type BuildLinesResult,
  type BuildLinesSpec,
} from './build-lines.ts';
import { collectInfoSql, contactStageColumns } from './customer-info.ts';
import { createWorkTable, ident, join, raw, sql, tableIdent } from '../db/sql.ts';
import { formattedAmount, formattedCurrency, idValue, type Fragment } from './parse.ts';
import { RAW_FLAG } from './raw-format.ts';
import { IngestError, type ParseOptions } from './types.ts';

/**
 * What a raw table's rows are when every one is simple (simple-cells.ts): `plain` when all
 * are plain simple records, `formatted` when some are formatted simple ones (`-￥1,234.50`,
 * `2023/12/12 22:44`: the common shape of an Excel export of a formatted report).
 */
export type SimpleRows = 'plain' | 'formatted';

/**
 * The SELECT of the stage (build-lines.ts `stageSql`) for a raw table whose rows are all
 * simple (but for lines above the header, flagged title or blank, which are skipped as the
 * full rules skip them): the same columns and values, from the simple branches of each
 * expression alone (for `formatted`, the plain and the formatted branch by the row's flag). A simple row is
 * never blank, a title, a summary or a footer row, its customer id is itself, its date ISO
 * (or, formatted, `2023/12/12 22:44`) and its numbers plain (or formatted), so of the reasons
 * only a date that does not exist (2023-02-30), a missing amount and an amount that does not
 * fit DECIMAL(18,4) remain. Null when the mapping lacks a required field (the full stage says
 * which).
 */
function simpleStageSelect(spec: BuildLinesSpec, rows: SimpleRows): Fragment | null {
  const m = spec.mapping;
  if (m.customer === undefined || m.date === undefined || (m.amount === undefined && (m.quantity === undefined || m.unit_price === undefined))) return null;
  const direct = m.amount !== undefined;
  const qtyCol = m.quantity;
  const priceCol = m.unit_price;
  // The plain branch, or (formatted) the plain branch for plain rows and the formatted one for the others.
  const byKind = (plain: Fragment, formatted: Fragment): Fragment =>
    rows === 'plain' ? plain : sql`CASE flag WHEN ${raw(String(RAW_FLAG.simpleData))} THEN ${plain} ELSE ${formatted} END`;
  const decimal = (c: Fragment) => byKind(sql`TRY_CAST(${c} AS DECIMAL(18,4))`, formattedAmount(c, '.'));
  const number = (c: number | undefined) => (c === undefined ? raw('NULL::DECIMAL(18,4)') : decimal(cell(c)));
  const text = (f: 'product' | 'category' | 'region' | 'channel') => {
    const c = m[f];
    return c === undefined ? raw('NULL::VARCHAR') : sql`nullif(${cell(c)}, '')`;
  };
  const amountCell = direct ? cell(m.amount as number) : cell(priceCol as number);
  const cells = Array.from({ length: spec.columnCount }, (_, i) => ident(`c${i}`));
  const rowHash = cells.length ? sql`hash(${join(cells)})` : sql`hash(line_no)`;
  return sql`
    WITH base AS (SELECT *, ${cell(m.customer)} AS cust_t, ${cell(m.date)} AS date_c, ${amountCell} AS amt_c,
        ${qtyCol === undefined ? raw("''") : cell(qtyCol)} AS qty_c FROM ${tableIdent(spec.rawTable)}),
      parsed AS (SELECT *, ${byKind(sql`TRY_CAST(date_c AS TIMESTAMP)`, sql`TRY_CAST(replace(date_c, '/', '-') AS TIMESTAMP)`)} AS order_ts,
        ${decimal(ident('amt_c'))} AS amount_p,
        ${qtyCol === undefined ? raw('NULL::DECIMAL(18,4)') : decimal(ident('qty_c'))} AS amount_q FROM base),
      valued AS (SELECT *, ${direct ? sql`amount_p` : productAmount} AS amount FROM parsed),
      classified AS (SELECT *, CASE
          WHEN flag = ${raw(String(RAW_FLAG.title))} THEN 'title_row'
          WHEN flag = ${raw(String(RAW_FLAG.blank))} THEN 'blank_row'
          WHEN order_ts IS NULL THEN 'unparseable_date'
          WHEN ${direct ? sql`amt_c = ''` : sql`(qty_c = '' OR amt_c = '')`} THEN 'missing_amount'
          WHEN amount IS NULL THEN 'unparseable_amount'
          ELSE NULL END AS reason, ${number(m.cost)} AS cost_v FROM valued)
    SELECT line_no, flag,
      CASE WHEN reason IS NULL THEN 'kept' WHEN reason = 'title_row' OR reason = 'blank_row' THEN 'skipped' ELSE 'rejected' END AS status,
      reason,
      CASE
        WHEN reason = 'unparseable_date' THEN left(date_c, 80)
        WHEN reason = 'unparseable_amount' THEN left(${direct ? sql`amt_c` : sql`CASE WHEN amount_q IS NULL THEN qty_c ELSE amt_c END`}, 80)
        ELSE NULL END AS value,
      cust_t AS customer_id,
      ${m.order === undefined ? raw('NULL::VARCHAR') : idValue(cell(m.order))} AS order_id,
      order_ts,
      amount,
      ${qtyCol === undefined ? raw('NULL::DOUBLE') : sql`amount_q::DOUBLE`} AS quantity,
      ${priceCol === undefined ? raw('NULL::DOUBLE') : direct ? sql`${number(priceCol)}::DOUBLE` : sql`amount_p::DOUBLE`} AS unit_price,
      ${text('product')} AS product,
      ${text('category')} AS category,
      ${text('region')} AS region,
      ${text('channel')} AS channel,
      cost_v AS cost,
      ${m.profit !== undefined ? number(m.profit) : m.cost !== undefined ? profitFromCost : raw('NULL::DECIMAL(18,4)')} AS profit,
      ${m.score === undefined ? raw('NULL::DOUBLE') : sql`TRY_CAST(${cell(m.score)} AS DOUBLE)`} AS score,
      ${byKind(raw('NULL::VARCHAR'), formattedCurrency(ident('amt_c')))} AS currency,
      ${contactStageColumns(spec.info?.spec, cell)},
      ${dateKindOf(rows, ident('date_c'))} AS date_kind,
      false AS cust_trimmed,
      false AS cust_placeholder,
      false AS cust_sci,
      CASE WHEN reason IS NULL THEN ${rowHash} END AS row_hash,
      false AS dup_extra
    FROM classified`;
}

/** A simple row's date kind, as the full stage names it: ISO, or (formatted rows) `ymd` for `2023/12/12`. */
function dateKindOf(rows: SimpleRows, dateCell: Fragment): Fragment {
  return rows === 'plain'
    ? raw("'iso'")
    : sql`CASE WHEN flag = ${raw(String(RAW_FLAG.simpleFormatted))} AND contains(${dateCell}, '/') THEN 'ymd' ELSE 'iso' END`;
}

/**
 * The stage statements for a raw table whose rows are all simple (`simpleStageSelect`,
 * then the duplicate marking of `stageSql`). Under a decimal comma the simple branch does
 * not apply: the full stage is returned.
 */
export function simpleStageSql(rows: SimpleRows): NonNullable<BuildLinesSpec['stageSql']> {
  return (spec, p, slices = []) => {
    const general = stageSql(spec, p, slices);
    const select = p.decimal === '.' ? simpleStageSelect(spec, rows) : null;
    if (select === null) return general;
    // The general statements end with the duplicate marking, after the stage's creation.
    const markDuplicates = general[general.length - 1] as Fragment;
    return [sql`${createWorkTable(spec.stage)} AS ${select}`, markDuplicates];
  };
}

/** The flags of the rows a simple file may have besides its simple records: lines above the header (titles, empty lines). */
const ASIDE = raw(`(flag = ${RAW_FLAG.title} OR flag = ${RAW_FLAG.blank})`);
/** The flags of simple records. */
const SIMPLE_RECORD = raw(`(flag = ${RAW_FLAG.simpleData} OR flag = ${RAW_FLAG.simpleFormatted})`);

/**
 * The kinds of `rawTable`'s simple records (null when it has none), and whether every other
 * row is a line above the header (title or blank), so that `simpleStageSql` may stage them
 * all. One pass over the flag column.
 */
export async function simpleRows(db: DbClient, rawTable: string): Promise<{ readonly rows: SimpleRows; readonly all: boolean } | null> {
  const [row] = await db.query(sql`SELECT count(*)::INTEGER AS n,
      count(*) FILTER (WHERE flag = ${raw(String(RAW_FLAG.simpleData))})::INTEGER AS plain,
      count(*) FILTER (WHERE flag = ${raw(String(RAW_FLAG.simpleFormatted))})::INTEGER AS formatted,
      count(*) FILTER (WHERE ${ASIDE})::INTEGER AS aside
    FROM ${tableIdent(rawTable)}`);
  const plain = num(row, 'plain');
  const formatted = num(row, 'formatted');
  if (plain + formatted === 0) return null;
  return { rows: formatted === 0 ? 'plain' : 'formatted', all: plain + formatted + num(row, 'aside') === num(row, 'n') };
}

/**
 * `buildLines` for a raw table whose rows are mostly simple records (`simpleRows`), when
 * every simple record is kept: the simple records go from the raw table straight into the
 * target, with no stage table; the other rows (lines above the header, rows the simple test
 * did not pass: a 合计 line, a padded id) are staged by the full rules in a table of their
 * own, with the parse decided over the whole file, and their kept rows are written with the
 * others in line order. The report is made from what one stage of every row would have held
 * (a simple record is kept, its id as written, its date ISO or `2023/12/12`, its currency its
 * sign's): the same definitions over the lines written, the small stage and the raw table.
 * Null, with nothing written, when a simple record would be rejected, the amounts are read
 * with a decimal comma, duplicates are to be skipped or most rows are not simple records:
 * `buildLines` then stages the file.
 */
export async function buildSimpleLines(
  db: DbClient,
  spec: BuildLinesSpec,
  parse: ParseOptions,
  rows: SimpleRows,
  sliceLines = STAGE_SLICE_LINES,
): Promise<BuildLinesResult | null> {
  if (parse.dedupe) return null;
  const rawT = tableIdent(spec.rawTable);
  const [counts] = await db.query(sql`SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE ${SIMPLE_RECORD})::INTEGER AS simple FROM ${rawT}`);
  const rowsRead = num(counts, 'n');
  const simpleN = num(counts, 'simple');
  if (simpleN === 0 || 2 * (rowsRead - simpleN) > rowsRead) return null;
  const p = await resolveParse(db, spec.rawTable, spec.mapping, parse);
  const select = p.decimal === '.' ? simpleStageSelect(spec, rows) : null;
  if (select === null) return null;
  const target = ident(spec.target);
  const count = async (q: Fragment) => num((await db.query(q))[0], 'n');

  // The other rows, staged by the full rules (the parse decided over the whole file).
  const others = { ...spec, rawTable: `${spec.stage}_raw`, dropRawWhenCounted: false };
  const staged = rowsRead > simpleN;
  if (staged) {
    await db.exec(sql`${createWorkTable(others.rawTable)} AS SELECT * FROM ${rawT} WHERE NOT ${SIMPLE_RECORD}`);
    // Sliced by line only when they are many: each slice is planned anew (~0.15 s natively for
    // the rules' expressions), and a title and a 合计 line span the whole file.
    const [range] = await db.query(sql`SELECT min(line_no)::INTEGER AS lo, max(line_no)::INTEGER AS hi FROM ${tableIdent(others.rawTable)}`);
    const slices = rowsRead - simpleN > sliceLines ? lineSlices(num(range, 'lo'), num(range, 'hi'), sliceLines) : [];
    // Its statements write the stage (a slice of lines at a time, as `buildLines` does), then
    // mark duplicates: those are counted over every kept row below instead.
    for (const statement of stageSql(others, p, slices.length > 1 ? slices : []).slice(0, -1)) await db.exec(statement);
  }
  const columns = raw(`line_no, customer_id, order_id, order_ts, order_ts::DATE, amount,
      quantity, unit_price, product, category, region, channel, cost, profit, score, currency`);
  // Kept rows among the others (a padded id, say): merged in line order. A file whose other
  // rows are all set aside (a title, a 合计 line) needs no merge, and no sort of every line.
  const merge = staged && (await count(sql`SELECT count(*)::INTEGER AS n FROM ${tableIdent(spec.stage)} WHERE status = 'kept'`)) > 0;
  const before = await count(sql`SELECT count(*)::INTEGER AS n FROM ${target}`);
  // Every simple record is written, kept or not: a simple record is rejected only for want of
  // a date or an amount, which the lines' NOT NULL constraints refuse (the statement then
  // writes nothing and the file is staged after all). Written this way, no row's reason is
  // computed: a filter on it took a third of the statement.
  const simpleKept = sql`SELECT ${columns} FROM (${select}) WHERE ${SIMPLE_RECORD}`;
  const dropOthers = () => (staged ? db.exec(sql`DROP TABLE IF EXISTS ${tableIdent(others.rawTable)}`) : Promise.resolve());
  try {
    await db.exec(sql`INSERT INTO ${target}
      SELECT ${spec.fileNo}::INTEGER, * FROM (${
        merge ? sql`SELECT * FROM (${simpleKept} UNION ALL SELECT ${columns} FROM ${tableIdent(spec.stage)} WHERE status = 'kept') ORDER BY line_no` : simpleKept
      })`);
  } catch (e) {
    if (!/NOT NULL constraint failed/i.test(e instanceof Error ? e.message : String(e))) throw e;
    await dropOthers();
    return null;
  }
  const written = (await count(sql`SELECT count(*)::INTEGER AS n FROM ${target}`)) - before;
  const unkept = await count(sql`SELECT count(*)::INTEGER AS n FROM ${target} WHERE file_no = ${spec.fileNo} AND (order_ts IS NULL OR amount IS NULL)`);
  const acct = staged
    ? await accountFor(db, others.rawTable, spec.stage)
    : { rowsRead: 0, kept: 0, rejected: 0, skipped: 0 };
  if (unkept > 0 || written !== simpleN + acct.kept) {
    await db.exec(sql`DELETE FROM ${target} WHERE file_no = ${spec.fileNo}`);
    await dropOthers();
    return null;
  }
  if (rowsRead !== written + acct.rejected + acct.skipped) {
    throw new IngestError('ACCOUNTING_MISMATCH', { rows_read: rowsRead, kept: written, rejected: acct.rejected, skipped: acct.skipped });
  }

  const cells = Array.from({ length: spec.columnCount }, (_, i) => ident(`c${i}`));
  const rowHash = sql`hash(${join(cells)})`;
  // Rows sharing a hash are only candidates: the cells decide, as in `stageSql`.
  const duplicates = await count(sql`WITH hashed AS MATERIALIZED (SELECT line_no, ${rowHash} AS h FROM ${rawT}
        WHERE ${SIMPLE_RECORD}${staged ? sql` OR line_no IN (SELECT line_no FROM ${tableIdent(spec.stage)} WHERE status = 'kept')` : raw('')}),
      shared AS (SELECT line_no FROM hashed WHERE h IN (SELECT h FROM hashed GROUP BY h HAVING count(*) > 1))
    SELECT coalesce(sum(n - 1), 0)::INTEGER AS n FROM (
      SELECT count(*) AS n FROM ${rawT} WHERE line_no IN (SELECT line_no FROM shared)
      GROUP BY ${join(cells)} HAVING count(*) > 1)`);
  // What the one stage would have counted: the simple records' part (kept, ids as written,
  // dates ISO or `ymd`, currencies in the lines) with the staged rows' counts.
  const [mine] = await db.query(sql`SELECT
      (SELECT count(*) FROM ${target} WHERE file_no = ${spec.fileNo} AND amount < 0)::INTEGER AS refunds,
      (SELECT string_agg(DISTINCT kind, ',' ORDER BY kind) FROM (SELECT ${dateKindOf(rows, cell(spec.mapping.date ?? 0))} AS kind FROM ${rawT} WHERE ${SIMPLE_RECORD})) AS kinds,
      (SELECT count(DISTINCT currency) FROM ${target} WHERE file_no = ${spec.fileNo})::INTEGER AS currencies,
      (SELECT string_agg(DISTINCT currency, ',' ORDER BY currency) FROM ${target} WHERE file_no = ${spec.fileNo}) AS currency_list`);
  const theirs = staged ? await stageWarningCounts(db, spec.stage) : undefined;
  const names = (v: unknown): string[] => (typeof v === 'string' && v !== '' ? v.split(',') : []);
  const dateKinds = [...new Set([...names(mine?.kinds), ...names(theirs?.date_kind_list)])].sort();
  const warnings = warningsOf(
    {
      ...(theirs ?? {}),
      refunds: num(mine, 'refunds'),
      duplicates,
      date_kinds: dateKinds.length,
      date_kind_list: dateKinds.join(','),
      currencies: num(mine, 'currencies'),
      currency_list: mine?.currency_list ?? null,
    },
    p,
    spec.mapping,
  );
  const lists = staged
    ? await stageLists(db, spec.stage, spec.fileNo, await rejectedLineTexts(db, others))
    : { rejected: [], skipped: [], rejectedByReason: {}, skippedByReason: {} };
  const amounts = staged ? await amountsOfRejected(db, spec.stage) : { rejectedAmounts: [], rejectedUnreadable: {} };
  await dropOthers();

  if (spec.info) {
    // The stage's kept rows for customer_info: the lines just written, with the contact
    // cells (trimmed, as the stage has them) from the raw table when there are any.
    const contacts = Object.keys(spec.info.spec.contacts).length > 0;
    const rawCell = (c: number) => sql`coalesce(r.${ident(`c${c}`)}, '')`;
    // A TEMP view under the stage's bare name: the work database may not hold a view of TEMP tables.
    const view = `${spec.stage.slice(spec.stage.lastIndexOf('.') + 1)}_kept`;
    await db.exec(sql`CREATE OR REPLACE TEMP VIEW ${ident(view)} AS
      SELECT l.line_no, 'kept' AS status, l.customer_id, l.order_ts, ${contactStageColumns(spec.info.spec, rawCell)}
      FROM ${target} l ${contacts ? sql`JOIN ${rawT} r ON r.line_no = l.line_no` : raw('')}
      WHERE l.file_no = ${raw(String(Math.floor(spec.fileNo)))}`);
    try {
      await db.exec(collectInfoSql(view, spec.rawTable, spec.fileNo, spec.info.spec, spec.info.table, spec.info.final));
    } finally {
      await db.exec(sql`DROP VIEW IF EXISTS ${ident(view)}`);
    }
  }
  await releaseRaw(db, spec);
  return {
    parse: { dayMonthOrder: p.dayMonthOrder, decimal: p.decimal, dedupe: p.dedupe },
    rows_read: rowsRead,
    rows_kept: written,
    rows_rejected: acct.rejected,
    rows_skipped: acct.skipped,
    ...lists,
    ...amounts,
    warnings,
  };
}

