/**
 * DbClient on duckdb-wasm 1.32 in a Web Worker (the page's engine).
 *
 * Two bundles are shipped, self-hosted through Vite `?url` imports (nothing comes from a CDN):
 * `eh` (one thread) everywhere, and `coi` (threads) when the page is cross-origin isolated,
 * i.e. served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`. Each wasm file is ~35 MB: a page downloads
 * only the one it starts, and the service worker precaches only `eh` (the page asks it to
 * keep `coi` once it runs on it).
 */
import { AsyncDuckDB, type AsyncDuckDBConnection, type DuckDBConfig, DuckDBAccessMode, VoidLogger } from '@duckdb/duckdb-wasm';
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import coiWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthreadWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { DataType, makeVector, Precision, tableToIPC, type Field, type Table, type Vector } from 'apache-arrow';
import type { ArrowInsertOptions, Cell, DbClient, Row } from './client.ts';
import { QueryError } from './client.ts';
import type { SqlQuery } from './sql.ts';
import { Traffic } from './traffic.ts';

/** Milliseconds spent in each start-up step (exposed for the benchmark). */
export interface EngineTimings {
  worker: number;
  instantiate: number;
  open: number;
  connect: number;
  total: number;
  /** When the engine was ready, in ms since the page started loading (`performance.now()`). */
  readyAt: number;
}

/** Which duckdb-wasm build runs the engine, and with how many threads. */
export type EngineBundle = { readonly name: 'eh'; readonly threads: 1 } | { readonly name: 'coi'; readonly threads: number };

/**
 * `bundle`: what runs. `coiError`: why `coi` was chosen but failed to start (the engine then
 * runs on `eh`); absent otherwise.
 */
export type EngineStart =
  | {
      readonly ok: true;
      readonly db: WasmDb;
      readonly timings: EngineTimings;
      readonly bundle: EngineBundle;
      readonly coiError?: string;
    }
  | { readonly ok: false; readonly error: string };

/** What the page can offer the engine (read from globalThis; a parameter for tests). */
export interface PlatformThreads {
  readonly crossOriginIsolated: boolean | undefined;
  readonly sharedArrayBuffer: boolean;
  readonly hardwareConcurrency: number | undefined;
}

export function platformThreads(g: typeof globalThis = globalThis): PlatformThreads {
  return {
    crossOriginIsolated: g.crossOriginIsolated,
    sharedArrayBuffer: typeof g.SharedArrayBuffer === 'function',
    hardwareConcurrency: g.navigator?.hardwareConcurrency,
  };
}

/**
 * `coi` only on a cross-origin isolated page with SharedArrayBuffer, one thread per logical
 * core (duckdb-wasm would start 4 otherwise, oversubscribing small machines); `eh` elsewhere.
 */
export function chooseBundle(p: PlatformThreads): EngineBundle {
  if (p.crossOriginIsolated !== true || !p.sharedArrayBuffer) return { name: 'eh', threads: 1 };
  const cores = p.hardwareConcurrency;
  const threads = typeof cores === 'number' && Number.isInteger(cores) && cores >= 1 ? cores : 1;
  return { name: 'coi', threads };
}

/** The message that asks the service worker to keep a bundle's files offline (see src/sw.ts). */
export function keepOfflineMessage(bundle: EngineBundle['name']): { readonly type: 'KEEP_OFFLINE'; readonly bundle: string } {
  return { type: 'KEEP_OFFLINE', bundle };
}

/** The precache holds `eh`; a page running `coi` asks the service worker (if any) to keep it too. */
function keepBundleOffline(bundle: EngineBundle): void {
  const sw = globalThis.navigator?.serviceWorker;
  if (bundle.name !== 'coi' || !sw) return;
  void sw.ready.then((reg) => reg.active?.postMessage(keepOfflineMessage(bundle.name))).catch(() => undefined);
}

/**
 * Shown on the page for tests, the benchmark and anyone debugging a host's headers:
 * `<html data-engine-bundle data-engine-threads>` (threads now, which drop to 1 while the
 * data is kept on the device), plus `data-engine-coi-error` when `coi`
 * was chosen but failed to start.
 */
function showBundle(bundle: EngineBundle, coiError: string | undefined): void {
  const root = globalThis.document?.documentElement;
  if (!root) return;
  root.dataset.engineBundle = bundle.name;
  root.dataset.engineThreads = String(bundle.threads);
  if (coiError === undefined) delete root.dataset.engineCoiError;
  else root.dataset.engineCoiError = coiError;
}

function showThreads(threads: number): void {
  const root = globalThis.document?.documentElement;
  if (root) root.dataset.engineThreads = String(threads);
}

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

