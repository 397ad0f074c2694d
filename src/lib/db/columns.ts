/**
 * A query's result a column at a time, for results with a row per customer: numbers as a
 * Float64Array, text as an array of strings, with no row object per row in between.
 *
 * Read as rows, the lifetime-value summary of 1.46 M customers (10 M lines) made an object,
 * and a heap number per decimal, for every row: the tab's memory rose ~230 MB higher during
 * the fit than read this way (BENCHMARKS.md). Clients with `queryArrowIPC` (both engines)
 * give the Arrow columns here; others fall back to `query` with the same result.
 */
import { DataType, tableFromIPC, type Data, type Vector } from 'apache-arrow';
import type { DbClient } from './client.ts';
import type { SqlQuery } from './sql.ts';

export interface Columns {
  /** Rows in the result. */
  readonly length: number;
  /** A numeric column as doubles; NULL is NaN. Throws when the result has no such column. */
  numbers(name: string): Float64Array;
  /** A text column; NULL is null. Throws when the result has no such column. */
  texts(name: string): (string | null)[];
}

function missing(name: string): Error {
  return new Error(`the result has no column ${name}`);
}

const utf8 = new TextDecoder();

/**
 * The strings of one Utf8 batch, NULL as null: the batch's bytes decoded in one call and cut
 * at its offsets (turned from bytes into UTF-16 units by counting the bytes that start a
 * character). Arrow's own `toArray` decodes each value in a call of its own, ~0.3 s of the
 * page's main thread for the lifetime-value summary's customer ids at 1 M lines. Null when
 * the batch is not plain Utf8 (the caller then reads it Arrow's way).
 */
function utf8Strings(data: Data): (string | null)[] | null {
  if (!DataType.isUtf8(data.type)) return null;
  const offsets = data.valueOffsets as unknown;
  const bytes = data.values as unknown;
  if (!(offsets instanceof Int32Array) || !(bytes instanceof Uint8Array)) return null;
  const first = offsets[data.offset] ?? 0;
  const end = offsets[data.offset + data.length] ?? first;
  const text = utf8.decode(bytes.subarray(first, end));
  const out: (string | null)[] = new Array<string | null>(data.length);
  // at: the byte (from `first`) and the UTF-16 unit that the next value starts at.
  let atByte = 0;
  let atUnit = 0;
  for (let i = 0; i < data.length; i++) {
    const to = (offsets[data.offset + i + 1] ?? end) - first;
    let units = atUnit;
    for (let b = atByte; b < to; b++) {
      const x = bytes[first + b] ?? 0;
      // A lead byte starts one UTF-16 unit; a four-byte lead two (a surrogate pair); continuation bytes none.
      if ((x & 0xc0) !== 0x80) units += x >= 0xf0 ? 2 : 1;
    }
    out[i] = data.getValid(i) ? text.slice(atUnit, units) : null;
    atByte = to;
    atUnit = units;
  }
  // Valid UTF-8 (every engine string is) decodes to exactly the units counted; else Arrow's way.
  return atUnit === text.length ? out : null;
}

function arrowColumns(ipc: Uint8Array): Columns {
  const table = tableFromIPC(ipc);
  const child = (name: string): Vector => {
    const v = table.getChild(name);
    if (v === null) throw missing(name);
    return v;
  };
  /** Positions (in the whole column) whose value is NULL. */
  const nulls = (v: Vector, set: (i: number) => void): void => {
    if (v.nullCount === 0) return;
    let at = 0;
    for (const chunk of v.data) {
      if (chunk.nullCount > 0) for (let i = 0; i < chunk.length; i++) if (!chunk.getValid(i)) set(at + i);
      at += chunk.length;
    }
  };
  return {
    length: table.numRows,
    numbers(name) {
      const v = child(name);
      const values = v.toArray() as ArrayLike<number | bigint>;
      const out = new Float64Array(table.numRows);
      for (let i = 0; i < out.length; i++) out[i] = Number(values[i]);
      nulls(v, (i) => (out[i] = Number.NaN));
      return out;
    },
    texts(name) {
      const v = child(name);
      const parts = v.data.map(utf8Strings);
      if (parts.every((p) => p !== null)) return parts.length === 1 ? (parts[0] ?? []) : parts.flat();
      const out = Array.from(v.toArray() as ArrayLike<string | null>, (s) => s ?? null);
      nulls(v, (i) => (out[i] = null));
      return out;
    },
  };
}

/** `query`'s result by columns (see the module comment). */
export async function queryColumns(db: DbClient, query: SqlQuery | string): Promise<Columns> {
  if (db.queryArrowIPC) return arrowColumns(await db.queryArrowIPC(query));
  const rows = await db.query(query);
  const has = (name: string) => rows.length === 0 || name in (rows[0] as object);
  return {
    length: rows.length,
    numbers(name) {
      if (!has(name)) throw missing(name);
      return Float64Array.from(rows, (r) => {
        const v = r[name];
        return typeof v === 'number' ? v : Number.NaN;
      });
    },
    texts(name) {
      if (!has(name)) throw missing(name);
      return rows.map((r) => {
        const v = r[name];
        return v === null || v === undefined ? null : String(v);
      });
    },
  };
}
