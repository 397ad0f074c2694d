import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { tableFromArrays, tableToIPC, vectorFromArray, makeData, Table, DateDay, Utf8, Float64, Int64, Timestamp, TimeUnit, type Data } from 'apache-arrow';
import { initSync, Table as WasmTable, writeParquet } from 'parquet-wasm/esm';
import { describe, expect, it } from 'vitest';
import { columnTexts, columnTextsByGet, readParquetRows } from '../../../src/lib/ingest/formats/parquet.ts';
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

describe('columnTexts: the typed paths give what Arrow’s get gives', () => {
  const texts = (data: Data) => ({ fast: columnTexts(data), reference: columnTextsByGet(data) });

  it('cuts one decoded batch of strings at the right places, in and beyond the BMP, with nulls', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'grapheme', maxLength: 6 }), { nil: null }), { minLength: 1, maxLength: 40 }), (values) => {
        const data = vectorFromArray(values, new Utf8()).data[0] as Data;
        const { fast, reference } = texts(data);
        expect(fast).toEqual(reference);
        expect(fast).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });

  it('falls back to Arrow’s decoding for bytes that are not UTF-8', () => {
    const data = makeData({ type: new Utf8(), length: 2, valueOffsets: new Int32Array([0, 3, 5]), data: new Uint8Array([0x61, 0xff, 0x62, 0xe4, 0xb8]) });
    expect(columnTexts(data)).toEqual(['a\ufffdb', '\ufffd']);
  });

  it('renders timestamps of every unit as the date and time in whole seconds, midnight as the date alone', () => {
    const seconds = [0, -1, 86_399, 1_702_421_084, 1_709_164_800, -2_208_988_800, 4_102_444_799];
    for (const [unit, scale] of [[TimeUnit.SECOND, 1n], [TimeUnit.MILLISECOND, 1000n], [TimeUnit.MICROSECOND, 1_000_000n], [TimeUnit.NANOSECOND, 1_000_000_000n]] as const) {
      const data = makeData({ type: new Timestamp(unit), length: seconds.length, data: BigInt64Array.from(seconds, (s) => BigInt(s) * scale) });
      expect(columnTexts(data), TimeUnit[unit]).toEqual([
        '1970-01-01', '1969-12-31 23:59:59', '1970-01-01 23:59:59', '2023-12-12 22:44:44', '2024-02-29', '1900-01-01', '2099-12-31 23:59:59',
      ]);
      expect(columnTexts(data)).toEqual(columnTextsByGet(data));
    }
    // Sub-seconds are dropped toward the earlier second, before 1970 too.
    const ms = makeData({ type: new Timestamp(TimeUnit.MILLISECOND), length: 2, data: new BigInt64Array([-1500n, 1999n]) });
    expect(columnTexts(ms)).toEqual(['1969-12-31 23:59:58', '1970-01-01 00:00:01']);
  });

  it('reads numbers and days from their typed arrays, nulls included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ noNaN: false }), { nil: null }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: null }), { minLength: 1, maxLength: 30 }),
        (doubles, bigints, days) => {
          for (const data of [
            vectorFromArray(doubles, new Float64()).data[0] as Data,
            vectorFromArray(bigints, new Int64()).data[0] as Data,
            vectorFromArray(days.map((d) => (d === null ? null : new Date(d * 86_400_000))), new DateDay()).data[0] as Data,
          ]) {
            expect(columnTexts(data)).toEqual(columnTextsByGet(data));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
