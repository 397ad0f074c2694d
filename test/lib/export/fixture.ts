import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync } from 'parquet-wasm/esm';
import type { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { loadDataset, type InputFile } from '../../../src/lib/ingest/load.ts';

const require = createRequire(import.meta.url);
let parquetReady = false;
export const parquetInit = (): void => {
  if (parquetReady) return;
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  parquetReady = true;
};

/** Sales lines with the awkward cases: quotes, commas, CJK, a return, a time of day, an empty category. */
export const SALES_CSV = [
  'order_id,customer_id,order_date,amount,product,category,region',
  'O1,C001,2024-01-05 09:30:00,120.50,"Mug, large",Home,华北',
  'O1,C001,2024-01-05 09:30:00,9.99,"Say ""hi"" card",,华北',
  'O2,C002,2024-01-06,-15.25,退货,Home,华东',
  'O3,C003,2024-02-29 23:59:59,1000,Lamp,Home,华东',
  'O4,C001,2024-03-01,0,Sample,Gift,华北',
].join('\r\n');

export const text = (name: string, body: string): InputFile => ({ name, bytes: new TextEncoder().encode(body) });

export async function loadSales(db: NodeDb, file: InputFile = text('sales.csv', SALES_CSV)) {
  return loadDataset(db, [file], { parquetInit });
}

/** The lines as comparable text (what the loader made of them), in file order. */
export async function linesOf(db: NodeDb) {
  return db.query(`SELECT customer_id, order_id, strftime(order_ts, '%Y-%m-%d %H:%M:%S') AS ts, order_date::VARCHAR AS d,
      amount::VARCHAR AS amount, product, category, region FROM lines ORDER BY file_no, line_no`);
}
