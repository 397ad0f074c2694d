/**
 * DbClient on native DuckDB (`@duckdb/node-api`, same engine version as the browser build).
 * Used by the tests and by `npm run analyze`. Extension autoloading is switched off so that
 * nothing passes here that would fail in the browser (which has no extensions offline).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampMillisecondsValue,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import {
  Bool,
  DateDay,
  Float64,
  Int32,
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import type { Cell, DbClient, Row } from './client.ts';
import { QueryError } from './client.ts';
import { ident, literal, sql, type SqlQuery, type SqlValue } from './sql.ts';

function toCell(v: DuckDBValue): Cell {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof DuckDBDecimalValue) return v.toDouble();
  // DATE, TIMESTAMP, LIST … must be cast in SQL; fall back to their text form.
  return String(v);
}

/** Fixed-width Arrow data from one column of values (null where `read` gives null). */
function fixedVector<T extends Float64 | Int32 | DateDay | TimestampMillisecond>(
  type: T,
  values: readonly DuckDBValue[],
  data: T['TArray'],
  read: (v: DuckDBValue) => number | bigint | null,
): Vector<T> {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    const x = read(values[i] ?? null);
    if (x === null) {
      nullCount++;
      continue;
    }
    bitmap[i >> 3]! |= 1 << (i & 7);
    (data as unknown as (number | bigint)[])[i] = x;
  }
  return makeVector(makeData({ type, length: values.length, nullCount, nullBitmap: nullCount > 0 ? bitmap : null, data } as never)) as unknown as Vector<T>;
}

function arrowColumn(typeId: DuckDBTypeId, values: readonly DuckDBValue[]): Vector {
  const num = (v: DuckDBValue): number | null => (typeof v === 'number' ? v : null);
  switch (typeId) {
    case DuckDBTypeId.DOUBLE:
      return fixedVector(new Float64(), values, new Float64Array(values.length), num);
    case DuckDBTypeId.INTEGER:
      return fixedVector(new Int32(), values, new Int32Array(values.length), num);
    case DuckDBTypeId.DATE:
      return fixedVector(new DateDay(), values, new Int32Array(values.length), (v) => (v instanceof DuckDBDateValue ? v.days : null));
    case DuckDBTypeId.TIMESTAMP_MS:
      return fixedVector(new TimestampMillisecond(), values, new BigInt64Array(values.length), (v) =>
        v instanceof DuckDBTimestampMillisecondsValue ? v.millis : null,
      );
    case DuckDBTypeId.BOOLEAN:
      return vectorFromArray(values.map((v) => (typeof v === 'boolean' ? v : null)), new Bool());
    case DuckDBTypeId.VARCHAR:
      return vectorFromArray(values.map((v) => (typeof v === 'string' ? v : null)), new Utf8());
    default:
      throw new Error(`queryArrowIPC: no Arrow column for DuckDB type ${DuckDBTypeId[typeId]}; cast it in SQL`);
  }
}

function bindable(params: readonly SqlValue[]): (string | number | boolean | null)[] {
  return params.map((p) => p);
}

export class NodeDb implements DbClient {
  private files = new Set<string>();
  private dir: string | null = null;
  private seq = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly threads: number,
  ) {}

  /** Open an in-memory database. `threads` defaults to 1, like the browser's `eh` bundle. */
  static async open(options: { threads?: number } = {}): Promise<NodeDb> {
    const threads = options.threads ?? 1;
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(threads),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const conn = await instance.connect();
    return new NodeDb(instance, conn, threads);
  }

  get threadCount(): number {
    return this.threads;
  }

  async exec(query: SqlQuery | string): Promise<void> {
    const q = typeof query === 'string' ? { text: query, params: [] } : query;
    try {
      if (q.params.length === 0) await this.conn.run(q.text);
      else await this.conn.run(q.text, bindable(q.params));
    } catch (e) {
      throw new QueryError(e instanceof Error ? e.message : String(e), q.text, e);
    }
  }

  async query<T extends Row = Row>(query: SqlQuery | string): Promise<T[]> {
    const q = typeof query === 'string' ? { text: query, params: [] } : query;
    try {
      const reader =
        q.params.length === 0
          ? await this.conn.runAndReadAll(q.text)
          : await this.conn.runAndReadAll(q.text, bindable(q.params));
      const names = reader.columnNames();
      return reader.getRows().map((values) => {
        const row: Record<string, Cell> = {};
        names.forEach((n, i) => {
          row[n] = toCell(values[i] ?? null);
        });
        return row as T;
      });
    } catch (e) {
      throw new QueryError(e instanceof Error ? e.message : String(e), q.text, e);
    }
  }

  async queryArrowIPC(query: SqlQuery | string): Promise<Uint8Array> {
    const q = typeof query === 'string' ? { text: query, params: [] } : query;
    let reader;
    try {
      reader = q.params.length === 0 ? await this.conn.runAndReadAll(q.text) : await this.conn.runAndReadAll(q.text, bindable(q.params));
    } catch (e) {
      throw new QueryError(e instanceof Error ? e.message : String(e), q.text, e);
    }
    const names = reader.columnNames();
    const columns = reader.getColumns();
    const vectors: Record<string, Vector> = {};
    names.forEach((n, i) => {
      vectors[n] = arrowColumn(reader.columnTypeId(i), columns[i] ?? []);
    });
    return tableToIPC(new Table(vectors), 'stream');
  }

  async registerBuffer(bytes: Uint8Array): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'loyalty-lens-'));
    const path = join(this.dir, `buffer_${++this.seq}.csv`);
    await writeFile(path, bytes);
    this.files.add(path);
    return path;
  }

  async dropBuffer(path: string): Promise<void> {
    if (this.files.delete(path)) await rm(path, { force: true });
  }

  async insertArrowIPC(): Promise<void> {
    throw new Error('insertArrowIPC is not available on the Node client; load Parquet with createTableFromParquet');
  }

  async createTableFromParquet(table: string, bytes: Uint8Array, database: string): Promise<void> {
    const path = await this.registerBuffer(bytes);
    try {
      // One statement, insertion order kept: the file's row k lands at rowid k − 1.
      await this.exec(sql`CREATE OR REPLACE TABLE ${ident(database)}.${ident(table)} AS SELECT * FROM read_parquet(${literal(path)})`);
    } finally {
      await this.dropBuffer(path);
    }
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
