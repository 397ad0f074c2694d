/**
 * From a file's raw table (every physical record as text cells plus a structural flag) to
 * canonical `lines`: one pass classifies every raw row as kept, rejected (with a reason and
 * the offending value) or skipped, into a stage table; the kept rows are appended to the
 * target lines table. The counts are checked in SQL: rows_read = kept + rejected + skipped.
 *
 * Raw table columns: line_no INTEGER (1-based physical line), flag UTINYINT (RAW_FLAG),
 * n_fields INTEGER, c0 … c{N-1} VARCHAR (positional names; labels never reach SQL).
 */
import type { DbClient, Row } from '../db/client.ts';
import { createWorkTable, ident, join, literal, quoteIdentifier, raw, sql, tableIdent } from '../db/sql.ts';
import { LINES_DDL } from '../model/schema.ts';
import {
  amountFromCell,
  amountFromClean,
  amountTextFromClean,
  cleanText,
  commaEvidence,
  currencyFromClean,
  dateKind,
  dateOrderStatsQuery,
  dateValue,
  decideDateOrder,
  decideDecimal,
  decimalStatsQuery,
  formattedAmount,
  formattedCurrency,
  idValue,
  isFormatted,
  isPlaceholder,
  isScientificId,
  scoreValue,
  trimText,
  type DateOrder,
  type DecimalMark,
  type Fragment,
} from './parse.ts';
import {
  IngestError,
  type ColumnMapping,
  type ParseOptions,
  type RejectReason,
  type RejectedAmount,
  type RejectedLine,
  type SkipReason,
  type SkippedLine,
  type Warning,
} from './types.ts';
import { RAW_FLAG } from './raw-format.ts';
import { collectInfoSql, contactStageColumns, type InfoSpec } from './customer-info.ts';

export { RAW_FLAG } from './raw-format.ts';

export const DEFAULT_PARSE: ParseOptions = { dayMonthOrder: 'auto', decimal: 'auto', dedupe: false };

/** `LINES_DDL` under another table name (a stage that is swapped in at the end of a load). */
export function linesDdl(table: string): string {
  return LINES_DDL.replace('CREATE OR REPLACE TABLE lines', `CREATE OR REPLACE TABLE ${quoteIdentifier(table)}`);
}

export function cell(i: number): Fragment {
  return sql`coalesce(${ident(`c${i}`)}, '')`;
}

/** Column-level parse decisions, made from the whole column (not a sample). */
export interface ResolvedParse {
  readonly dayMonthOrder: DateOrder;
  readonly decimal: DecimalMark;
  readonly dedupe: boolean;
  /** Every n/n/yyyy date read both ways: the order applied came from the caller. */
  readonly ambiguousOrder: boolean;
}

const IS_DATA = raw(
  `(flag = ${RAW_FLAG.data} OR flag = ${RAW_FLAG.simpleData} OR flag = ${RAW_FLAG.simpleFormatted} OR flag = ${RAW_FLAG.tooFewFields} OR flag = ${RAW_FLAG.tooManyFields})`,
);

/** The row is a simple data record, formatted or not (its mapped cells need no cleaning, see simple-cells.ts). */
const SIMPLE = raw(`(flag = ${RAW_FLAG.simpleData} OR flag = ${RAW_FLAG.simpleFormatted})`);

/** `full` for other rows; for simple rows `simple`, which gives the same value on their cells. */
function unlessSimple(simple: Fragment, full: Fragment): Fragment {
  return sql`CASE WHEN ${SIMPLE} THEN ${simple} ELSE ${full} END`;
}

/**
 * `full` for other rows; `plain` for simple rows, `formatted` for formatted simple ones (the
 * cells where the two kinds differ: numbers, the date and the currency).
 */
function bySimpleKind(plain: Fragment, formatted: Fragment, full: Fragment): Fragment {
  return sql`CASE flag WHEN ${raw(String(RAW_FLAG.simpleData))} THEN ${plain} WHEN ${raw(String(RAW_FLAG.simpleFormatted))} THEN ${formatted} ELSE ${full} END`;
}

/** The columns whose text the amount is read from. */
function amountColumns(mapping: ColumnMapping): number[] {
  if (mapping.amount !== undefined) return [mapping.amount];
  return [mapping.quantity, mapping.unit_price].filter((c): c is number => c !== undefined);
}

/**
 * A raw cell that may read as n/n/yyyy once cleaned: one or two digits (ASCII or full-width)
 * and a separator after optional spaces. ISO dates fail at the third character, so the
 * statistics clean and test only the few candidates.
 */
const DM_CANDIDATE = '^[ \\t\\r\\n\\x{a0}\\x{3000}\\x{200b}\\x{2009}\\x{202f}\\x{feff}]*[0-9０-９]{1,2}[/.\\-／．－−]';

/**
 * Decide 'auto' options from statistics over the whole column. Throws AMBIGUOUS_DATE_ORDER
 * when every n/n/yyyy date reads both ways and the caller did not choose.
 */
