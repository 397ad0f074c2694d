import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Table, Utf8, vectorFromArray, tableFromArrays, tableToIPC } from 'apache-arrow';
import { initSync, Table as WasmTable, writeParquet } from 'parquet-wasm/esm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlQuery } from '../../../src/lib/db/sql.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { inspectFile, loadDataset } from '../../../src/lib/ingest/load.ts';
import { compressWorkFor, WORK_UNCOMPRESSED_MAX_BYTES } from '../../../src/lib/ingest/limits.ts';
import { IngestError, type LoadReport, type LoadStep, type Progress } from '../../../src/lib/ingest/types.ts';
import { PassThroughDb, SharedConnection } from './pass-through-db.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/load');
const fixture = (name: string) => ({ name, bytes: new Uint8Array(readFileSync(join(FIXTURES, name))) });
const text = (name: string, body: string) => ({ name, bytes: new TextEncoder().encode(body) });

const require = createRequire(import.meta.url);
let parquetReady = false;
const parquetInit = (): void => {
  if (parquetReady) return;
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  parquetReady = true;
};

/** A Parquet file of two sales lines: customers 00123 and C2, text dates, DOUBLE amounts 356 and -12.5. */
function twoLineParquet(): Uint8Array {
  parquetInit();
  const table = new Table({
    customer_id: vectorFromArray(['00123', 'C2'], new Utf8()),
    order_date: vectorFromArray(['2023-01-07', '2023-02-01'], new Utf8()),
    amount: tableFromArrays({ a: new Float64Array([356, -12.5]) }).getChild('a')!,
  });
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')));
}

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

async function lines() {
  return db.query(`SELECT file_no, line_no, customer_id, order_id, order_date::VARCHAR AS d,
      CAST(amount AS DECIMAL(18,2))::VARCHAR AS a, product FROM lines ORDER BY file_no, line_no`);
}

describe('inspectFile', () => {
  it('previews a GB18030 file with Chinese headers', async () => {
    const i = await inspectFile(fixture('gb18030_chinese_headers.csv'));
    expect(i).toMatchObject({
      kind: 'text',
      format: 'csv',
      encoding: 'gb18030',
      dialect: { delimiter: ',', quote: '"' },
      headerLine: 1,
      labels: ['客户ID', '客户名称', '订单日期', '商品名称', '金额'],
      columnCount: 5,
      mapping: { customer: 0, date: 2, product: 3, amount: 4 },
      error: null,
    });
    expect(i.sampleRows[0]).toEqual(['C001', '张伟', '2023-01-05', '西湖龙井 250g', '1234.50']);
  });

  it('names the ambiguous field and its candidate columns', async () => {
    const i = await inspectFile(text('dup.csv', '客户ID,订单日期,金额,金额\nC001,2023-01-05,100.00,90.00\n'));
    expect(i.error).toEqual({ code: 'AMBIGUOUS_COLUMN_MAPPING', detail: { field: 'amount', columns: '金额 / 金额' } });
    const fixed = await inspectFile(text('dup.csv', '客户ID,订单日期,金额,金额\nC001,2023-01-05,100.00,90.00\n'), {
      mapping: { customer: 0, date: 1, amount: 3 },
    });
    expect(fixed.error).toBeNull();
  });

  it('reports file-level problems without throwing', async () => {
    expect((await inspectFile(text('e.csv', ''))).error?.code).toBe('EMPTY_FILE');
    expect((await inspectFile(text('x.csv', 'foo,bar\n1,2\n'))).error).toEqual({
      code: 'MISSING_REQUIRED_COLUMNS',
      detail: { fields: 'customer,date,amount' },
    });
    const gz = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    expect((await inspectFile({ name: 'a.csv', bytes: gz })).error?.code).toBe('COMPRESSED_FILE');
  });
});

