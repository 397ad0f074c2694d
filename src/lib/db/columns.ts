/**
 * A query's result a column at a time, for results with a row per customer: numbers as a
 * Float64Array, text as an array of strings, with no row object per row in between.
 *
 * Read as rows, the lifetime-value summary of 1.46 M customers (10 M lines) made an object,
 * and a heap number per decimal, for every row: the tab's memory rose ~230 MB higher during
 * the fit than read this way (BENCHMARKS.md). Clients with `queryArrowIPC` (both engines)
 * give the Arrow columns here; others fall back to `query` with the same result.
 */
import { tableFromIPC, type Vector } from 'apache-arrow';
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
