import { readFileSync } from 'node:fs';
import { BlockingWasmDb } from './wasm-blocking.ts';
const MB = 1024 * 1024;
const mode = process.argv[2] ?? 'plain';
const db = await BlockingWasmDb.open();
const mem = async (label: string) => {
  const r = await db.query("SELECT sum(memory_usage_bytes)::DOUBLE AS b FROM duckdb_memory()");
  const ds = await db.query("SELECT database_name::VARCHAR AS n, memory_usage::VARCHAR AS m, total_blocks::DOUBLE AS blocks FROM pragma_database_size()");
  console.log(mode, label, 'engine', (Number(r[0]?.b) / MB).toFixed(0), 'heap', (db.heapBytes / MB).toFixed(0), JSON.stringify(ds));
};
try {
  if (mode !== 'plain') await db.exec("ATTACH ':memory:' AS c (COMPRESS)");
  console.log('attached ok');
} catch (e) { console.log('ATTACH failed:', String(e).slice(0, 300)); process.exit(0); }
const p = await db.registerBuffer(new Uint8Array(readFileSync('.bench/sales-1000000-s42.csv')));
const t = mode === 'plain' ? 't' : 'c.main.t';
const t0 = performance.now();
await db.exec(`CREATE TABLE ${t} AS SELECT * FROM read_csv('${p}', all_varchar = true)`);
await db.dropBuffer(p);
console.log('ctas ms', (performance.now() - t0).toFixed(0));
await mem('varchar table');
const t1 = performance.now();
await db.exec(`CREATE TABLE ${t}2 AS SELECT * FROM read_csv('.bench/x', columns={'a':'VARCHAR'}) LIMIT 0`).catch(() => undefined);
console.log(await db.query(`SELECT count(*)::INTEGER AS n, count(DISTINCT "客户ID")::INTEGER AS d, sum(length("商品"))::DOUBLE AS l FROM ${t}`).catch((e) => String(e)));
console.log('scan ms', (performance.now() - t1).toFixed(0));
