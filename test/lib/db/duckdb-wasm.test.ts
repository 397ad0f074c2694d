import { describe, expect, it } from 'vitest';
import { DateDay, Field, Int64, Schema, TimestampMillisecond, Utf8, Float64, Bool, makeData, Table, RecordBatch, Struct, vectorFromArray } from 'apache-arrow';
import { arrowToRows, epochToIso } from '../../../src/lib/db/duckdb-wasm.ts';

describe('epochToIso', () => {
  it('renders DATE and TIMESTAMP epoch milliseconds as ISO text at UTC', () => {
    expect(epochToIso(Date.UTC(2024, 1, 29), false)).toBe('2024-02-29');
    expect(epochToIso(Date.UTC(2023, 11, 31, 23, 59, 58), true)).toBe('2023-12-31 23:59:58');
    expect(epochToIso(Date.UTC(1969, 11, 31), false)).toBe('1969-12-31');
  });
});

describe('arrowToRows', () => {
  it('turns an Arrow table into plain rows: numbers, strings, booleans, null, ISO dates', () => {
    const fields = [
      new Field('customer_id', new Utf8(), true),
      new Field('n', new Int64(), true),
      new Field('share', new Float64(), true),
      new Field('loyal', new Bool(), true),
      new Field('d', new DateDay(), true),
      new Field('ts', new TimestampMillisecond(), true),
    ];
    const columns = [
      vectorFromArray(['C1', null], new Utf8()),
      vectorFromArray([2n ** 40n, null], new Int64()),
      vectorFromArray([0.25, Number.NaN], new Float64()),
      vectorFromArray([true, null], new Bool()),
      vectorFromArray([new Date(Date.UTC(2024, 0, 5)), null], new DateDay()),
      vectorFromArray([Date.UTC(2024, 0, 5, 8, 30, 0), null], new TimestampMillisecond()),
    ];
    const struct = makeData({
      type: new Struct(fields),
      length: 2,
      nullCount: 0,
      children: columns.map((c) => c.data[0]!),
    });
    const table = new Table(new RecordBatch(new Schema(fields), struct));
    expect(arrowToRows(table)).toEqual([
      { customer_id: 'C1', n: 2 ** 40, share: 0.25, loyal: true, d: '2024-01-05', ts: '2024-01-05 08:30:00' },
      { customer_id: null, n: null, share: null, loyal: null, d: null, ts: null },
    ]);
  });

  it('reads tables of several batches, sliced ones and nulls in later batches the same as cell by cell', () => {
    const fields = [new Field('id', new Utf8(), true), new Field('x', new Float64(), true), new Field('k', new Int64(), true), new Field('b', new Bool(), true)];
    const batch = (ids: (string | null)[], xs: (number | null)[], ks: (bigint | null)[], bs: (boolean | null)[]) => {
      const columns = [vectorFromArray(ids, new Utf8()), vectorFromArray(xs, new Float64()), vectorFromArray(ks, new Int64()), vectorFromArray(bs, new Bool())];
      return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: ids.length, nullCount: 0, children: columns.map((c) => c.data[0]!) }));
    };
    const table = new Table([
      batch(['a', 'b', 'c'], [1.5, 2, 3], [1n, 2n, 3n], [true, false, true]),
      batch(['d', null, 'f', 'g'], [null, Number.POSITIVE_INFINITY, 6.25, -0.5], [null, 5n, 2n ** 53n, -7n], [null, true, false, false]),
    ]);
    const expected = [
      { id: 'a', x: 1.5, k: 1, b: true },
      { id: 'b', x: 2, k: 2, b: false },
      { id: 'c', x: 3, k: 3, b: true },
      { id: 'd', x: null, k: null, b: null },
      { id: null, x: null, k: 5, b: true },
      { id: 'f', x: 6.25, k: 2 ** 53, b: false },
      { id: 'g', x: -0.5, k: -7, b: false },
    ];
    expect(arrowToRows(table)).toEqual(expected);
    // A slice starts inside the first batch and ends inside the second: offsets and validity bits.
    expect(arrowToRows(table.slice(2, 6))).toEqual(expected.slice(2, 6));
  });
});
