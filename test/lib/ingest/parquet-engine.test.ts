/**
 * Parquet in the engine (formats/parquet-sql.ts) against Parquet as JavaScript text
 * (columnTexts + normalizeRows, the reference): random small files with typed and text
 * columns, nulls, near-miss values and Chinese text must give the same `lines` table and
 * the same load report, whether the engine reads the file itself (native read_parquet) or
 * takes it as Arrow record batches, one row group at a time (the page's way).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import {
  Bool,
  DateDay,
  Float32,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { initSync, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/esm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArrowInsertOptions, DbClient, Row } from '../../../src/lib/db/client.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { ident, literal, sql, type SqlQuery } from '../../../src/lib/db/sql.ts';
import { loadDataset, type LoadOptions } from '../../../src/lib/ingest/load.ts';
import { IngestError, type ColumnMapping, type LoadReport, type LoadStep } from '../../../src/lib/ingest/types.ts';
import { BlockingWasmDb } from '../db/wasm-blocking.ts';
import { linesDump } from './table-dumps.ts';
import { PassThroughDb } from './pass-through-db.ts';

const require = createRequire(import.meta.url);
let ready = false;
const parquetInit = (): void => {
  if (ready) return;
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  ready = true;
};

function parquetOf(table: Table, rowGroupSize = 1024): Uint8Array {
  parquetInit();
  const props = new WriterPropertiesBuilder().setMaxRowGroupSize(rowGroupSize).build();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), props);
}

/**
 * The native engine without its Parquet reader: the load hands it the file as Arrow, one
 * row group at a time, as in the page. Each batch reaches the engine through a Parquet copy
 * of itself (native DuckDB has no Arrow reader), so the rows, their order and the appends
 * are the page's; the types are the ones the engine gives Parquet columns.
 */
class ArrowOnlyDb extends PassThroughDb {
  batches = 0;
  /** Raw tables read from text chunks: the JavaScript path, which the engine's path must not need. */
  textReads = 0;
  override exec(q: SqlQuery | string): Promise<void> {
    if ((typeof q === 'string' ? q : q.text).includes('read_csv(')) this.textReads++;
    return this.db.exec(q);
  }
  override async insertArrowIPC(table: string, ipc: Uint8Array, options: ArrowInsertOptions = {}): Promise<void> {
    this.batches++;
    const path = await this.db.registerBuffer(writeParquet(WasmTable.fromIPCStream(ipc)));
    // As duckdb-wasm does: a plain table, in the database named, else the default one.
    const name = options.database ? sql`${ident(options.database)}.${ident(table)}` : ident(table);
    const into = options.append ? sql`INSERT INTO ${name}` : sql`CREATE TABLE ${name} AS`;
    await this.db.exec(sql`${into} SELECT * FROM read_parquet(${literal(path)})`);
    await this.db.dropBuffer(path);
  }
}

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});


type Outcome = { report: Omit<LoadReport, 'millis'>; lines: Row[] } | { error: string };

async function load(on: DbClient, bytes: Uint8Array, options: LoadOptions): Promise<Outcome> {
  try {
    const { millis: _, ...report } = await loadDataset(on, [{ name: 'sales.parquet', bytes }], { parquetInit, ...options });
    return { report, lines: await linesDump(on) };
  } catch (e) {
    if (e instanceof IngestError) return { error: `${e.code} ${JSON.stringify(e.detail)}` };
    throw e;
  }
}

/** The native engine with its Parquet reader, counting text reads as ArrowOnlyDb does. */
class NativeDb extends ArrowOnlyDb {
  constructor(private readonly native: NodeDb) {
    super(native);
  }
  createTableFromParquet(table: string, bytes: Uint8Array, database: string): Promise<void> {
    return this.native.createTableFromParquet(table, bytes, database);
  }
}

/** Loads `bytes` the reference way, natively in the engine and as Arrow, and expects one outcome. */
async function expectSameLoads(bytes: Uint8Array, options: LoadOptions): Promise<Outcome> {
  const reference = await load(db, bytes, { ...options, parquetInEngine: false });
  const nativeDb = new NativeDb(db);
  const native = await load(nativeDb, bytes, options);
  const arrowDb = new ArrowOnlyDb(db);
  const arrow = await load(arrowDb, bytes, options);
  expect(native).toEqual(reference);
  expect(arrow).toEqual(reference);
  expect([nativeDb.textReads, arrowDb.textReads, arrowDb.batches > 0]).toEqual([0, 0, true]);
  return reference;
}

