import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../../src/lib/ingest/load.ts';
import { normalize, normalizeRows, previewText, RAW_FLAG } from '../../../src/lib/ingest/normalize.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tableToIPC, vectorFromArray, Table, Utf8 } from 'apache-arrow';
import { initSync, Table as WasmTable, writeParquet } from 'parquet-wasm/esm';
import { simpleCellSpec, simpleFlag, type SimpleCellSpec } from '../../../src/lib/ingest/simple-cells.ts';
import { scoreHeader } from '../../../src/lib/ingest/mapping.ts';

const SPEC: SimpleCellSpec = { customer: 1, date: 2, numbers: [3], texts: [4], order: 0, score: 5, width: 6 };

/** The flag `simpleFlag` gives one record whose cells `separator` separates, under SPEC. */
function flagOf(record: string, separator = ',', spec: SimpleCellSpec = SPEC): number {
  const bytes = new TextEncoder().encode(record);
  const ends = new Int32Array(spec.width);
  let k = 0;
  bytes.forEach((b, i) => {
    if (b === separator.charCodeAt(0)) ends[k++] = i;
  });
  ends[spec.width - 1] = bytes.length;
  return simpleFlag(bytes, 0, ends, spec);
}

/** Whether one comma-separated record is simple, formatted or not. */
const simple = (record: string): boolean => flagOf(record) !== RAW_FLAG.data;