export async function resolveParse(
  db: DbClient,
  rawTable: string,
  mapping: ColumnMapping,
  parse: ParseOptions,
): Promise<ResolvedParse> {
  const dataRows = sql`(SELECT * FROM ${tableIdent(rawTable)} WHERE ${IS_DATA})`;
  let dayMonthOrder: DateOrder = parse.dayMonthOrder === 'mdy' ? 'mdy' : 'dmy';
  let ambiguousOrder = false;
  if (mapping.date !== undefined) {
    const dateCell = cell(mapping.date);
    const candidates = sql`(SELECT * FROM ${tableIdent(rawTable)} WHERE ${IS_DATA} AND regexp_matches(${dateCell}, ${literal(DM_CANDIDATE)}))`;
    const [row] = await db.query(dateOrderStatsQuery(candidates, cleanText(dateCell)));
    const decision = decideDateOrder({
      dm_values: Number(row?.dm_values ?? 0),
      first_over_12: Number(row?.first_over_12 ?? 0),
      second_over_12: Number(row?.second_over_12 ?? 0),
    });
    if (decision === 'ambiguous') {
      if (parse.dayMonthOrder === 'auto') throw new IngestError('AMBIGUOUS_DATE_ORDER', { column: mapping.date });
      ambiguousOrder = true;
    } else if (decision !== 'none' && parse.dayMonthOrder === 'auto') {
      dayMonthOrder = decision;
    }
  }
  let decimal: DecimalMark = parse.decimal === ',' ? ',' : '.';
  if (parse.decimal === 'auto') {
    const columns = amountColumns(mapping);
    // Comma evidence needs a comma (a full-width one becomes ASCII when cleaned): the mark
    // is '.' whatever the dots say unless a cell with a comma shows one, so only those cells
    // are cleaned first, and the full statistics run only when one does (`1,234.50` in
    // every row of a formatted export is no evidence; cleaning every cell took 0.7 s a million).
    const hasComma = (c: number) => sql`(contains(${cell(c)}, ',') OR contains(${cell(c)}, '，'))`;
    const withComma = join(
      columns.map((c) => sql`SELECT ${amountTextFromClean(cleanText(cell(c)))} AS v FROM ${dataRows} WHERE ${hasComma(c)}`),
      ' UNION ALL ',
    );
    const [commas] = columns.length
      ? await db.query(sql`SELECT count(*) FILTER (WHERE ${commaEvidence(ident('v'))})::INTEGER AS n FROM (${withComma})`)
      : [undefined];
    if (Number(commas?.n ?? 0) > 0) {
      const texts = columns.map((c) => amountTextFromClean(cleanText(cell(c))));
      const unioned = join(
        texts.map((t) => sql`SELECT ${t} AS v FROM ${dataRows}`),
        ' UNION ALL ',
      );
      const [row] = await db.query(decimalStatsQuery(sql`(${unioned})`, ident('v')));
      decimal = decideDecimal({
        comma_evidence: Number(row?.comma_evidence ?? 0),
        dot_evidence: Number(row?.dot_evidence ?? 0),
      });
    }
  }
  return { dayMonthOrder, decimal, dedupe: parse.dedupe, ambiguousOrder };
}

/** Matches trimmed or raw cells (surrounding spaces allowed). */
export const SUMMARY_RE =
  '(?i)^[\\s\\x{a0}\\x{3000}]*(合计|合計|小计|小計|总计|總計|累计|累計|总合计|平均|平均值|total|totals|subtotal|sub-total|sub total|grand total|sum|average|avg)[\\s\\x{a0}\\x{3000}]*([:：].*)?$';
export const FOOTER_RE =
  '(?i)^(制表|制单|審核|审核|审批|备注|備註|注[:：]|说明|說明|数据来源|數據來源|来源[:：]|打印|导出|導出|生成|报表|報表|note|notes|remark|remarks|generated|source[: ]|printed|exported|report|page[ ]*[0-9]|第[ ]*[0-9]+[ ]*页)';

/**
 * First code points a SUMMARY_RE match can start with: RE2's `\s`, NBSP, ideographic space,
 * the first character of each word, both cases, and U+017F (long s, which `(?i)` folds to s).
 */
const SUMMARY_FIRST = [9, 10, 12, 13, 32, 0xa0, 0x3000, 0x17f, ...[...'合小总總累平TtSsGgAa'].map((c) => c.codePointAt(0) as number)];

/** `regexp_matches(text, SUMMARY_RE)`, the pattern run only on cells that can start a match. */
export function isSummary(text: Fragment): Fragment {
  return sql`CASE WHEN list_contains([${raw(SUMMARY_FIRST.join(', '))}], ascii(${text})) THEN regexp_matches(${text}, ${literal(SUMMARY_RE)}) ELSE false END`;
}

/**
 * The reasons a row is skipped or rejected whatever it holds, in the order both the sales
 * and the survey loads test them: the scanner's flags, blank, summary and footer rows, then
 * a wrong field count. `key` is the trimmed id cell, `filled` the number of filled cells and
 * `first` the first filled cell (trimmed). WHEN clauses, to open a CASE.
 */
export function rowShapeReasons(key: Fragment, filled: Fragment, first: Fragment): Fragment {
  const F = RAW_FLAG;
  return sql`WHEN flag = ${raw(String(F.title))} THEN 'title_row'
      WHEN flag = ${raw(String(F.blank))} THEN 'blank_row'
      WHEN flag = ${raw(String(F.unclosedQuote))} THEN 'unclosed_quote'
      WHEN flag = ${raw(String(F.invalidEncoding))} THEN 'invalid_encoding'
      WHEN flag = ${raw(String(F.lineTooLong))} THEN 'line_too_long'
      WHEN ${filled} = 0 THEN 'blank_row'
      WHEN regexp_matches(${key}, ${literal(SUMMARY_RE)}) OR regexp_matches(${first}, ${literal(SUMMARY_RE)}) THEN 'summary_row'
      WHEN ${filled} = 1 AND regexp_matches(${first}, ${literal(FOOTER_RE)}) THEN 'footer_row'
      WHEN flag = ${raw(String(F.tooFewFields))} THEN 'too_few_fields'
      WHEN flag = ${raw(String(F.tooManyFields))} THEN 'too_many_fields'`;
}

