import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { buildLines, DEFAULT_PARSE, isSummary, lineSlices, linesDdl, RAW_FLAG, SUMMARY_RE } from '../../../src/lib/ingest/build-lines.ts';
import { literal, raw, sql } from '../../../src/lib/db/sql.ts';
import { IngestError, type ColumnMapping, type ParseOptions } from '../../../src/lib/ingest/types.ts';
import { makeRaw, type RawRecord } from './raw-helper.ts';

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await db.exec(linesDdl('lines_stage'));
});

const F = RAW_FLAG;
const CDA: ColumnMapping = { customer: 0, date: 1, amount: 2 };

async function build(records: RawRecord[], columns: number, mapping: ColumnMapping = CDA, parse: Partial<ParseOptions> = {}) {
  await makeRaw(db, 'raw_t', records, columns);
  return buildLines(
    db,
    { rawTable: 'raw_t', columnCount: columns, fileNo: 1, mapping, target: 'lines_stage', stage: 'stage_t' },
    { ...DEFAULT_PARSE, ...parse },
  );
}

async function keptRows() {
  return db.query(`SELECT line_no, customer_id, order_date::VARCHAR AS d, amount::VARCHAR AS a, currency
    FROM lines_stage ORDER BY line_no`);
}

describe('buildLines', () => {
  it('skips title, blank, subtotal, total and footer rows of a formatted report', async () => {
    const r = await build(
      [
        [1, F.title, '2023年1月销售明细表', '', '', ''],
        [2, F.blank, '', '', '', ''],
        [4, F.data, 'C001', '2023-01-05', '绿茶', '100.00'],
        [5, F.data, 'C002', '2023-01-06', '红茶', '200.50'],
        [6, F.data, '', '', '小计', '300.50'],
        [7, F.data, 'C003', '2023-01-07', '花茶', '-30.00'],
        [8, F.data, '合计', '', '', '270.50'],
        [9, F.data, 'Total:', '', '', '270.50'],
        [10, F.data, '制表人：张三', '', '', ''],
        [11, F.data, '', '', '', ''],
      ],
      4,
      { customer: 0, date: 1, product: 2, amount: 3 },
    );
    expect(r.rows_read).toBe(10);
    expect([r.rows_kept, r.rows_rejected, r.rows_skipped]).toEqual([3, 0, 7]);
    expect(r.skipped.map((s) => [s.line, s.reason])).toEqual([
      [1, 'title_row'],
      [2, 'blank_row'],
      [6, 'summary_row'],
      [8, 'summary_row'],
      [9, 'summary_row'],
      [10, 'footer_row'],
      [11, 'blank_row'],
    ]);
    expect(r.skippedByReason).toEqual({ title_row: 1, blank_row: 2, summary_row: 3, footer_row: 1 });
    expect(await keptRows()).toEqual([
      { line_no: 4, customer_id: 'C001', d: '2023-01-05', a: '100.0000', currency: null },
      { line_no: 5, customer_id: 'C002', d: '2023-01-06', a: '200.5000', currency: null },
      { line_no: 7, customer_id: 'C003', d: '2023-01-07', a: '-30.0000', currency: null },
    ]);
    const [sum] = await db.query('SELECT sum(amount)::VARCHAR AS s, string_agg(product, \'/\' ORDER BY line_no) AS p FROM lines_stage');
    expect(sum).toEqual({ s: '270.5000', p: '绿茶/红茶/花茶' });
    expect(r.warnings).toEqual([{ code: 'refund_rows', count: 1 }]);
  });

  it('rejects structural problems before looking at values, in a fixed order', async () => {
    const r = await build(
      [
        [2, F.data, 'C001', '2023-01-05', '10.00'],
        [3, F.tooFewFields, 'C002', '2023-01-06'],
        [4, F.tooManyFields, 'C004', '2023-01-08', '40.00'],
        [5, F.blank],
        [6, F.unclosedQuote, 'C006', '2023-01-10', '未闭合,60.00'],
        [7, F.invalidEncoding, 'C007', '2023-01-10', '1.00'],
        [8, F.lineTooLong, 'C008', 'x'.repeat(200), '1.00'],
        [9, F.data, 'NULL', '2023-01-10', '1.00'],
        [10, F.data, 'C010', '', '1.00'],
        [11, F.data, 'C011', '2023-02-30', '1.00'],
        [12, F.data, 'C012', '2023-01-10', ''],
        [13, F.data, 'C013', '2023-01-10', '1,23'],
        [14, F.data, '', '', 'abc'],
      ],
      3,
    );
    expect(r.rejected.map((x) => [x.line, x.reason, x.value])).toEqual([
      [3, 'too_few_fields', 'C002,2023-01-06,'],
      [4, 'too_many_fields', 'C004,2023-01-08,40.00'],
      [6, 'unclosed_quote', 'C006,2023-01-10,未闭合,60.00'],
      [7, 'invalid_encoding', 'C007,2023-01-10,1.00'],
      [8, 'line_too_long', 'C008,' + 'x'.repeat(75)],
      [9, 'missing_customer_id', 'NULL'],
      [10, 'missing_date', undefined],
      [11, 'unparseable_date', '2023-02-30'],
      [12, 'missing_amount', undefined],
      [13, 'unparseable_amount', '1,23'],
      [14, 'missing_customer_id', undefined],
    ]);
    expect([r.rows_read, r.rows_kept, r.rows_rejected, r.rows_skipped]).toEqual([13, 1, 11, 1]);
    expect(r.warnings).toEqual([{ code: 'placeholder_ids', count: 1 }]);
  });

  it('trims ids, treats placeholders as missing and flags scientific-notation ids', async () => {
    const r = await build(
      [
        [2, F.data, ' C002 ', '2023-05-05', '10'],
        [3, F.data, 'C003\u00a0', '2023-05-06', '10'],
        [4, F.data, '\u3000', '2023-05-06', '10'],
        [5, F.data, 'N/A', '2023-05-06', '10'],
        [6, F.data, '1.38E+10', '2023-05-06', '10'],
        [7, F.data, '00123', '2023-05-06', '10'],
        [8, F.data, '202301050000000001', '2023-05-06', '10'],
      ],
      3,
    );
    expect((await keptRows()).map((x) => x.customer_id)).toEqual(['C002', 'C003', '1.38E+10', '00123', '202301050000000001']);
    expect(r.rejected.map((x) => x.line)).toEqual([4, 5]);
    expect(r.warnings).toEqual([
      { code: 'ids_whitespace_trimmed', count: 2 },
      { code: 'placeholder_ids', count: 1 },
      { code: 'id_scientific_notation', count: 1 },
    ]);
  });

  const dupRows: RawRecord[] = [
    [2, F.data, 'C001', 'O1', '2023-01-05', '100.00'],
    [3, F.data, 'C001', 'O1', '2023-01-05', '100.00'],
    [4, F.data, 'C002', 'O2', '2023-01-06', '50.00'],
    [5, F.data, 'C003', 'O3', '2023-01-07', '20.00'],
    [6, F.data, 'C003', 'O3', '2023-01-07', '20.00'],
    [7, F.data, 'C003', 'O3', '2023-01-07', '20.00'],
    [8, F.data, 'C004', 'O4', '2023-01-08', '90.00'],
    [9, F.data, 'C004', 'O5', '2023-01-08', '90.00'],
  ];
  const dupMap: ColumnMapping = { customer: 0, order: 1, date: 2, amount: 3 };

  it('counts exact duplicates and keeps them by default', async () => {
    const r = await build(dupRows, 4, dupMap);
    expect(r.rows_kept).toBe(8);
    expect(r.warnings).toEqual([{ code: 'exact_duplicate_rows', count: 3 }]);
    const [s] = await db.query('SELECT sum(amount)::VARCHAR AS s FROM lines_stage');
    expect(s?.s).toBe('490.0000'); // 100 + 100 + 50 + 3 × 20 + 90 + 90
  });

  it('drops the extra copies when asked', async () => {
    const r = await build(dupRows, 4, dupMap, { dedupe: true });
    expect([r.rows_kept, r.rows_skipped]).toEqual([5, 3]);
    expect(r.skipped.map((s) => [s.line, s.reason])).toEqual([
      [3, 'duplicate_row'],
      [6, 'duplicate_row'],
      [7, 'duplicate_row'],
    ]);
    const [s] = await db.query('SELECT sum(amount)::VARCHAR AS s, count(DISTINCT order_id)::INTEGER AS o FROM lines_stage');
    expect(s).toEqual({ s: '350.0000', o: 5 }); // 100 + 50 + 20 + 90 + 90
  });

  it('computes amount = quantity × unit price', async () => {
    const r = await build(
      [
        [2, F.data, '536365', '6', '2010-12-01 08:26:00', '2.55', '17850.0'],
        [3, F.data, 'C536379', '-1', '2010-12-01 09:41:00', '27.50', '14527.0'],
        [4, F.data, '536381', '', '2010-12-01 09:41:00', '1.00', '15311'],
        [5, F.data, '536382', 'x', '2010-12-01 09:41:00', '1.00', '15311'],
      ],
      5,
      { order: 0, quantity: 1, date: 2, unit_price: 3, customer: 4 },
    );
    expect(r.rejected.map((x) => [x.line, x.reason, x.value])).toEqual([
      [4, 'missing_amount', undefined],
      [5, 'unparseable_amount', 'x'],
    ]);
    const rows = await db.query(`SELECT customer_id, order_id, order_ts::VARCHAR AS ts, amount::VARCHAR AS a, quantity, unit_price
      FROM lines_stage ORDER BY line_no`);
    expect(rows).toEqual([
      { customer_id: '17850.0', order_id: '536365', ts: '2010-12-01 08:26:00', a: '15.3000', quantity: 6, unit_price: 2.55 },
      { customer_id: '14527.0', order_id: 'C536379', ts: '2010-12-01 09:41:00', a: '-27.5000', quantity: -1, unit_price: 27.5 },
    ]);
    expect(r.warnings).toEqual([{ code: 'refund_rows', count: 1 }]);
  });

  it('asks for the day/month order when every date reads both ways', async () => {
    const rows: RawRecord[] = [
      [2, F.data, 'A01', '01/02/2023', '20.00'],
      [3, F.data, 'A02', '03/04/2023', '20.00'],
    ];
    await expect(build(rows, 3)).rejects.toThrow(new IngestError('AMBIGUOUS_DATE_ORDER', { column: 1 }));
    const r = await build(rows, 3, CDA, { dayMonthOrder: 'mdy' });
    expect((await keptRows()).map((x) => x.d)).toEqual(['2023-01-02', '2023-03-04']);
    expect(r.warnings).toEqual([{ code: 'ambiguous_day_month_order', count: 1, detail: 'mdy' }]);
    expect(r.parse.dayMonthOrder).toBe('mdy');
  });

  it('decides day-first from one day over 12, and reports mixed forms', async () => {
    const r = await build(
      [
        [2, F.data, 'D1', '05/01/2023', '1'],
        [3, F.data, 'D2', '13/01/2023', '1'],
        [4, F.data, 'D3', '2023年1月5日', '1'],
        [5, F.data, 'D4', '44927', '1'],
        [6, F.data, 'D5', '1672891200000', '1'],
      ],
      3,
    );
    expect((await keptRows()).map((x) => x.d)).toEqual(['2023-01-05', '2023-01-13', '2023-01-05', '2023-01-01', '2023-01-05']);
    expect(r.parse.dayMonthOrder).toBe('dmy');
    expect(r.warnings).toEqual([
      { code: 'mixed_date_formats', count: 1, detail: 'cjk,dm,epoch,excel' },
      { code: 'excel_serial_dates', count: 1 },
      { code: 'epoch_dates', count: 1 },
    ]);
  });

  it('reads a decimal-comma column and reports it', async () => {
    const r = await build(
      [
        [2, F.data, 'K001', '05.01.2023', '1.234,50'],
        [3, F.data, 'K002', '06.01.2023', '12,00'],
        [4, F.data, 'K003', '13.01.2023', '1.000'],
      ],
      3,
    );
    expect((await keptRows()).map((x) => x.a)).toEqual(['1234.5000', '12.0000', '1000.0000']);
    expect(r.parse.decimal).toBe(',');
    expect(r.warnings).toEqual([{ code: 'decimal_comma', count: 1 }]);
  });

  it('takes thousands separators alone, with no dot anywhere, for a decimal point', async () => {
    const r = await build(
      [
        [2, F.data, 'G1', '2023-03-01', '1,234'],
        [3, F.data, 'G2', '2023-03-01', '-￥12,345'],
      ],
      3,
    );
    expect(r.parse.decimal).toBe('.');
    expect((await keptRows()).map((x) => x.a)).toEqual(['1234.0000', '-12345.0000']);
  });

  it('takes a decimal comma from a full-width comma', async () => {
    // The one cell with evidence is written with a full-width comma.
    const r = await build(
      [
        [2, F.data, 'G1', '2023-03-01', '1,234'],
        [3, F.data, 'G2', '2023-03-01', '１２，５０'],
      ],
      3,
    );
    expect(r.parse.decimal).toBe(',');
    expect((await keptRows()).map((x) => x.a)).toEqual(['1.2340', '12.5000']);
  });

  it('records currencies and warns when they differ', async () => {
    const r = await build(
      [
        [2, F.data, 'M01', '2023-03-01', '¥1,234.50'],
        [3, F.data, 'M02', '2023-03-01', '$5'],
        [4, F.data, 'M03', '2023-03-01', '(12.00)'],
      ],
      3,
    );
    expect((await keptRows()).map((x) => [x.a, x.currency])).toEqual([
      ['1234.5000', 'CNY'],
      ['5.0000', 'USD'],
      ['-12.0000', null],
    ]);
    expect(r.warnings).toEqual([
      { code: 'refund_rows', count: 1 },
      { code: 'multiple_currencies', count: 1, detail: 'CNY,USD' },
    ]);
  });

  it('derives profit from cost and parses optional fields', async () => {
    await build(
      [[2, F.data, 'C1', '2023-01-05', '100', '60', ' 华东 ', '4,5', '']],
      7,
      { customer: 0, date: 1, amount: 2, cost: 3, region: 4, score: 5, channel: 6 },
    );
    const rows = await db.query(`SELECT cost::VARCHAR AS c, profit::VARCHAR AS p, region, score, channel FROM lines_stage`);
    expect(rows).toEqual([{ c: '60.0000', p: '40.0000', region: '华东', score: 4.5, channel: null }]);
  });

  it('appends several files into one target, told apart by file_no', async () => {
    await makeRaw(db, 'raw_a', [[2, F.data, 'C1', '2023-01-05', '1']], 3);
    await makeRaw(db, 'raw_b', [[2, F.data, 'C2', '2023-01-06', '2'], [3, F.data, 'C3', 'x', '3']], 3);
    const spec = { columnCount: 3, mapping: CDA, target: 'lines_stage', stage: 'stage_t' };
    await buildLines(db, { ...spec, rawTable: 'raw_a', fileNo: 0 }, DEFAULT_PARSE);
    const b = await buildLines(db, { ...spec, rawTable: 'raw_b', fileNo: 1 }, DEFAULT_PARSE);
    expect(b.rejected).toEqual([{ file: 1, line: 3, reason: 'unparseable_date', value: 'x', text: 'C3,x,3' }]);
    expect(await db.query('SELECT file_no, line_no, customer_id FROM lines_stage ORDER BY file_no')).toEqual([
      { file_no: 0, line_no: 2, customer_id: 'C1' },
      { file_no: 1, line_no: 2, customer_id: 'C2' },
    ]);
  });

  it('drops the raw table once every row is counted, when asked, with the same result', async () => {
    const records: RawRecord[] = [[2, F.data, 'C1', '2023-01-05', '1'], [3, F.data, 'C1', '2023-01-05', '1'], [4, F.data, 'C3', 'x', '3']];
    const spec = { columnCount: 3, mapping: CDA, target: 'lines_stage', stage: 'stage_t', fileNo: 0 };
    await makeRaw(db, 'raw_keep', records, 3);
    const kept = await buildLines(db, { ...spec, rawTable: 'raw_keep' }, DEFAULT_PARSE);
    const keptLines = await keptRows();
    await db.exec(linesDdl('lines_stage'));
    await makeRaw(db, 'raw_drop', records, 3);
    const dropped = await buildLines(db, { ...spec, rawTable: 'raw_drop', dropRawWhenCounted: true }, DEFAULT_PARSE);
    expect(dropped).toEqual(kept);
    expect(await keptRows()).toEqual(keptLines);
    const tables = (await db.query("SELECT table_name AS t FROM duckdb_tables() WHERE table_name IN ('raw_keep', 'raw_drop') ORDER BY t")).map((r) => r.t);
    expect(tables).toEqual(['raw_keep']);
    expect(kept.warnings).toContainEqual({ code: 'exact_duplicate_rows', count: 1 });
  });

  it('handles a 300-column export (row-wide tests stay flat expressions)', async () => {
    const wide = (line: number, first: string[]): RawRecord => [line, F.data, ...first, ...Array.from({ length: 300 - first.length }, () => '')];
    const r = await build(
      [
        wide(2, ['C1', '2023-01-05', '1']),
        wide(3, []),
        wide(4, ['', '', '', '', 'Total', '9']),
        wide(5, ['Generated by ERP 9.1']),
      ],
      300,
    );
    expect(r.skipped.map((x) => [x.line, x.reason])).toEqual([
      [3, 'blank_row'],
      [4, 'summary_row'],
      [5, 'footer_row'],
    ]);
    expect(r.rows_kept).toBe(1);
  });
});

