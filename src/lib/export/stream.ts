/**
 * Big exports in batches: a table (or a query materialised into a temporary table) is read
 * by rowid ranges, one batch at a time, and each batch is encoded and appended to the parts
 * of a Blob. Only one batch is held in JavaScript at any moment. CSV batches are written by
 * the engine itself as one text per batch (no row objects); `csvCellSql` is csv.ts in SQL.
 */
import type { DbClient, Row } from '../db/client.ts';
import { ident, join, raw, sql, type SqlQuery } from '../db/sql.ts';
import { BOM, csvCell } from './csv.ts';

/** How a column is written: text, a number, an ISO date (YYYY-MM-DD) or date-time (YYYY-MM-DD HH:MM:SS). */
/** The media type of Parquet files (here so that pages can name it without loading the Parquet writer). */
export const PARQUET_TYPE = 'application/vnd.apache.parquet';

export type ColumnKind = 'text' | 'number' | 'integer' | 'boolean' | 'date' | 'timestamp';

export interface ExportColumn {
  readonly name: string;
  readonly kind: ColumnKind;
}

export type ExportRow = Row;

export interface ExportSource {
  readonly columns: readonly ExportColumn[];
  readonly rowCount: number;
  /** Rows in order, `batchSize` at most per batch. */
  batches(batchSize?: number): AsyncGenerator<ExportRow[]>;
  /** Drop what `openQuery` materialised (no-op for a table). */
  release(): Promise<void>;
  /** The same batches as CSV text (rows ending in CRLF), written by the engine; optional. `onRows` gets each batch's row count. */
  csvBatches?(batchSize?: number, onRows?: (rows: number) => void): AsyncGenerator<string>;
  /** The same batches as Arrow IPC streams (types as in parquet.ts), when the engine can. */
  arrowBatches?(batchSize?: number, names?: readonly string[]): AsyncGenerator<Uint8Array>;
}

export const DEFAULT_BATCH = 100_000;
const MIN_BATCH = 10_000;
const TARGET_BATCHES = 20;

/**
 * Rows per batch for an export of `rows`: about 20 batches (so progress moves), never below
 * 10 k rows (per-query overhead) nor above 100 k (about 10 MB of CSV held at once).
 */
export function batchSizeFor(rows: number): number {
  return Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, Math.ceil(rows / TARGET_BATCHES)));
}

export function kindOf(duckdbType: string): ColumnKind {
  const t = duckdbType.toUpperCase();
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT' || t === 'UTINYINT' || t === 'USMALLINT') return 'integer';
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|BIGINT|HUGEINT|UINTEGER|UBIGINT)/.test(t)) return 'number';
  return 'text';
}

/** Cast so that both engines hand over the same plain values (see DbClient). */
function selectExpr(c: ExportColumn) {
  const col = ident(c.name);
  switch (c.kind) {
    case 'date':
      return sql`strftime(${col}, '%Y-%m-%d') AS ${col}`;
    case 'timestamp':
      return sql`strftime(${col}, '%Y-%m-%d %H:%M:%S') AS ${col}`;
    case 'number':
      return sql`${col}::DOUBLE AS ${col}`;
    case 'integer':
      return sql`${col}::INTEGER AS ${col}`;
    case 'boolean':
      return col;
    case 'text':
      return sql`${col}::VARCHAR AS ${col}`;
  }
}

/**
 * SQL for what `csvCell` writes for a text value `v` (VARCHAR, may be NULL): formula guard,
 * then RFC 4180 quoting when needed; never NULL. The character lists are csv.ts's.
 */
export function csvTextSql(v: string): string {
  const g = `CASE WHEN regexp_matches(${v}, '^[=+\\-@\\t\\r\\n＝＋－＠]') THEN '''' || ${v} ELSE ${v} END`;
  return `CASE WHEN ${v} IS NULL THEN '' WHEN regexp_matches(${v}, '^[=+\\-@\\t\\r\\n＝＋－＠]|[",\\r\\n]') THEN (CASE WHEN regexp_matches(${g}, '[",\\r\\n]') THEN '"' || replace(${g}, '"', '""') || '"' ELSE ${g} END) ELSE ${v} END`;
}

/**
 * SQL for JavaScript's `String(x)` of a DOUBLE `x` (shortest round-trip digits, like
 * DuckDB's own, but fixed notation from 1e-6 up to 1e21 and no ".0"), '' for NULL/NaN/∞.
 */
