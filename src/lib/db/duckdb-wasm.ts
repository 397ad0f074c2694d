/**
 * DbClient on duckdb-wasm 1.32 in a Web Worker (the page's engine).
 *
 * Only the `eh` bundle is shipped: the page is not cross-origin isolated on ordinary static
 * hosts, and each wasm file is ~35 MB, so the `coi` bundle would be dead weight.
 * Bundles are self-hosted through Vite `?url` imports; nothing is fetched from a CDN.
 */
import { AsyncDuckDB, type AsyncDuckDBConnection, type DuckDBConfig, DuckDBAccessMode, VoidLogger } from '@duckdb/duckdb-wasm';
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { DataType, tableToIPC, type Field, type Table } from 'apache-arrow';
import type { Cell, DbClient, Row } from './client.ts';
import { QueryError } from './client.ts';
import type { SqlQuery } from './sql.ts';

/** Milliseconds spent in each start-up step (exposed for the benchmark). */
export interface EngineTimings {
  worker: number;
  instantiate: number;
  open: number;
  connect: number;
  total: number;
}

export type EngineStart =
  | { readonly ok: true; readonly db: WasmDb; readonly timings: EngineTimings }
  | { readonly ok: false; readonly error: string };

/** Where the engine keeps its tables: in this tab's memory, or in a file on this device (OPFS). */
export type EngineStorage = { readonly kind: 'memory' } | { readonly kind: 'device'; readonly path: string };

const QUERY_CONFIG = { castBigIntToDouble: true, castDecimalToDouble: true } as const;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** DATE arrives as epoch ms at UTC midnight; TIMESTAMP as epoch ms. Both become ISO text. */
export function epochToIso(ms: number, withTime: boolean): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (!withTime) return date;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

type Converter = (v: unknown) => Cell;

function toPlain(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return epochToIso(v.getTime(), true);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  // LIST, STRUCT, MAP …: analyses do not return them; keep them readable rather than lose them.
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  } catch {
    return String(v);
  }
}

function converterFor(field: Field): Converter {
  const type = field.type;
  if (DataType.isDate(type)) {
    return (v) => (typeof v === 'number' ? epochToIso(v, false) : v instanceof Date ? epochToIso(v.getTime(), false) : toPlain(v));
  }
  if (DataType.isTimestamp(type)) {
    return (v) => (typeof v === 'number' ? epochToIso(v, true) : toPlain(v));
  }
  return toPlain;
}

/** Arrow table → plain row objects (columnar reads: one `get` per cell, no proxies). */
export function arrowToRows<T extends Row>(table: Table): T[] {
  const fields = table.schema.fields;
  const columns = fields.map((f, i) => ({ name: f.name, convert: converterFor(f), vector: table.getChildAt(i) }));
  const rows: T[] = new Array<T>(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, Cell> = {};
    for (const c of columns) row[c.name] = c.convert(c.vector?.get(r));
    rows[r] = row as T;
  }
  return rows;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function connect(db: AsyncDuckDB): Promise<AsyncDuckDBConnection> {
  const conn = await db.connect();
  // No extension host is reachable, and a silent download attempt gives misleading errors.
  await conn.query('SET autoinstall_known_extensions=false');
  await conn.query('SET autoload_known_extensions=false');
  return conn;
}

export class WasmDb implements DbClient {
  private seq = 0;
  private readonly files = new Set<string>();
  private place: EngineStorage = { kind: 'memory' };

  private constructor(
    private readonly db: AsyncDuckDB,
    private conn: AsyncDuckDBConnection,
    private readonly worker: Worker,
  ) {}

  get storage(): EngineStorage {
    return this.place;
  }

  /**
   * Reopen the engine on a database file in the origin-private file system
   * (`opfs://<name>`), created when missing. Tables in memory are gone afterwards. On
   * failure (no OPFS, file locked by another tab, quota) the engine is back in memory and
   * the error is thrown.
   */
  async openOnDevice(name: string): Promise<void> {
    const path = `opfs://${name}`;
    await this.reopen({ query: QUERY_CONFIG, path, accessMode: DuckDBAccessMode.READ_WRITE });
    try {
      // A persistent database would spill to `<path>.tmp`, which OPFS cannot create: stay in memory as before.
      await this.conn.query("SET temp_directory=''");
      this.place = { kind: 'device', path };
    } catch (e) {
      await this.reopen({ query: QUERY_CONFIG });
      throw e;
    }
  }

  private async reopen(config: DuckDBConfig): Promise<void> {
    await this.conn.close().catch(() => undefined);
    this.place = { kind: 'memory' };
    try {
      await this.db.open(config);
    } catch (e) {
      await this.db.open({ query: QUERY_CONFIG });
      this.conn = await connect(this.db);
      throw e;
    }
    this.conn = await connect(this.db);
  }

  /** Write everything committed into the database file, so that it is complete on its own. */
  async checkpoint(): Promise<void> {
    if (this.place.kind !== 'device') return;
    await this.run('CHECKPOINT');
    await this.db.flushFiles();
  }

  /** Start the engine. Errors come back as a value (the page shows them, never a stack). */
  static async start(): Promise<EngineStart> {
    const t0 = performance.now();
    let worker: Worker | null = null;
    try {
      worker = new Worker(ehWorkerUrl);
      const t1 = performance.now();
      const db = new AsyncDuckDB(new VoidLogger(), worker);
      await db.instantiate(ehWasmUrl, null);
      const t2 = performance.now();
      await db.open({ query: QUERY_CONFIG });
      const t3 = performance.now();
      const conn = await connect(db);
      const t4 = performance.now();
      const timings: EngineTimings = {
        worker: t1 - t0,
        instantiate: t2 - t1,
        open: t3 - t2,
        connect: t4 - t3,
        total: t4 - t0,
      };
      return { ok: true, db: new WasmDb(db, conn, worker), timings };
    } catch (e) {
      worker?.terminate();
      return { ok: false, error: messageOf(e) };
    }
  }

  private async run(query: SqlQuery | string): Promise<Table> {
    const q = typeof query === 'string' ? { text: query, params: [] } : query;
    try {
      if (q.params.length === 0) return await this.conn.query(q.text);
      const stmt = await this.conn.prepare(q.text);
      try {
        return await stmt.query(...q.params);
      } finally {
        await stmt.close();
      }
    } catch (e) {
      throw new QueryError(messageOf(e), q.text, e);
    }
  }

  async exec(query: SqlQuery | string): Promise<void> {
    await this.run(query);
  }

  async query<T extends Row = Row>(query: SqlQuery | string): Promise<T[]> {
    return arrowToRows<T>(await this.run(query));
  }

  async queryArrowIPC(query: SqlQuery | string): Promise<Uint8Array> {
    return tableToIPC(await this.run(query), 'stream');
  }

  async registerBuffer(bytes: Uint8Array): Promise<string> {
    const name = `buf_${++this.seq}.csv`;
    await this.db.registerFileBuffer(name, bytes);
    this.files.add(name);
    return name;
  }

  async dropBuffer(path: string): Promise<void> {
    if (this.files.delete(path)) await this.db.dropFile(path);
  }

  async insertArrowIPC(table: string, ipc: Uint8Array): Promise<void> {
    try {
      await this.conn.insertArrowFromIPCStream(ipc, { name: table, create: true });
    } catch (e) {
      throw new QueryError(messageOf(e), `-- insertArrowFromIPCStream ${table}`, e);
    }
  }

  async close(): Promise<void> {
    try {
      await this.conn.close();
      await this.db.terminate();
    } finally {
      this.worker.terminate();
    }
  }
}