/**
 * One column's cells. Numbers and text are read a whole column at a time (`toArray`, then
 * nulls from each chunk's validity); other types cell by cell within each chunk. A `get` on
 * the whole vector finds its chunk first: 146 k rows × 6 columns took 220–300 ms to turn
 * into rows that way, 90–130 ms this way.
 */
function columnCells(field: Field, vector: Vector | null, n: number): Cell[] {
  const out = new Array<Cell>(n);
  if (vector === null) return out.fill(null);
  const type = field.type;
  const bulk = (DataType.isFloat(type) && type.precision !== Precision.HALF) || DataType.isInt(type) || DataType.isUtf8(type);
  if (bulk) {
    const values = vector.toArray() as ArrayLike<unknown>;
    for (let r = 0; r < n; r++) out[r] = toPlain(values[r]);
    if (vector.nullCount > 0) {
      let at = 0;
      for (const chunk of vector.data) {
        if (chunk.nullCount > 0) for (let i = 0; i < chunk.length; i++) if (!chunk.getValid(i)) out[at + i] = null;
        at += chunk.length;
      }
    }
    return out;
  }
  const convert = converterFor(field);
  let at = 0;
  for (const chunk of vector.data) {
    const one = makeVector(chunk);
    for (let i = 0; i < chunk.length; i++) out[at++] = convert(one.get(i));
  }
  return out;
}

/** Arrow table → plain row objects, filled a column at a time (no proxies). */
export function arrowToRows<T extends Row>(table: Table): T[] {
  const n = table.numRows;
  const rows = new Array<Record<string, Cell>>(n);
  for (let r = 0; r < n; r++) rows[r] = {};
  table.schema.fields.forEach((field, i) => {
    const cells = columnCells(field, table.getChildAt(i), n);
    const name = field.name;
    for (let r = 0; r < n; r++) rows[r]![name] = cells[r]!;
  });
  return rows as T[];
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

/** The thread count the engine reports (what `maximumThreads` actually gave). */
async function threadsOf(conn: AsyncDuckDBConnection): Promise<number> {
  const t = (await conn.query("SELECT CAST(current_setting('threads') AS INTEGER) AS t")).getChildAt(0)?.get(0) as unknown;
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1) throw new Error(`threads: engine reported ${String(t)}`);
  return n;
}

function openConfig(bundle: EngineBundle): DuckDBConfig {
  return bundle.name === 'coi' ? { query: QUERY_CONFIG, maximumThreads: bundle.threads } : { query: QUERY_CONFIG };
}

const BUNDLE_FILES = {
  eh: { wasm: ehWasmUrl, worker: ehWorkerUrl, pthreadWorker: null },
  coi: { wasm: coiWasmUrl, worker: coiWorkerUrl, pthreadWorker: coiPthreadWorkerUrl },
} as const;

type Started = { readonly ok: true; readonly db: WasmDb; readonly timings: EngineTimings } | { readonly ok: false; readonly error: string };

export class WasmDb implements DbClient {
  private seq = 0;
  private readonly files = new Set<string>();
  private readonly traffic = new Traffic();
  private place: EngineStorage = { kind: 'memory' };

  private threadsNow: number;

  private constructor(
    private readonly db: AsyncDuckDB,
    private conn: AsyncDuckDBConnection,
    private readonly worker: Worker,
    /** The bundle and the threads it runs with in memory. */
    readonly bundle: EngineBundle,
  ) {
    this.threadsNow = bundle.threads;
  }

  /** Threads the engine runs with now: one while on the device (see `openOnDevice`). */
  get threads(): number {
    return this.threadsNow;
  }

  /** Every open keeps the thread count: `open` alone would fall back to the bundle's default. */
  private config(extra: DuckDBConfig = {}): DuckDBConfig {
    return { ...openConfig(this.bundle), ...extra };
  }

  get storage(): EngineStorage {
    return this.place;
  }

  /**
   * Reopen the engine on a database file in the origin-private file system
   * (`opfs://<name>`), created when missing. Tables in memory are gone afterwards. On
   * failure (no OPFS, file locked by another tab, quota) the engine is back in memory and
   * the error is thrown.
   *
   * On `coi` the file is used with one thread: the file's handle lives in the engine's own
   * worker, and a DuckDB thread (a pthread worker) that reads or writes it aborts the engine
   * (duckdb-wasm 1.32; intermittent, as it depends on which thread runs a task). Opening an
   * existing file while threads run fails too (the handle is posted to them and cannot be
   * cloned), so the threads are stopped first by an open in memory with one thread.
   */
  async openOnDevice(name: string): Promise<void> {
    const path = `opfs://${name}`;
    if (this.threadsNow > 1) await this.reopen(this.config({ maximumThreads: 1 }));
    await this.reopen(this.config({ path, accessMode: DuckDBAccessMode.READ_WRITE, maximumThreads: 1 }));
    try {
      // A persistent database would spill to `<path>.tmp`, which OPFS cannot create: stay in memory as before.
      await this.conn.query("SET temp_directory=''");
      this.place = { kind: 'device', path };
    } catch (e) {
      await this.reopen(this.config());
      throw e;
    }
  }

