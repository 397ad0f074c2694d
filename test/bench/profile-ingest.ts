/**
 * Where a load spends its time, in CPU time (the machine is shared, wall time lies).
 * With DuckDB on one thread the engine's work runs on this process's CPU time, so
 * `process.cpuUsage()` deltas around each statement measure the engine; the rest of the
 * load (decode, preview, normalize, JS row handling) is the remainder.
 *
 *   npx tsx test/bench/profile-ingest.ts <file.csv>            one file through loadDataset
 *   npx tsx test/bench/profile-ingest.ts --synthetic 1000000   a generated sales file (cached in .bench/)
 *   npx tsx test/bench/profile-ingest.ts <file.parquet>        a Parquet file (as the engine in use reads it)
 *   options: --runs N (default 1; the best CPU time per phase is printed), --dedupe,
 *            --engine wasm (the page's engine, duckdb-wasm's eh build run in Node: Parquet
 *            then goes in as Arrow record batches, one row group a call, as in the page),
 *            --no-native (skip the native read_csv yardstick), --normalizer (text files
 *            through the JavaScript normalizer, not read by the engine: typedCsv off),
 *            --compress / --no-compress (working tables compressed or as plain TEMP tables;
 *            default: as the load decides, by size)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { salesCsv } from './files.ts';
import type { ArrowInsertOptions, DbClient, Row } from '../../src/lib/db/client.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { literal, sql, type SqlQuery } from '../../src/lib/db/sql.ts';
import { inspectFile, loadDataset } from '../../src/lib/ingest/load.ts';
import { normalize, previewText } from '../../src/lib/ingest/normalize.ts';
import { detectEncoding, toUtf8 } from '../../src/lib/ingest/decode.ts';
import { scoreHeader } from '../../src/lib/ingest/mapping.ts';
import { parquetInit } from '../lib/export/fixture.ts';
import { BlockingWasmDb } from '../lib/db/wasm-blocking.ts';

type Engine = 'native' | 'wasm';
const openDb = (engine: Engine): Promise<DbClient> => (engine === 'wasm' ? BlockingWasmDb.open() : NodeDb.open({ threads: 1 }));
const isParquet = (name: string) => name.toLowerCase().endsWith('.parquet');


interface Sample {
  label: string;
  cpuMs: number;
  wallMs: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function measure<T>(run: () => Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = await run();
  return { value, cpuMs: cpuMs(cpu), wallMs: performance.now() - wall };
}

/** A short name for a statement: what it does, recognised from its text. */
export function statementLabel(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  const table = /(?:CREATE OR REPLACE (?:TEMP )?TABLE|INSERT INTO|DROP TABLE IF EXISTS|ALTER TABLE) ("?[\w]+"?(?:\."?[\w]+"?)?)/i.exec(t)?.[1]?.replaceAll('"', '');
  if (/read_csv\(/.test(t)) return `read_csv → ${table ?? '?'}`;
  if (/dm_values/.test(t)) return 'stats: date order';
  if (/comma_evidence/.test(t)) return 'stats: decimal mark';
  if (/contains\(.*'，'/.test(t)) return 'stats: comma evidence';
  if (/^UPDATE .*dup_extra/i.test(t)) return 'mark duplicates';
  if (/^INSERT INTO/i.test(t)) return `insert → ${table ?? '?'}`;
  if (/^CREATE/i.test(t)) return `create ${table ?? '?'}`;
  if (/^DROP/i.test(t)) return 'drop';
  if (/AS raw_rows/.test(t)) return 'accounting';
  if (/AS refunds/.test(t)) return 'warnings';
  if (/status <> 'kept'/.test(t)) return 'rejected/skipped lists';
  if (/^SELECT count\(\*\)/i.test(t)) return 'count';
  return t.slice(0, 40);
}

/** A DbClient that records the CPU and wall time of every statement it forwards. */
class ProfiledDb implements DbClient {
  readonly samples: Sample[] = [];
  constructor(private readonly db: DbClient) {}

  private async timed<T>(q: SqlQuery | string, run: () => Promise<T>): Promise<T> {
    const m = await measure(run);
    this.samples.push({ label: statementLabel(typeof q === 'string' ? q : q.text), cpuMs: m.cpuMs, wallMs: m.wallMs });
    return m.value;
  }
  exec(q: SqlQuery | string): Promise<void> {
    return this.timed(q, () => this.db.exec(q));
  }
  query<T extends Row = Row>(q: SqlQuery | string): Promise<T[]> {
    return this.timed(q, () => this.db.query<T>(q));
  }
  registerBuffer(bytes: Uint8Array): Promise<string> {
    return this.timed('register buffer', () => this.db.registerBuffer(bytes));
  }
  dropBuffer(path: string): Promise<void> {
    return this.timed('drop buffer', () => this.db.dropBuffer(path));
  }
  insertArrowIPC(table: string, ipc: Uint8Array, options?: ArrowInsertOptions): Promise<void> {
    return this.timed('arrow insert (a row group)', () => this.db.insertArrowIPC(table, ipc, options));
  }
  close(): Promise<void> {
    return this.db.close();
  }
}

interface Phase {
  cpuMs: number;
  wallMs: number;
  count: number;
}

function addPhase(into: Map<string, Phase>, label: string, cpu: number, wall: number): void {
  const p = into.get(label) ?? { cpuMs: 0, wallMs: 0, count: 0 };
  p.cpuMs += cpu;
  p.wallMs += wall;
  p.count++;
  into.set(label, p);
}

/** One profiled load: phases by label (statements summed per label), JS phases measured apart. */
async function profileOnce(bytes: Uint8Array, name: string, engine: Engine, dedupe: boolean, typedCsv: boolean, compressWork: boolean | undefined): Promise<{ phases: Map<string, Phase>; rows: string }> {
  const phases = new Map<string, Phase>();
  // JS phases of a text file on their own (the load repeats them; the remainder below is checked against them).
  if (!isParquet(name)) await measure(async () => {
    const t0 = process.cpuUsage();
    const enc = detectEncoding(bytes);
    const utf8 = toUtf8(bytes, enc.encoding, enc.bomLength);
    addPhase(phases, 'js: decode', cpuMs(t0), 0);
    const t1 = process.cpuUsage();
    const preview = previewText(utf8, { scoreHeader });
    addPhase(phases, 'js: preview', cpuMs(t1), 0);
    const t2 = process.cpuUsage();
    let chunks = 0;
    for (const _ of normalize(utf8, preview)) chunks++;
    addPhase(phases, 'js: normalize', cpuMs(t2), 0);
    return chunks;
  });

  const db = new ProfiledDb(await openDb(engine));
  try {
    const load = await measure(() =>
      loadDataset(db, [{ name, bytes }], { typedCsv, parquetInit, ...(compressWork === undefined ? {} : { compressWork }), ...(dedupe ? { overrides: [{ parse: { dedupe: true } }] } : {}) }),
    );
    let sqlCpu = 0;
    let sqlWall = 0;
    for (const s of db.samples) {
      addPhase(phases, s.label, s.cpuMs, s.wallMs);
      sqlCpu += s.cpuMs;
      sqlWall += s.wallMs;
    }
    addPhase(phases, 'js: everything else (decode+preview+normalize+report)', load.cpuMs - sqlCpu, load.wallMs - sqlWall);
    addPhase(phases, 'TOTAL loadDataset', load.cpuMs, load.wallMs);
    const r = load.value;
    return { phases, rows: `read ${r.rows_read}, kept ${r.rows_kept}, rejected ${r.rows_rejected}, skipped ${r.rows_skipped}` };
  } finally {
    await db.close();
  }
}

/** The yardstick: native DuckDB, one thread, a plain typed read of the same file. */
async function nativeYardstick(path: string): Promise<{ cpuMs: number; wallMs: number }> {
  const db = await NodeDb.open({ threads: 1 });
  try {
    const read = isParquet(path) ? sql`read_parquet(${literal(path)})` : sql`read_csv(${literal(path)})`;
    const m = await measure(() => db.exec(sql`CREATE TABLE t AS SELECT * FROM ${read}`));
    return { cpuMs: m.cpuMs, wallMs: m.wallMs };
  } finally {
    await db.close();
  }
}

function table(phases: Map<string, Phase>): string {
  const rows = [...phases.entries()];
  const width = Math.max(...rows.map(([l]) => l.length), 10);
  const head = `${'phase'.padEnd(width)}  ${'cpu ms'.padStart(8)}  ${'wall ms'.padStart(8)}  n`;
  return [head, '-'.repeat(head.length), ...rows.map(([l, p]) => `${l.padEnd(width)}  ${p.cpuMs.toFixed(0).padStart(8)}  ${p.wallMs.toFixed(0).padStart(8)}  ${p.count}`)].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const synAt = argv.indexOf('--synthetic');
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Math.max(1, Number(argv[runsAt + 1])) : 1;
  const dedupe = argv.includes('--dedupe');
  const engineAt = argv.indexOf('--engine');
  const engine: Engine = engineAt >= 0 && argv[engineAt + 1] === 'wasm' ? 'wasm' : 'native';
  const path =
    synAt >= 0 ? await salesCsv(Number(argv[synAt + 1] ?? 1_000_000)) : argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--runs' && argv[i - 1] !== '--engine');
  if (!path) throw new Error('usage: profile-ingest.ts <file> | --synthetic N [--runs N] [--engine native|wasm] [--dedupe] [--no-native]');
  const bytes = new Uint8Array(readFileSync(path));
  const insp = await inspectFile({ name: basename(path), bytes }, undefined, { parquetInit });
  console.log(`${basename(path)}: ${(bytes.length / 1e6).toFixed(1)} MB, ${insp.columnCount} columns, ${engine}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  let best: Map<string, Phase> | null = null;
  let rows = '';
  for (let r = 0; r < runs; r++) {
    const once = await profileOnce(bytes, basename(path), engine, dedupe, !argv.includes('--normalizer'), argv.includes('--no-compress') ? false : argv.includes('--compress') ? true : undefined);
    rows = once.rows;
    if (!best) best = once.phases;
    else for (const [k, p] of once.phases) {
      const b = best.get(k);
      if (!b || p.cpuMs < b.cpuMs) best.set(k, p);
    }
  }
  console.log(rows);
  console.log(table(best ?? new Map()));
  if (!argv.includes('--no-native')) {
    const n = await nativeYardstick(path);
    console.log(`native ${isParquet(path) ? 'read_parquet' : 'read_csv'} yardstick (1 thread): cpu ${n.cpuMs.toFixed(0)} ms, wall ${n.wallMs.toFixed(0)} ms`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main(process.argv.slice(2));
}
