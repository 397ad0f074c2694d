/**
 * Parquet files through parquet-wasm (DuckDB-Wasm ships no Parquet reader offline).
 * The wasm module is initialised by the caller, because Node and the browser load it
 * differently (`initSync` with the file's bytes vs. `init` with a bundled URL).
 *
 * A load puts the file's typed columns into the engine (`parquetRawInEngine`: record
 * batches, one row group at a time) and makes the raw table there in SQL (parquet-sql.ts).
 * The texts that SQL writes are defined here, in JavaScript: for the preview, for column
 * types SQL has no exact text for, and as the reference the tests compare with. Values
 * become text one record batch at a time and column by column: strings are decoded once per
 * batch and cut at their offsets, timestamps and numbers are read from their typed arrays.
 * Types without such a path (decimals, booleans, dictionaries, …) go through Arrow's `get`,
 * one value at a time.
 */
import { tableFromIPC, makeVector, DataType, Type, TimeUnit, DateUnit, type Data, type Field, type Schema, type Timestamp, type Date_ } from 'apache-arrow';
import { ParquetFile, readParquet } from 'parquet-wasm/esm';
import type { DbClient } from '../../db/client.ts';
import { ident, sql } from '../../db/sql.ts';
import { IngestError, type Progress } from '../types.ts';
import type { CellRow, NormalizeStats } from '../normalize.ts';
import type { SimpleCellSpec } from '../simple-cells.ts';
import { nulStatsSql, parquetRawSql, textKind, type TextKind } from './parquet-sql.ts';

/** A Parquet file as text rows: labels from the schema, row k (1-based) as line k. */
export interface ParquetRows {
  readonly labels: readonly string[];
  readonly rowCount: number;
  /** Lazily converted rows, for `normalizeRows(rows, labels.length, 0)`. */
  readonly rows: Iterable<CellRow>;
}

type Texts = (string | null)[];

