/**
 * A Parquet file's typed columns, once in the engine, as the normalized raw table: the same
 * rows, flags and cell texts that `columnTexts` + `normalizeRows` produce in JavaScript,
 * computed in SQL with no JavaScript string per cell. build-lines.ts then reads the raw
 * table exactly as for text files, so the rules (and the load report) are the same.
 *
 * Each cell's text is the one `columnTexts` gives its Arrow value: numbers as JavaScript
 * prints them, timestamps as `YYYY-MM-DD[ HH:MM:SS]` (sub-seconds dropped, midnight as the
 * date alone), booleans as TRUE/FALSE, NUL characters removed. Empty text is NULL, as
 * `read_csv` reads an empty field. The flags and the simple test mirror normalize.ts and
 * simple-cells.ts on that text.
 */
import { ident, join, literal, raw, sql } from '../../db/sql.ts';
import type { Fragment } from '../parse.ts';
import { RAW_FLAG } from '../raw-format.ts';
import type { SimpleCellSpec } from '../simple-cells.ts';
import { WORD_RE, WORDS } from '../simple-words.ts';

/** How a column's engine type becomes text; null when there is no exact SQL form (the JavaScript path reads the file then). */
export type TextKind = 'text' | 'integer' | 'float' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'timestamp_other';

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT']);

/** The text kind of a DuckDB column type (as `duckdb_columns().data_type` names it). */
export function textKind(duckType: string): TextKind | null {
  const t = duckType.toUpperCase();
  if (t === 'VARCHAR') return 'text';
  if (INTEGER_TYPES.has(t)) return 'integer';
  if (t === 'FLOAT' || t === 'DOUBLE') return 'float';
  if (/^DECIMAL\(\d+,\d+\)$/.test(t)) return 'decimal';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t === 'TIMESTAMP') return 'timestamp';
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'timestamptz';
  if (t === 'TIMESTAMP_S' || t === 'TIMESTAMP_MS' || t === 'TIMESTAMP_NS') return 'timestamp_other';
  return null;
}

/**
 * A DOUBLE as JavaScript's `String(number)` prints it, from `s`, the DOUBLE `x` cast to
 * VARCHAR. Both print the shortest digits that read back as the same number; they differ
 * in the form: DuckDB writes `356.0`, and exponents from 1e16 and below 1e-4 (`1e-05`),
 * JavaScript `356`, and exponents only from 1e21 and below 1e-6 (`1e-7`, `1.5e+21`).
 */
export function jsNumberText(x: Fragment, s: Fragment): Fragment {
  const part = (k: number) => sql`regexp_extract(${s}, '^(-?)([0-9])(?:\\.([0-9]+))?e([+-][0-9]+)$', ${raw(String(k))})`;
  const [sign, d, rest] = [part(1), part(2), part(3)];
  const e = sql`CAST(${part(4)} AS INTEGER)`;
  // Exponents are rare (|x| ≥ 1e16 or < 1e-4): the regex runs only on those.
  const exponent = sql`CASE
      WHEN ${e} >= 21 OR ${e} <= -7 THEN ${sign} || ${d} || CASE WHEN ${rest} = '' THEN '' ELSE '.' || ${rest} END
        || 'e' || CASE WHEN ${e} > 0 THEN '+' ELSE '-' END || abs(${e})::VARCHAR
      WHEN ${e} >= 0 THEN ${sign} || ${d} || ${rest} || repeat('0', ${e} - length(${rest}))
      ELSE ${sign} || '0.' || repeat('0', -${e} - 1) || ${d} || ${rest} END`;
  return sql`CASE
    WHEN isnan(${x}) THEN 'NaN'
    WHEN isinf(${x}) THEN CASE WHEN ${x} > 0 THEN 'Infinity' ELSE '-Infinity' END
    WHEN ${x} = 0 THEN '0'
    WHEN suffix(${s}, '.0') THEN substr(${s}, 1, length(${s}) - 2)
    WHEN contains(${s}, 'e') THEN ${exponent}
    ELSE ${s} END`;
}

/** `YYYY-MM-DD` as `isoDay` writes it: the year unpadded outside 1000–9999. */
function dayText(d: Fragment): Fragment {
  return sql`CASE WHEN year(${d}) BETWEEN 1000 AND 9999 THEN ${d}::DATE::VARCHAR
    ELSE year(${d})::VARCHAR || strftime(${d}::DATE, '-%m-%d') END`;
}

