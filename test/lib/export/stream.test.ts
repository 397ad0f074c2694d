import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerListQuery } from '../../../src/lib/analyses/index.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { blobOf, csvChunks, kindOf, LINES_HEADER, openLines, openQuery, openTable } from '../../../src/lib/export/stream.ts';
import { linesOf, loadSales, text } from './fixture.ts';

/** Blob.text() drops a BOM; keep it to see it. */
const textOf = async (b: Blob) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(await b.arrayBuffer());

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

describe('kindOf', () => {
  it('maps DuckDB types to export kinds', () => {
    expect(['DATE', 'TIMESTAMP', 'DECIMAL(18,4)', 'INTEGER', 'BIGINT', 'VARCHAR', 'BOOLEAN'].map(kindOf)).toEqual([
      'date', 'timestamp', 'number', 'integer', 'number', 'text', 'boolean',
    ]);
  });
});

describe('batches', () => {
  it('covers every row once, in rowid order, across batch boundaries and rowid gaps', async () => {
    await db.exec('CREATE OR REPLACE TABLE t AS SELECT range::INTEGER AS i FROM range(25)');
    await db.exec('DELETE FROM t WHERE i IN (10, 11)');
    const src = await openTable(db, 't');
    expect(src.rowCount).toBe(23);
    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const rows of src.batches(10)) {
      sizes.push(rows.length);
      for (const r of rows) seen.push(r.i as number);
    }
    // rowids 0–9, 10–19 (two deleted), 20–24
    expect(sizes).toEqual([10, 8, 5]);
    expect(seen).toEqual([...Array(25).keys()].filter((i) => i !== 10 && i !== 11));
  });

  it('exact multiple of the batch size: no empty trailing batch', async () => {
    await db.exec('CREATE OR REPLACE TABLE t AS SELECT range::INTEGER AS i FROM range(20)');
    const sizes: number[] = [];
    for await (const rows of (await openTable(db, 't')).batches(10)) sizes.push(rows.length);
    expect(sizes).toEqual([10, 10]);
  });

  it('an empty table gives a header-only CSV', async () => {
    await db.exec('CREATE OR REPLACE TABLE t (i INTEGER, s VARCHAR)');
    const blob = await blobOf(csvChunks(await openTable(db, 't')), 'text/csv');
    expect(await textOf(blob)).toBe('\uFEFFi,s\r\n');
  });
});

describe('CSV export of lines', () => {
  it('round-trips through our own loader: the same lines come back', async () => {
    await loadSales(db);
    const before = await linesOf(db);
    expect(before).toHaveLength(5);
    const src = await openLines(db);
    expect(src.columns.map((c) => c.kind).slice(0, 5)).toEqual(['text', 'text', 'timestamp', 'number', 'number']);
    const blob = await blobOf(csvChunks(src, LINES_HEADER, 2), 'text/csv');
    const csv = await textOf(blob);
    expect(csv.split('\r\n').slice(0, 3)).toEqual([
      '\uFEFFcustomer_id,order_id,order_datetime,amount,quantity,unit_price,product,category,region,channel,cost,profit,score,currency',
      'C001,O1,2024-01-05 09:30:00,120.5,,,"Mug, large",Home,华北,,,,,',
      'C001,O1,2024-01-05 09:30:00,9.99,,,"Say ""hi"" card",,华北,,,,,',
    ]);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const report = await loadSales(db, { name: 'export.csv', bytes });
    expect(report.rows_kept).toBe(5);
    expect(await linesOf(db)).toEqual(before);
  });

  it('guards text that a spreadsheet would run as a formula', async () => {
    await db.exec(`CREATE OR REPLACE TABLE t AS SELECT * FROM (VALUES ('=cmd|'' /C calc''!A0', -1.5), ('+1', 2)) v(s, n)`);
    const csv = await textOf(await blobOf(csvChunks(await openTable(db, 't')), 'text/csv'));
    expect(csv).toBe("\uFEFFs,n\r\n'=cmd|' /C calc'!A0,-1.5\r\n'+1,2\r\n");
  });
});

describe('customer list export', () => {
  it('materialises the query in its order and drops it afterwards', async () => {
    await loadSales(db, text('sales.csv', ['customer_id,order_date,amount', 'A,2024-01-01,10', 'B,2024-01-02,30', 'A,2024-01-03,5', 'C,2024-01-03,1'].join('\n')));
    const { runDashboard } = await import('../../../src/lib/analyses/index.ts');
    const { DEFAULT_SETTINGS } = await import('../../../src/lib/model/settings.ts');
    await runDashboard(db, DEFAULT_SETTINGS, { category: false, region: false, channel: false, order: false });
    const src = await openQuery(db, customerListQuery({ asOf: '2024-01-03', tierA: 0.8, tierB: 0.95, high: null, loyalMinOrders: 2 }));
    const csv = await textOf(await blobOf(csvChunks(src, undefined, 2), 'text/csv'));
    await src.release();
    expect(csv.split('\r\n')).toEqual([
      '\uFEFFcustomer_id,rank,value,n_orders,first_date,last_date,recency_days,tier,score,quadrant',
      'B,1,30,1,2024-01-02,2024-01-02,1,A,,',
      // 45 of 46 (97.8 %) is reached at rank 2: A ends there, and so does B.
      'A,2,15,2,2024-01-01,2024-01-03,0,A,,',
      'C,3,1,1,2024-01-03,2024-01-03,0,C,,',
      '',
    ]);
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name LIKE 'export__%'`)).toEqual([{ n: 0 }]);
  });
});
