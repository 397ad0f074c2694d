import { quoteIdentifier, type SqlQuery } from './sql.ts';

/** A scalar as it reaches JavaScript: cast in SQL so both engines return the same shape. */
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

/**
 * The narrow interface every part of the program talks to the database through.
 * Implementations: `duckdb-wasm.ts` (browser worker) and `duckdb-node.ts` (native, for
 * tests and the `analyze` command). Results are plain objects; DATE/TIMESTAMP must be
 * cast to VARCHAR in SQL, DECIMAL/BIGINT to DOUBLE, so that both engines agree.
 */
export interface DbClient {
  /** Run a statement (or several, when `params` is empty) for its effect. */
  exec(query: SqlQuery | string): Promise<void>;
  /** Run a query and return its rows as objects. */
  query<T extends Row = Row>(query: SqlQuery | string): Promise<T[]>;
  /**
   * Make `bytes` readable by `read_csv` and return the path to use in SQL (a generated
   * name, never the user's file name). The caller must not reuse `bytes` afterwards.
   */
  registerBuffer(bytes: Uint8Array): Promise<string>;
  /** Forget a buffer registered by `registerBuffer`. */
  dropBuffer(path: string): Promise<void>;
  /**
   * Optional: a query's result as an Arrow IPC stream, columnar, with no row objects in
   * between (for exports). Must handle at least VARCHAR, DOUBLE, INTEGER, BOOLEAN, DATE
   * (Date32) and TIMESTAMP_MS (Timestamp(ms)).
   */
  queryArrowIPC?(query: SqlQuery | string): Promise<Uint8Array>;
  /**
   * Optional: run `work` with the engine on one thread, then give the threads back. Loads
   * use it. On duckdb-wasm 1.32's threads bundle (`coi`) a ~90 MB CSV load in memory on two
   * threads used to fail with "Out of Memory Error: Allocation failure": the load gave the
   * CSV reader a 64 MB max_line_size, and the reader allocates buffers of 16 × that, two at a
   * time. Sized to the longest line (build-lines.ts `rawLineLimit`), a 1 M-line load on two
   * threads completes (test/bench/run.ts --coi --memory), but it was no faster than on one
   * on a loaded 2-core machine (BENCHMARKS.md), so loads stay on one thread.
   */
  singleThreaded?<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Load an Arrow IPC stream into a new table (with `append`, into the existing one). The
   * table is a persistent one, never TEMP: in the engine's default database, or in the
   * attached `database` (an in-memory one keeps it off a database file on the device).
   */
  insertArrowIPC(table: string, ipc: Uint8Array, options?: ArrowInsertOptions): Promise<void>;
  /**
   * Optional: create `table` in the attached `database` from a Parquet file's bytes with the
   * engine's own reader, rows in file order (native DuckDB; the browser build has no Parquet
   * reader offline and takes the file as Arrow through `insertArrowIPC`).
   */
  createTableFromParquet?(table: string, bytes: Uint8Array, database: string): Promise<void>;
  /**
   * Optional: resolves once no call is in flight and none has started for a macrotask
   * (`Traffic.quiet`). Background work on the page's shared connection (the write to the
   * device) waits for it before each of its statements, so that the user's queries go first.
   */
  whenQuiet?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `db` for work that a newer request may stop: once `signal` is aborted, the next statement
 * throws (its AbortError) instead of running; a statement already running completes.
 */
export function abortable(db: DbClient, signal: AbortSignal): DbClient {
  const checked = <T>(run: () => Promise<T>): Promise<T> => {
    try {
      signal.throwIfAborted();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return run();
  };
  const queryArrowIPC = db.queryArrowIPC?.bind(db);
  return {
    exec: (q) => checked(() => db.exec(q)),
    query: <T extends Row = Row>(q: SqlQuery | string) => checked(() => db.query<T>(q)),
    registerBuffer: (bytes) => checked(() => db.registerBuffer(bytes)),
    dropBuffer: (path) => db.dropBuffer(path),
    insertArrowIPC: (table, ipc, options) => checked(() => db.insertArrowIPC(table, ipc, options)),
    ...(queryArrowIPC ? { queryArrowIPC: (q: SqlQuery | string) => checked(() => queryArrowIPC(q)) } : {}),
    close: () => db.close(),
  };
}

export interface ArrowInsertOptions {
  readonly append?: boolean;
  /** An attached database to create the table in, instead of the default one. */
  readonly database?: string;
}

/** A database error that keeps the SQL that caused it (never shown raw to users). */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly sqlText: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

/**
 * `"<database>".main`, the schema of the database itself (not TEMP), quoted for SQL text.
 * A bare `main.t` is not enough: DuckDB looks for schema `main` in the TEMP catalog first.
 */
export async function databaseSchema(db: DbClient): Promise<string> {
  const [row] = await db.query('SELECT current_database() AS name');
  return `${quoteIdentifier(String(row?.name ?? 'memory'))}.main`;
}