/** A TIMESTAMP (whole seconds) as `isoFromSeconds` writes it. */
function secondsText(s: Fragment): Fragment {
  return sql`CASE WHEN ${s} = ${s}::DATE THEN ${dayText(s)}
    WHEN year(${s}) BETWEEN 1000 AND 9999 THEN ${s}::VARCHAR
    ELSE ${dayText(s)} || strftime(${s}, ' %H:%M:%S') END`;
}

/** A timestamp column as TIMESTAMP at UTC, floored to the second. */
function utcSeconds(x: Fragment, kind: TextKind): Fragment {
  const ts = kind === 'timestamptz' ? sql`make_timestamp(epoch_us(${x}))` : kind === 'timestamp_other' ? sql`${x}::TIMESTAMP` : x;
  return sql`date_trunc('second', ${ts})`;
}

const isTimestamp = (kind: TextKind) => kind === 'timestamp' || kind === 'timestamptz' || kind === 'timestamp_other';

/**
 * What the text of column `x` is made from, computed once per row in a column of its own:
 * a DOUBLE's DuckDB text, a timestamp floored to the second; null when `x` itself serves.
 */
export function textSource(x: Fragment, kind: TextKind): Fragment | null {
  if (kind === 'float') return sql`${x}::DOUBLE::VARCHAR`;
  if (isTimestamp(kind)) return utcSeconds(x, kind);
  return null;
}

/** The text of a non-null value of column `x`, NUL characters removed; `v` is its `textSource`. */
export function cellText(x: Fragment, v: Fragment, kind: TextKind): Fragment {
  switch (kind) {
    case 'text':
      return sql`CASE WHEN contains(${x}, chr(0)) THEN replace(${x}, chr(0), '') ELSE ${x} END`;
    case 'integer':
    case 'decimal':
      return sql`${x}::VARCHAR`;
    case 'float':
      return jsNumberText(sql`${x}::DOUBLE`, v);
    case 'boolean':
      return sql`CASE WHEN ${x} THEN 'TRUE' WHEN NOT ${x} THEN 'FALSE' END`;
    case 'date':
      return dayText(x);
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_other':
      return secondsText(v);
  }
}

/** Code points JavaScript's `trim()` removes (isBlankText in normalize.ts). */
const JS_SPACE = [9, 10, 11, 12, 13, 32, 0xa0, 0x1680, ...Array.from({ length: 11 }, (_, k) => 0x2000 + k), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff];
const JS_SPACE_RE = `^[${JS_SPACE.map((c) => `\\x{${c.toString(16)}}`).join('')}]*$`;

function isBlankText(t: Fragment): Fragment {
  return sql`(${t} = '' OR (list_contains([${raw(JS_SPACE.join(', '))}], ascii(${t})) AND regexp_matches(${t}, ${literal(JS_SPACE_RE)})))`;
}

/**
 * Code points whose UTF-8 lead byte `suspectLead` (simple-cells.ts) refuses: C2, C5, E2, E3, EF,
 * and any character up to space.
 */
function suspect(code: Fragment): Fragment {
  return sql`(${code} <= 32 OR ${code} BETWEEN 128 AND 191 OR ${code} BETWEEN 320 AND 383 OR ${code} BETWEEN 8192 AND 16383 OR ${code} >= 61440 AND ${code} <= 65535)`;
}

/** `noTrim`: nothing a trim could remove at either end; `first` and `last` are the codes of its end characters (null when empty). */
function noTrim(first: Fragment, last: Fragment): Fragment {
  return sql`NOT coalesce(${suspect(first)} OR ${suspect(last)}, false)`;
}

/** First code points of the words, both cases: the pattern runs only on cells starting with one. */
const WORD_FIRST = [...new Set(WORDS.flatMap((w) => [w, w.toUpperCase()].map((x) => x.codePointAt(0) as number)))];

function startsWithWord(t: Fragment, first: Fragment): Fragment {
  return sql`(list_contains([${raw(WORD_FIRST.join(', '))}], ${first}) AND regexp_matches(${t}, ${literal(WORD_RE)}))`;
}

const ISO_DATE_RE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$';