export interface BuildLinesSpec {
  readonly rawTable: string;
  readonly columnCount: number;
  readonly fileNo: number;
  readonly mapping: ColumnMapping;
  /** The lines table to append to (created with `linesDdl`). */
  readonly target: string;
  /** Name for the stage table (dropped by the caller). */
  readonly stage: string;
  /**
   * Drop the raw table once every row is accounted for, before the kept rows are copied:
   * raw, stage and target then never coexist (at 5 M lines the raw text is ~1 GB).
   */
  readonly dropRawWhenCounted?: boolean;
  /** What joins a rejected line's cells when it is shown as text (the file's delimiter; default ','). */
  readonly delimiter?: string;
  /** Contact fields and unused columns to collect per customer into `table` (customer-info.ts). */
  readonly info?: { readonly spec: InfoSpec; readonly table: string; readonly final?: boolean };
  /** The statements that write the stage, when not `stageSql` (same columns and rows; simple-lines.ts `simpleStageSql`). */
  readonly stageSql?: (spec: BuildLinesSpec, p: ResolvedParse, slices: readonly (readonly [number, number])[]) => Fragment[];
}

/** Rejected lines per file that carry their text; the page shows the first 50 of all files. */
/**
 * Quantity × unit price as DECIMAL(18,4). DuckDB types the product of two DECIMAL(18,4) as
 * DECIMAL(18,8), which overflows (an error that stops the load) from about 9.2e10; widened
 * first, a product that does not fit DECIMAL(18,4) is NULL and the row is rejected as an
 * unparseable amount, as a too-large amount cell is.
 */
export const productAmount = sql`TRY_CAST(amount_q::DECIMAL(20,4) * amount_p AS DECIMAL(18,4))`;

/**
 * Amount − cost as DECIMAL(18,4), widened first: DuckDB keeps the difference of two
 * DECIMAL(18,4) at width 18 and stops the load with an overflow error when it does not fit.
 * A difference that does not fit leaves the line's profit unknown (NULL), as an unreadable
 * cost does.
 */
export const profitFromCost = sql`TRY_CAST(amount::DECIMAL(19,4) - cost_v AS DECIMAL(18,4))`;

export const REJECTED_LINES_WITH_TEXT = 100;
/** A rejected line's text is cut to this many characters, the last one an ellipsis. */
export const REJECTED_LINE_CHARS = 160;

/**
 * The raw row as one line of text: its fields (as many as it had) joined by `delimiter`,
 * cut with an ellipsis past `REJECTED_LINE_CHARS`. Display only: the page renders it as text.
 */
export function lineText(columnCount: number, delimiter: string): Fragment {
  const cells = Array.from({ length: columnCount }, (_, i) => cell(i));
  if (cells.length === 0) return raw("''");
  const joined = sql`array_to_string(list_slice([${join(cells)}], 1, greatest(n_fields, 1)), ${delimiter})`;
  return sql`list_transform([${joined}], t -> CASE WHEN length(t) > ${raw(String(REJECTED_LINE_CHARS))} THEN left(t, ${raw(String(REJECTED_LINE_CHARS - 1))}) || '…' ELSE t END)[1]`;
}

/**
 * The text of the first `REJECTED_LINES_WITH_TEXT` rejected lines of a file, by line number.
 * Read from the raw table, so call it before `releaseRaw`.
 */
export async function rejectedLineTexts(db: DbClient, spec: BuildLinesSpec): Promise<Map<number, string>> {
  const rows = await db.query(sql`SELECT line_no::INTEGER AS line_no, ${lineText(spec.columnCount, spec.delimiter ?? ',')}::VARCHAR AS text
    FROM ${tableIdent(spec.rawTable)}
    WHERE line_no IN (SELECT line_no FROM ${tableIdent(spec.stage)} WHERE status = 'rejected' ORDER BY line_no LIMIT ${raw(String(REJECTED_LINES_WITH_TEXT))})
    ORDER BY line_no`);
  return new Map(rows.map((r) => [Number(r.line_no), String(r.text ?? '')]));
}

/** Drop the raw table when the spec says it is no longer needed (see `dropRawWhenCounted`). */
export async function releaseRaw(db: DbClient, spec: BuildLinesSpec): Promise<void> {
  if (spec.dropRawWhenCounted) await db.exec(sql`DROP TABLE IF EXISTS ${tableIdent(spec.rawTable)}`);
}

/** Code points a cell may start with and still be blank (see `TRIM_CHARS` in parse.ts). */
const SPACE_CODES = '9, 10, 13, 32, 160, 8201, 8203, 8239, 12288, 65279';

/** A cell that is empty or whitespace; only cells starting with a space pay for a trim. */
export function isBlank(c: Fragment): Fragment {
  return sql`(${c} = '' OR (list_contains([${raw(SPACE_CODES)}], ascii(${c})) AND ${trimText(c)} = ''))`;
}

/**
 * The row's non-blank cells, in order. A list and a lambda: a chain of 300 `+` terms (a
 * wide export) makes a 300-deep expression tree that DuckDB takes seconds to bind.
 */
export function nonEmptyCells(columnCount: number): Fragment {
  const cells = Array.from({ length: columnCount }, (_, i) => cell(i));
  return cells.length ? sql`list_filter([${join(cells)}], x -> NOT ${isBlank(sql`x`)})` : raw('[]::VARCHAR[]');
}

/** Row-wide tests: how many cells are filled, and the first filled cell (trimmed). */
export function rowTests(columnCount: number): { nonEmpty: Fragment; firstCell: Fragment } {
  const filled = nonEmptyCells(columnCount);
  return { nonEmpty: sql`len(${filled})`, firstCell: sql`coalesce(${trimText(sql`${filled}[1]`)}, '')` };
}