export function jsNumberSql(x: string): string {
  const s = `(${x})::VARCHAR`;
  const mant = `regexp_extract(${s}, '^-?([0-9.]+)e', 1)`;
  const digits = `replace(${mant}, '.', '')`;
  const ex = `TRY_CAST(regexp_extract(${s}, 'e([+-][0-9]+)$', 1) AS INTEGER)`;
  const sign = `CASE WHEN ${x} < 0 THEN '-' ELSE '' END`;
  return `CASE WHEN ${x} IS NULL OR isnan(${x}) OR isinf(${x}) THEN '' WHEN ${x} = 0 THEN '0'
    WHEN NOT contains(${s}, 'e') THEN regexp_replace(${s}, '\\.0$', '')
    WHEN ${ex} >= 21 OR ${ex} <= -7 THEN ${sign} || ${mant} || 'e' || CASE WHEN ${ex} > 0 THEN '+' ELSE '-' END || abs(${ex})::VARCHAR
    WHEN ${ex} < 0 THEN ${sign} || '0.' || repeat('0', -${ex} - 1) || ${digits}
    WHEN length(${digits}) <= ${ex} + 1 THEN ${sign} || ${digits} || repeat('0', ${ex} + 1 - length(${digits}))
    ELSE ${sign} || left(${digits}, ${ex} + 1) || '.' || substr(${digits}, ${ex} + 2) END`;
}

/** One CSV cell as SQL text (never NULL), the same as `csvCell` of the value `selectExpr` hands over. */
function csvCellSql(c: ExportColumn): string {
  const col = ident(c.name).text;
  switch (c.kind) {
    case 'number':
      return jsNumberSql(`${col}::DOUBLE`);
    case 'integer':
      return `coalesce(${col}::INTEGER::VARCHAR, '')`;
    case 'boolean':
      return `CASE WHEN ${col} IS NULL THEN '' WHEN ${col} THEN 'true' ELSE 'false' END`;
    case 'date':
      return csvTextSql(`strftime(${col}, '%Y-%m-%d')`);
    case 'timestamp':
      return csvTextSql(`strftime(${col}, '%Y-%m-%d %H:%M:%S')`);
    case 'text':
      return csvTextSql(`${col}::VARCHAR`);
  }
}

/** Types as parquet.ts writes them: Date32, Timestamp(ms), Float64, Int32, Utf8, Bool. */
function arrowExpr(c: ExportColumn, name: string) {
  const col = ident(c.name);
  const as = ident(name);
  switch (c.kind) {
    case 'date':
      return sql`${col}::DATE AS ${as}`;
    case 'timestamp':
      // Whole seconds, as the row path's text form.
      return sql`date_trunc('second', ${col})::TIMESTAMP_MS AS ${as}`;
    case 'number':
      return sql`${col}::DOUBLE AS ${as}`;
    case 'integer':
      return sql`${col}::INTEGER AS ${as}`;
    case 'boolean':
      return sql`${col}::BOOLEAN AS ${as}`;
    case 'text':
      return sql`${col}::VARCHAR AS ${as}`;
  }
}

interface ColumnInfo extends Row {
  column_name: string;
  data_type: string;
}

/**
 * A source over a table, in rowid order (insertion order). `only` keeps and orders a subset
 * of its columns.
 */
export async function openTable(db: DbClient, table: string, only?: readonly string[], onRelease?: () => Promise<void>): Promise<ExportSource> {
  const info = await db.query<ColumnInfo>(
    sql`SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ${table} ORDER BY column_index`,
  );
  if (info.length === 0) throw new Error(`export: no table ${table}`);
  const all = info.map((c) => ({ name: c.column_name, kind: kindOf(c.data_type) }));
  const columns = only ? only.map((n) => all.find((c) => c.name === n) ?? { name: n, kind: 'text' as const }) : all;
  const [range] = await db.query<{ n: number; lo: number | null; hi: number | null }>(
    sql`SELECT count(*)::DOUBLE AS n, min(rowid)::DOUBLE AS lo, max(rowid)::DOUBLE AS hi FROM ${ident(table)}`,
  );
  const rowCount = range?.n ?? 0;
  const list = join(columns.map(selectExpr));
  const line = raw(columns.map(csvCellSql).join(" || ',' || "));
  const ranges = function* (batchSize: number): Generator<readonly [number, number]> {
    if (!range || range.lo === null || range.hi === null) return;
    for (let from = range.lo; from <= range.hi; from += batchSize) yield [from, from + batchSize];
  };
  return {
    columns,
    rowCount,
    async *batches(batchSize = DEFAULT_BATCH) {
      for (const [from, to] of ranges(batchSize)) {
        const rows = await db.query(sql`SELECT ${list} FROM ${ident(table)} WHERE rowid >= ${from} AND rowid < ${to} ORDER BY rowid`);
        if (rows.length > 0) yield rows;
      }
    },
    async *csvBatches(batchSize = DEFAULT_BATCH, onRows?: (rows: number) => void) {
      for (const [from, to] of ranges(batchSize)) {
        const [out] = await db.query<{ csv: string | null; n: number }>(
          sql`SELECT string_agg(${line}, chr(13) || chr(10) ORDER BY rowid) || chr(13) || chr(10) AS csv, count(*)::DOUBLE AS n
              FROM ${ident(table)} WHERE rowid >= ${from} AND rowid < ${to}`,
        );
        if (out?.csv) {
          onRows?.(out.n);
          yield out.csv;
        }
      }
    },
    ...(db.queryArrowIPC
      ? {
          async *arrowBatches(batchSize = DEFAULT_BATCH, names?: readonly string[]) {
            const arrowList = join(columns.map((c, k) => arrowExpr(c, names?.[k] ?? c.name)));
            for (const [from, to] of ranges(batchSize)) {
              yield await db.queryArrowIPC!(sql`SELECT ${arrowList} FROM ${ident(table)} WHERE rowid >= ${from} AND rowid < ${to} ORDER BY rowid`);
            }
          },
        }
      : {}),
    release: onRelease ?? (async () => {}),
  };
}