// ── values: plain, near misses, placeholders, summary words, spaces, Chinese ────────────

const ids = fc.oneof(
  fc.constantFrom('C001', 'C002', 'C003', ' C004', 'C005 ', '00123', 'null', 'N/A', '-', '合计', '小计：3', 'Total', 'nıl', '客户甲', '会员\u3000乙',
    '1.38E+10', 'a"b', 'x\u0000y', 'line\nbreak', '\u00a0C006', 'C\u00a0007', '  ', '\u3000', 'ſum', 'undefined', '无', 'Grand total', ''),
  fc.string({ maxLength: 6 }),
);
const texts = fc.oneof(fc.constantFrom('数据线', '坚果礼盒', ' 耳机', 'Tee ', '平均', '', '\t', '"quoted"', 'a\u001fb', '𠀋字'), fc.string({ maxLength: 5 }));
const doubles = fc.oneof(
  fc.constantFrom(12.5, -3, 0, -0, 356, 31.97, 0.1 + 0.2, 1e-7, 1e-6, 5e-5, 1.00005, 1e14, 99999999999999.99, 1e16, 1.2345678901234568e20, 1e21, 2.5e-300, NaN, Infinity, -Infinity),
  fc.double(),
  fc.integer({ min: -100000, max: 100000 }).map((n) => n / 100),
);
const DAY = 86_400_000;
const millis = fc.oneof(
  fc.constantFrom(Date.UTC(2023, 0, 5), Date.UTC(2023, 11, 12, 22, 44, 44), Date.UTC(2024, 1, 29, 0, 0, 0, 500), Date.UTC(999, 2, 4), Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1)),
  fc.integer({ min: -2_208_988_800_000, max: 4_102_444_799_000 }),
);
const dateTexts = fc.constantFrom('2023-01-05', '2023-01-05 08:26', '2023/1/5', '5/1/2023', '13/1/2023', '2023年1月5日', '20230105', '45000', '1700000000000', 'junk', '2023-02-30', ' 2023-01-05 ', '2023-01-05T08:26:00+08:00', '', '２０２３-01-05');
const amountTexts = fc.constantFrom('12.50', '￥1,234.50', '(5.00)', 'RMB 99', '$5', '1,23', '1e3', '', ' 7 ', '-0.5', 'EUR 3,5', '12.3.4');

const nullable = <T,>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 6 });

type Column = { name: string; make: (values: unknown[]) => Vector; arb: fc.Arbitrary<unknown> };
const vec = (type: DataType) => (values: unknown[]) => vectorFromArray(values, type);

const DATE_COLUMNS: Column[] = [
  { name: 'order_date', make: (v) => vectorFromArray(v as (number | null)[], new TimestampMicrosecond()), arb: nullable(millis) },
  { name: 'order_date', make: (v) => vectorFromArray(v as (number | null)[], new TimestampMillisecond()), arb: nullable(millis) },
  { name: 'order_date', make: (v) => vectorFromArray((v as (number | null)[]).map((m) => (m === null ? null : new Date(Math.floor(m / DAY) * DAY))), new DateDay()), arb: nullable(millis) },
  { name: 'order_date', make: vec(new Utf8()), arb: nullable(dateTexts) },
];
const AMOUNT_COLUMNS: Column[] = [
  { name: 'amount', make: vec(new Float64()), arb: nullable(doubles) },
  { name: 'amount', make: vec(new Float32()), arb: nullable(doubles) },
  { name: 'amount', make: vec(new Int32()), arb: nullable(fc.integer({ min: -1000, max: 100000 })) },
  { name: 'amount', make: vec(new Utf8()), arb: nullable(amountTexts) },
];

interface Shape {
  readonly date: number;
  readonly amount: number;
  readonly rows: number;
  readonly rowGroup: number;
  readonly dedupe: boolean;
  readonly simpleCells: boolean;
}

function columnsOf(shape: Shape): Column[] {
  return [
    { name: 'customer_id', make: vec(new Utf8()), arb: nullable(ids) },
    { name: 'order_id', make: vec(new Int64()), arb: nullable(fc.bigInt({ min: -5n, max: 9_999_999_999n })) },
    DATE_COLUMNS[shape.date] as Column,
    AMOUNT_COLUMNS[shape.amount] as Column,
    { name: 'qty', make: vec(new Int32()), arb: nullable(fc.integer({ min: -3, max: 20 })) },
    { name: 'product', make: vec(new Utf8()), arb: nullable(texts) },
    { name: 'score', make: vec(new Float64()), arb: nullable(fc.constantFrom(4, 5, 3.5, -1, 10, 0.5, NaN)) },
    // Never null: Arrow JS writes an all-null boolean column without the bitmap parquet-wasm needs.
    { name: 'member', make: vec(new Bool()), arb: fc.boolean() },
  ];
}

