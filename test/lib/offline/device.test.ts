import { describe, expect, it } from 'vitest';
import type { DbClient } from '../../../src/lib/db/client.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import type { EngineStorage } from '../../../src/lib/db/duckdb-wasm.ts';
import { IngestError, type LoadReport } from '../../../src/lib/ingest/types.ts';
import { DeviceStorage, type DeviceEngine, type StartEngine } from '../../../src/lib/offline/device.svelte.ts';
import type { DeviceFs } from '../../../src/lib/offline/opfs.ts';
import { LINES_DDL, SURVEY_DDL } from '../../../src/lib/model/schema.ts';
import { loadedInTemp, readStored, writeStored } from '../../../src/lib/offline/stored.ts';
import { DatasetState } from '../../../src/lib/state/dataset.svelte.ts';
import type { FileInspection, IngestApi } from '../../../src/lib/state/ingest-api.ts';

const REPORT = {
  files: [{ name: 'a.csv', role: 'sales', labels: ['客户', '日期', '金额'], mapping: { customer: 0, date: 1, amount: 2 } }],
  rows_read: 2,
  rows_kept: 2,
  rows_rejected: 0,
  rows_skipped: 0,
  rejected: [],
  skipped: [],
  warnings: [],
  millis: 1,
} as unknown as LoadReport;

const INSPECTION: FileInspection = {
  format: 'csv',
  encoding: 'utf-8',
  encodingGuessed: false,
  dialect: { delimiter: ',', quote: '"' },
  headerLine: 1,
  labels: ['客户', '日期', '金额'],
  sampleRows: [],
  mapping: { customer: 0, date: 1, amount: 2 },
  ambiguous: [],
  missing: [],
  parse: { dayMonthOrder: 'auto', decimal: 'auto', dedupe: false },
};

/** One "device": a database that outlives engines (as the OPFS file does), and its file system. */
class FakeDevice implements DeviceFs {
  file: NodeDb | null = null;
  removed = 0;
  quotaOnLoad = false;
  /** Fail the next loads before they replace any table (as a file refused mid-load would). */
  failLoad = false;
  /** Fail the write of the loaded tables to the device (as a full disk would). */
  quotaOnSave = false;
  async exists(): Promise<boolean> {
    return this.file !== null;
  }
  async size(): Promise<number | null> {
    return this.file ? 4096 : null;
  }
  async remove(): Promise<void> {
    await this.file?.close();
    this.file = null;
    this.removed++;
  }
}

class FakeEngine implements DeviceEngine {
  storage: EngineStorage = { kind: 'memory' };
  closed = false;
  constructor(
    private memory: NodeDb,
    private readonly device: FakeDevice,
    private readonly refuse: Error | null,
  ) {}
  private get db(): DbClient {
    return this.storage.kind === 'device' && this.device.file ? this.device.file : this.memory;
  }
  async openOnDevice(name: string): Promise<void> {
    if (this.refuse) throw this.refuse;
    this.device.file ??= await NodeDb.open();
    this.storage = { kind: 'device', path: `opfs://${name}` };
  }
  async checkpoint(): Promise<void> {}
  exec: DbClient['exec'] = async (q) => {
    if (this.device.quotaOnSave && (typeof q === 'string' ? q : q.text).includes('.main.lines__saving SELECT * FROM temp.main.lines')) {
      throw new Error('IO Error: Could not write file: QuotaExceededError: quota exceeded');
    }
    return this.db.exec(q);
  };
  query: DbClient['query'] = (q) => this.db.query(q);
  registerBuffer: DbClient['registerBuffer'] = (b) => this.db.registerBuffer(b);
  dropBuffer: DbClient['dropBuffer'] = (p) => this.db.dropBuffer(p);
  insertArrowIPC: DbClient['insertArrowIPC'] = (t, i, o) => this.db.insertArrowIPC(t, i, o);
  async close(): Promise<void> {
    this.closed = true;
    await this.memory.close();
  }
}

function setup(device: FakeDevice, refuse: Error | null = null) {
  const engines: FakeEngine[] = [];
  const start: StartEngine = async () => {
    const e = new FakeEngine(await NodeDb.open(), device, refuse);
    engines.push(e);
    return { ok: true, db: e, timings: null };
  };
  const api: IngestApi = {
    inspect: async () => INSPECTION,
    async load(db) {
      if (device.quotaOnLoad && db === engines[0] && engines[0]?.storage.kind === 'device') {
        throw new DOMException('The operation failed because it would cause the application to exceed its storage quota.', 'QuotaExceededError');
      }
      if (device.failLoad) throw new IngestError('NO_DATA_ROWS', { file: 'b.csv' });
      // As loadDataset with linesInTemp: the tables in memory, one line and one response,
      // and the tables stored before dropped (its last step swaps them).
      await db.exec(LINES_DDL.replace('CREATE OR REPLACE TABLE', 'CREATE OR REPLACE TEMP TABLE'));
      await db.exec(SURVEY_DDL.replace('CREATE OR REPLACE TABLE', 'CREATE OR REPLACE TEMP TABLE'));
      if (db instanceof FakeEngine && db.storage.kind === 'device') for (const t of ['lines', 'survey']) await db.exec(`DROP TABLE IF EXISTS memory.main.${t}`);
      await db.exec("INSERT INTO lines (file_no, line_no, customer_id, order_ts, order_date, amount) VALUES (0, 2, 'C1', TIMESTAMP '2024-01-01', DATE '2024-01-01', 5)");
      await db.exec("INSERT INTO survey (file_no, line_no, customer_id, score) VALUES (1, 2, 'C1', 9)");
      return REPORT;
    },
  };
  const dataset = new DatasetState(api);
  const storage = new DeviceStorage(dataset, start, device);
  dataset.store = storage;
  return { dataset, storage, engines };
}

