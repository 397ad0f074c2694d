/**
 * Export speed in CPU time (the machine is shared, so wall time says little):
 *   npx tsx test/lib/export/export-speed.ts [lines=1000000] [formats=csv,parquet,xlsx]
 * Builds `lines` with synthetic rows in native DuckDB, then times each export of all lines.
 */
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { parquetBlob } from '../../../src/lib/export/parquet.ts';
import { blobOf, csvChunks, CSV_TYPE, LINES_HEADER, openLines } from '../../../src/lib/export/stream.ts';
import { xlsxBlob } from '../../../src/lib/export/xlsx.ts';
import { LINES_DDL } from '../../../src/lib/model/schema.ts';
import { parquetInit } from './fixture.ts';

const n = Number(process.argv[2] ?? 1_000_000);
const formats = (process.argv[3] ?? 'csv,parquet,xlsx').split(',');

const db = await NodeDb.open();
await db.exec(LINES_DDL);
await db.exec(`INSERT INTO lines SELECT 1, i::INTEGER + 2, 'C' || lpad((i % 50000)::VARCHAR, 6, '0'), 'O' || (i // 3)::VARCHAR,
  TIMESTAMP '2023-01-01 09:30:00' + to_seconds(i * 7), DATE '2023-01-01' + (i * 7 // 86400)::INTEGER,
  ((i % 9973) / 100.0 - 20)::DECIMAL(18,4), (i % 5) + 1, (i % 997) / 10.0, 'Product ' || (i % 300)::VARCHAR,
  ['家居', 'Gift, boxed', '=SUM(A1)', NULL][i % 4 + 1], '华北', 'online', NULL, NULL, NULL, NULL FROM range(${n}) t(i)`);

async function time(label: string, f: () => Promise<Blob>): Promise<void> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const blob = await f();
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  console.log(`${label}: ${n} lines, ${(blob.size / 1e6).toFixed(1)} MB, CPU ${cpuSec.toFixed(1)} s (${Math.round(n / cpuSec)} rows/s), wall ${(wall / 1000).toFixed(1)} s`);
}

for (const f of formats) {
  if (f === 'csv') await time('csv', async () => blobOf(csvChunks(await openLines(db), LINES_HEADER), CSV_TYPE));
  if (f === 'parquet') await time('parquet', async () => parquetBlob(await openLines(db), parquetInit, { names: LINES_HEADER }));
  if (f === 'xlsx') await time('xlsx', async () => xlsxBlob(await openLines(db), LINES_HEADER).catch((e: unknown) => new Blob([String(e)])));
}
await db.close();
