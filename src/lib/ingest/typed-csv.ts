/**
 * The engine's own CSV reader for text files whose records are plain lines: the raw table
 * (build-lines.ts) made by one `read_csv` over the file's UTF-8 bytes (the decoder's
 * re-encoding for GB18030, Big5 or UTF-16 files) instead of the JavaScript normalizer
 * writing a second copy of the file for the engine to read; then, for a sales file whose
 * rows are all simple, the simple branch of the rules alone. The rules, the line numbers and
 * the load report are the same either way (a property test loads random near-miss files both
 * ways).
 *
 * A file qualifies only when every physical line after the header is exactly one record
 * whose cells the engine reads as the normalizer does: fields unquoted, or wholly quoted
 * RFC 4180 style (`""` for a quote) on one line, with nothing between a closing quote and
 * the delimiter; no NUL, U+001F or U+FFFD, no CR but before LF, no empty line, no line over
 * the record limit, every line with the header's number of fields, a one-character
 * delimiter. Lines above the header (titles) follow the same quoting and are inserted as the
 * normalizer writes them. Row k of the read is then line k + headerLine. The engine reads
 * with `strict_mode`: invalid UTF-8 fails the read and the file goes through the normalizer,
 * which flags those lines. Not `store_rejects`: a rejected line leaves the read and would
 * shift the number of every line after it. Whatever the cells hold (blank rows, subtotal
 * rows, repeated headers, returns, odd amounts or dates, duplicates) is left to the rules.
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
  type ResolvedParse,
} from './build-lines.ts';
import { collectInfoSql, contactStageColumns } from './customer-info.ts';
import { createWorkTable, ident, join, literal, raw, sql, tableIdent } from '../db/sql.ts';
import type { NormalizeStats } from './chunk-writer.ts';
import { formattedAmount, formattedCurrency, idValue, type Fragment } from './parse.ts';
import { DEFAULT_MAX_RECORD_BYTES, type TextPreview } from './preview.ts';
import { RAW_FLAG } from './raw-format.ts';
import { simpleFlag, type SimpleCellSpec } from './simple-cells.ts';
import { IngestError, type ParseOptions, type Progress } from './types.ts';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;
const US = 0x1f;

/**
 * A line above the header (a title, or a blank line) as the normalizer writes it: its flag
 * (title, or blank when every cell is empty or spaces and tabs), its field count and its
 * first `columnCount` cells (null for an empty one; all null on a blank line).
 */
export interface TypedTitleRow {
  readonly line: number;
  readonly flag: number;
  readonly fields: number;
  readonly cells: readonly (string | null)[];
}

/** What the engine needs to read a qualifying file. */
export interface TypedCsvPlan {
  readonly delimiter: ',' | ';' | '\t' | '|';
  /** The header's line (0 when the file has none): the engine skips this many lines. */
  readonly headerLine: number;
  readonly columnCount: number;
  /** Records below the header: every non-empty line (there is no empty one). */
  readonly records: number;
  /**
   * The flag of the most records (`simpleFlag`: data, simple or formatted simple), which the
   * engine gives every record not in `listed`.
   */
  readonly flag: number;
  /** The lines of the records flagged otherwise, by flag (none when all are flagged `flag`). */
  readonly listed: readonly { readonly flag: number; readonly lines: Int32Array }[];
  /** The lines above the header, which the engine skips and which are inserted as they are. */
  readonly titles: readonly TypedTitleRow[];
}

/** Why a file is read by the normalizer instead (for tests and profiles). */
export type TypedCsvRefusal =
  | 'dialect'
  | 'header'
  | 'stray_quote'
  | 'quoted_line_break'
  | 'nul'
  | 'unit_separator'
  | 'replacement_char'
  | 'lone_cr'
  | 'empty_line'
  | 'long_line'
  | 'field_count'
  | 'title_encoding'
  | 'bom';

/** The result of splitting a line with quotes: its field count, or why the engine could read it otherwise. */
const STRAY = -1;
const BREAK = -2;

/**
 * Splits `src[pos, end)` (one line, no line break) into RFC 4180 fields: a field is either
 * unquoted, with no quote in it, or wholly quoted (`""` inside for a quote), the closing
 * quote followed by the delimiter or the end of the line. `STRAY` for anything else (a quote
 * inside an unquoted field, text or spaces before an opening or after a closing quote: the
 * normalizer keeps those characters, the engine drops the spaces or fails), `BREAK` for a
 * quote still open at the end of the line (the field goes on past a line break; the
 * normalizer's line numbers then follow the records, not the lines). With `out`, writes
 * the cells' text, unquoted, one byte apart (`simpleFlag`'s layout), and their ends into
 * `ends`. At most `max` fields are read (`max + 1` is returned for more).
 */
