/**
 * The engine's own CSV reader for text files whose records are plain lines: the raw table
 * (build-lines.ts) made by one `read_csv` over the file's UTF-8 bytes (the decoder's
 * re-encoding for GB18030, Big5 or UTF-16 files) instead of the JavaScript normalizer
 * writing a second copy of the file for the engine to read (its simple records then go
 * through simple-lines.ts). The rules, the line numbers and the load report are the same
 * either way (a property test loads random near-miss files both
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
import { createWorkTable, ident, join, literal, raw, sql, tableIdent } from '../db/sql.ts';
import type { NormalizeStats } from './chunk-writer.ts';
import type { Fragment } from './parse.ts';
import { DEFAULT_MAX_RECORD_BYTES, type TextPreview } from './preview.ts';
import { RAW_FLAG } from './raw-format.ts';
import { simpleFlag, type SimpleCellSpec } from './simple-cells.ts';
import type { Progress } from './types.ts';

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