/** `plainNumber` of simple-cells.ts on column `x` of `kind`, whose text is `t` ('' when null). */
function plainNumber(x: Fragment, t: Fragment, kind: TextKind, signed: boolean): Fragment {
  const nonNegative = signed ? raw('true') : sql`${x} >= 0`;
  switch (kind) {
    case 'integer':
    case 'decimal':
      return sql`(${x} IS NULL OR ${nonNegative})`;
    case 'float':
      // Printed without an exponent: zero, or 1e-6 ≤ |x| < 1e21 (see jsNumberText).
      return sql`(${x} IS NULL OR (${nonNegative} AND (${x} = 0 OR (abs(${x}) >= 1e-6 AND abs(${x}) < 1e21))))`;
    case 'text':
      return sql`(${t} = '' OR regexp_matches(${t}, ${literal(signed ? '^-?[0-9]+(\\.[0-9]+)?$' : '^[0-9]+(\\.[0-9]+)?$')}))`;
    default:
      return sql`${x} IS NULL`;
  }
}

function isoDate(x: Fragment, v: Fragment, t: Fragment, kind: TextKind): Fragment {
  switch (kind) {
    case 'date':
      return sql`year(${x}) BETWEEN 1000 AND 9999`;
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_other':
      return sql`year(${v}) BETWEEN 1000 AND 9999`;
    case 'text':
      return sql`regexp_matches(${t}, ${literal(ISO_DATE_RE)})`;
    default:
      return raw('false');
  }
}

/**
 * `simpleFlag` (simple-cells.ts) on the row's texts, plus what `writeRowCells` adds: no
 * cell that needs quoting, no NUL removed. `x(k)` is column k, `t(k)` its text ('' when null).
 */
export function simpleTest(
  spec: SimpleCellSpec,
  kinds: readonly TextKind[],
  x: (k: number) => Fragment,
  v: (k: number) => Fragment,
  t: (k: number) => Fragment,
  ends: (k: number) => [Fragment, Fragment],
): Fragment {
  const kind = (k: number) => kinds[k] as TextKind;
  const tests: Fragment[] = [];
  tests.push(isoDate(x(spec.date), v(spec.date), t(spec.date), kind(spec.date)));
  for (const k of spec.numbers) tests.push(plainNumber(x(k), t(k), kind(k), true));
  if (spec.score !== null) tests.push(plainNumber(x(spec.score), t(spec.score), kind(spec.score), false));
  const c = t(spec.customer);
  tests.push(sql`${c} <> '' AND ${noTrim(...ends(spec.customer))} AND NOT ${startsWithWord(c, ends(spec.customer)[0])} AND NOT contains(${c}, 'ı') AND NOT contains(${c}, '+')`);
  if (spec.customer !== 0) tests.push(sql`${t(0)} <> '' AND ${noTrim(...ends(0))} AND NOT ${startsWithWord(t(0), ends(0)[0])}`);
  for (const k of spec.texts) tests.push(noTrim(...ends(k)));
  if (spec.order !== null) {
    const o = t(spec.order);
    tests.push(sql`${noTrim(...ends(spec.order))} AND (${o} = '' OR NOT (${startsWithWord(o, ends(spec.order)[0])} OR contains(${o}, 'ı')))`);
  }
  // No cell the normalizer would quote (or strip a NUL from): tested once on all text cells
  // together, five contains() on one string being far cheaper than on each cell.
  if (kinds.includes('text')) {
    const all = ident('all_text');
    tests.push(sql`NOT (contains(${all}, '"') OR contains(${all}, chr(31)) OR contains(${all}, chr(13)) OR contains(${all}, chr(10)) OR contains(${all}, chr(0)))`);
  }
  return sql`coalesce(${join(tests, ' AND ')}, false)`;
}

/** The cells whose end characters the simple test looks at. */
export function trimTested(spec: SimpleCellSpec): number[] {
  return [...new Set([spec.customer, ...(spec.customer !== 0 ? [0] : []), ...spec.texts, ...(spec.order !== null ? [spec.order] : [])])];
}

/**
 * The normalized raw table (columns line_no, flag, n_fields, c0 … c{N-1}; see
 * build-lines.ts) from `source`, the file's columns in order with the file's row k at
 * `rowid` k − 1. With `simple`, clean data rows are flagged as the normalizer flags them.
 */
