/**
 * Just enough of a DbClient on duckdb-wasm's blocking bindings (the `eh` build, one thread,
 * run in Node) to load a file and run the dashboard: the page's engine without a browser.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConsoleLogger, createDuckDB, DuckDBAccessMode, LogLevel, NODE_RUNTIME, type DuckDBConnection } from '@duckdb/duckdb-wasm/blocking';
import type { ArrowInsertOptions, DbClient, Row } from '../../../src/lib/db/client.ts';
import type { SqlQuery } from '../../../src/lib/db/sql.ts';

const ARROW_CJS = createRequire(import.meta.url)('apache-arrow') as typeof import('apache-arrow');

export class BlockingWasmDb implements DbClient {
  private seq = 0;
  /** Bytes of the buffers registered now (each is copied into the engine's memory). */
  registeredBytes = 0;
  private readonly sizes = new Map<string, number>();
  private constructor(
    private readonly db: Awaited<ReturnType<typeof createDuckDB>>,
    private readonly conn: DuckDBConnection,
  ) {}

  /** `path`: a database file (as the page's database on the device); in memory without. */
  static async open(path?: string): Promise<BlockingWasmDb> {
    const dist = dirname(createRequire(import.meta.url).resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
    const db = await createDuckDB(
      {
        mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') },
        eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') },
      },
      new ConsoleLogger(LogLevel.WARNING),
      NODE_RUNTIME,
    );
    await db.instantiate();
    db.open(path === undefined ? {} : { path, accessMode: DuckDBAccessMode.READ_WRITE });
    const conn = db.connect();
    conn.query('SET autoinstall_known_extensions=false');
    conn.query('SET autoload_known_extensions=false');
    return new BlockingWasmDb(db, conn);
  }

  /** The engine's linear memory now: it only grows, so it is the high-water mark so far. */
  get heapBytes(): number {
    return (this.db.mod as unknown as { readonly HEAPU8: Uint8Array }).HEAPU8.length;
  }

  private run(query: SqlQuery | string) {
    const q = typeof query === 'string' ? { text: query, params: [] } : query;
    if (q.params.length === 0) return this.conn.query(q.text);
    const stmt = this.conn.prepare(q.text);
    try {
      return stmt.query(...q.params);
    } finally {
      stmt.close();
    }
  }

  async exec(query: SqlQuery | string): Promise<void> {
    this.run(query);
  }

  async query<T extends Row = Row>(query: SqlQuery | string): Promise<T[]> {
    const t = this.run(query);
    return t.toArray().map((r: { toJSON(): Record<string, unknown> }) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r.toJSON())) out[k] = typeof v === 'bigint' ? Number(v) : v;
      return out as T;
    });
  }

  async queryArrowIPC(query: SqlQuery | string): Promise<Uint8Array> {
    // The blocking build's tables are of apache-arrow's CommonJS build, which the ES module's
    // writer does not recognise (it writes an empty stream): write them with their own.
    return ARROW_CJS.tableToIPC(this.run(query), 'stream');
  }

  async registerBuffer(bytes: Uint8Array): Promise<string> {
    const name = `buf_${++this.seq}.csv`;
    this.db.registerFileBuffer(name, bytes);
    this.sizes.set(name, bytes.length);
    this.registeredBytes += bytes.length;
    return name;
  }

  async dropBuffer(path: string): Promise<void> {
    this.db.dropFile(path);
    this.registeredBytes -= this.sizes.get(path) ?? 0;
    this.sizes.delete(path);
  }

  async insertArrowIPC(table: string, ipc: Uint8Array, options: ArrowInsertOptions = {}): Promise<void> {
    this.conn.insertArrowFromIPCStream(ipc, { name: table, create: options.append !== true, ...(options.database ? { schema: options.database } : {}) });
  }

  async close(): Promise<void> {
    this.conn.close();
    this.db.reset();
  }
}
