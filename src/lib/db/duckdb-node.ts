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
  DuckDBDecimalValue,
  DuckDBInstance,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Cell, DbClient, Row } from './client.ts';
import { QueryError } from './client.ts';
import type { SqlQuery, SqlValue } from './sql.ts';

function toCell(v: DuckDBValue): Cell {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof DuckDBDecimalValue) return v.toDouble();
  // DATE, TIMESTAMP, LIST … must be cast in SQL; fall back to their text form.
  return String(v);
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
    throw new Error('insertArrowIPC is not available on the Node client; load Parquet through the text path');
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