const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, k) => String(k).padStart(2, '0'));
const pad2 = (n: number): string => TWO_DIGITS[n] ?? String(n).padStart(2, '0');
const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a UTC day number (days since 1970-01-01). */
function isoDay(day: number): string {
  const d = new Date(day * DAY_MS);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** The date, and ` HH:MM:SS` unless the time is midnight; sub-seconds are dropped. */
function isoFromSeconds(seconds: number, days: Map<number, string>): string {
  const day = Math.floor(seconds / 86_400);
  let date = days.get(day);
  if (date === undefined) {
    date = isoDay(day);
    days.set(day, date);
  }
  const s = seconds - day * 86_400;
  if (s === 0) return date;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${date} ${pad2(h)}:${pad2(m)}:${pad2(s % 60)}`;
}

/** Render an unscaled decimal integer with `scale` digits after the point. */
function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return unscaled.toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Text of one Arrow value as `Vector.get` returns it, by the column's type. */
function valueText(type: DataType, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (DataType.isDecimal(type)) {
    const words = value as Uint32Array;
    let unscaled = 0n;
    for (let k = words.length - 1; k >= 0; k--) unscaled = (unscaled << 32n) | BigInt(words[k] ?? 0);
    const bits = BigInt(words.length * 32);
    if (words.length > 0 && ((words[words.length - 1] ?? 0) & 0x80000000) !== 0) unscaled -= 1n << bits;
    return decimalText(unscaled, type.scale);
  }
  const days = new Map<number, string>();
  const millis = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));
  if (DataType.isDate(type)) return isoDay(Math.floor(millis(value) / DAY_MS));
  if (DataType.isTimestamp(type) || value instanceof Date) return isoFromSeconds(Math.floor(millis(value) / 1000), days);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isValid(data: Data, i: number): boolean {
  if (data.nullCount === 0) return true;
  const bitmap = data.nullBitmap;
  return bitmap === undefined || bitmap.length === 0 || ((bitmap[i >> 3] as number) & (1 << (i & 7))) !== 0;
}

/** Strings of a Utf8 column: one decode for the batch, cut at the offsets. Null when the bytes are not UTF-8. */
function utf8Texts(data: Data, offsets: Int32Array, bytes: Uint8Array): Texts | null {
  const n = data.length;
  const first = offsets[0] as number;
  const last = offsets[n] as number;
  let whole: string;
  try {
    whole = STRICT_UTF8.decode(bytes.subarray(first, last));
  } catch {
    return null;
  }
  const out: Texts = new Array<string | null>(n);
  if (whole.length === last - first) {
    // Only ASCII: byte offsets are string offsets.
    for (let i = 0; i < n; i++) out[i] = isValid(data, i) ? whole.substring((offsets[i] as number) - first, (offsets[i + 1] as number) - first) : null;
    return out;
  }
  // Count UTF-16 units while walking the bytes: a lead byte starts one unit, or two from F0 (beyond the BMP).
  let pos = 0;
  let byte = first;
  for (let i = 0; i < n; i++) {
    const start = pos;
    const end = offsets[i + 1] as number;
    for (; byte < end; byte++) {
      const b = bytes[byte] as number;
      if ((b & 0xc0) !== 0x80) pos += b >= 0xf0 ? 2 : 1;
    }
    out[i] = isValid(data, i) ? whole.substring(start, pos) : null;
  }
  return out;
}

/** Seconds since the epoch of a timestamp value, floored. */
function timestampSeconds(value: bigint, unit: TimeUnit): number {
  switch (unit) {
    case TimeUnit.SECOND:
      return Number(value);
    case TimeUnit.MILLISECOND:
      return Math.floor(Number(value) / 1e3);
    case TimeUnit.MICROSECOND:
      return Math.floor(Number(value) / 1e6);
    default: {
      const q = value / 1_000_000_000n;
      return Number(value < 0n && q * 1_000_000_000n !== value ? q - 1n : q);
    }
  }
}

/** One column of one record batch as text; typed arrays where the type allows, `get` otherwise. */
export function columnTexts(data: Data): Texts {
  const n = data.length;
  const type = data.type as DataType;
  if (data.offset === 0) {
    const values: unknown = data.values;
    if (type.typeId === Type.Utf8 && data.valueOffsets instanceof Int32Array && values instanceof Uint8Array) {
      const texts = utf8Texts(data, data.valueOffsets, values);
      if (texts !== null) return texts;
    }
    const numeric =
      (type.typeId === Type.Int && (ArrayBuffer.isView(values) && !(values instanceof DataView))) ||
      (type.typeId === Type.Float && (values instanceof Float64Array || values instanceof Float32Array));
    if (numeric) {
      const typed = values as ArrayLike<number | bigint>;
      const out: Texts = new Array<string | null>(n);
      for (let i = 0; i < n; i++) out[i] = isValid(data, i) ? String(typed[i]) : null;
      return out;
    }
    if (type.typeId === Type.Timestamp && values instanceof BigInt64Array) {
      const unit = (type as Timestamp).unit;
      const days = new Map<number, string>();
      const out: Texts = new Array<string | null>(n);
      for (let i = 0; i < n; i++) out[i] = isValid(data, i) ? isoFromSeconds(timestampSeconds(values[i] as bigint, unit), days) : null;
      return out;
    }
    if (type.typeId === Type.Date && (type as Date_).unit === DateUnit.DAY && values instanceof Int32Array) {
      const out: Texts = new Array<string | null>(n);
      for (let i = 0; i < n; i++) out[i] = isValid(data, i) ? isoDay(values[i] as number) : null;
      return out;
    }
  }
  return columnTextsByGet(data);
}

/** The same texts one value at a time through Arrow's `get`: the path for every other type, and the reference in tests. */
export function columnTextsByGet(data: Data): Texts {
  const vector = makeVector(data);
  const out: Texts = new Array<string | null>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = valueText(data.type as DataType, vector.get(i));
  return out;
}

/**
 * Read a Parquet file. `init` must initialise the `parquet-wasm/esm` module (idempotent
 * is fine). Throws `IngestError('UNREADABLE_PARQUET')` when the file cannot be decoded.
 */
export async function readParquetRows(bytes: Uint8Array, init: () => unknown, limit?: number): Promise<ParquetRows & { readonly schema: Schema }> {
  await init();
  return parquetRows(bytes, limit);
}

function unreadable(e: unknown): IngestError {
  return new IngestError('UNREADABLE_PARQUET', { reason: e instanceof Error ? e.message.slice(0, 80) : 'unknown' });
}

/** `readParquetRows` once parquet-wasm is initialised; with `limit`, only the first rows are decoded. */
export function parquetRows(bytes: Uint8Array, limit?: number): ParquetRows & { readonly schema: Schema } {
  let table;
  try {
    const wasmTable = readParquet(bytes, limit === undefined ? null : { limit });
    table = tableFromIPC(wasmTable.intoIPCStream());
  } catch (e) {
    throw unreadable(e);
  }
  const batches = table.batches;
  const width = table.numCols;
  function* rows(): Generator<CellRow> {
    let line = 0;
    for (const batch of batches) {
      const columns: Texts[] = [];
      for (let k = 0; k < width; k++) columns.push(columnTexts(batch.data.children[k] as Data));
      for (let i = 0; i < batch.numRows; i++) {
        const cells: Texts = new Array<string | null>(width);
        for (let k = 0; k < width; k++) cells[k] = (columns[k] as Texts)[i] ?? null;
        yield { line: ++line, cells };
      }
    }
  }
  return { labels: table.schema.fields.map((f) => f.name), rowCount: table.numRows, rows: { [Symbol.iterator]: rows }, schema: table.schema };
}

/**
 * Arrow types whose text `columnTexts` gives and parquet-sql.ts writes the same way in SQL.
 * Others (binary, times, lists, 256-bit decimals, …) are read by the JavaScript path.
 */
function typedInEngine(field: Field): boolean {
  const type = field.type as DataType;
  if (DataType.isDictionary(type)) return DataType.isUtf8(type.dictionary) || DataType.isLargeUtf8(type.dictionary);
  if (DataType.isDecimal(type)) return type.bitWidth === 128;
  return (
    DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isInt(type) || (DataType.isFloat(type) && type.precision !== 0) ||
    DataType.isDate(type) || DataType.isTimestamp(type) || DataType.isBool(type)
  );
}

/**
 * The in-memory database the typed columns are put in while the raw table is made from them.
 * The engine's Arrow insert cannot make a TEMP table: without it, the typed copy would land
 * in the default database, which is a database file when the page keeps its data on the device.
 */
const TYPED_DATABASE = 'parquet_typed';

/** Put the file's columns into `table` of TYPED_DATABASE, typed, one row group at a time (row k of the file at rowid k − 1). */
async function typedTable(db: DbClient, bytes: Uint8Array, table: string, progress: (p: Progress) => void): Promise<void> {
  if (db.createTableFromParquet) {
    progress({ stage: 'parse', done: 0, total: 1 });
    await db.createTableFromParquet(table, bytes, TYPED_DATABASE);
    progress({ stage: 'parse', done: 1, total: 1 });
    return;
  }
  const file = await ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  try {
    const meta = file.metadata();
    const groups = meta.numRowGroups();
    if (groups === 0) throw new Error('no row groups');
    for (let g = 0; g < groups; g++) {
      const batch = await file.read({ rowGroups: [g], batchSize: Math.max(1, meta.rowGroup(g).numRows()) });
      // The engine owns the stream once given; the decoded batch is freed with it.
      await db.insertArrowIPC(table, batch.intoIPCStream(), { append: g > 0, database: TYPED_DATABASE });
      progress({ stage: 'parse', done: g + 1, total: groups });
    }
  } finally {
    file.free();
  }
}

/**
 * Build the normalized raw table of a Parquet file in the engine: its columns loaded as
 * they are typed (Arrow record batches, or the engine's own reader where it has one), then
 * turned into text cells and flags in SQL (parquet-sql.ts). 'unsupported' when a column has
 * a type without an exact SQL text; the caller then reads the file's rows in JavaScript.
 */
export async function parquetRawInEngine(
  db: DbClient,
  bytes: Uint8Array,
  schema: Schema,
  rawTable: string,
  simple: SimpleCellSpec | null,
  progress: (p: Progress) => void,
): Promise<NormalizeStats | 'unsupported'> {
  if (schema.fields.length === 0 || !schema.fields.every(typedInEngine)) return 'unsupported';
  const name = `${rawTable}__typed`;
  const typed = sql`${ident(TYPED_DATABASE)}.${ident(name)}`;
  await db.exec(sql`ATTACH IF NOT EXISTS ':memory:' AS ${ident(TYPED_DATABASE)}`);
  try {
    try {
      await typedTable(db, bytes, name, progress);
    } catch {
      // Whatever the engine could not take (a name, a type) the JavaScript path reads.
      return 'unsupported';
    }
    const types = await db.query(sql`SELECT data_type::VARCHAR AS t FROM duckdb_columns()
      WHERE database_name = ${TYPED_DATABASE} AND table_name = ${name} ORDER BY column_index`);
    const kinds = types.map((r) => textKind(String(r.t)));
    if (kinds.length !== schema.fields.length || kinds.some((k) => k === null)) return 'unsupported';
    const known = kinds as TextKind[];
    await db.exec(parquetRawSql(rawTable, typed, known, simple));
    const nulQuery = nulStatsSql(typed, known);
    const [nul] = nulQuery ? await db.query(nulQuery) : [];
    const [count] = await db.query(sql`SELECT count(*)::INTEGER AS n FROM ${ident(rawTable)}`);
    const records = Number(count?.n ?? 0);
    return { records, byFlag: {}, nulRemoved: Number(nul?.removed ?? 0), nulRecords: Number(nul?.records ?? 0), lines: records };
  } finally {
    // Detaching frees the typed copy with the database.
    await db.exec(sql`DETACH DATABASE IF EXISTS ${ident(TYPED_DATABASE)}`);
  }
}