describe('simpleFlag', () => {
  it('accepts clean ids, ISO dates, plain numbers and untrimmed-free texts', () => {
    expect(simple('O1,C001,2023-01-05,12.50,数码,4')).toBe(true);
    expect(simple('O1,C001,2023-01-05 08:26,-3,数码,')).toBe(true);
    expect(simple('O1,C001,2023-01-05 08:26:59,0,,4.5')).toBe(true);
    expect(simple(',C001,2023-02-30,,x,')).toBe(false); // cell 0 blank: a summary row may start later
    expect(simple('O1,C001,2023-02-30,,x,')).toBe(true); // shape only: the cast decides the day
  });

  it('leaves every cell the full rules would change to them', () => {
    for (const [cell, record] of [
      ['customer with a space', 'O1, C001,2023-01-05,1,x,'],
      ['customer ending in NBSP', 'O1,C001\u00a0,2023-01-05,1,x,'],
      ['placeholder id', 'O1,N/A,2023-01-05,1,x,'],
      ['placeholder id, lower case', 'O1,null,2023-01-05,1,x,'],
      ['Chinese placeholder', 'O1,无,2023-01-05,1,x,'],
      ['summary word', 'O1,Total,2023-01-05,1,x,'],
      ['Chinese summary', 'O1,合计,2023-01-05,1,x,'],
      ['scientific id', 'O1,1.38E+10,2023-01-05,1,x,'],
      ['empty id', 'O1,,2023-01-05,1,x,'],
      ['summary in cell 0', '小计,C001,2023-01-05,1,x,'],
      ['slash date, one-digit month', 'O1,C001,2023/1/05,1,x,'],
      ['slash and dash', 'O1,C001,2023/01-05,1,x,'],
      ['short ISO date', 'O1,C001,2023-1-5,1,x,'],
      ['date with zone', 'O1,C001,2023-01-05T08:26:00Z,1,x,'],
      ['currency code', 'O1,C001,2023-01-05,RMB12,x,'],
      ['currency after the number', 'O1,C001,2023-01-05,12元,x,'],
      ['minus after the currency sign', 'O1,C001,2023-01-05,¥-12,x,'],
      ['two currency signs', 'O1,C001,2023-01-05,$¥12,x,'],
      ['a sign alone', 'O1,C001,2023-01-05,￥,x,'],
      ['grouped score', 'O1,C001,2023-01-05,1,x,$4'],
      ['plus sign', 'O1,C001,2023-01-05,+12,x,'],
      ['trailing point', 'O1,C001,2023-01-05,12.,x,'],
      ['leading point', 'O1,C001,2023-01-05,.5,x,'],
      ['text with ideographic space', 'O1,C001,2023-01-05,1,\u3000x,'],
      ['text ending in a zero-width space', 'O1,C001,2023-01-05,1,x\u200b,'],
      ['placeholder order id', '-,C001,2023-01-05,1,x,'],
      ['placeholder id with a dotless i (upper() reads NIL)', 'O1,nıl,2023-01-05,1,x,'],
      ['placeholder order id with a dotless i', 'undefıned,C001,2023-01-05,1,x,'],
      ['negative score', 'O1,C001,2023-01-05,1,x,-1'],
    ] as const) {
      expect(simple(record), cell).toBe(false);
    }
  });

  it('flags formatted numbers (one currency sign, whole groups of three) and slash dates formatted simple', () => {
    const flag = (record: string) => flagOf(record, ';');
    // ';' separates the cells here, so that the numbers may hold commas.
    expect(flag('O1;C001;2023-01-05;12.50;x;4')).toBe(RAW_FLAG.simpleData);
    for (const record of [
      'O1;C001;2023/01/05;12.50;x;4',
      'O1;C001;2023/01/05 08:26;12.50;x;4',
      'O1;C001;2023/01/05 08:26:59;12.50;x;4',
      'O1;C001;2023-01-05;￥39.00;x;4',
      'O1;C001;2023-01-05;-￥1,234.50;x;',
      'O1;C001;2023-01-05;¥1,234,567;x;',
      'O1;C001;2023-01-05;$0.5;x;',
      'O1;C001;2023-01-05;-€12;x;',
      'O1;C001;2023-01-05;£1,000.25;x;',
      'O1;C001;2023-01-05;0,123;x;',
    ]) {
      expect(flag(record), record).toBe(RAW_FLAG.simpleFormatted);
    }
    for (const record of [
      'O1;C001;2023/1/5;12.50;x;4',
      'O1;C001;2023/01/05 8:26;12.50;x;4',
      'O1;C001;2023/01/05T08:26;12.50;x;4',
      'O1;C001;2023-01-05;1,23;x;',
      'O1;C001;2023-01-05;1234,567;x;',
      'O1;C001;2023-01-05;1,2345;x;',
      'O1;C001;2023-01-05;1,234.;x;',
      'O1;C001;2023-01-05;1,234.5.6;x;',
      'O1;C001;2023-01-05;$-5;x;',
      'O1;C001;2023-01-05;-$;x;',
      'O1;C001;2023-01-05;+$5;x;',
      'O1;C001;2023-01-05;$ 5;x;',
      'O1;C001;2023-01-05;,123;x;',
      'O1;C001;2023-01-05;¢5;x;',
      'O1;C001;2023-01-05;￥39.00 ;x;',
      'O1; C001;2023/01/05;12.50;x;4',
    ]) {
      expect(flag(record), record).toBe(RAW_FLAG.data);
    }
  });

  it('has no spec without a customer or a date column', () => {
    expect(simpleCellSpec({ customer: 0, amount: 2 }, 3)).toBeNull();
    expect(simpleCellSpec({ customer: 0, date: 1, amount: 2, cost: 3 }, 4)).toEqual({
      customer: 0, date: 1, numbers: [2, 3], texts: [], order: null, score: null, width: 4,
    });
  });

  it('flags the simple records of a file, and only those (quoted ones too, unless a cell holds a quote)', () => {
    const utf8 = new TextEncoder().encode(
      '订单号,客户ID,下单时间,金额,品类,满意度\nO1,C001,2023-01-05,12.50,数码,4\nO2, C002,2023-01-06,3,数码,\n"O3",C003,2023-01-07,1,"x, y",\n"O""4",C004,2023-01-07,1,x,\n',
    );
    const preview = previewText(utf8, { scoreHeader });
    const text = [...normalize(utf8, preview, { simpleCells: SPEC })].map((c) => new TextDecoder().decode(c.bytes)).join('');
    const flags = text.trim().split('\n').map((l) => Number(l.split('\u001f')[1]));
    expect(flags).toEqual([RAW_FLAG.simpleData, RAW_FLAG.data, RAW_FLAG.simpleData, RAW_FLAG.data]);
  });

  it('flags the simple rows of a workbook or Parquet file the same way, never a quoted or short one', () => {
    const rows = [
      ['O1', 'C001', '2023-01-05', '12.50', '数码', '4'],
      ['O2', ' C002', '2023-01-06', '3', '数码', ''],
      ['O"3', 'C003', '2023-01-07', '1', 'x', ''],
      ['O4', 'C004', '2023-01-07', '1', 'x'],
      ['O5', 'C005', '2023-01-08 09:30', '-1', '', ''],
    ].map((cells, i) => ({ line: i + 2, cells }));
    const text = [...normalizeRows(rows, 6, 1, { simpleCells: SPEC })].map((c) => new TextDecoder().decode(c.bytes)).join('');
    const flags = text.trim().split('\n').map((l) => Number(l.split('\u001f')[1]));
    expect(flags).toEqual([RAW_FLAG.simpleData, RAW_FLAG.data, RAW_FLAG.data, RAW_FLAG.tooFewFields, RAW_FLAG.simpleData]);
  });
});

