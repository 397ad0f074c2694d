/**
 * Keeping the loaded data on this device. The engine runs in memory until there is
 * something to keep; a load moves it onto a database file in the origin-private file
 * system, and the report is stored in that file beside the tables. The load itself builds
 * its tables in memory (TEMP), and they are written to the file once the page is idle
 * (`persistPending`, after the dashboard's first run): the report and the panels do not
 * wait for the compression a database file needs. On the next visit (a reload or a
 * browser restart) the file is reopened and the dataset shown again. Forget deletes it
 * all. Every storage failure leaves the page working in memory, with a reason the page
 * explains.
 */
import type { DbClient } from '../db/client.ts';
import type { EngineStorage, EngineTimings } from '../db/duckdb-wasm.ts';
import type { LoadReport } from '../ingest/types.ts';
import { forgetRememberedMappings, type DatasetState, type DatasetStore } from '../state/dataset.svelte.ts';
import { DEVICE_DB, type DeviceFs } from './opfs.ts';
import { storageProblem, type StorageProblem } from './problem.ts';
import { clearStored, dropAllTables, loadedInTemp, persistLoaded, readStored, writeStored } from './stored.ts';
import { clearView } from './view-store.ts';

/** What the engine must offer beyond DbClient (WasmDb does). */
export interface DeviceEngine extends DbClient {
  readonly storage: EngineStorage;
  openOnDevice(name: string): Promise<void>;
  checkpoint(): Promise<void>;
}

export type StartEngine = () => Promise<
  | { readonly ok: true; readonly db: DeviceEngine; readonly timings: EngineTimings | null }
  | { readonly ok: false; readonly error: string }
>;

export interface StoredInfo {
  /** ISO timestamp of the load. */
  readonly storedAt: string;
  /** Database file and log on disk; null when unknown. */
  readonly bytes: number | null;
}

export class DeviceStorage implements DatasetStore {
  /** 'starting' until the engine is up; then where the tables live. */
  mode = $state<'starting' | 'memory' | 'device'>('starting');
  /** Why data is not (or could not be) kept on this device; null when nothing went wrong. */
  problem = $state.raw<StorageProblem | null>(null);
  /** The dataset stored on this device, if any. */
  stored = $state.raw<StoredInfo | null>(null);
  forgetting = $state(false);
  /** Set when Forget could not remove the files (the tables in them were dropped). */
  forgetFailed = $state(false);
  /** Milliseconds from start to the stored dataset shown (engine start included). */
  restoreMillis = $state<number | null>(null);
  /** Milliseconds the last write to this device took (tables, report and checkpoint). */
  saveMillis = $state<number | null>(null);
  /** The same write by step, for the benchmark. */
  saveSteps = $state.raw<{ tables: number; slices: number; report: number; checkpoint: number } | null>(null);

  private engine: DeviceEngine | null = null;
  /** The report of a load whose tables are still in memory, waiting to be written. */
  private pending = $state.raw<LoadReport | null>(null);
  /** The report of the load `persisting` writes. */
  private writing = $state.raw<LoadReport | null>(null);
  private persisting: Promise<void> | null = null;
  /** A load's data waits to be written to this device, or is being written. */
  readonly saving = $derived(this.pending !== null || this.writing !== null);

  constructor(
    private readonly dataset: DatasetState,
    private readonly startEngine: StartEngine,
    private readonly fs: DeviceFs,
    private readonly name: string = DEVICE_DB,
  ) {}

  /** Start the engine; reopen and show the stored dataset when there is one. True when restored. */
  async start(): Promise<boolean> {
    const t0 = performance.now();
    this.mode = 'starting';
    this.dataset.setEngine({ status: 'starting' });
    const started = await this.startEngine();
    if (!started.ok) {
      this.mode = 'memory';
      this.dataset.setEngine({ status: 'failed', error: started.error });
      return false;
    }
    const db = started.db;
    this.engine = db;
    let found: Awaited<ReturnType<typeof readStored>> = null;
    try {
      if (await this.fs.exists(this.name)) {
        await db.openOnDevice(this.name);
        found = await readStored(db);
      }
    } catch (e) {
      this.problem = storageProblem(e);
    }
    this.mode = db.storage.kind;
    this.dataset.setEngine({ status: 'ready', db, timings: started.timings });
    if (found && this.dataset.restore(found.report)) {
      this.stored = { storedAt: found.storedAt, bytes: await this.size() };
      this.restoreMillis = performance.now() - t0;
      return true;
    }
    return false;
  }

  /**
   * Show the loaded dataset again (after the user went back to the first screen): the stored
   * one, or one still being written, once the write is done. Should the write fail, the
   * tables it copies are still in memory, and they are shown from there.
   */
  async reopen(): Promise<boolean> {
    const db = this.engine;
    if (!db || db.storage.kind !== 'device') return false;
    const unsaved = this.pending ?? this.writing;
    await this.persistPending();
    const found = await readStored(db).catch(() => null);
    if (found) return this.dataset.restore(found.report);
    return unsaved !== null && (await loadedInTemp(db).catch(() => false)) && this.dataset.restore(unsaved);
  }