const fileArb = fc
  .record({
    date: fc.nat({ max: DATE_COLUMNS.length - 1 }),
    amount: fc.nat({ max: AMOUNT_COLUMNS.length - 1 }),
    rows: fc.integer({ min: 1, max: 14 }),
    rowGroup: fc.integer({ min: 1, max: 6 }),
    dedupe: fc.boolean(),
    simpleCells: fc.boolean(),
  })
  .chain((shape) => {
    const row = fc.tuple(...columnsOf(shape).map((c) => c.arb));
    // A few rows repeat an earlier one, so exact duplicates occur.
    const rows = fc.array(row, { minLength: shape.rows, maxLength: shape.rows }).chain((rs) =>
      fc.array(fc.nat({ max: rs.length - 1 }), { maxLength: 3 }).map((dups) => [...rs, ...dups.map((i) => rs[i] as unknown[])]),
    );
    return fc.record({ shape: fc.constant(shape), rows });
  });

const MAPPING: ColumnMapping = { customer: 0, order: 1, date: 2, amount: 3, quantity: 4, product: 5, score: 6 };

describe('Parquet in the engine', () => {
  it('loads random files exactly as their JavaScript text does: same lines, same report', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ shape, rows }) => {
        const columns = columnsOf(shape);
        const table = new Table(Object.fromEntries(columns.map((c, k) => [`${c.name}${k}`, c.make(rows.map((r) => r[k]))])));
        const bytes = parquetOf(table, shape.rowGroup);
        await expectSameLoads(bytes, {
          simpleCells: shape.simpleCells,
          overrides: [{ mapping: MAPPING, parse: { dayMonthOrder: 'dmy', ...(shape.dedupe ? { dedupe: true } : {}) } }],
        });
      }),
      { numRuns: 30 },
    );
  }, 240_000);

  it('reads a typed file row group by row group, with every value exact: a hand-worked fixture', async () => {
    // Five lines, two per row group. Line 1: C1 on 2023-12-12 22:44:44.9 (sub-seconds drop)
    // pays 31.97 for 2 × 15.985. Line 2: 合计 (a total line, skipped). Line 3: blank (every
    // cell null, skipped). Line 4: C2 on 2024-02-29 at midnight pays 1e21 (printed with an
    // exponent: unparseable, rejected with the value 1e+21). Line 5: 客户丙 pays 0.1 + 0.2
    // = 0.30000000000000004, kept as 0.3000.
    const table = new Table({
      客户ID: vectorFromArray(['C1', '合计', null, 'C2', '客户丙'], new Utf8()),
      下单时间: vectorFromArray([Date.UTC(2023, 11, 12, 22, 44, 44, 900), null, null, Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1, 8)], new TimestampMicrosecond()),
      实付金额: vectorFromArray([31.97, 31.97, null, 1e21, 0.1 + 0.2], new Float64()),
      数量: vectorFromArray([2, null, null, 1, 3], new Int32()),
    });
    const bytes = parquetOf(table, 2);
    const arrowDb = new ArrowOnlyDb(db);
    const outcome = await load(arrowDb, bytes, {});
    expect(arrowDb.batches).toBe(3);
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.report).toMatchObject({ rows_read: 5, rows_kept: 2, rows_rejected: 1, rows_skipped: 2 });
    expect(outcome.report.rejected).toEqual([{ file: 0, line: 4, reason: 'unparseable_amount', value: '1e+21', text: 'C2,2024-02-29,1e+21,1' }]);
    expect(outcome.report.skipped).toEqual([
      { file: 0, line: 2, reason: 'summary_row' },
      { file: 0, line: 3, reason: 'blank_row' },
    ]);
    expect(outcome.lines.map((l) => [l.line_no, l.customer_id, l.ts, l.amount, l.quantity])).toEqual([
      [1, 'C1', '2023-12-12 22:44:44', '31.9700', 2],
      [5, '客户丙', '2024-03-01 08:00:00', '0.3000', 3],
    ]);
    await expectSameLoads(bytes, {});
  });

  it('reads DECIMAL, DATE, time-zoned timestamps and booleans as the text path does', async () => {
    // Written by the engine, which has these types at hand: money as DECIMAL(18,4), the date
    // as TIMESTAMPTZ at UTC+8 (an instant; its text is the UTC wall clock), a BOOLEAN column.
    const dir = await db.registerBuffer(new Uint8Array(0));
    const path = `${dir}.parquet`;
    await db.exec(sql`COPY (SELECT * FROM (VALUES
        ('C1', TIMESTAMPTZ '2024-01-01 07:30:00+08', 1234.5678::DECIMAL(18,4), DATE '2024-01-02', true),
        ('C2', TIMESTAMPTZ '2024-01-01 08:00:00+08', -0.0500::DECIMAL(18,4), DATE '0999-03-04', false),
        ('C3', NULL, 12::DECIMAL(18,4), NULL, NULL)) v(customer_id, paid_at, amount, shipped, member))
      TO ${literal(path)} (FORMAT parquet)`);
    const bytes = new Uint8Array(readFileSync(path));
    await db.dropBuffer(dir);
    const outcome = await expectSameLoads(bytes, { overrides: [{ mapping: { customer: 0, date: 1, amount: 2, product: 4 } }] });
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.lines.map((l) => [l.customer_id, l.ts, l.amount, l.product])).toEqual([
      ['C1', '2023-12-31 23:30:00', '1234.5678', 'TRUE'],
      ['C2', '2024-01-01 00:00:00', '-0.0500', 'FALSE'],
    ]);
    // The NULL member is an empty cell in the rejected line's text, as in the text path.
    expect(outcome.report.rejected).toEqual([{ file: 0, line: 3, reason: 'missing_date', text: 'C3,,12.0000,,' }]);
  });

  it("takes the page's way on the page's engine (duckdb-wasm in Node): Arrow batches, no text read, nothing left on the device", async () => {
    // The same hand-worked file on the engine the page runs, here with its data kept in a
    // database file (as the page does on the device): the typed copy goes into an in-memory
    // database of its own, and nothing of it is left in the file or attached afterwards.
    const bytes = parquetOf(
      new Table({
        客户ID: vectorFromArray(['C1', '合计', null, 'C2', '客户丙'], new Utf8()),
        下单时间: vectorFromArray([Date.UTC(2023, 11, 12, 22, 44, 44, 900), null, null, Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1, 8)], new TimestampMicrosecond()),
        实付金额: vectorFromArray([31.97, 31.97, null, 1e21, 0.1 + 0.2], new Float64()),
        数量: vectorFromArray([2, null, null, 1, 3], new Int32()),
      }),
      2,
    );
    const steps: LoadStep[][] = [[], []];
    const reference = await load(db, bytes, { parquetInEngine: false, onStep: (s) => steps[0]?.push(s) });
    const dir = mkdtempSync(join(tmpdir(), 'parquet-wasm-'));
    const wasm = new CountingDb(await BlockingWasmDb.open(join(dir, 'device.duckdb')));
    try {
      expect(await load(wasm, bytes, { onStep: (s) => steps[1]?.push(s) })).toEqual(reference);
      expect([wasm.batches, wasm.textReads]).toEqual([3, 0]);
      // The load says so too: one file, its raw table by the engine (by chunks of text for the reference).
      expect(steps.map((list) => list.map((s) => (s.step === 'raw' ? `raw ${s.via}` : s.step)))).toEqual([
        ['prepare', 'raw chunks', 'lines', 'finish'],
        ['prepare', 'raw engine', 'lines', 'finish'],
      ]);
      const left = await wasm.query(`SELECT database_name || '.' || table_name AS t FROM duckdb_tables() WHERE NOT internal ORDER BY 1`);
      expect(left.map((r) => r.t).filter((t) => String(t).includes('typed'))).toEqual([]);
      expect((await wasm.query('SELECT database_name AS d FROM duckdb_databases() WHERE NOT internal ORDER BY 1')).map((r) => r.d)).not.toContain('parquet_typed');
    } finally {
      await wasm.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A client that counts what ArrowOnlyDb counts, around any other client (here the wasm engine). */
class CountingDb extends PassThroughDb<DbClient> {
  batches = 0;
  textReads = 0;
  override exec(q: SqlQuery | string): Promise<void> {
    if ((typeof q === 'string' ? q : q.text).includes('read_csv(')) this.textReads++;
    return this.db.exec(q);
  }
  override insertArrowIPC(table: string, ipc: Uint8Array, options?: ArrowInsertOptions): Promise<void> {
    this.batches++;
    return this.db.insertArrowIPC(table, ipc, options);
  }
  override close(): Promise<void> {
    return this.db.close();
  }
}
