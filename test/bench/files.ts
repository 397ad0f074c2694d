/**
 * The benchmark's synthetic sales files (demo schema, seed 42), written once into .bench/
 * and reused by every bench script: CSV from the demo generator, Parquet from that CSV.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { generateSales } from '../../src/cli/generate-demo.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { literal, sql } from '../../src/lib/db/sql.ts';

export const BENCH_DIR = join(import.meta.dirname, '..', '..', '.bench');
export const SEED = 42;

/** `.bench/sales-N-s42.csv`, generated when missing (written under a temporary name first). */
export async function salesCsv(lines: number): Promise<string> {
  const path = join(BENCH_DIR, `sales-${lines}-s${SEED}.csv`);
  if (existsSync(path)) return path;
  await mkdir(BENCH_DIR, { recursive: true });
  const tmp = `${path}.${process.pid}.part`;
  const out = createWriteStream(tmp);
  let buf: string[] = [];
  const flush = async (): Promise<void> => {
    const ok = out.write(buf.join('\n') + '\n');
    buf = [];
    if (!ok) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for (const line of generateSales({ seed: SEED, lines })) {
    buf.push(line);
    if (buf.length === 50_000) await flush();
  }
  await flush();
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  await rename(tmp, path);
  return path;
}

/** The same lines as Parquet (written by native DuckDB; ids kept as text). */
export async function salesParquet(lines: number): Promise<string> {
  const csv = await salesCsv(lines);
  const path = csv.replace(/\.csv$/, '.parquet');
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.part`;
  const db = await NodeDb.open({ threads: cpus().length });
  try {
    await db.exec(
      sql`COPY (SELECT * FROM read_csv(${literal(csv)}, header = true, types = {'订单号': 'VARCHAR', '客户ID': 'VARCHAR'}))
          TO ${literal(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    await db.close();
  }
  await rename(tmp, path);
  return path;
}
