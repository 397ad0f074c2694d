import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerListQuery } from '../../../src/lib/analyses/customer-list.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import fc from 'fast-check';
import { csvCell } from '../../../src/lib/export/csv.ts';
import {
  blobOf,
  csvChunks,
  csvTextSql,
  jsNumberSql,
  kindOf,
  LINES_HEADER,
  openLines,
  openQuery,
  openTable,
  type ExportSource,
} from '../../../src/lib/export/stream.ts';
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
      '\uFEFFcustomer_id,rank,value,n_orders,first_date,last_date,recency_days,tier,score,quadrant,r_score,f_score,m_score,rfm_segment,rfm8_class,stage',
      // Scores 1 + ⌊5(rank − 1)/2⌋ capped at 5: R B 1, A and C (tied) 3; F B and C 1, A 5; M C 1, A 3, B 5.
      // Means 1/3 day, 4/3 orders, 46/3 value: B R low F low M high, A high high low, C high low low.
      'B,1,30,1,2024-01-02,2024-01-02,1,A,,,1,1,5,hibernating,important_retain,exploration',
      // 45 of 46 (97.8 %) is reached at rank 2: A ends there, and so does B.
      'A,2,15,2,2024-01-01,2024-01-03,0,A,,,3,5,3,loyal,general_value,formation',
      'C,3,1,1,2024-01-03,2024-01-03,0,C,,,3,1,1,about_to_sleep,general_develop,exploration',
      '',
    ]);
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name LIKE 'export__%'`)).toEqual([{ n: 0 }]);
  });
});

/** The same source without the engine's CSV and Arrow paths: rows through csv.ts. */
function rowsOnly(src: ExportSource): ExportSource {
  return { columns: src.columns, rowCount: src.rowCount, batches: (n) => src.batches(n), release: () => src.release() };
}

const TRICKY = [
  '=1+1', '+x', '-5', '@a', '\tq', '\rq', '\nq', '＝SUM(A1)', '＋', '－', '＠', 'a,b', 'say "hi"', 'x\ny', 'x\r\ny', '=a,"b"', '',
  'plain', '中文，逗号', "'=x", ' =x', '-', '=\u0301', '"', '""', ',', 'a\u2028b', '😀=',
];

describe('CSV written by the engine', () => {
  it('guards and quotes each tricky string exactly as csv.ts does', async () => {
    for (const v of TRICKY) {
      const [r] = await db.query<{ s: string }>({ text: `SELECT ${csvTextSql('v')} AS s FROM (SELECT ?::VARCHAR AS v)`, params: [v] });
      expect({ v, s: r?.s }).toEqual({ v, s: csvCell(v) });
    }
    const [n] = await db.query<{ s: string }>(`SELECT ${csvTextSql('NULL::VARCHAR')} AS s`);
    expect(n?.s).toBe(csvCell(null));
  });

  it('writes every double as JavaScript does (shortest digits, exponent only past 1e21 or below 1e-6)', async () => {
    const fixed = [1000, 120.5, 0.1 + 0.2, 1e21, 1e20, 1.5e-7, 1e-6, 1e-7, 123456789012345680000, -0.5, 0, -0, 5e-324, Number.MAX_VALUE, 2 / 3, 1e16, -1e-5, 9.5e20, -123e-9];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 50 }), async (random) => {
        const values = [...fixed, ...random];
        await db.exec('CREATE OR REPLACE TABLE nums (i INTEGER, x DOUBLE)');
        // Exact bits travel as 17 significant digits in exponent form (a DOUBLE literal, not a DECIMAL).
        await db.exec(`INSERT INTO nums VALUES ${values.map((v, i) => `(${i}, ${Object.is(v, -0) ? '-0.0' : v.toExponential(16)}::DOUBLE)`).join(', ')}`);
        const rows = await db.query<{ s: string }>(`SELECT ${jsNumberSql('x')} AS s FROM nums ORDER BY i`);
        expect(rows.map((r) => r.s)).toEqual(values.map((v) => csvCell(v)));
      }),
      { numRuns: 20 },
    );
  });

  it('gives the same bytes as the row-by-row writer on a table of every kind, across batches', async () => {
    await db.exec(`CREATE OR REPLACE TABLE t (s VARCHAR, n DOUBLE, d DECIMAL(18,4), i INTEGER, b BOOLEAN, day DATE, ts TIMESTAMP, big BIGINT)`);
    const cells = TRICKY.map((s, k) => [
      s,
      k % 5 === 0 ? null : (k - 7) * 1.25e-3,
      k % 4 === 0 ? null : `${k * 37}.${k}0`,
      k % 6 === 0 ? null : k - 9,
      k % 3 === 0 ? null : k % 2 === 0,
      k % 7 === 0 ? null : `2024-02-${String((k % 28) + 1).padStart(2, '0')}`,
      k % 8 === 0 ? null : `2023-12-31 23:${String(k % 60).padStart(2, '0')}:59`,
      k % 9 === 0 ? null : 2 ** 40 + k,
    ]);
    for (const row of [...cells, [null, null, null, null, null, null, null, null]]) {
      await db.exec({ text: 'INSERT INTO t VALUES (?, ?, ?::DECIMAL(18,4), ?, ?, ?::DATE, ?::TIMESTAMP, ?)', params: row });
    }
    const engine = await textOf(await blobOf(csvChunks(await openTable(db, 't'), undefined, 7), 'text/csv'));
    const js = await textOf(await blobOf(csvChunks(rowsOnly(await openTable(db, 't')), undefined, 7), 'text/csv'));
    expect(engine.split('\r\n').length).toBeGreaterThan(TRICKY.length);
    expect(engine).toBe(js);
  });

  it('the engine path is the one taken for tables', async () => {
    await db.exec('CREATE OR REPLACE TABLE t AS SELECT 1 AS i');
    expect(typeof (await openTable(db, 't')).csvBatches).toBe('function');
  });
});