export function parquetRawSql(target: string, source: Fragment, kinds: readonly TextKind[], simple: SimpleCellSpec | null): Fragment {
  const n = kinds.length;
  const xs = kinds.map((_, k) => ident(`x${k}`));
  const x = (k: number) => xs[k] as Fragment;
  const sources = kinds.map((kind, k) => textSource(x(k), kind));
  const v = (k: number) => (sources[k] ? ident(`v${k}`) : x(k));
  const t = (k: number) => ident(`t${k}`);
  const withSources = sources.flatMap((src, k) => (src ? [sql`${src} AS ${ident(`v${k}`)}`] : []));
  const texts = kinds.map((kind, k) => sql`coalesce(${cellText(x(k), v(k), kind)}, '') AS ${t(k)}`);
  const typed = kinds.flatMap((kind, k) => (kind === 'text' ? [] : [x(k)]));
  const strings = kinds.flatMap((kind, k) => (kind === 'text' ? [t(k)] : []));
  // A row is blank when every cell's text is: typed values are never blank text.
  const stringsBlank = strings.length ? join(strings.map(isBlankText), ' AND ') : raw('true');
  const blank = typed.length
    ? sql`CASE WHEN ${join(typed.map((c) => sql`${c} IS NULL`), ' AND ')} THEN ${stringsBlank} ELSE false END`
    : stringsBlank;
  // The end characters' codes, computed once: each test below reads them several times.
  const tested = simple ? trimTested(simple) : [];
  const ends = (k: number): [Fragment, Fragment] => [ident(`f${k}`), ident(`l${k}`)];
  const endCodes = tested.map((k) => sql`ascii(${t(k)}) AS ${ident(`f${k}`)}, ascii(right(${t(k)}, 1)) AS ${ident(`l${k}`)}`);
  const flag = simple
    ? sql`CASE WHEN blank THEN ${raw(String(RAW_FLAG.blank))} WHEN ${simpleTest(simple, kinds, x, v, t, ends)} THEN ${raw(String(RAW_FLAG.simpleData))} ELSE ${raw(String(RAW_FLAG.data))} END`
    : sql`CASE WHEN blank THEN ${raw(String(RAW_FLAG.blank))} ELSE ${raw(String(RAW_FLAG.data))} END`;
  const cells = kinds.map((_, k) => sql`CASE WHEN blank THEN NULL ELSE nullif(${t(k)}, '') END AS ${ident(`c${k}`)}`);
  return sql`CREATE OR REPLACE TEMP TABLE ${ident(target)} AS
    WITH named AS (SELECT rowid + 1 AS line_no, * ${withSources.length ? sql`, ${join(withSources)}` : raw('')} FROM ${source} AS p(${join(xs)})),
      texts AS (SELECT *, ${join(texts)} FROM named),
      shaped AS (SELECT *, ${blank} AS blank ${endCodes.length ? sql`, ${join(endCodes)}` : raw('')}
        ${simple && strings.length ? sql`, concat(${join(kinds.flatMap((k, i) => (k === 'text' ? [x(i)] : [])))}) AS all_text` : raw('')} FROM texts)
    SELECT line_no::INTEGER AS line_no, (${flag})::UTINYINT AS flag, ${raw(String(n))}::INTEGER AS n_fields${n ? sql`, ${join(cells)}` : raw('')}
    FROM shaped`;
}

/** Rows holding a NUL character in a text column, and how many NULs (the normalizer drops them). */
export function nulStatsSql(source: Fragment, kinds: readonly TextKind[]): Fragment | null {
  const xs = kinds.map((_, k) => ident(`x${k}`));
  const strings = kinds.flatMap((kind, k) => (kind === 'text' ? [xs[k] as Fragment] : []));
  if (strings.length === 0) return null;
  const any = join(strings.map((s) => sql`contains(${s}, chr(0))`), ' OR ');
  const removed = join(strings.map((s) => sql`coalesce(length(${s}) - length(replace(${s}, chr(0), '')), 0)`), ' + ');
  return sql`SELECT count(*)::INTEGER AS records, coalesce(sum(${removed}), 0)::INTEGER AS removed
    FROM ${source} AS p(${join(xs)}) WHERE ${any}`;
}
