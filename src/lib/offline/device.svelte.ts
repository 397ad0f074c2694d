/**
 * Keeping the loaded data on this device. The engine runs in memory until there is
 * something to keep; a load moves it onto a database file in the origin-private file
 * system, and the report is stored in that file beside the tables. On the next visit (a
 * reload or a browser restart) the file is reopened and the dataset shown again. Forget
 * deletes it all. Every storage failure leaves the page working in memory, with a reason
 * the page explains.
 */
import type { DbClient } from '../db/client.ts';
import type { EngineStorage, EngineTimings } from '../db/duckdb-wasm.ts';
import type { LoadReport } from '../ingest/types.ts';
import { forgetRememberedMappings, type DatasetState, type DatasetStore } from '../state/dataset.svelte.ts';
import { DEVICE_DB, type DeviceFs } from './opfs.ts';
import { storageProblem, type StorageProblem } from './problem.ts';
import { clearStored, dropAllTables, readStored, writeStored } from './stored.ts';
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

  private engine: DeviceEngine | null = null;

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

  /** Show the stored dataset again (after the user went back to the first screen). */
  async reopen(): Promise<boolean> {
    const db = this.engine;
    if (!db || db.storage.kind !== 'device') return false;
    const found = await readStored(db).catch(() => null);
    return found !== null && this.dataset.restore(found.report);
  }

  async beforeLoad(): Promise<void> {
    const db = this.engine;
    if (!db) return;
    try {
      if (db.storage.kind === 'device') {
        // From here until the new report is stored, a restart finds nothing to restore.
        this.stored = null;
        await clearStored(db);
      } else if (this.problem === null) {
        await db.openOnDevice(this.name);
      }
    } catch (e) {
      this.problem = storageProblem(e);
    }
    this.mode = db.storage.kind;
  }

  async afterLoad(report: LoadReport): Promise<void> {
    const db = this.engine;
    if (!db || db.storage.kind !== 'device') return;
    try {
      const storedAt = new Date();
      await writeStored(db, report, storedAt);
      await db.checkpoint();
      this.stored = { storedAt: storedAt.toISOString(), bytes: await this.size() };
    } catch (e) {
      this.problem = storageProblem(e);
      this.stored = null;
      await clearStored(db).catch(() => undefined);
    }
  }

  async recover(error: unknown): Promise<DbClient | null> {
    const db = this.engine;
    if (!db || db.storage.kind !== 'device') return null;
    const problem = storageProblem(error);
    if (problem === 'failed') return null;
    // The engine may be broken after a failed write: start a new one in memory, and drop the half-written file.
    this.problem = problem;
    this.stored = null;
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