  /**
   * A load is about to start. The data loaded before (stored, or in memory waiting to be
   * written) stays as it is until the load's last step replaces its tables: should the load
   * fail, that data is still there, on this device and for the next visit.
   */
  async beforeLoad(): Promise<void> {
    const db = this.engine;
    if (!db) return;
    // A write in progress copies tables the load may replace: let it finish first.
    await this.persisting;
    try {
      if (db.storage.kind !== 'device' && this.problem === null) await db.openOnDevice(this.name);
    } catch (e) {
      this.problem = storageProblem(e);
    }
    this.mode = db.storage.kind;
  }

  /**
   * The load succeeded and replaced the tables (the stored ones included): its report is
   * written with them by `persistPending`, when the page is idle. Until then a restart finds
   * nothing to restore.
   */
  async afterLoad(report: LoadReport): Promise<void> {
    const db = this.engine;
    if (!db || db.storage.kind !== 'device') return;
    this.pending = report;
    this.stored = null;
    await clearStored(db).catch(() => undefined);
  }

  /**
   * Write the last load to this device: its TEMP tables into the database file, the report
   * beside them, then a checkpoint. The page calls it when nothing else runs; the dashboard
   * keeps working meanwhile (its queries wait for the write, then read the stored tables).
   */
  persistPending(): Promise<void> {
    if (this.persisting) return this.persisting;
    const db = this.engine;
    const report = this.pending;
    if (!db || !report || db.storage.kind !== 'device') return Promise.resolve();
    this.pending = null;
    this.writing = report;
    const write = async () => {
      const t0 = performance.now();
      try {
        const { slices } = (await loadedInTemp(db)) ? await persistLoaded(db) : { slices: 0 };
        const t1 = performance.now();
        const storedAt = new Date();
        await writeStored(db, report, storedAt);
        const t2 = performance.now();
        await db.checkpoint();
        const t3 = performance.now();
        this.stored = { storedAt: storedAt.toISOString(), bytes: await this.size() };
        this.saveMillis = performance.now() - t0;
        this.saveSteps = { tables: t1 - t0, slices, report: t2 - t1, checkpoint: t3 - t2 };
      } catch (e) {
        this.problem = storageProblem(e);
        this.stored = null;
        await clearStored(db).catch(() => undefined);
      }
    };
    this.persisting = write().finally(() => {
      this.persisting = null;
      this.writing = null;
    });
    return this.persisting;
  }

  async recover(error: unknown): Promise<DbClient | null> {
    const db = this.engine;
    if (!db || db.storage.kind !== 'device') return null;
    const problem = storageProblem(error);
    if (problem === 'failed') return null;
    // The engine may be broken after a failed write: start a new one in memory, and drop the half-written file.
    this.problem = problem;
    this.stored = null;
    this.pending = null;
    await db.close().catch(() => undefined);
    this.engine = null;
    await this.fs.remove(this.name).catch(() => undefined);
    const started = await this.startEngine();
    if (!started.ok) {
      this.dataset.setEngine({ status: 'failed', error: started.error });
      return null;
    }
    this.engine = started.db;
    this.mode = 'memory';
    this.dataset.setEngine({ status: 'ready', db: started.db, timings: started.timings });
    return started.db;
  }

  /** Delete the stored dataset from this device and return to the first screen. */
  async forget(): Promise<void> {
    this.forgetting = true;
    this.forgetFailed = false;
    try {
      this.dataset.reset();
      this.pending = null;
      await this.persisting;
      const db = this.engine;
      this.engine = null;
      this.dataset.setEngine({ status: 'starting' });
      if (db) {
        // Dropped first, so nothing is readable even if the file cannot be removed below.
        await dropAllTables(db).catch(() => undefined);
        await db.checkpoint().catch(() => undefined);
        await db.close().catch(() => undefined);
      }
      try {
        await this.fs.remove(this.name);
      } catch {
        this.forgetFailed = true;
      }
      clearView();
      forgetRememberedMappings();
      this.stored = null;
      this.problem = null;
      await this.start();
    } finally {
      this.forgetting = false;
    }
  }

  private async size(): Promise<number | null> {
    const fromFs = await this.fs.size(this.name).catch(() => null);
    if (fromFs !== null && fromFs > 0) return fromFs;
    const db = this.engine;
    if (!db) return null;
    const rows = await db
      .query<{ bytes: number }>('SELECT (total_blocks * block_size)::DOUBLE AS bytes FROM pragma_database_size() LIMIT 1')
      .catch(() => []);
    return rows[0]?.bytes ?? null;
  }
}
