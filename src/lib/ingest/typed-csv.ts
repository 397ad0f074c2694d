/**
 * The engine's own CSV reader for text files whose records are plain lines: the raw table
 * (build-lines.ts) made by one `read_csv` over the file's UTF-8 bytes, with the flags and
 * the simple test computed in SQL, instead of the JavaScript normalizer writing a second copy
 * of the file for the engine to read. build-lines.ts then reads the raw table as ever, so the
 * rules, the line numbers and the load report are the same either way (a property test
 * loads random near-miss files both ways).
 *
 * A file qualifies only when every physical line after the header is exactly one record
 * that the normalizer would copy as it is: no quote character anywhere, no NUL, no U+FFFD,
 * no CR but before LF, no empty line, no line over the record limit, the header on line 1
 * (or none) and a one-character delimiter. Row k of the read is then line k + headerLine.
 * The engine reads with `strict_mode`: a line with another number of fields than the header
 * (a trailing delimiter, a short subtotal row) or invalid UTF-8 fails the read, and the file
 * goes through the normalizer, which flags those lines. Whatever the cells hold (blank rows,
 * subtotal rows, repeated headers, returns, odd amounts or dates, duplicates) is left to the
 * rules, which are the same for both.
 */
import type { DbClient } from '../db/client.ts';
import { ident, join, literal, raw, sql } from '../db/sql.ts';
import type { NormalizeStats } from './chunk-writer.ts';
import { simpleTest, trimTested } from './formats/parquet-sql.ts';
import type { Fragment } from './parse.ts';
import { DEFAULT_MAX_RECORD_BYTES, type TextPreview } from './preview.ts';
import { RAW_FLAG } from './raw-format.ts';
import type { SimpleCellSpec } from './simple-cells.ts';
import type { Progress } from './types.ts';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** What the engine needs to read a qualifying file. */
export interface TypedCsvPlan {
  readonly delimiter: ',' | ';' | '\t' | '|';
  /** 1 when line 1 is the header, 0 when the file has none. */
  readonly headerLine: 0 | 1;
  readonly columnCount: number;
  /** Records below the header: every non-empty line (there is no empty one). */
  readonly records: number;
}

/** Why a file is read by the normalizer instead (for tests and profiles). */
export type TypedCsvRefusal =
  | 'dialect'
  | 'header'
  | 'quote'
  | 'nul'
  | 'replacement_char'
  | 'lone_cr'
  | 'empty_line'
  | 'long_line'
  | 'field_count'
  | 'engine';

/** Lines whose field count is checked in JavaScript before the engine is asked to read the file. */
const SAMPLE_LINES = 2000;

/**
 * The plan for reading `utf8` with the engine, or why it is not read that way. Native
 * `indexOf` scans only, and one pass over the line ends: a few tens of milliseconds for
 * 90 MB, against the normalizer's copy of every byte.
 */
export function typedCsvPlan(
  utf8: Uint8Array,
  preview: Pick<TextPreview, 'dialect' | 'headerLine' | 'columnCount'>,
  maxRecordBytes: number = DEFAULT_MAX_RECORD_BYTES,
): TypedCsvPlan | TypedCsvRefusal {
  const d = preview.dialect.delimiter;
  if (d === 'whitespace' || preview.columnCount < 2) return 'dialect';
  if (preview.headerLine !== 0 && preview.headerLine !== 1) return 'header';
  if (utf8.indexOf(QUOTE) >= 0) return 'quote';
  if (utf8.indexOf(0) >= 0) return 'nul';
  for (let i = utf8.indexOf(0xef); i >= 0; i = utf8.indexOf(0xef, i + 1)) {
    if (utf8[i + 1] === 0xbf && utf8[i + 2] === 0xbd) return 'replacement_char';
  }
  for (let i = utf8.indexOf(CR); i >= 0; i = utf8.indexOf(CR, i + 1)) {
    if (utf8[i + 1] !== LF) return 'lone_cr';
  }
  const delimiter = d.charCodeAt(0);
  let line = 1;
  let records = 0;
  for (let pos = 0; pos < utf8.length; line++) {
    const lf = utf8.indexOf(LF, pos);
    const next = lf < 0 ? utf8.length : lf + 1;
    const end = lf < 0 ? utf8.length : lf > pos && utf8[lf - 1] === CR ? lf - 1 : lf;
    if (end === pos) return 'empty_line';
    if (end - pos > maxRecordBytes) return 'long_line';
    if (line > preview.headerLine) {
      records++;
      if (records <= SAMPLE_LINES) {
        let fields = 1;
        for (let i = utf8.indexOf(delimiter, pos); i >= 0 && i < end; i = utf8.indexOf(delimiter, i + 1)) fields++;
        if (fields !== preview.columnCount) return 'field_count';
      }
    }
    pos = next;
  }
  return { delimiter: d, headerLine: preview.headerLine, columnCount: preview.columnCount, records };
}