/**
 * The statements that classify every raw row into the stage table (run in order). One scan
 * of the raw table writes the stage: only the columns the load needs, each cleaned cell
 * computed once, and a hash of the cells for the kept rows. Exact duplicates are then found
 * among rows that share a hash, confirmed by grouping on the cells of those rows only, and
 * marked with an UPDATE (few rows), so the stage is written once.
 */
export function stageSql(spec: BuildLinesSpec, p: ResolvedParse, slices: readonly (readonly [number, number])[] = []): Fragment[] {
  const m = spec.mapping;
  if (m.customer === undefined || m.date === undefined) throw new IngestError('MISSING_REQUIRED_COLUMNS');
  const cells = Array.from({ length: spec.columnCount }, (_, i) => cell(i));
  const { firstCell } = rowTests(spec.columnCount);
  const rowText = cells.length ? sql`left(concat_ws(',', ${join(cells)}), 80)` : raw("''");
  const dec = p.decimal;

  const optionalText = (f: 'product' | 'category' | 'region' | 'channel') =>
    m[f] === undefined ? raw('NULL::VARCHAR') : sql`nullif(${ident(`${f}_t`)}, '')`;
  // Simple cells hold plain numbers, which the full rules cast directly under a decimal
  // point, formatted simple ones plain or formatted numbers (`formattedAmount`).
  const simpleNumber = (text: Fragment, full: Fragment) =>
    dec === '.' ? bySimpleKind(sql`TRY_CAST(${text} AS DECIMAL(18,4))`, formattedAmount(text, dec), full) : full;
  const numberOf = (clean: Fragment, text: Fragment) => simpleNumber(text, amountFromClean(clean, dec));
  const optionalAmount = (c: number | undefined) =>
    c === undefined ? raw('NULL::DECIMAL(18,4)') : simpleNumber(cell(c), amountFromCell(cell(c), dec));

  // Amount: a mapped amount column, or quantity × unit price.
  const direct = m.amount !== undefined;
  const qtyCol = m.quantity;
  const priceCol = m.unit_price;
  if (!direct && (qtyCol === undefined || priceCol === undefined)) throw new IngestError('MISSING_REQUIRED_COLUMNS');
  const amountCell = direct ? cell(m.amount as number) : cell(priceCol as number);
  const amountMissing = direct ? sql`amt_c = ''` : sql`(qty_c = '' OR amt_c = '')`;
  const amountOffending = direct ? sql`amt_c` : sql`CASE WHEN amount_q IS NULL THEN qty_c ELSE amt_c END`;

  const optionalTexts = (['product', 'category', 'region', 'channel'] as const).filter((f) => m[f] !== undefined);
  const trimmed = (c: Fragment) => unlessSimple(c, trimText(c));
  const cleaned = (c: Fragment) => unlessSimple(c, cleanText(c));
  const customerCol = m.customer;
  const dateCol = m.date;
  // A formatted amount (`￥1,234.50`) is its own cleaned text and is read without the general
  // rules; `amt_f` says so once for its value and its currency.
  const baseOf = (range: Fragment) => sql`SELECT *,
      ${cell(customerCol)} AS cust_raw,
      ${trimmed(cell(customerCol))} AS cust_t,
      ${cleaned(cell(dateCol))} AS date_c,
      CASE WHEN ${SIMPLE} OR amt_f THEN ${amountCell} ELSE ${cleanText(amountCell)} END AS amt_c,
      ${qtyCol === undefined ? raw("''") : cleaned(cell(qtyCol))} AS qty_c,
      ${m.order === undefined ? raw("''") : trimmed(cell(m.order))} AS order_t
      ${join(optionalTexts.map((f) => sql`, ${trimmed(cell(m[f] as number))} AS ${ident(`${f}_t`)}`), '')}
    FROM (SELECT *, ${unlessSimple(raw('false'), isFormatted(amountCell, dec))} AS amt_f FROM ${tableIdent(spec.rawTable)}${range})`;
  // A formatted simple row's date is ISO or `2023/12/12 22:44` (read by dateValue's rewrite of slashes).
  const kinds = sql`SELECT *, ${bySimpleKind(raw("'iso'"), sql`CASE WHEN contains(date_c, '/') THEN 'ymd' ELSE 'iso' END`, dateKind(ident('date_c')))} AS date_kind FROM base`;

  const amountExpr = direct ? sql`amount_p` : productAmount;
  const parsed = sql`SELECT *,
      ${unlessSimple(ident('cust_t'), idValue(ident('cust_t')))} AS customer_id,
      ${unlessSimple(raw('false'), isPlaceholder(ident('cust_t')))} AS cust_placeholder,
      ${unlessSimple(raw('false'), isScientificId(ident('cust_t')))} AS cust_sci,
      ${bySimpleKind(sql`TRY_CAST(date_c AS TIMESTAMP)`, sql`TRY_CAST(replace(date_c, '/', '-') AS TIMESTAMP)`, dateValue(ident('date_c'), p.dayMonthOrder, ident('date_kind')))} AS order_ts,
      CASE WHEN amt_f THEN ${formattedAmount(ident('amt_c'), dec)} ELSE ${numberOf(ident('amt_c'), ident('amt_c'))} END AS amount_p,
      ${qtyCol === undefined ? raw('NULL::DECIMAL(18,4)') : numberOf(ident('qty_c'), ident('qty_c'))} AS amount_q,
      CASE WHEN amt_f THEN ${formattedCurrency(ident('amt_c'))} ELSE ${bySimpleKind(raw('NULL::VARCHAR'), formattedCurrency(ident('amt_c')), currencyFromClean(ident('amt_c')))} END AS currency
    FROM kinds`;

  // Most rows are complete data rows: decide those first, so that the row-wide cell scans
  // (blank, footer, first non-empty cell) only run on the few others. A complete row cannot
  // be blank or a one-cell footer; it is a summary row only by its customer or first cell,
  // which is the customer cell itself when the customer is column 0.
  const summaryByCell = isSummary(ident('cust_t'));
  const summary =
    m.customer === 0
      ? summaryByCell
      : sql`CASE WHEN ${summaryByCell} THEN true WHEN NOT ${isBlank(cell(0))} THEN ${isSummary(cell(0))}
          ELSE ${isSummary(firstCell)} END`;
  const valued = sql`SELECT *, ${amountExpr} AS amount FROM parsed`;
  const completed = sql`SELECT *,
      (flag = ${raw(String(RAW_FLAG.data))} OR ${SIMPLE}) AND customer_id IS NOT NULL AND order_ts IS NOT NULL AND amount IS NOT NULL
        AND NOT ${unlessSimple(raw('false'), summary)} AS complete
    FROM valued`;
  // The row-wide list only for rows that are not complete, once per row, and not even then
  // when cell 0 and a cleaned cell of another column are filled: the first filled cell is
  // cell 0 and there are at least two (`n_filled` is then 2, standing for "2 or more").
  const othersFilled = [
    [m.customer, sql`cust_t <> ''`],
    [m.date, sql`date_c <> ''`],
    [direct ? m.amount : priceCol, sql`amt_c <> ''`],
    [qtyCol, sql`qty_c <> ''`],
  ].filter(([c]) => c !== undefined && c !== 0).map(([, test]) => test as Fragment);
  const shortcut = othersFilled.length ? sql`NOT ${isBlank(cell(0))} AND (${join(othersFilled, ' OR ')})` : raw('false');
  const filled = sql`SELECT *, ${shortcut} AS two_filled,
      CASE WHEN complete OR two_filled THEN NULL ELSE ${nonEmptyCells(spec.columnCount)} END AS filled FROM completed`;
  const counted = sql`SELECT *,
      CASE WHEN two_filled THEN 2 ELSE len(filled) END AS n_filled,
      CASE WHEN two_filled THEN ${cell(0)} ELSE coalesce(filled[1], '') END AS first_raw FROM filled`;
  const firsts = sql`SELECT *, ${trimText(ident('first_raw'))} AS first_cell FROM counted`;
  const reason = sql`CASE
      WHEN complete THEN NULL
      ${rowShapeReasons(ident('cust_t'), ident('n_filled'), ident('first_cell'))}
      WHEN customer_id IS NULL THEN 'missing_customer_id'
      WHEN date_c = '' THEN 'missing_date'
      WHEN order_ts IS NULL THEN 'unparseable_date'
      WHEN ${amountMissing} THEN 'missing_amount'
      WHEN amount IS NULL THEN 'unparseable_amount'
      ELSE NULL END`;
  const classified = sql`SELECT *, ${reason} AS reason, ${optionalAmount(m.cost)} AS cost_v FROM firsts`;

  const SKIPS = "['title_row', 'blank_row', 'summary_row', 'footer_row']";
  const rowHash = cells.length ? sql`hash(${join(cells.map((_, i) => ident(`c${i}`)))})` : sql`hash(line_no)`;
  const stageOf = (range: Fragment) => sql`
    WITH base AS (${baseOf(range)}), kinds AS (${kinds}), parsed AS (${parsed}), valued AS (${valued}), completed AS (${completed}),
      filled AS (${filled}), counted AS (${counted}), firsts AS (${firsts}), classified AS (${classified})
    SELECT line_no, flag,
      CASE WHEN reason IS NULL THEN 'kept' WHEN list_contains(${raw(SKIPS)}, reason) THEN 'skipped' ELSE 'rejected' END AS status,
      reason,
      CASE
        WHEN reason IS NULL THEN NULL
        WHEN list_contains(['unclosed_quote', 'invalid_encoding', 'line_too_long', 'too_few_fields', 'too_many_fields'], reason) THEN nullif(${rowText}, ${literal(','.repeat(Math.min(80, Math.max(0, spec.columnCount - 1))))})
        WHEN reason = 'missing_customer_id' THEN left(cust_raw, 80)
        WHEN reason = 'unparseable_date' THEN left(date_c, 80)
        WHEN reason = 'unparseable_amount' THEN left(${amountOffending}, 80)
        ELSE NULL END AS value,
      customer_id,
      ${m.order === undefined ? raw('NULL::VARCHAR') : idValue(ident('order_t'))} AS order_id,
      order_ts,
      amount,
      ${qtyCol === undefined ? raw('NULL::DOUBLE') : sql`amount_q::DOUBLE`} AS quantity,
      ${priceCol === undefined ? raw('NULL::DOUBLE') : direct ? sql`${optionalAmount(priceCol)}::DOUBLE` : sql`amount_p::DOUBLE`} AS unit_price,
      ${optionalText('product')} AS product,
      ${optionalText('category')} AS category,
      ${optionalText('region')} AS region,
      ${optionalText('channel')} AS channel,
      cost_v AS cost,
      ${m.profit !== undefined ? optionalAmount(m.profit) : m.cost !== undefined ? profitFromCost : raw('NULL::DECIMAL(18,4)')} AS profit,
      ${m.score === undefined ? raw('NULL::DOUBLE') : unlessSimple(sql`TRY_CAST(${cell(m.score)} AS DOUBLE)`, scoreValue(cleanText(cell(m.score))))} AS score,
      currency,
      ${contactStageColumns(spec.info?.spec, cell)},
      date_kind,
      cust_t <> cust_raw AS cust_trimmed,
      cust_placeholder,
      cust_sci,
      CASE WHEN reason IS NULL THEN ${rowHash} END AS row_hash,
      false AS dup_extra
    FROM classified`;
  const between = ([lo, hi]: readonly [number, number]) => raw(` WHERE line_no BETWEEN ${Math.trunc(lo)} AND ${Math.trunc(hi)}`);
  const [first, ...rest] = slices;
  const createStage = first === undefined
    ? [sql`${createWorkTable(spec.stage)} AS ${stageOf(raw(''))}`]
    : [
        sql`${createWorkTable(spec.stage)} AS ${stageOf(between(first))}`,
        ...rest.map((r) => sql`INSERT INTO ${tableIdent(spec.stage)} SELECT * FROM (${stageOf(between(r))})`),
      ];

  // Rows sharing a hash are only candidates: the cells themselves decide, as before.
  const groupCols = cells.length ? join(cells.map((_, i) => ident(`c${i}`))) : raw('line_no');
  const stage = tableIdent(spec.stage);
  const extras = sql`SELECT unnest(list_filter(lines, x -> x <> first_line)) AS line_no
    FROM (SELECT min(line_no) AS first_line, list(line_no) AS lines FROM ${tableIdent(spec.rawTable)}
          WHERE line_no IN (SELECT line_no FROM ${stage} WHERE row_hash IN
            (SELECT row_hash FROM ${stage} WHERE row_hash IS NOT NULL GROUP BY row_hash HAVING count(*) > 1))
          GROUP BY ${groupCols} HAVING count(*) > 1)`;
  const markDuplicates = p.dedupe
    ? sql`UPDATE ${stage} SET dup_extra = true, reason = 'duplicate_row', status = 'skipped' WHERE line_no IN (${extras})`
    : sql`UPDATE ${stage} SET dup_extra = true WHERE line_no IN (${extras})`;
  return [...createStage, markDuplicates];
}