describe('loadDataset', () => {
  it("swaps its tables in with one call: a run's statements on the same connection never land inside that transaction", async () => {
    const shared = new SharedConnection(db);
    try {
      const r = await loadDataset(shared, [fixture('gb18030_chinese_headers.csv')]);
      expect(shared.intruderErrors).toEqual([]);
      expect([r.rows_read, r.rows_kept]).toEqual([8, 8]);
      expect(await lines()).toHaveLength(8);
    } finally {
      await db.exec('DETACH DATABASE IF EXISTS derived');
    }
  });

  it('loads a GB18030 export and reports its encoding', async () => {
    const progress: Progress[] = [];
    const r = await loadDataset(db, [fixture('gb18030_chinese_headers.csv')], { onProgress: (p) => progress.push(p) });
    expect([r.rows_read, r.rows_kept, r.rows_rejected, r.rows_skipped]).toEqual([8, 8, 0, 0]);
    expect(r.warnings).toEqual([
      { code: 'encoding_not_utf8', count: 1, detail: 'gb18030' },
      { code: 'refund_rows', count: 1 },
    ]);
    const rows = await lines();
    expect(rows.map((x) => [x.customer_id, x.d, x.a])).toEqual([
      ['C001', '2023-01-05', '1234.50'],
      ['C002', '2023-01-06', '88.00'],
      ['00123', '2023-01-07', '356.00'],
      ['123', '2023-01-07', '45.90'],
      ['C001', '2023-01-20', '-1234.50'],
      ['C003', '2023-02-01', '198.00'],
      ['C004', '2023-02-14', '66.60'],
      ['C002', '2023-03-08', '520.00'],
    ]);
    expect(rows[0]?.product).toBe('西湖龙井 250g');
    expect(progress.map((p) => p.stage)).toEqual(['read', 'decode', 'parse', 'map', 'derive', 'derive']);
    expect(r.files[0]).toMatchObject({ encoding: 'gb18030', headerLine: 1, format: 'csv', role: 'sales' });
  });

  it('skips the title, subtotal, total and footer rows of a formatted GB18030 report', async () => {
    const r = await loadDataset(db, [fixture('gb18030_report_title_totals.csv')]);
    expect(r.skipped.map((s) => [s.line, s.reason])).toEqual([
      [1, 'title_row'],
      [2, 'blank_row'],
      [6, 'summary_row'],
      [8, 'summary_row'],
      [9, 'summary_row'],
      [10, 'footer_row'],
    ]);
    const [s] = await db.query('SELECT sum(amount)::VARCHAR AS s FROM lines');
    expect(s?.s).toBe('270.5000');
  });

  it.each([true, false])('rejects a quantity × price too large for an amount instead of stopping the load (engine read: %s)', async (typedCsv) => {
    // 2 × 99,999,999,999.5 = 199,999,999,999 (above the 9.2e10 where DuckDB's DECIMAL(18,8)
    // product overflowed); 100,000 × 99,999,999,999.9 ≈ 1e16 does not fit DECIMAL(18,4);
    // 3 × 0.0005 = 0.0015 keeps its last digit.
    const r = await loadDataset(
      db,
      [text('q.csv', 'customer_id,date,quantity,unit_price\nC1,2023-01-05,2,99999999999.5\nC2,2023-01-06,100000,99999999999.9\nC3,2023-01-07,3,0.0005\n')],
      { typedCsv },
    );
    expect([r.rows_read, r.rows_kept, r.rows_rejected, r.rows_skipped]).toEqual([3, 2, 1, 0]);
    expect(r.rejected.map((x) => [x.line, x.reason])).toEqual([[3, 'unparseable_amount']]);
    const rows = await db.query('SELECT customer_id, amount::VARCHAR AS a FROM lines ORDER BY line_no');
    expect(rows.map((x) => [x.customer_id, x.a])).toEqual([
      ['C1', '199999999999.0000'],
      ['C3', '0.0015'],
    ]);
  });

  it.each([true, false])('leaves the profit unknown when amount − cost does not fit, instead of stopping the load (engine read: %s)', async (typedCsv) => {
    // 99,999,999,999,999 − (−0.99995 → −1.0000 at four decimals) = 100,000,000,000,000: one
    // digit too many for DECIMAL(18,4); 10.5 − 4.25 = 6.25.
    const r = await loadDataset(db, [text('c.csv', 'customer_id,date,amount,cost\nC1,2023-01-05,99999999999999,-0.99995\nC2,2023-01-06,10.5,4.25\n')], { typedCsv });
    expect([r.rows_read, r.rows_kept, r.rows_rejected]).toEqual([2, 2, 0]);
    const rows = await db.query('SELECT customer_id, profit::VARCHAR AS p FROM lines ORDER BY line_no');
    expect(rows.map((x) => [x.customer_id, x.p])).toEqual([
      ['C1', null],
      ['C2', '6.2500'],
    ]);
  });

  it.each([true, false])('stops with ACCOUNTING_MISMATCH when the engine holds fewer raw rows than the reader counted (engine read: %s)', async (typedCsv) => {
    // A reader that silently loses a record: every statement that writes the raw table is
    // followed by the loss of its last line.
    const lossy = new (class extends PassThroughDb {
      override async exec(q: SqlQuery | string): Promise<void> {
        await this.db.exec(q);
        const text = typeof q === 'string' ? q : q.text;
        const m = /^\s*(?:CREATE OR REPLACE (?:TEMP )?TABLE|INSERT INTO) ((?:"load_work"\.)?"raw__\d+")/.exec(text);
        if (m) await this.db.exec(`DELETE FROM ${m[1]} WHERE line_no = (SELECT max(line_no) FROM ${m[1]})`);
      }
    })(db);
    const body = 'customer_id,date,amount\nC1,2023-01-05,10\nC2,2023-01-06,11\nC3,2023-01-07,12\n';
    await expect(loadDataset(lossy, [text('lossy.csv', body)], { typedCsv })).rejects.toMatchObject({ code: 'ACCOUNTING_MISMATCH' });
  });

  it('appends several files into one lines table', async () => {
    const r = await loadDataset(db, [
      text('a.csv', '客户ID,订单号,订单日期,金额\nC1,O1,2023-01-05,10\nC2,O2,2023-01-06,x\n'),
      text('b.tsv', 'customer_id\tdate\tamount\nC1\t2023-02-01\t5.5\n'),
    ]);
    expect(r.files.map((f) => [f.name, f.rows_kept, f.rows_rejected])).toEqual([
      ['a.csv', 1, 1],
      ['b.tsv', 1, 0],
    ]);
    expect(r.rejected).toEqual([{ file: 0, line: 3, reason: 'unparseable_amount', value: 'x', text: 'C2,O2,2023-01-06,x' }]);
    expect((await lines()).map((x) => [x.file_no, x.line_no, x.customer_id, x.order_id, x.a])).toEqual([
      [0, 2, 'C1', 'O1', '10.00'],
      [1, 2, 'C1', null, '5.50'],
    ]);
  });

  it('tells each step as it ends, and how each raw table was read: text by the engine, a workbook by chunks', async () => {
    const steps: LoadStep[] = [];
    await loadDataset(db, [text('a.csv', '客户ID,订单日期,金额\nC1,2023-01-05,10\n'), fixture('workbook.xlsx')], { onStep: (s) => steps.push(s) });
    expect(steps.map((s) => ('file' in s ? `${s.step} ${s.file}${s.step === 'raw' ? ` ${s.via}` : ''}` : s.step))).toEqual([
      'prepare 0', 'prepare 1', 'raw 0 engine', 'lines 0', 'raw 1 chunks', 'lines 1', 'finish',
    ]);
    expect(steps.every((s) => s.ms >= 0)).toBe(true);
  });

  it('loads a workbook', async () => {
    const r = await loadDataset(db, [fixture('workbook.xlsx')]);
    expect(r.files[0]).toMatchObject({ format: 'xlsx', rows_kept: 8, rows_skipped: 1 });
    expect(r.skipped).toEqual([{ file: 0, line: 10, reason: 'summary_row' }]);
    expect((await lines()).map((x) => x.a)).toEqual(['1234.50', '88.00', '356.00', '45.90', '-1234.50', '198.00', '66.60', '520.00']);
  });

  it('loads a Parquet file', async () => {
    const bytes = twoLineParquet();
    const r = await loadDataset(db, [{ name: 'p.parquet', bytes }], { parquetInit });
    expect(r.files[0]).toMatchObject({ format: 'parquet', rows_kept: 2 });
    expect((await lines()).map((x) => [x.customer_id, x.d, x.a])).toEqual([
      ['00123', '2023-01-07', '356.00'],
      ['C2', '2023-02-01', '-12.50'],
    ]);
  });

  it('loads a survey keyed by order id next to the sales', async () => {
    const r = await loadDataset(db, [text('s.csv', '客户ID,订单号,订单日期,金额\nC1,O1,2023-01-05,10\n')], {
      survey: text('nps.csv', '订单号,评分,日期\nO1,9,2023-01-09\nO2,,2023-01-09\nO3,很好,2023-01-09\n合计,9,\n'),
    });
    expect(r.files[1]).toMatchObject({ role: 'survey', rows_read: 4, rows_kept: 1, rows_rejected: 2, rows_skipped: 1 });
    expect(r.rejected).toEqual([
      { file: 1, line: 3, reason: 'missing_score', text: 'O2,,2023-01-09' },
      { file: 1, line: 4, reason: 'unparseable_score', value: '很好', text: 'O3,很好,2023-01-09' },
    ]);
    expect(await db.query('SELECT customer_id, order_id, response_date::VARCHAR AS d, score FROM survey')).toEqual([
      { customer_id: null, order_id: 'O1', d: '2023-01-09', score: 9 },
    ]);
  });

  it('leaves the previous tables in place when a file fails', async () => {
    await loadDataset(db, [text('a.csv', 'customer,date,amount\nC1,2023-01-05,10\n')]);
    const err = await loadDataset(db, [
      text('ok.csv', 'customer,date,amount\nC9,2023-01-05,99\n'),
      text('bad.csv', 'customer,date,amount\nC1,01/02/2023,1\n'),
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe('AMBIGUOUS_DATE_ORDER');
    expect((err as IngestError).detail).toMatchObject({ file: 'bad.csv', fileIndex: 1 });
    expect((await lines()).map((x) => x.customer_id)).toEqual(['C1']);
    const tables = await db.query('SELECT table_name FROM information_schema.tables ORDER BY table_name');
    expect(tables.map((t) => t.table_name)).toEqual(['customer_info', 'lines', 'survey']);
  });

  it('with linesInTemp, builds the same tables in memory (TEMP), replacing stored and TEMP ones alike', async () => {
    const sales = [text('a.csv', '客户ID,订单号,订单日期,金额\nC1,O1,2023-01-05,10\nC2,O2,2023-01-06,x\n')];
    const survey = text('nps.csv', '订单号,评分\nO1,9\n');
    const stored = await loadDataset(db, sales, { survey });
    const storedLines = await lines();
    const where = () => db.query("SELECT database_name AS db, table_name AS t FROM duckdb_tables() ORDER BY t, db");

    const inTemp = await loadDataset(db, sales, { survey, linesInTemp: true });
    expect({ ...inTemp, millis: 0 }).toEqual({ ...stored, millis: 0 });
    expect(await lines()).toEqual(storedLines);
    // The stored tables were dropped, not left behind the TEMP ones; the raw and stage tables are gone.
    expect(await where()).toEqual([
      { db: 'temp', t: 'customer_info' },
      { db: 'temp', t: 'lines' },
      { db: 'temp', t: 'survey' },
    ]);
    // Loading again replaces the TEMP tables.
    await loadDataset(db, [text('b.csv', 'customer,date,amount\nC9,2023-01-05,99\n')], { linesInTemp: true });
    expect((await lines()).map((x) => x.customer_id)).toEqual(['C9']);
    expect(await where()).toEqual([
      { db: 'temp', t: 'customer_info' },
      { db: 'temp', t: 'lines' },
      { db: 'temp', t: 'survey' },
    ]);
    // And a load into the database replaces them in turn.
    await loadDataset(db, [text('c.csv', 'customer,date,amount\nC7,2023-01-05,1\n')]);
    expect((await lines()).map((x) => x.customer_id)).toEqual(['C7']);
    expect(await where()).toEqual([
      { db: 'memory', t: 'customer_info' },
      { db: 'memory', t: 'lines' },
      { db: 'memory', t: 'survey' },
    ]);
  });

  it('refuses input above the size limit', async () => {
    await expect(loadDataset(db, [text('a.csv', 'x'.repeat(2048))], { maxBytes: 1024 })).rejects.toThrow(
      new IngestError('TOO_LARGE', { sizeMB: 1, textMB: 1, limitMB: 0 }),
    );
  });

  it('refuses more lines than maxLines once read, over all files, and leaves the tables as they were', async () => {
    await loadDataset(db, [text('keep.csv', 'customer,date,amount\nK1,2023-01-05,1\n')]);
    const a = text('a.csv', 'customer,date,amount\nC1,2023-01-05,1\nC2,2023-01-06,2\n');
    const b = text('b.csv', 'customer,date,amount\nC3,2023-01-07,3\n');
    await expect(loadDataset(db, [a, b], { maxLines: 2 })).rejects.toThrow(new IngestError('TOO_MANY_LINES', { lines: 3, limit: 2 }));
    expect((await lines()).map((x) => x.customer_id)).toEqual(['K1']);
    // At the limit, it loads.
    const r = await loadDataset(db, [a, b], { maxLines: 3 });
    expect(r.rows_kept).toBe(3);
  });

  it('warns about unused, unusual, duplicate and empty column names', async () => {
    const r = await loadDataset(db, [text('w.csv', '客户ID,订单日期,金额,备注,select,x,x,,\nC1,2023-01-05,1,n,s,a,b,,\n')]);
    expect(r.warnings).toEqual([
      { code: 'empty_column_names', count: 2 },
      { code: 'duplicate_column_names', count: 1 },
      { code: 'unusual_column_names', count: 1 },
      { code: 'unused_columns', count: 3 },
    ]);
  });
});

describe('what the load report says about rejected rows', () => {
  it('sums the amounts of the rejected rows per reason, exactly, and counts those without one', async () => {
    const r = await loadDataset(db, [
      text(
        'r.csv',
        [
          'customer,date,amount',
          'C1,2023-01-05,10.10',
          ',2023-01-06,20.25',
          ',2023-01-07,-5.10',
          ',2023-01-08,abc',
          'C2,,7.00',
          'C3,not a date,0.015',
          'C4,2023-01-09,x',
          '',
        ].join('\n'),
      ),
    ]);
    expect(r.files[0]?.rejectedByReason).toEqual({ missing_customer_id: 3, missing_date: 1, unparseable_date: 1, unparseable_amount: 1 });
    // missing_customer_id: 20.25 + (-5.10) = 15.15 over 2 rows; "abc" cannot be read.
    expect(r.files[0]?.rejectedAmounts).toEqual([
      { reason: 'missing_customer_id', currency: null, amount: '15.1500', rows: 2 },
      { reason: 'missing_date', currency: null, amount: '7.0000', rows: 1 },
      { reason: 'unparseable_date', currency: null, amount: '0.0150', rows: 1 },
    ]);
    expect(r.files[0]?.rejectedUnreadable).toEqual({ missing_customer_id: 1, unparseable_amount: 1 });
  });

  it('keeps each rejected line as text, joined by the file’s delimiter and cut with an ellipsis when long', async () => {
    const long = 'x'.repeat(300);
    const r = await loadDataset(db, [text('t.tsv', `customer\tdate\tamount\tnote\n\t2023-01-06\t5\t<b>hi</b>\nC1\t2023-01-06\t5\tok\n\t2023-01-07\t1\t${long}\n`)]);
    const [first, second] = r.rejected;
    expect(first).toEqual({ file: 0, line: 2, reason: 'missing_customer_id', text: '\t2023-01-06\t5\t<b>hi</b>' });
    expect(second?.text).toBe(`\t2023-01-07\t1\t${'x'.repeat(160 - 1 - 14)}…`);
    expect(second?.text).toHaveLength(160);
  });

  it('gives the text of the first 100 rejected lines of a file only', async () => {
    const body = Array.from({ length: 120 }, (_, i) => `,2023-01-06,${i}`).join('\n');
    const r = await loadDataset(db, [text('m.csv', `customer,date,amount\nC1,2023-01-05,1\n${body}\n`)]);
    expect(r.rejected).toHaveLength(120);
    expect(r.rejected.filter((x) => x.text !== undefined).map((x) => x.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 3));
  });

  it('says nothing about a UTF-8 byte-order mark (Excel writes one)', async () => {
    const body = new TextEncoder().encode('customer,date,amount\nC1,2023-01-05,10\n');
    const r = await loadDataset(db, [{ name: 'bom.csv', bytes: new Uint8Array([0xef, 0xbb, 0xbf, ...body]) }]);
    expect(r.files[0]).toMatchObject({ encoding: 'utf-8', rows_kept: 1 });
    expect(r.warnings).toEqual([]);
  });

  it('counts removed duplicates under skipped, so read = kept + rejected + skipped still holds', async () => {
    const file = text('d.csv', 'customer,date,amount\nC1,2023-01-05,10\nC1,2023-01-05,10\nC1,2023-01-05,10\nC2,2023-01-06,5\n,2023-01-06,5\n,2023-01-06,5\n');
    const kept = await loadDataset(db, [file]);
    expect(kept).toMatchObject({ rows_read: 6, rows_kept: 4, rows_rejected: 2, rows_skipped: 0 });
    expect(kept.warnings).toContainEqual({ code: 'exact_duplicate_rows', count: 2 });
    const removed = await loadDataset(db, [file], { overrides: [{ parse: { dedupe: true } }] });
    expect(removed).toMatchObject({ rows_read: 6, rows_kept: 2, rows_rejected: 2, rows_skipped: 2 });
    expect(removed.files[0]?.skippedByReason).toEqual({ duplicate_row: 2 });
    expect(removed.files[0]?.parse.dedupe).toBe(true);
  });
});

describe('loadDataset in small chunks', () => {
  // Title, blank, subtotal and bad rows spread over many chunks: each chunk is read while the
  // next is normalized, and the result must not depend on where the chunks end.
  const body = [
    '月度销售明细',
    '客户ID,订单日期,金额',
    ...Array.from({ length: 60 }, (_, i) => {
      if (i === 7) return '';
      if (i === 19) return 'C019,2023-02-30,10.00';
      if (i === 33) return ',2023-01-05,5.00';
      if (i === 48) return '小计,,999.00';
      return `C${String(i).padStart(3, '0')},2023-01-${String((i % 28) + 1).padStart(2, '0')},${i}.25`;
    }),
    '合计,,12345.00',
  ].join('\n');
  const file = () => text('chunks.csv', body);

  it('gives the same report and lines whatever the chunk size', async () => {
    const whole = await loadDataset(db, [file()]);
    const wholeLines = await lines();
    const parsed: number[] = [];
    const chunked = await loadDataset(db, [file()], { chunkBytes: 64, onProgress: (p: Progress) => void (p.stage === 'parse' && parsed.push(p.total)) });
    expect(Math.max(...parsed)).toBeGreaterThan(20); // ~1.3 kB of normalized text in 64-byte chunks
    expect(await lines()).toEqual(wholeLines);
    const counts = (r: typeof whole) => [r.rows_read, r.rows_kept, r.rows_rejected, r.rows_skipped, r.rejected, r.skipped];
    expect(counts(chunked)).toEqual(counts(whole));
    // 61 data lines after the header (60 + total): 56 kept; 2023-02-30 and the blank id rejected;
    // the blank line, the subtotal and the total skipped; the title row too.
    expect(chunked.rows_kept).toBe(56);
    expect(chunked.rejected.map((r) => [r.line, r.reason])).toEqual([
      [22, 'unparseable_date'],
      [36, 'missing_customer_id'],
    ]);
    expect(chunked.skipped.map((r) => [r.line, r.reason])).toEqual([
      [1, 'title_row'],
      [10, 'blank_row'],
      [51, 'summary_row'],
      [63, 'summary_row'],
    ]);
    expect(chunked.rows_read).toBe(chunked.rows_kept + chunked.rows_rejected + chunked.rows_skipped);
  });
});

describe('loadDataset: working tables in slices, in a compressed database', () => {
  const body = [
    '客户ID,订单日期,金额,商品,电话',
    ...Array.from({ length: 80 }, (_, i) => {
      if (i === 5) return 'C005,2023-13-01,4.00,笔,13800000005';
      if (i === 12) return ',2023-01-05,5.00,本,';
      if (i === 30 || i === 31) return 'C030,2023-01-30,30.50,"纸, A4",13800000030';
      if (i === 50) return '合计,,999.00,,';
      return `C${String(i % 17).padStart(3, '0')},2023-0${(i % 9) + 1}-${String((i % 27) + 1).padStart(2, '0')},${i}.25,品${i % 5},1380000${String(i).padStart(4, '0')}`;
    }),
  ].join('\n');
  const file = () => text('slices.csv', body);
  const snapshot = async () => ({
    lines: await lines(),
    info: await db.query('SELECT customer_id, phone, cells::VARCHAR AS cells FROM customer_info ORDER BY customer_id'),
  });
  const omitMillis = ({ millis: _millis, ...rest }: LoadReport) => rest;

  it('gives the same report, lines and customer details read in many slices, compressed or not', async () => {
    const plain = omitMillis(await loadDataset(db, [file()], { compressWork: false }));
    const plainTables = await snapshot();
    // 80 lines: 2023-13-01 and the blank id rejected, 合计 skipped; the two equal lines both kept.
    expect([plain.rows_kept, plain.rows_rejected, plain.rows_skipped]).toEqual([77, 2, 1]);
    expect(plain.warnings.find((w) => w.code === 'exact_duplicate_rows')?.count).toBe(1);
    expect(plainTables.lines.length).toBe(77);
    expect(plainTables.info.length).toBe(18); // C000 … C016, and C030
    let reads = 0;
    let staged = 0;
    const counting = new Proxy(db, {
      get(target, key) {
        const v: unknown = Reflect.get(target, key);
        if (key === 'exec') {
          return (q: Parameters<NodeDb['exec']>[0]) => {
            const text = typeof q === 'string' ? q : q.text;
            if (text.includes('read_csv(')) reads++;
            // The stage of the whole file (a first try stages only the rows that are not simple records, from a table of their own).
            if (/^\s*(CREATE OR REPLACE TABLE|INSERT INTO) "load_work"\."stage__0"/.test(text) && text.includes('"raw__0"')) staged++;
            return target.exec(q);
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const sliced = omitMillis(await loadDataset(counting, [file()], { chunkBytes: 64, readSliceBytes: 256, stageSliceLines: 7, compressWork: true }));
    // ~4 kB of normalized text, read 256 bytes (four 64-byte chunks) at a time; lines 2 … 81 staged 7 at a time.
    expect(reads).toBeGreaterThan(10);
    expect(staged).toBe(12);
    expect(sliced).toEqual(plain);
    expect(await snapshot()).toEqual(plainTables);
  });

  it('leaves no working database behind, after a load and after a failed one', async () => {
    const attached = async () => (await db.query("SELECT count(*)::INTEGER AS n FROM duckdb_databases() WHERE database_name = 'load_work'"))[0]?.n;
    await loadDataset(db, [file()], { compressWork: true });
    expect(await attached()).toBe(0);
    await expect(loadDataset(db, [file(), text('empty.csv', '客户ID,订单日期,金额\n')], { compressWork: true })).rejects.toThrow(IngestError);
    expect(await attached()).toBe(0);
  });

  it('compresses its working tables by default only above WORK_UNCOMPRESSED_MAX_BYTES of text', async () => {
    const attaches: string[] = [];
    const watching = new (class extends PassThroughDb {
      override async exec(q: SqlQuery | string): Promise<void> {
        const t = typeof q === 'string' ? q : q.text;
        if (/^\s*ATTACH/i.test(t)) attaches.push(t);
        await this.db.exec(q);
      }
    })(db);
    const small = omitMillis(await loadDataset(watching, [file()]));
    expect(attaches).toEqual([]);
    expect(small).toEqual(omitMillis(await loadDataset(watching, [file()], { compressWork: true })));
    expect(attaches).toHaveLength(1);
    // A file over the limit as text (a workbook counts four times its size).
    expect(compressWorkFor([{ size: WORK_UNCOMPRESSED_MAX_BYTES, name: 'a.csv' }])).toBe(false);
    expect(compressWorkFor([{ size: WORK_UNCOMPRESSED_MAX_BYTES + 1, name: 'a.csv' }])).toBe(true);
    expect(compressWorkFor([{ size: WORK_UNCOMPRESSED_MAX_BYTES / 4 + 1, name: 'a.xlsx' }])).toBe(true);
    expect(compressWorkFor([{ size: WORK_UNCOMPRESSED_MAX_BYTES / 2, name: 'a.csv' }, { size: WORK_UNCOMPRESSED_MAX_BYTES / 2 + 1, name: 'b.csv' }])).toBe(true);
  });
});

describe('loadDataset with releaseInputs', () => {
  const omitMillis = ({ millis: _millis, ...rest }: LoadReport) => rest;

  it('loads the same as without it and leaves every input released', async () => {
    const inputs = () => [
      fixture('gb18030_chinese_headers.csv'),
      text('b.csv', '客户ID,订单号,订单日期,金额\nC1,O1,2023-01-05,10\nC2,O2,2023-01-06,x\n'),
    ];
    const survey = () => text('nps.csv', '订单号,评分,日期\nO1,9,2023-01-09\n');
    const kept = await loadDataset(db, inputs(), { survey: survey() });
    const keptLines = await lines();

    const sales = inputs();
    const surveyFile = survey();
    const released = await loadDataset(db, sales, { survey: surveyFile, releaseInputs: true });
    expect(omitMillis(released)).toEqual(omitMillis(kept));
    expect(await lines()).toEqual(keptLines);
    for (const f of [...sales, surveyFile]) {
      expect(f.bytes.length).toBe(0);
      expect(f.bytes.buffer.byteLength).toBe(0);
    }
  });

  it('releases a workbook and a Parquet file too', async () => {
    const parquet = { name: 'p.parquet', bytes: twoLineParquet() };
    const book = fixture('workbook.xlsx');
    const r = await loadDataset(db, [book, parquet], { parquetInit, releaseInputs: true });
    expect(r.files.map((f) => [f.format, f.rows_kept])).toEqual([
      ['xlsx', 8],
      ['parquet', 2],
    ]);
    expect([book.bytes.length, parquet.bytes.length]).toEqual([0, 0]);
  });

  it('keeps the inputs when it is off (the default)', async () => {
    const f = text('a.csv', 'customer,date,amount\nC1,2023-01-05,10\n');
    const size = f.bytes.length;
    await loadDataset(db, [f]);
    expect(f.bytes.length).toBe(size);
    await loadDataset(db, [f]);
    expect((await lines()).map((x) => x.customer_id)).toEqual(['C1']);
  });
});