/** `choose` starts the load without awaiting it. */
async function loadOne(dataset: DatasetState): Promise<void> {
  await dataset.choose([file]);
  for (let i = 0; i < 200 && dataset.status !== 'loaded' && dataset.status !== 'error'; i++) await new Promise((r) => setTimeout(r, 10));
}

const file = new File(['客户,日期,金额\nC1,2024-01-01,5\n'], 'a.csv');

describe('DeviceStorage', () => {
  it('stays in memory until a load, then keeps the data and its report on the device', async () => {
    const device = new FakeDevice();
    const { dataset, storage } = setup(device);
    expect(await storage.start()).toBe(false);
    expect(storage.mode).toBe('memory');
    expect(device.file).toBeNull();

    await loadOne(dataset);
    expect(dataset.status).toBe('loaded');
    expect(storage.mode).toBe('device');
    // Loaded in memory: written to the device when the page calls persistPending.
    expect(storage.saving).toBe(true);
    expect(storage.stored).toBeNull();
    expect(await loadedInTemp(device.file!)).toBe(true);
    expect(await readStored(device.file!)).toBeNull();

    await storage.persistPending();
    expect(storage.saving).toBe(false);
    expect(storage.stored?.bytes).toBe(4096);
    expect(storage.saveMillis).not.toBeNull();
    expect(await loadedInTemp(device.file!)).toBe(false);
    expect((await readStored(device.file!))?.report).toEqual(REPORT);
    const tables = await device.file!.query("SELECT database_name AS db, table_name AS t FROM duckdb_tables() WHERE table_name IN ('lines', 'survey') ORDER BY t");
    expect(tables).toEqual([{ db: 'memory', t: 'lines' }, { db: 'memory', t: 'survey' }]);
    expect(await device.file!.query('SELECT customer_id, amount::DOUBLE AS amount FROM lines')).toEqual([{ customer_id: 'C1', amount: 5 }]);
    expect(await device.file!.query('SELECT customer_id, score FROM survey')).toEqual([{ customer_id: 'C1', score: 9 }]);
    // Nothing more to write: a second call does nothing.
    await storage.persistPending();
    expect(storage.saving).toBe(false);
  });

  it('a quota error while writing to the device: the data stays usable in memory, with the reason', async () => {
    const device = new FakeDevice();
    device.quotaOnSave = true;
    const { dataset, storage } = setup(device);
    await storage.start();
    await loadOne(dataset);
    await storage.persistPending();
    expect(storage.problem).toBe('quota');
    expect(storage.stored).toBeNull();
    expect(storage.saving).toBe(false);
    expect(await readStored(device.file!)).toBeNull();
    // The transaction was rolled back: the tables in memory are there, the dashboard reads them.
    expect(await loadedInTemp(device.file!)).toBe(true);
    expect(await device.file!.query('SELECT count(*)::INTEGER AS n FROM lines')).toEqual([{ n: 1 }]);
  });

  it('back to the data from the first screen while it waits to be written: written first, then shown', async () => {
    const device = new FakeDevice();
    const { dataset, storage } = setup(device);
    await storage.start();
    await loadOne(dataset);
    dataset.reset();
    expect(storage.saving).toBe(true);
    expect(await storage.reopen()).toBe(true);
    expect(dataset.status).toBe('loaded');
    expect(dataset.report).toEqual(REPORT);
    expect(storage.saving).toBe(false);
    expect((await readStored(device.file!))?.report).toEqual(REPORT);
  });

  it('back to the data while it is being written, and the write fails: shown from memory', async () => {
    const device = new FakeDevice();
    device.quotaOnSave = true;
    const { dataset, storage } = setup(device);
    await storage.start();
    await loadOne(dataset);
    dataset.reset();
    const writing = storage.persistPending();
    expect(await storage.reopen()).toBe(true);
    await writing;
    expect(storage.problem).toBe('quota');
    expect(storage.stored).toBeNull();
    expect(dataset.status).toBe('loaded');
    expect(dataset.report).toEqual(REPORT);
    expect(await device.file!.query('SELECT count(*)::INTEGER AS n FROM lines')).toEqual([{ n: 1 }]);
  });

  it('a new load while the last one waits to be written: only the new one is written', async () => {
    const device = new FakeDevice();
    const { dataset, storage } = setup(device);
    await storage.start();
    await loadOne(dataset);
    expect(storage.saving).toBe(true);
    await loadOne(dataset);
    await storage.persistPending();
    expect((await readStored(device.file!))?.report).toEqual(REPORT);
    expect(await device.file!.query('SELECT count(*)::INTEGER AS n FROM lines')).toEqual([{ n: 1 }]);
  });

  it('a load that fails keeps the data stored before: on the device, for the next visit, and one click away', async () => {
    const device = new FakeDevice();
    const { dataset, storage } = setup(device);
    await storage.start();
    await loadOne(dataset);
    await storage.persistPending();
    device.failLoad = true;
    await loadOne(dataset);
    expect(dataset.status).toBe('error');
    expect(storage.stored).not.toBeNull();
    expect(storage.saving).toBe(false);
    expect((await readStored(device.file!))?.report).toEqual(REPORT);
    expect(await device.file!.query('SELECT count(*)::INTEGER AS n FROM lines')).toEqual([{ n: 1 }]);
    expect(await storage.reopen()).toBe(true);
    expect(dataset.status).toBe('loaded');
  });

  it('a load that fails while the last one waits to be written: the last one is still written', async () => {
    const device = new FakeDevice();
    const { dataset, storage } = setup(device);
    await storage.start();
    await loadOne(dataset);
    expect(storage.saving).toBe(true);
    device.failLoad = true;
    await loadOne(dataset);
    expect(dataset.status).toBe('error');
    expect(storage.saving).toBe(true);
    await storage.persistPending();
    expect(storage.stored).not.toBeNull();
    expect((await readStored(device.file!))?.report).toEqual(REPORT);
    expect(await device.file!.query('SELECT count(*)::INTEGER AS n FROM lines')).toEqual([{ n: 1 }]);
  });

  it('a load that succeeds replaces the stored data: nothing to restore until its own write', async () => {
    const device = new FakeDevice();
    const { dataset, storage } = setup(device);
    await storage.start();
    await loadOne(dataset);
    await storage.persistPending();
    await loadOne(dataset);
    expect(storage.stored).toBeNull();
    expect(storage.saving).toBe(true);
    expect(await readStored(device.file!)).toBeNull();
    await storage.persistPending();
    expect((await readStored(device.file!))?.report).toEqual(REPORT);
  });

  it('a new visit finds it and shows it as loaded, without any file', async () => {
    const device = new FakeDevice();
    device.file = await NodeDb.open();
    await device.file.exec('CREATE TABLE lines AS SELECT 1 AS x');
    await writeStored(device.file, REPORT, new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    const { dataset, storage } = setup(device);
    expect(await storage.start()).toBe(true);
    expect(dataset.status).toBe('loaded');
    expect(dataset.restored).toBe(true);
    expect(dataset.files).toEqual([]);
    expect(dataset.report).toEqual(REPORT);
    expect(dataset.labelMapping).toEqual({ customer: '客户', date: '日期', amount: '金额' });
    expect(storage.stored).toEqual({ storedAt: '2024-01-02T03:04:05.000Z', bytes: 4096 });
    expect(storage.restoreMillis).not.toBeNull();
  });

  it('Forget drops the tables, removes the file and returns to the first screen in memory', async () => {
    const device = new FakeDevice();
    const { dataset, storage, engines } = setup(device);
    await storage.start();
    await loadOne(dataset);
    await storage.persistPending();
    await storage.forget();
    expect(device.removed).toBe(1);
    expect(device.file).toBeNull();
    expect(engines[0]?.closed).toBe(true);
    expect(engines).toHaveLength(2);
    expect(dataset.status).toBe('idle');
    expect(dataset.report).toBeNull();
    expect(storage.stored).toBeNull();
    expect(storage.mode).toBe('memory');
  });

  it('a device that refuses (another tab holds the file) leaves the page working in memory, with the reason', async () => {
    const device = new FakeDevice();
    const { dataset, storage } = setup(device, new DOMException('busy', 'NoModificationAllowedError'));
    await storage.start();
    await loadOne(dataset);
    expect(dataset.status).toBe('loaded');
    expect(storage.mode).toBe('memory');
    expect(storage.problem).toBe('locked');
    expect(storage.stored).toBeNull();
  });

  it('a quota error during the load: the load is retried in a new engine in memory and the half-written file removed', async () => {
    const device = new FakeDevice();
    device.quotaOnLoad = true;
    const { dataset, storage, engines } = setup(device);
    await storage.start();
    await loadOne(dataset);
    expect(dataset.status).toBe('loaded');
    expect(dataset.report).toEqual(REPORT);
    expect(storage.problem).toBe('quota');
    expect(storage.mode).toBe('memory');
    expect(engines).toHaveLength(2);
    expect(dataset.db).toBe(engines[1]);
    expect(device.file).toBeNull();
  });
});
