/**
 * Where a load's memory goes, statement by statement, on the page's engine (duckdb-wasm
 * `eh` in Node, blocking bindings), loaded as the page loads (`linesInTemp`,
 * `releaseInputs`). After each statement: the engine's linear memory (it never shrinks, so
 * it is the peak so far), the buffers registered with it, and what the engine says it holds
 * (`duckdb_memory()`, by tag). A line is printed whenever the linear memory grew.
 *
 *   npx tsx test/bench/memory-ingest.ts --lines 1000000 [--all] [--dashboard] [--file PATH] [--export] [--no-compress]
 *   --export: the formatted GB18030 export (files.ts `exportCsv`); --no-compress: working tables as plain TEMP tables.
 *   --file: the engine on a database file, `lines` loaded straight into it (as the page does
 *   with a large load on the device) instead of into TEMP tables.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { loadavg } from 'node:os';
import { runDashboard } from '../../src/lib/analyses/index.ts';
import type { ArrowInsertOptions, DbClient, Row } from '../../src/lib/db/client.ts';
import type { SqlQuery } from '../../src/lib/db/sql.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import { DEFAULT_SETTINGS } from '../../src/lib/model/settings.ts';
import { statementLabel } from './profile-ingest.ts';
import { exportCsv, salesCsv } from './files.ts';
import { BlockingWasmDb } from '../lib/db/wasm-blocking.ts';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const lines = Number(arg('lines', '1000000'));
const all = process.argv.includes('--all');
const MB = 1024 * 1024;
const mb = (n: number) => (n / MB).toFixed(0).padStart(6);

class Watching implements DbClient {
  private last = 0;
  private readonly t0 = performance.now();
  constructor(private readonly db: BlockingWasmDb) {}
  private async engineHolds(): Promise<string> {
    const rows = await this.db.query<Row>(
      "SELECT tag::VARCHAR AS tag, memory_usage_bytes::DOUBLE AS b FROM duckdb_memory() WHERE memory_usage_bytes > 16 * 1024 * 1024 ORDER BY tag",
    );
    const total = rows.reduce((s, r) => s + Number(r.b), 0);
    return `${mb(total)}  ${rows.map((r) => `${String(r.tag)} ${(Number(r.b) / MB).toFixed(0)}`).join(', ')}`;
  }
  private async after(label: string): Promise<void> {
    const heap = this.db.heapBytes;
    if (!all && heap === this.last) return;
    const grew = heap - this.last;
    this.last = heap;
    const s = ((performance.now() - this.t0) / 1000).toFixed(1).padStart(6);
    console.log(`${s}s heap ${mb(heap)} (+${mb(grew).trim()})  buffers ${mb(this.db.registeredBytes)}  engine ${await this.engineHolds()}   ← ${label}`);
  }
  async exec(q: SqlQuery | string): Promise<void> {
    await this.db.exec(q);
    await this.after(statementLabel(typeof q === 'string' ? q : q.text));
  }
  async query<T extends Row = Row>(q: SqlQuery | string): Promise<T[]> {
    const r = await this.db.query<T>(q);
    await this.after(statementLabel(typeof q === 'string' ? q : q.text));
    return r;
  }
  async registerBuffer(b: Uint8Array): Promise<string> {
    const p = await this.db.registerBuffer(b);
    await this.after('register buffer');
    return p;
  }
  async dropBuffer(p: string): Promise<void> {
    await this.db.dropBuffer(p);
  }
  insertArrowIPC(t: string, ipc: Uint8Array, options?: ArrowInsertOptions): Promise<void> {
    return this.db.insertArrowIPC(t, ipc, options);
  }
  close(): Promise<void> {
    return this.db.close();
  }
}

const file = process.argv.includes('--export') ? await exportCsv(lines) : await salesCsv(lines);
const dbFile = arg('file', '');
if (dbFile) for (const f of [dbFile, `${dbFile}.wal`]) rmSync(f, { force: true });
const base = await BlockingWasmDb.open(dbFile || undefined);
const db = new Watching(base);
console.log(`${lines} lines (${basename(file)}), load average ${loadavg()[0]?.toFixed(1)}; heap at start ${mb(base.heapBytes)} MB`);
const t0 = performance.now();
const report = await loadDataset(db, [{ name: basename(file), bytes: new Uint8Array(readFileSync(file)) }], { linesInTemp: !dbFile, releaseInputs: true, ...(process.argv.includes('--no-compress') ? { compressWork: false } : {}) });
console.log(`load: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${report.rows_kept} kept; heap ${mb(base.heapBytes)} MB; rss ${mb(process.memoryUsage().rss)} MB`);
if (process.argv.includes('--dashboard')) {
  await runDashboard(db, DEFAULT_SETTINGS, mappedOf(report));
  console.log(`dashboard: heap ${mb(base.heapBytes)} MB`);
}
if (dbFile) {
  await db.exec('CHECKPOINT');
  console.log(`database file ${mb(statSync(dbFile).size)} MB; heap ${mb(base.heapBytes)} MB`);
}
await base.close();