describe('isSummary', () => {
  it('agrees with the plain pattern while skipping cells that cannot start a match', async () => {
    const values = [
      'Total', ' total', 'TOTALS', 'Grand Total', 'average:', 'avg', 'Sum: 12', 'ſum', '\fsubtotal', '\u00a0Total',
      '合计', '合计：300', '　合计', '小計', '總計', '累计', '平均值', '总合计', 'x total', 'totally', '', 'C001', '17850', 'Sub total', 'Ägypten',
    ];
    const rows = await db.query(sql`SELECT v, ${isSummary(sql`v`)} AS fast, regexp_matches(v, ${literal(SUMMARY_RE)}) AS plain
      FROM (SELECT unnest(${raw(`[${values.map((v) => literal(v).text).join(', ')}]`)}) AS v)`);
    expect(rows.map((r) => r.fast)).toEqual(rows.map((r) => r.plain));
    expect(rows.filter((r) => r.fast).map((r) => r.v)).toEqual([
      'Total', ' total', 'TOTALS', 'Grand Total', 'average:', 'avg', 'Sum: 12', 'ſum', '\fsubtotal', '\u00a0Total',
      '合计', '合计：300', '　合计', '小計', '總計', '累计', '平均值', '总合计', 'Sub total',
    ]);
  });
});

describe('lineSlices', () => {
  it('covers the range with slices of at most the size, the last one cut short', () => {
    expect(lineSlices(2, 81, 7)).toHaveLength(12);
    expect(lineSlices(2, 81, 7).slice(0, 2)).toEqual([
      [2, 8],
      [9, 15],
    ]);
    expect(lineSlices(2, 81, 7).at(-1)).toEqual([79, 81]);
    expect(lineSlices(1, 5, 10)).toEqual([[1, 5]]);
    expect(lineSlices(3, 3, 1)).toEqual([[3, 3]]);
  });
});