export interface BuildLinesResult {
  readonly parse: ParseOptions;
  readonly rows_read: number;
  readonly rows_kept: number;
  readonly rows_rejected: number;
  readonly rows_skipped: number;
  readonly rejectedByReason: Partial<Record<RejectReason, number>>;
  readonly skippedByReason: Partial<Record<SkipReason, number>>;
  /** Sales files only (see `FileReport.rejectedAmounts`). */
  readonly rejectedAmounts?: readonly RejectedAmount[];
  readonly rejectedUnreadable?: Partial<Record<RejectReason, number>>;
  readonly rejected: readonly RejectedLine[];
  readonly skipped: readonly SkippedLine[];
  readonly warnings: readonly Warning[];
}

export const num = (r: Row | undefined, k: string): number => Number(r?.[k] ?? 0);

/**
 * Count what became of the raw rows in a stage table and refuse the load unless every raw
 * row is there exactly once: rows_read = kept + rejected + skipped.
 */
export async function accountFor(
  db: DbClient,
  rawTable: string,
  stageTable: string,
): Promise<{ rowsRead: number; kept: number; rejected: number; skipped: number }> {
  const [acct] = await db.query(sql`SELECT
      (SELECT count(*) FROM ${tableIdent(rawTable)})::INTEGER AS raw_rows,
      count(*)::INTEGER AS stage_rows,
      count(*) FILTER (WHERE status = 'kept')::INTEGER AS kept,
      count(*) FILTER (WHERE status = 'rejected')::INTEGER AS rejected,
      count(*) FILTER (WHERE status = 'skipped')::INTEGER AS skipped
    FROM ${tableIdent(stageTable)}`);
  const rowsRead = num(acct, 'raw_rows');
  const kept = num(acct, 'kept');
  const rejected = num(acct, 'rejected');
  const skipped = num(acct, 'skipped');
  if (rowsRead !== num(acct, 'stage_rows') || rowsRead !== kept + rejected + skipped) {
    throw new IngestError('ACCOUNTING_MISMATCH', { rows_read: rowsRead, kept, rejected, skipped });
  }
  return { rowsRead, kept, rejected, skipped };
}

