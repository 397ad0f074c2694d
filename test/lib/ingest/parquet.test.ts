import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tableFromArrays, tableToIPC, vectorFromArray, Table, DateDay, Utf8 } from 'apache-arrow';
import { initSync, Table as WasmTable, writeParquet } from 'parquet-wasm/esm';
import { describe, expect, it } from 'vitest';
import { readParquetRows } from '../../../src/lib/ingest/formats/parquet.ts';
import { IngestError } from '../../../src/lib/ingest/types.ts';

const require = createRequire(import.meta.url);
let ready = false;
const init = (): void => {
  if (ready) return;
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  ready = true;
};

function parquetOf(table: Table): Uint8Array {
  init();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')));
}

describe('readParquetRows', () => {
  it('reads back a file written by parquet-wasm, values as text', async () => {
    const table = new Table({
      customer_id: vectorFromArray(['00123', 'C2', null], new Utf8()),
      order_date: vectorFromArray([new Date(Date.UTC(2023, 0, 7)), new Date(Date.UTC(2024, 1, 29)), null], new DateDay()),
      amount: tableFromArrays({ a: new Float64Array([356, -12.5, 0.1]) }).getChild('a')!,
      qty: tableFromArrays({ q: new Int32Array([1, 2, 3]) }).getChild('q')!,
    });
    const result = await readParquetRows(parquetOf(table), init);
    expect(result.labels).toEqual(['customer_id', 'order_date', 'amount', 'qty']);
    expect(result.rowCount).toBe(3);
    expect([...result.rows]).toEqual([
      { line: 1, cells: ['00123', '2023-01-07', '356', '1'] },
      { line: 2, cells: ['C2', '2024-02-29', '-12.5', '2'] },
      { line: 3, cells: [null, null, '0.1', '3'] },
    ]);
  });

  it('rejects bytes that are not Parquet with UNREADABLE_PARQUET', async () => {
    await expect(readParquetRows(new TextEncoder().encode('PAR1 not really'), init)).rejects.toThrow(IngestError);
  });
});