let seq = 0;

/** A source over a query's result: materialised once (in its ORDER BY order), released after. */
export async function openQuery(db: DbClient, query: SqlQuery): Promise<ExportSource> {
  const name = `export__${Date.now().toString(36)}_${++seq}`;
  const create = sql`CREATE TEMP TABLE ${ident(name)} AS `;
  await db.exec({ text: create.text + query.text, params: query.params });
  return openTable(db, name, undefined, () => db.exec(sql`DROP TABLE IF EXISTS ${ident(name)}`));
}

/**
 * CSV parts: BOM and header first, then one encoded chunk per batch (see csv.ts for the
 * quoting). `onRows` gets the row count of each batch as it is encoded.
 */
export async function* csvChunks(
  source: ExportSource,
  header: readonly string[] = source.columns.map((c) => c.name),
  batchSize = DEFAULT_BATCH,
  onRows?: (rows: number) => void,
): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  yield enc.encode(BOM + header.map(csvCell).join(',') + '\r\n');
  if (source.csvBatches) {
    for await (const text of source.csvBatches(batchSize, onRows)) yield enc.encode(text);
    return;
  }
  const names = source.columns.map((c) => c.name);
  for await (const rows of source.batches(batchSize)) {
    onRows?.(rows.length);
    let text = '';
    for (const r of rows) {
      for (let k = 0; k < names.length; k++) {
        if (k > 0) text += ',';
        text += csvCell(r[names[k] as string]);
      }
      text += '\r\n';
    }
    yield enc.encode(text);
  }
}

/** Where an export's bytes go, chunk by chunk (a file the user picked, or a Blob to download). */
export interface ExportSink {
  write(chunk: Uint8Array | Blob): Promise<void>;
  close(): Promise<void>;
  /** Drops what was written (an export that failed half-way leaves no partial file). */
  abort(): Promise<void>;
}

/**
 * A sink that keeps each chunk as a Blob of its own as it comes: in a browser the bytes move
 * to the browser's blob storage at once, so the page holds one batch at a time, and
 * the final Blob only refers to the parts (no one big copy).
 */
export function blobSink(type: string, done: (blob: Blob) => void): ExportSink {
  let parts: Blob[] = [];
  return {
    async write(chunk) {
      parts.push(chunk instanceof Blob ? chunk : new Blob([chunk as Uint8Array<ArrayBuffer>]));
    },
    async close() {
      done(new Blob(parts, { type }));
      parts = [];
    },
    async abort() {
      parts = [];
    },
  };
}

/** Writes every chunk to `sink` in order and closes it; on any error the sink is aborted. */
export async function pump(chunks: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, sink: ExportSink): Promise<void> {
  try {
    if (chunks instanceof ReadableStream) {
      const reader = chunks.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await sink.write(value);
      }
    } else {
      for await (const c of chunks) await sink.write(c);
    }
  } catch (e) {
    await sink.abort().catch(() => undefined);
    throw e;
  }
  await sink.close();
}

/** Collect chunks into a Blob (parts are kept as they come: no one big copy). */
export async function blobOf(chunks: AsyncIterable<Uint8Array>, type: string): Promise<Blob> {
  let out: Blob | null = null;
  await pump(chunks, blobSink(type, (b) => (out = b)));
  return out ?? new Blob([], { type });
}

export const CSV_TYPE = 'text/csv;charset=utf-8';

/**
 * The columns of `lines` as exported, with headers the loader maps back to the same fields
 * (so an exported file loads again as the same lines). Positions and the derived
 * `order_date` are left out.
 */
export const LINES_EXPORT: readonly { readonly column: string; readonly header: string }[] = [
  { column: 'customer_id', header: 'customer_id' },
  { column: 'order_id', header: 'order_id' },
  { column: 'order_ts', header: 'order_datetime' },
  { column: 'amount', header: 'amount' },
  { column: 'quantity', header: 'quantity' },
  { column: 'unit_price', header: 'unit_price' },
  { column: 'product', header: 'product' },
  { column: 'category', header: 'category' },
  { column: 'region', header: 'region' },
  { column: 'channel', header: 'channel' },
  { column: 'cost', header: 'cost' },
  { column: 'profit', header: 'profit' },
  { column: 'score', header: 'score' },
  { column: 'currency', header: 'currency' },
];

export function openLines(db: DbClient): Promise<ExportSource> {
  return openTable(db, 'lines', LINES_EXPORT.map((c) => c.column));
}

export const LINES_HEADER: readonly string[] = LINES_EXPORT.map((c) => c.header);