/**
 * Raw lines staged per statement. A statement's rows are held whole until it commits; in a
 * compressed database they are compressed only then, so staging 5 M lines at once took
 * 0.9 GB of engine memory for a table that then held 0.3 GB.
 */
export const STAGE_SLICE_LINES = 1_000_000;

/** Line-number ranges of at most `size` lines covering `from` … `to`. */
export function lineSlices(from: number, to: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let lo = from; lo <= to; lo += size) out.push([lo, Math.min(to, lo + size - 1)]);
  return out;
}

/** Classify, append the kept rows to `spec.target`, and account for every raw row. */
export async function buildLines(db: DbClient, spec: BuildLinesSpec, parse: ParseOptions, sliceLines = STAGE_SLICE_LINES): Promise<BuildLinesResult> {
  const p = await resolveParse(db, spec.rawTable, spec.mapping, parse);
  const [range] = await db.query(sql`SELECT min(line_no)::INTEGER AS lo, max(line_no)::INTEGER AS hi FROM ${tableIdent(spec.rawTable)}`);
  const slices = range?.lo === null || range?.lo === undefined ? [] : lineSlices(num(range, 'lo'), num(range, 'hi'), sliceLines);
  for (const statement of (spec.stageSql ?? stageSql)(spec, p, slices.length > 1 ? slices : [])) await db.exec(statement);
  const stage = tableIdent(spec.stage);

  const { rowsRead, kept, rejected: rejectedN, skipped: skippedN } = await accountFor(db, spec.rawTable, spec.stage);
  const texts = await rejectedLineTexts(db, spec);
  // Before the raw table goes: the unused cells of each customer's latest line are read from it.
  if (spec.info) await db.exec(collectInfoSql(spec.stage, spec.rawTable, spec.fileNo, spec.info.spec, spec.info.table, spec.info.final));
  await releaseRaw(db, spec);

  const target = tableIdent(spec.target);
  const [before] = await db.query(sql`SELECT count(*)::INTEGER AS n FROM ${target}`);
  await db.exec(sql`INSERT INTO ${target}
    SELECT ${spec.fileNo}::INTEGER, line_no, customer_id, order_id, order_ts, order_ts::DATE, amount,
      quantity, unit_price, product, category, region, channel, cost, profit, score, currency
    FROM ${stage} WHERE status = 'kept'`);
  const [after] = await db.query(sql`SELECT count(*)::INTEGER AS n FROM ${target}`);
  if (num(after, 'n') - num(before, 'n') !== kept) {
    throw new IngestError('ACCOUNTING_MISMATCH', { rows_read: rowsRead, kept, inserted: num(after, 'n') - num(before, 'n') });
  }

  const { rejected, skipped, rejectedByReason, skippedByReason } = await stageLists(db, spec.stage, spec.fileNo, texts);
  const warnings = await stageWarnings(db, spec.stage, p, spec.mapping);
  const { rejectedAmounts, rejectedUnreadable } = await amountsOfRejected(db, spec.stage);
  return {
    parse: { dayMonthOrder: p.dayMonthOrder, decimal: p.decimal, dedupe: p.dedupe },
    rows_read: rowsRead,
    rows_kept: kept,
    rows_rejected: rejectedN,
    rows_skipped: skippedN,
    rejectedByReason,
    skippedByReason,
    rejectedAmounts,
    rejectedUnreadable,
    rejected,
    skipped,
    warnings,
  };
}

