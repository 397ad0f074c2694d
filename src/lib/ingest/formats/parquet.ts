/**
 * Parquet files through parquet-wasm (DuckDB-Wasm ships no Parquet reader offline).
 * The wasm module is initialised by the caller, because Node and the browser load it
 * differently (`initSync` with the file's bytes vs. `init` with a bundled URL).
 */
import { tableFromIPC, DataType, type Vector } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/esm';
import { IngestError } from '../types.ts';
import type { CellRow } from '../normalize.ts';

/** A Parquet file as text rows: labels from the schema, row k (1-based) as line k. */
export interface ParquetRows {
  readonly labels: readonly string[];
  readonly rowCount: number;
  /** Lazily converted rows, for `normalizeRows(rows, labels.length, 0)`. */
  readonly rows: Iterable<CellRow>;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function isoFromMillis(ms: number, withTime: boolean): string {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  if (!withTime) return date;
  const h = d.getUTCHours();
  const m = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  return h === 0 && m === 0 && s === 0 ? date : `${date} ${pad2(h)}:${pad2(m)}:${pad2(s)}`;
}

/** Render an unscaled decimal integer with `scale` digits after the point. */
function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return unscaled.toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Text of one Arrow value, by the column's type. */
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
  if (DataType.isDate(type)) return isoFromMillis(value instanceof Date ? value.getTime() : Number(value), false);
  if (DataType.isTimestamp(type)) return isoFromMillis(value instanceof Date ? value.getTime() : Number(value), true);
  if (value instanceof Date) return isoFromMillis(value.getTime(), true);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

/**
 * Read a Parquet file. `init` must initialise the `parquet-wasm/esm` module (idempotent
 * is fine). Throws `IngestError('UNREADABLE_PARQUET')` when the file cannot be decoded.
 */
export async function readParquetRows(bytes: Uint8Array, init: () => unknown): Promise<ParquetRows> {
  await init();
  let table;
  try {
    const wasmTable = readParquet(bytes);
    table = tableFromIPC(wasmTable.intoIPCStream());
  } catch (e) {
    throw new IngestError('UNREADABLE_PARQUET', { reason: e instanceof Error ? e.message.slice(0, 80) : 'unknown' });
  }
  const fields = table.schema.fields;
  const columns: Vector[] = fields.map((_, k) => table.getChildAt(k) as Vector);
  const rowCount = table.numRows;
  function* rows(): Generator<CellRow> {
    for (let i = 0; i < rowCount; i++) {
      yield { line: i + 1, cells: columns.map((col, k) => valueText((fields[k] as (typeof fields)[number]).type, col.get(i))) };
    }
  }
  return { labels: fields.map((f) => f.name), rowCount, rows: { [Symbol.iterator]: rows } };
}