describe('direct casts give what the full rules give', () => {
  let db: NodeDb;
  beforeAll(async () => {
    db = await NodeDb.open();
  });
  afterAll(async () => {
    await db.close();
  });

  const require = createRequire(import.meta.url);
  const parquetInit = (): void => {
    initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  };

  async function loadBoth(body: string | { name: string; bytes: Uint8Array }) {
    const file = typeof body === 'string' ? { name: 'x.csv', bytes: new TextEncoder().encode(body) } : body;
    const read = async () =>
      db.query(`SELECT line_no, customer_id, order_id, strftime(order_ts, '%Y-%m-%d %H:%M:%S') AS ts, amount::VARCHAR AS amount,
          quantity, unit_price, product, category, cost::VARCHAR AS cost, profit::VARCHAR AS profit, score, currency FROM lines ORDER BY line_no`);
    const full = await loadDataset(db, [file], { simpleCells: false, parquetInit });
    const fullLines = await read();
    const fast = await loadDataset(db, [file], { parquetInit });
    const fastLines = await read();
    const shape = (r: typeof full) => ({ ...r, millis: 0 });
    return { full: shape(full), fast: shape(fast), fullLines, fastLines };
  }

  // Cells chosen at the edges of each rule: clean ones next to near misses.
  // 'nıl' (dotless i): upper() makes it NIL, a placeholder.
  const ids = ['C001', 'c001', '00123', ' C002', 'C003\u00a0', 'NA', 'Nancy', 'total', 'sum:', '1.38E+10', '', '无', '张三', 'nıl'];
  const dates = ['2023-01-05', '2023-01-05 08:26', '2023-01-05 08:26:59', '2023-02-30', '2024-02-29', '2023-1-5', '2023/01/05', '2023/12/12 22:44',
    '2023/02/30 08:00', '2023/1/5', '2023/01/05 8:26', '20230105', '2023-01-05T08:26:00+08:00', ''];
  const amounts = ['12.50', '-3', '0', '007', '1.2345678', '123456789012345678', '¥12', '1,234.50', '(5.00)', '12.', '.5', '+4', '−3', '１２', '',
    '-￥1,234.50', '￥39.00', '$0.5', '€1,000', '£12,345,678.9', '0,123', '1,23', '1,2345', '¥-12', '-$', '￥99,999,999,999,999,999', '1,234,567,890,123,456.78'];
  const texts = ['数码', 'x', ' x', 'x\u3000', '', 'a b'];
  const orders = ['O1', '-', 'N/A', '', ' O2', 'Order 7', 'undefıned'];
  const scores = ['4', '4.5', '4,5', '', '-1', '10'];
  const pick = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);
  const row = fc.tuple(pick(orders), pick(ids), pick(dates), pick(amounts), pick(amounts), pick(texts), pick(scores));

  // Each property loads dozens of files twice: more than the default 30 s when the machine is busy.
  /** The rows as a CSV file (a cell with a comma quoted), loaded both ways: the same lines and report, or refused both ways. */
  async function expectSameAsFullRules(rows: readonly (readonly string[])[]): Promise<void> {
    const body = ['订单号,客户ID,下单时间,实付金额,成本,品类,满意度', ...rows.map((r) => r.map((c) => (c.includes(',') ? `"${c}"` : c)).join(','))].join('\n');
    let both;
    try {
      both = await loadBoth(body);
    } catch (e) {
      // A file the load refuses (e.g. no data row survives) must be refused either way.
      await expect(loadDataset(db, [{ name: 'x.csv', bytes: new TextEncoder().encode(body) }], { simpleCells: false })).rejects.toThrow(
        (e as Error).message,
      );
      return;
    }
    expect(both.fastLines).toEqual(both.fullLines);
    expect(both.fast).toEqual(both.full);
  }

  it('keeps, rejects and skips the same rows with the same values', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 25 }), expectSameAsFullRules),
      { numRuns: 40 },
    );
  });
  it('does the same for a formatted export: currency-formatted money and slash dates, with near misses', { timeout: 120_000 }, async () => {
    // Most rows here are formatted simple, so the few kinds of value each shortcut takes meet
    // the full rules often (the broad test above rarely makes a whole row simple).
    const fIds = ['C001', 'C002', '张三', ' C004'];
    const fDates = ['2023-01-05', '2023/01/05', '2023/12/12 22:44', '2023/02/29 08:00', '2024/02/29 23:59:59', '2023/1/5', '2023-01-05 08:26'];
    const fAmounts = ['12.50', '-3', '-￥1,234.50', '￥39.00', '$0.5', '€1,000', '£12,345,678.9', '0,123', '¥1,234,567.891', '1,23', '1234,567', '1,2345', '¥-12', '',
      '￥99,999,999,999,999,999', '-$0.00'];
    const fRow = fc.tuple(pick(['O1', 'O2']), pick(fIds), pick(fDates), pick(fAmounts), pick(fAmounts), pick(['x', '数码']), pick(['4', '']));
    await fc.assert(
      fc.asyncProperty(fc.array(fRow, { minLength: 1, maxLength: 25 }), expectSameAsFullRules),
      { numRuns: 40 },
    );
  });

  it('does the same for the rows of a Parquet file', { timeout: 120_000 }, async () => {
    parquetInit();
    const labels = ['订单号', '客户ID', '下单时间', '实付金额', '成本', '品类', '满意度'];
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 25 }), async (rows) => {
        const columns = Object.fromEntries(labels.map((label, k) => [label, vectorFromArray(rows.map((r) => r[k] ?? ''), new Utf8())]));
        const bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(new Table(columns), 'stream')));
        const file = { name: 'x.parquet', bytes };
        let both;
        try {
          both = await loadBoth(file);
        } catch (e) {
          await expect(loadDataset(db, [file], { simpleCells: false, parquetInit })).rejects.toThrow((e as Error).message);
          return;
        }
        expect(both.fastLines).toEqual(both.fullLines);
        expect(both.fast).toEqual(both.full);
      }),
      { numRuns: 25 },
    );
  });
});