/** `line` with its text, when it is one of the lines whose text was read. */
export function withText(line: RejectedLine, texts: ReadonlyMap<number, string>): RejectedLine {
  const text = texts.get(line.line);
  return text === undefined || text === '' ? line : { ...line, text };
}

/**
 * The rejected and skipped lines of a stage, sorted by line, with their reasons counted (a
 * rejected line with its text when `texts` has it).
 */
export async function stageLists(
  db: DbClient,
  stageTable: string,
  fileNo: number,
  texts: ReadonlyMap<number, string>,
): Promise<Pick<BuildLinesResult, 'rejected' | 'skipped' | 'rejectedByReason' | 'skippedByReason'>> {
  const stage = tableIdent(stageTable);
  // Lines without a value travel as one comma-separated string per reason (a file can
  // reject hundreds of thousands of lines; row objects for each are slow in both engines).
  const grouped = await db.query(sql`SELECT status, reason, string_agg(line_no::VARCHAR, ',' ORDER BY line_no) AS lines
    FROM ${stage} WHERE status <> 'kept' AND coalesce(value, '') = '' GROUP BY status, reason ORDER BY status, reason`);
  const valued = await db.query(sql`SELECT line_no, status, reason, value FROM ${stage}
    WHERE status <> 'kept' AND value <> '' ORDER BY line_no`);
  const rejected: RejectedLine[] = [];
  const skipped: SkippedLine[] = [];
  const rejectedByReason: Partial<Record<RejectReason, number>> = {};
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  for (const g of grouped) {
    const lines = String(g.lines ?? '').split(',');
    if (g.status === 'rejected') {
      const reason = g.reason as RejectReason;
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + lines.length;
      for (const l of lines) rejected.push(withText({ file: fileNo, line: Number(l), reason }, texts));
    } else {
      const reason = g.reason as SkipReason;
      skippedByReason[reason] = (skippedByReason[reason] ?? 0) + lines.length;
      for (const l of lines) skipped.push({ file: fileNo, line: Number(l), reason });
    }
  }
  for (const r of valued) {
    const line = Number(r.line_no);
    if (r.status === 'rejected') {
      const reason = r.reason as RejectReason;
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
      rejected.push(withText({ file: fileNo, line, reason, value: String(r.value) }, texts));
    } else {
      const reason = r.reason as SkipReason;
      skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1;
      skipped.push({ file: fileNo, line, reason });
    }
  }
  const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
  rejected.sort(byLine);
  skipped.sort(byLine);

  return { rejected, skipped, rejectedByReason, skippedByReason };
}

/**
 * What the rejected rows of a sales stage carry: per reason and currency as written, the
 * exact sum of the amounts that could be read; per reason, the rows whose amount could not.
 */
export async function amountsOfRejected(
  db: DbClient,
  stage: string,
): Promise<{ rejectedAmounts: RejectedAmount[]; rejectedUnreadable: Partial<Record<RejectReason, number>> }> {
  const rows = await db.query(sql`SELECT reason::VARCHAR AS reason, currency::VARCHAR AS currency,
      sum(amount)::VARCHAR AS amount, count(amount)::INTEGER AS readable, (count(*) - count(amount))::INTEGER AS unreadable
    FROM ${tableIdent(stage)} WHERE status = 'rejected'
    GROUP BY reason, currency ORDER BY reason, currency NULLS FIRST`);
  const rejectedAmounts: RejectedAmount[] = [];
  const rejectedUnreadable: Partial<Record<RejectReason, number>> = {};
  for (const r of rows) {
    const reason = r.reason as RejectReason;
    const readable = num(r, 'readable');
    if (readable > 0) {
      rejectedAmounts.push({ reason, currency: typeof r.currency === 'string' ? r.currency : null, amount: String(r.amount), rows: readable });
    }
    const unreadable = num(r, 'unreadable');
    if (unreadable > 0) rejectedUnreadable[reason] = (rejectedUnreadable[reason] ?? 0) + unreadable;
  }
  return { rejectedAmounts, rejectedUnreadable };
}

/** What a stage's warnings are counted from (`stageWarnings`): one row over the stage. */
export type WarningCounts = Row | undefined;