  private async reopen(config: DuckDBConfig): Promise<void> {
    await this.conn.close().catch(() => undefined);
    this.place = { kind: 'memory' };
    try {
      await this.db.open(config);
    } catch (e) {
      await this.db.open(this.config());
      await this.connected();
      throw e;
    }
    await this.connected();
  }

  private async connected(): Promise<void> {
    this.conn = await connect(this.db);
    this.threadsNow = this.bundle.name === 'coi' ? await threadsOf(this.conn) : 1;
    showThreads(this.threadsNow);
  }

  /** Write everything committed into the database file, so that it is complete on its own. */
  async checkpoint(): Promise<void> {
    if (this.place.kind !== 'device') return;
    await this.run('CHECKPOINT');
    await this.db.flushFiles();
  }

  /**
   * Start the engine on the bundle this page can run (`chooseBundle`); when `coi` fails to
   * start, on `eh`. Errors come back as a value (the page shows them, never a stack).
   */
  static async start(platform: PlatformThreads = platformThreads()): Promise<EngineStart> {
    const chosen = chooseBundle(platform);
    let started = await WasmDb.startBundle(chosen);
    let coiError: string | undefined;
    if (!started.ok && chosen.name === 'coi') {
      coiError = started.error;
      started = await WasmDb.startBundle({ name: 'eh', threads: 1 });
    }
    if (!started.ok) return started;
    showBundle(started.db.bundle, coiError);
    keepBundleOffline(started.db.bundle);
    return { ...started, bundle: started.db.bundle, ...(coiError === undefined ? {} : { coiError }) };
  }

  private static async startBundle(bundle: EngineBundle): Promise<Started> {
    const files = BUNDLE_FILES[bundle.name];
    const t0 = performance.now();
    let worker: Worker | null = null;
    try {
      worker = new Worker(files.worker);
      const t1 = performance.now();
      const db = new AsyncDuckDB(new VoidLogger(), worker);
      await db.instantiate(files.wasm, files.pthreadWorker);
      const t2 = performance.now();
      await db.open(openConfig(bundle));
      const t3 = performance.now();
      const conn = await connect(db);
      const t4 = performance.now();
      const running: EngineBundle = bundle.name === 'coi' ? { name: 'coi', threads: await threadsOf(conn) } : bundle;
      const timings: EngineTimings = {
        worker: t1 - t0,
        instantiate: t2 - t1,
        open: t3 - t2,
        connect: t4 - t3,
        total: t4 - t0,
        readyAt: t4,
      };
      return { ok: true, db: new WasmDb(db, conn, worker, running), timings };
    } catch (e) {
      worker?.terminate();
      return { ok: false, error: messageOf(e) };
    }
  }

  private run(query: SqlQuery | string): Promise<Table> {
    const q = typeof query === 'string' ? { text: query, params: [] } : query;
    return this.traffic.track(async () => {
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
    });
  }

  whenQuiet(): Promise<void> {
    return this.traffic.quiet();
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
    if (this.bundle.name === 'coi') {
      // duckdb-wasm 1.32 copies the buffer through the engine worker's view of the wasm
      // memory, which goes stale when a DuckDB thread grew the memory ("RangeError: offset is
      // out of bounds", and the load never ends). A call with a string argument refreshes
      // the view; dropping the not-yet-registered name is one that changes nothing.
      await this.db.dropFile(name).catch(() => undefined);
    }
    await this.db.registerFileBuffer(name, bytes);
    this.files.add(name);
    return name;
  }

  async singleThreaded<T>(work: () => Promise<T>): Promise<T> {
    const threads = this.threadsNow;
    if (threads <= 1) return work();
    await this.run('SET threads = 1');
    try {
      return await work();
    } finally {
      await this.run(`SET threads = ${threads}`).catch(() => undefined);
    }
  }

  async dropBuffer(path: string): Promise<void> {
    if (this.files.delete(path)) await this.db.dropFile(path);
  }

  async insertArrowIPC(table: string, ipc: Uint8Array, options: ArrowInsertOptions = {}): Promise<void> {
    try {
      // duckdb-wasm creates the table with a plain CREATE TABLE (a TEMP one is refused) in
      // `schema`, which the engine resolves to an attached database of that name.
      await this.conn.insertArrowFromIPCStream(ipc, { name: table, create: options.append !== true, ...(options.database ? { schema: options.database } : {}) });
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