/** Space and tab only: what the normalizer counts as nothing in a line (with the delimiters). */
function blankCell(x: Fragment): Fragment {
  return sql`(${x} IS NULL OR (list_contains([9, 32], ascii(${x})) AND regexp_matches(${x}, '^[ \t]*$')))`;
}

/**
 * The statement that makes `rawTable` from the registered file at `path`: `line_no`, `flag`
 * (blank, simple or data), `n_fields` and the cells as the normalizer's stream reads back
 * (an empty field is NULL; a blank row keeps no cells). `parallel = false` reads the file
 * in order, so `row_number() OVER ()` is the record's position in it.
 */
export function typedRawSql(rawTable: string, path: string, plan: TypedCsvPlan, simple: SimpleCellSpec | null): Fragment {
  const n = plan.columnCount;
  const xs = Array.from({ length: n }, (_, k) => ident(`x${k}`));
  const x = (k: number) => xs[k] as Fragment;
  const t = (k: number) => ident(`t${k}`);
  const columns = Array.from({ length: n }, (_, k) => sql`${literal(`x${k}`)}: 'VARCHAR'`);
  const texts = xs.map((c, k) => sql`coalesce(${c}, '') AS ${t(k)}`);
  const tested = simple ? trimTested(simple) : [];
  const endCodes = tested.map((k) => sql`ascii(${t(k)}) AS ${ident(`f${k}`)}, ascii(right(${t(k)}, 1)) AS ${ident(`l${k}`)}`);
  const ends = (k: number): [Fragment, Fragment] => [ident(`f${k}`), ident(`l${k}`)];
  const kinds = xs.map(() => 'text' as const);
  const flag = simple
    ? sql`CASE WHEN blank THEN ${raw(String(RAW_FLAG.blank))} WHEN ${simpleTest(simple, kinds, x, x, t, ends)} THEN ${raw(String(RAW_FLAG.simpleData))} ELSE ${raw(String(RAW_FLAG.data))} END`
    : sql`CASE WHEN blank THEN ${raw(String(RAW_FLAG.blank))} ELSE ${raw(String(RAW_FLAG.data))} END`;
  const cells = xs.map((c, k) => sql`CASE WHEN blank THEN NULL ELSE ${c} END AS ${ident(`c${k}`)}`);
  return sql`CREATE OR REPLACE TEMP TABLE ${ident(rawTable)} AS
    WITH read AS (SELECT (row_number() OVER () + ${raw(String(plan.headerLine))}) AS line_no, * FROM read_csv(${literal(path)},
        delim = ${literal(plan.delimiter)}, quote = '"', escape = '"', header = false, skip = ${raw(String(plan.headerLine))},
        auto_detect = false, columns = {${join(columns)}}, strict_mode = true, null_padding = false, parallel = false)),
      texts AS (SELECT *, ${join(texts)} FROM read),
      shaped AS (SELECT *, ${join(xs.map(blankCell), ' AND ')} AS blank
        ${endCodes.length ? sql`, ${join(endCodes)}` : raw('')}
        ${simple ? sql`, concat(${join(xs)}) AS all_text` : raw('')} FROM texts)
    SELECT line_no::INTEGER AS line_no, (${flag})::UTINYINT AS flag, ${raw(String(n))}::INTEGER AS n_fields, ${join(cells)}
    FROM shaped`;
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
  simple: SimpleCellSpec | null,
  progress: (p: Progress) => void,
): Promise<NormalizeStats | 'unsupported'> {
  progress({ stage: 'parse', done: 0, total: 1 });
  const path = await db.registerBuffer(utf8.slice());
  try {
    await db.exec(typedRawSql(rawTable, path, plan, simple));
  } catch {
    await db.exec(sql`DROP TABLE IF EXISTS ${ident(rawTable)}`);
    return 'unsupported';
  } finally {
    await db.dropBuffer(path);
  }
  const [row] = await db.query(sql`SELECT count(*)::INTEGER AS n, coalesce(max(line_no), 0)::INTEGER AS last FROM ${ident(rawTable)}`);
  const records = Number(row?.n ?? -1);
  if (records !== plan.records || Number(row?.last ?? -1) !== plan.records + plan.headerLine) {
    await db.exec(sql`DROP TABLE IF EXISTS ${ident(rawTable)}`);
    return 'unsupported';
  }
  progress({ stage: 'parse', done: 1, total: 1 });
  return { records, byFlag: {}, nulRemoved: 0, nulRecords: 0, lines: records + plan.headerLine };
}