async function stageWarnings(db: DbClient, stage: string, p: ResolvedParse, mapping: ColumnMapping): Promise<Warning[]> {
  return warningsOf(await stageWarningCounts(db, stage), p, mapping);
}

/** The counts `warningsOf` reads, over a stage's rows. */
export async function stageWarningCounts(db: DbClient, stage: string): Promise<WarningCounts> {
  const [w] = await db.query(sql`SELECT
      count(*) FILTER (WHERE status = 'kept' AND amount < 0)::INTEGER AS refunds,
      count(*) FILTER (WHERE status <> 'skipped' AND cust_trimmed AND customer_id IS NOT NULL)::INTEGER AS trimmed,
      count(*) FILTER (WHERE status <> 'skipped' AND cust_placeholder)::INTEGER AS placeholders,
      count(*) FILTER (WHERE status <> 'skipped' AND cust_sci)::INTEGER AS scientific,
      count(*) FILTER (WHERE status = 'kept' AND date_kind = 'excel')::INTEGER AS excel,
      count(*) FILTER (WHERE status = 'kept' AND date_kind = 'epoch')::INTEGER AS epoch,
      count(DISTINCT date_kind) FILTER (WHERE status = 'kept')::INTEGER AS date_kinds,
      string_agg(DISTINCT date_kind, ',' ORDER BY date_kind) FILTER (WHERE status = 'kept') AS date_kind_list,
      count(DISTINCT currency) FILTER (WHERE status = 'kept')::INTEGER AS currencies,
      string_agg(DISTINCT currency, ',' ORDER BY currency) FILTER (WHERE status = 'kept') AS currency_list,
      count(*) FILTER (WHERE dup_extra)::INTEGER AS duplicates,
      count(*) FILTER (WHERE status = 'kept' AND date_kind = 'dm')::INTEGER AS dm_kept
    FROM ${tableIdent(stage)}`);
  return w;
}

/** A sales file's warnings from its counts, in the report's order. */
export function warningsOf(w: WarningCounts, p: ResolvedParse, mapping: ColumnMapping): Warning[] {
  const out: Warning[] = [];
  const add = (code: Warning['code'], count: number, detail?: string) => {
    if (count > 0) out.push(detail === undefined ? { code, count } : { code, count, detail });
  };
  add('exact_duplicate_rows', num(w, 'duplicates'));
  add('refund_rows', num(w, 'refunds'));
  add('ids_whitespace_trimmed', num(w, 'trimmed'));
  add('placeholder_ids', num(w, 'placeholders'));
  add('id_scientific_notation', num(w, 'scientific'));
  add('mixed_date_formats', num(w, 'date_kinds') > 1 ? 1 : 0, String(w?.date_kind_list ?? ''));
  add('excel_serial_dates', num(w, 'excel'));
  add('epoch_dates', num(w, 'epoch'));
  add('ambiguous_day_month_order', p.ambiguousOrder && num(w, 'dm_kept') > 0 ? 1 : 0, p.dayMonthOrder);
  add('multiple_currencies', num(w, 'currencies') > 1 ? 1 : 0, String(w?.currency_list ?? ''));
  add('decimal_comma', p.decimal === ',' && amountColumns(mapping).length > 0 ? 1 : 0);
  return out;
}

/** Separator of normalized raw text (ASCII unit separator); fields are quoted with `"`. */
export const RAW_DELIMITER = '\u001f';
/** The longest normalized line the engine's reader accepts when the caller does not know better. */
export const RAW_MAX_LINE_BYTES = 64 * 1024 * 1024;
/** The least `max_line_size` given to the reader (DuckDB's own default). */
export const RAW_MIN_LINE_BYTES = 2 * 1024 * 1024;

/**
 * The reader's `max_line_size` for chunks whose longest line is `longest` bytes. DuckDB's
 * CSV reader allocates buffers of 16 × `max_line_size` (two at a time): at 64 MB that was
 * 2.3 GB of engine memory for a 100 MB file, memory the engine kept for the rest of the
 * session. The longest line is known (chunk-writer.ts), so the reader gets what it needs.
 */
export function rawLineLimit(longest: number | undefined): number {
  if (longest === undefined) return RAW_MAX_LINE_BYTES;
  return Math.max(RAW_MIN_LINE_BYTES, Math.ceil((longest + 1024) / 65536) * 65536);
}

/**
 * Create a raw table from registered chunks of normalized raw text (or, with `append`,
 * add them to it): one record per line, `line_no US flag US n_fields US c0 US … c{N-1}`,
 * `"` quoting, `\n` line ends. `longestLine`: the longest line in the chunks, in bytes
 * (unknown: up to `RAW_MAX_LINE_BYTES`).
 */
export function createRawSql(table: string, paths: readonly string[], columnCount: number, append = false, longestLine?: number): Fragment {
  const columns = [
    sql`'line_no': 'INTEGER'`,
    sql`'flag': 'UTINYINT'`,
    sql`'n_fields': 'INTEGER'`,
    ...Array.from({ length: columnCount }, (_, i) => sql`${literal(`c${i}`)}: 'VARCHAR'`),
  ];
  const into = append ? sql`INSERT INTO ${tableIdent(table)}` : sql`${createWorkTable(table)} AS`;
  return sql`${into} SELECT * FROM read_csv(
      [${join(paths.map((p) => literal(p)))}],
      delim = ${literal(RAW_DELIMITER)}, quote = '"', escape = '"', header = false, auto_detect = false,
      new_line = '\\n', columns = {${join(columns)}}, max_line_size = ${raw(String(rawLineLimit(longestLine)))},
      strict_mode = true, null_padding = false, parallel = false)`;
}
