import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/esm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { parquetBlob } from '../../../src/lib/export/parquet.ts';
import { LINES_HEADER, openLines, openTable } from '../../../src/lib/export/stream.ts';
import { linesOf, loadSales, parquetInit } from './fixture.ts';

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

async function read(blob: Blob) {
  parquetInit();
  return tableFromIPC(readParquet(new Uint8Array(await blob.arrayBuffer())).intoIPCStream());
}

describe('parquetBlob', () => {
  it('writes typed columns that parquet-wasm reads back, across batches', async () => {
    await loadSales(db);
    const t = await read(await parquetBlob(await openLines(db), parquetInit, { batchSize: 2 }));
    expect(t.numRows).toBe(5);
    expect(t.schema.fields.slice(0, 5).map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'customer_id:Utf8', 'order_id:Utf8', 'order_ts:Timestamp<MILLISECOND>', 'amount:Float64', 'quantity:Float64',
    ]);
    expect(t.getChild('customer_id')?.toArray()).toEqual(['C001', 'C001', 'C002', 'C003', 'C001']);
    expect([...(t.getChild('amount')?.toArray() ?? [])]).toEqual([120.5, 9.99, -15.25, 1000, 0]);
    expect(Number(t.getChild('order_ts')?.get(3))).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(t.getChild('category')?.get(1)).toBeNull();
    expect(t.getChild('product')?.get(1)).toBe('Say "hi" card');
  });

  it('dates are Date32 days; an empty table still has its schema', async () => {
    await db.exec(`CREATE OR REPLACE TABLE t AS SELECT DATE '2024-03-01' AS d, 7::INTEGER AS n`);
    const t = await read(await parquetBlob(await openTable(db, 't'), parquetInit));
    expect(String(t.schema.fields[0]?.type)).toBe('Date32<DAY>');
    expect(Number(t.getChild('d')?.get(0))).toBe(Date.UTC(2024, 2, 1));
    expect(t.getChild('n')?.get(0)).toBe(7);
    await db.exec('DELETE FROM t');
    const empty = await read(await parquetBlob(await openTable(db, 't'), parquetInit));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual(['d', 'n']);
  });

  it('loads again through our own loader as the same lines', async () => {
    await loadSales(db);
    const before = await linesOf(db);
    const blob = await parquetBlob(await openLines(db), parquetInit, { names: LINES_HEADER });
    await loadSales(db, { name: 'export.parquet', bytes: new Uint8Array(await blob.arrayBuffer()) });
    expect(await linesOf(db)).toEqual(before);
  });
});

describe('parquetBlob from the engine\'s Arrow', () => {
  it('takes the Arrow path for tables and writes the same file contents as the row path', async () => {
    await db.exec(`CREATE OR REPLACE TABLE t (s VARCHAR, n DOUBLE, d DECIMAL(18,4), i INTEGER, b BOOLEAN, day DATE, ts TIMESTAMP)`);
    await db.exec(`INSERT INTO t VALUES ('=x', 1.5, 120.5, 7, true, DATE '2024-02-29', TIMESTAMP '2024-01-05 09:30:00.250'),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL), ('中文', -0.25, -15.25, -3, false, DATE '1999-12-31', TIMESTAMP '1969-12-31 23:59:59')`);
    const fast = await openTable(db, 't');
    expect(typeof fast.arrowBatches).toBe('function');
    const { arrowBatches: _, ...slow } = await openTable(db, 't');
    const names = ['S', 'N', 'D', 'I', 'B', 'DAY', 'TS'];
    const a = await read(await parquetBlob(fast, parquetInit, { names, batchSize: 2 }));
    const b = await read(await parquetBlob(slow, parquetInit, { names, batchSize: 2 }));
    expect(a.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(b.schema.fields.map((f) => `${f.name}:${String(f.type)}`));
    expect(a.schema.fields.map((f) => String(f.type))).toEqual([
      'Utf8', 'Float64', 'Float64', 'Int32', 'Bool', 'Date32<DAY>', 'Timestamp<MILLISECOND>',
    ]);
    const values = (t: typeof a) => names.map((n) => [...(t.getChild(n) ?? [])].map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    expect(values(a)).toEqual(values(b));
    expect(values(a)[6]).toEqual([Date.UTC(2024, 0, 5, 9, 30, 0), null, Date.UTC(1969, 11, 31, 23, 59, 59)]);
  });
});