function splitQuoted(
  src: Uint8Array,
  pos: number,
  end: number,
  delimiter: number,
  max: number,
  out: Uint8Array | null,
  ends: Int32Array,
  doubled: { seen: boolean },
): number {
  let i = pos;
  let p = 0;
  let fields = 0;
  for (;;) {
    if (src[i] === QUOTE && i < end) {
      i++;
      for (;;) {
        if (i >= end) return BREAK;
        const b = src[i] as number;
        if (b === QUOTE) {
          if (i + 1 < end && src[i + 1] === QUOTE) {
            doubled.seen = true;
            if (out) out[p++] = QUOTE;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (out) out[p++] = b;
        i++;
      }
      if (i < end && src[i] !== delimiter) return STRAY;
    } else {
      for (; i < end; i++) {
        const b = src[i] as number;
        if (b === delimiter) break;
        if (b === QUOTE) return STRAY;
        if (out) out[p++] = b;
      }
    }
    if (fields >= max) return max + 1;
    ends[fields++] = p;
    if (i >= end) return fields;
    i++;
    p++;
  }
}

const grown = (a: Uint8Array): Uint8Array<ArrayBuffer> => {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
};

/** The most common flag of the per-record flags `marks`, and the lines of the others by flag. */
function flagged(marks: Uint8Array, records: number, headerLine: number): Pick<TypedCsvPlan, 'flag' | 'listed'> {
  const counts = new Map<number, number>();
  for (let r = 0; r < records; r++) counts.set(marks[r] as number, (counts.get(marks[r] as number) ?? 0) + 1);
  let flag: number = RAW_FLAG.data;
  for (const [f, n] of counts) if (n > (counts.get(flag) ?? 0)) flag = f;
  const listed = [...counts.keys()]
    .filter((f) => f !== flag)
    .sort((a, b) => a - b)
    .map((f) => {
      const lines = new Int32Array(counts.get(f) ?? 0);
      let k = 0;
      for (let r = 0; r < records; r++) if (marks[r] === f) lines[k++] = r + 1 + headerLine;
      return { flag: f, lines };
    });
  return { flag, listed };
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The row the normalizer writes for a line above the header; null when its text is not valid UTF-8. */
function titleRow(line: number, text: Uint8Array, ends: Int32Array, fields: number, n: number): TypedTitleRow | null {
  const cells: (string | null)[] = [];
  let blank = true;
  for (let k = 0; k < fields; k++) {
    const a = k === 0 ? 0 : (ends[k - 1] as number) + 1;
    const b = ends[k] as number;
    for (let i = a; i < b && blank; i++) if (text[i] !== SPACE && text[i] !== TAB) blank = false;
    if (k >= n) continue;
    try {
      cells.push(a === b ? null : STRICT_UTF8.decode(text.subarray(a, b)));
    } catch {
      return null;
    }
  }
  while (cells.length < n) cells.push(null);
  return { line, flag: blank ? RAW_FLAG.blank : RAW_FLAG.title, fields, cells: blank ? cells.map(() => null) : cells };
}

/**
 * The plan for reading `utf8` with the engine, or why it is not read that way. Native
 * `indexOf` scans for the file-wide tests, then one pass over the lines that counts each
 * line's fields and, with `simple`, flags each record with the normalizer's own test
 * (`simpleFlag`): the engine's read gives every record the plan's most common flag and the
 * listed lines theirs (`flag`, `listed`). A line with a quote is split field by field
 * (`splitQuoted`); the others only have their delimiters counted.
 */
export function typedCsvPlan(
  utf8: Uint8Array,
  preview: Pick<TextPreview, 'dialect' | 'headerLine' | 'columnCount'>,
  simple: SimpleCellSpec | null = null,
  maxRecordBytes: number = DEFAULT_MAX_RECORD_BYTES,
): TypedCsvPlan | TypedCsvRefusal {
  const d = preview.dialect.delimiter;
  const n = preview.columnCount;
  const headerLine = preview.headerLine;
  if (d === 'whitespace' || n < 2) return 'dialect';
  if (!Number.isInteger(headerLine) || headerLine < 0) return 'header';
  // The engine drops a byte-order mark at the start of its input; the normalizer keeps it in the first cell.
  if (headerLine === 0 && utf8[0] === 0xef && utf8[1] === 0xbb && utf8[2] === 0xbf) return 'bom';
  if (utf8.indexOf(0) >= 0) return 'nul';
  if (utf8.indexOf(US) >= 0) return 'unit_separator';
  for (let i = utf8.indexOf(0xef); i >= 0; i = utf8.indexOf(0xef, i + 1)) {
    if (utf8[i + 1] === 0xbf && utf8[i + 2] === 0xbd) return 'replacement_char';
  }
  for (let i = utf8.indexOf(CR); i >= 0; i = utf8.indexOf(CR, i + 1)) {
    if (utf8[i + 1] !== LF) return 'lone_cr';
  }
  const delimiter = d.charCodeAt(0);
  let ends = new Int32Array(n);
  const testing = simple !== null && simple.width === n;
  // Per record below the header: its flag (`simpleFlag`; data when not tested).
  let marks: Uint8Array = new Uint8Array(testing ? 1024 : 0);
  /** The current record's (the `records`-th) flag. */
  const mark = (flag: number): void => {
    if (records > marks.length) marks = grown(marks);
    marks[records - 1] = flag;
  };
  let scratch = new Uint8Array(0);
  const doubled = { seen: false };
  const titles: TypedTitleRow[] = [];
  let nextQuote = utf8.indexOf(QUOTE);
  let line = 1;
  let records = 0;
  for (let pos = 0; pos < utf8.length; line++) {
    const lf = utf8.indexOf(LF, pos);
    const next = lf < 0 ? utf8.length : lf + 1;
    const end = lf < 0 ? utf8.length : lf > pos && utf8[lf - 1] === CR ? lf - 1 : lf;
    if (end - pos > maxRecordBytes) return 'long_line';
    if (nextQuote >= 0 && nextQuote < pos) nextQuote = utf8.indexOf(QUOTE, pos);
    const quoted = nextQuote >= 0 && nextQuote < end;
    if (line < headerLine) {
      // Above the header: any number of fields, an empty line too, inserted as the normalizer writes them.
      const max = Math.max(n, end - pos + 1);
      if (ends.length < max) ends = new Int32Array(max);
      if (scratch.length < 2 * (end - pos) + 1) scratch = new Uint8Array(2 * (end - pos) + 1);
      const fields = splitQuoted(utf8, pos, end, delimiter, max, scratch, ends, { seen: false });
      if (fields === STRAY) return 'stray_quote';
      if (fields === BREAK) return 'quoted_line_break';
      const row = titleRow(line, scratch, ends, fields, n);
      if (row === null) return 'title_encoding';
      titles.push(row);
    } else if (end === pos) {
      return 'empty_line';
    } else if (line === headerLine) {
      if (quoted) {
        const fields = splitQuoted(utf8, pos, end, delimiter, end - pos + 1, null, new Int32Array(end - pos + 2), { seen: false });
        if (fields === STRAY) return 'stray_quote';
        if (fields === BREAK) return 'quoted_line_break';
      }
    } else {
      records++;
      if (quoted) {
        if (testing && scratch.length < 2 * (end - pos) + 1) scratch = new Uint8Array(2 * (end - pos) + 1);
        doubled.seen = false;
        const fields = splitQuoted(utf8, pos, end, delimiter, n, testing ? scratch : null, ends, doubled);
        if (fields === STRAY) return 'stray_quote';
        if (fields === BREAK) return 'quoted_line_break';
        if (fields !== n) return 'field_count';
        // A cell with a quote is written quoted by the normalizer, and so never simple.
        if (testing && !doubled.seen) mark(simpleFlag(scratch, 0, ends, simple as SimpleCellSpec));
      } else {
        let fields = 0;
        for (let i = pos; i < end; i++) {
          if (utf8[i] === delimiter) {
            if (fields >= n - 1) return 'field_count';
            ends[fields++] = i;
          }
        }
        if (fields !== n - 1) return 'field_count';
        ends[n - 1] = end;
        if (testing) mark(simpleFlag(utf8, pos, ends, simple as SimpleCellSpec));
      }
    }
    pos = next;
  }
  if (line <= headerLine) return 'header';
  return {
    delimiter: d,
    headerLine,
    columnCount: n,
    records,
    ...(testing ? flagged(marks, records, headerLine) : { flag: RAW_FLAG.data, listed: [] }),
    titles,
  };
}

/**
 * The statement that makes `rawTable` from the registered file at `path`: `line_no`, `flag`
 * (as the plan found: `listedPaths[k]`, one a plan's `listed[k]`, is the registered list of
 * its lines, one a line), `n_fields` and the cells as the normalizer's stream reads back
 * (an empty field, quoted or not, is NULL). A line of spaces, tabs, empty quoted fields and
 * delimiters is flagged data, not blank as the normalizer flags it: the rules find no filled
 * cell in it and skip it as a blank row all the same (the property test has such lines), and
 * its cells are never read. `parallel = false` reads the file in order, so
 * `row_number() OVER ()` is the record's position in it.
 */
export function typedRawSql(rawTable: string, path: string, plan: TypedCsvPlan, listedPaths: readonly string[]): Fragment {
  const n = plan.columnCount;
  const xs = Array.from({ length: n }, (_, k) => ident(`x${k}`));
  const columns = Array.from({ length: n }, (_, k) => sql`${literal(`x${k}`)}: 'VARCHAR'`);
  const cells = xs.map((c, k) => sql`${c} AS ${ident(`c${k}`)}`);
  const read = sql`SELECT (row_number() OVER () + ${raw(String(plan.headerLine))}) AS line_no, * FROM read_csv(${literal(path)},
        delim = ${literal(plan.delimiter)}, quote = '"', escape = '"', header = false, skip = ${raw(String(plan.headerLine))},
        auto_detect = false, columns = {${join(columns)}}, strict_mode = true, null_padding = false, parallel = false)`;
  const arms = plan.listed.map(
    (l, k) => sql`WHEN line_no IN (SELECT l FROM read_csv(${literal(listedPaths[k] ?? '')}, header = false, auto_detect = false, columns = {'l': 'INTEGER'}))
          THEN ${raw(String(Math.trunc(l.flag)))}`,
  );
  const otherwise = raw(String(Math.trunc(plan.flag)));
  const flag = arms.length ? sql`CASE ${join(arms, ' ')} ELSE ${otherwise} END` : otherwise;
  return sql`${createWorkTable(rawTable)} AS
    WITH read AS (${read})
    SELECT line_no::INTEGER AS line_no, (${flag})::UTINYINT AS flag, ${raw(String(n))}::INTEGER AS n_fields, ${join(cells)}
    FROM read`;
}

/**
 * Read a qualifying file into `rawTable` with the engine. 'unsupported' when the engine
 * refuses it (a line with another field count, invalid UTF-8) or reads another number of
 * records than the file has lines: the caller then reads the file with the normalizer.
 * The engine gets a copy of the bytes (the browser's engine takes over the buffer it is
 * given, and the normalizer may still need them).
 */
export async function typedRawInEngine(
  db: DbClient,
  utf8: Uint8Array,
  plan: TypedCsvPlan,
  rawTable: string,
  progress: (p: Progress) => void,
): Promise<NormalizeStats | 'unsupported'> {
  progress({ stage: 'parse', done: 1, total: 1 });
  const path = await db.registerBuffer(utf8.slice());
  const listedPaths: string[] = [];
  for (const l of plan.listed) listedPaths.push(await db.registerBuffer(new TextEncoder().encode(l.lines.join('\n'))));
  try {
    await db.exec(typedRawSql(rawTable, path, plan, listedPaths));
  } catch {
    await db.exec(sql`DROP TABLE IF EXISTS ${tableIdent(rawTable)}`);
    return 'unsupported';
  } finally {
    await db.dropBuffer(path);
    for (const p of listedPaths) await db.dropBuffer(p);
  }
  const [row] = await db.query(sql`SELECT count(*)::INTEGER AS n, coalesce(max(line_no), 0)::INTEGER AS last FROM ${tableIdent(rawTable)}`);
  const records = Number(row?.n ?? -1);
  if (records !== plan.records || (records > 0 && Number(row?.last ?? -1) !== plan.records + plan.headerLine)) {
    await db.exec(sql`DROP TABLE IF EXISTS ${tableIdent(rawTable)}`);
    return 'unsupported';
  }
  if (plan.titles.length > 0) {
    const rows = plan.titles.map((t) => sql`(${t.line}::INTEGER, ${t.flag}::UTINYINT, ${t.fields}::INTEGER, ${join(t.cells.map((c) => sql`${c}::VARCHAR`))})`);
    await db.exec(sql`INSERT INTO ${tableIdent(rawTable)} VALUES ${join(rows)}`);
  }
  return { records: records + plan.titles.length, byFlag: {}, nulRemoved: 0, nulRecords: 0, lines: records + plan.headerLine };
}

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
    const [range] = await db.query(sql`SELECT min(line_no)::INTEGER AS lo, max(line_no)::INTEGER AS hi FROM ${tableIdent(others.rawTable)}`);
    const slices = lineSlices(num(range, 'lo'), num(range, 'hi'), sliceLines);
    // Its statements write the stage (a slice of lines at a time, as `buildLines` does), then
    // mark duplicates: those are counted over every kept row below instead.
    for (const statement of stageSql(others, p, slices.length > 1 ? slices : []).slice(0, -1)) await db.exec(statement);
  }
  const columns = raw(`line_no, customer_id, order_id, order_ts, order_ts::DATE, amount,
      quantity, unit_price, product, category, region, channel, cost, profit, score, currency`);
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
        staged ? sql`SELECT * FROM (${simpleKept} UNION ALL SELECT ${columns} FROM ${tableIdent(spec.stage)} WHERE status = 'kept') ORDER BY line_no` : simpleKept
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

