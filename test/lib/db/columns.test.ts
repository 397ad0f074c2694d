/**
 * `queryColumns` gives the same columns whichever way the client returns results: Arrow on
 * native DuckDB (one batch), Arrow on the page's engine (many batches), rows elsewhere.
 */
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryColumns } from '../../../src/lib/db/columns.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { PassThroughDb } from '../ingest/pass-through-db.ts';
import { BlockingWasmDb } from './wasm-blocking.ts';

const N = 5000;
/** Row i: an INTEGER, a DOUBLE that is NULL every 7th row, a text that is NULL every 11th. */
const QUERY = `SELECT i::INTEGER AS n, CASE WHEN i % 7 = 3 THEN NULL ELSE i / 8.0 - 100 END::DOUBLE AS d,
  CASE WHEN i % 11 = 5 THEN NULL ELSE '客户-' || i END AS t
FROM range(${N}) r(i) ORDER BY i`;

const expectedNumbers = Float64Array.from({ length: N }, (_, i) => i);
const expectedDoubles = Float64Array.from({ length: N }, (_, i) => (i % 7 === 3 ? Number.NaN : i / 8 - 100));
const expectedTexts = Array.from({ length: N }, (_, i) => (i % 11 === 5 ? null : `客户-${i}`));

let native: NodeDb;
let wasm: BlockingWasmDb;
beforeAll(async () => {
  native = await NodeDb.open();
  wasm = await BlockingWasmDb.open();
});
afterAll(async () => {
  await native.close();
  await wasm.close();
});

describe('queryColumns', () => {
  it("reads the page's engine's result of several batches", async () => {
    expect(tableFromIPC(await wasm.queryArrowIPC(QUERY)).batches.length).toBeGreaterThan(1);
  });

  for (const [name, client] of [
    ['native DuckDB (Arrow)', () => native],
    ["the page's engine (Arrow)", () => wasm],
    ['a client without Arrow results (rows)', () => new PassThroughDb(native)],
  ] as const) {
    it(`reads numbers, NULL as NaN, and text, NULL as null: ${name}`, async () => {
      const c = await queryColumns(client(), QUERY);
      expect(c.length).toBe(N);
      expect(c.numbers('n')).toEqual(expectedNumbers);
      expect(c.numbers('d')).toEqual(expectedDoubles);
      expect(c.texts('t')).toEqual(expectedTexts);
      expect(() => c.numbers('nope')).toThrow(/no column nope/);
    });
  }

  it('cuts text of every width at its characters: ASCII, Chinese, emoji (surrogate pairs), empty, NULL', async () => {
    // Row i: pieces picked by i, so that batches start and end on every kind of character.
    const pieces = ['a', '客', '😀', 'é', ''];
    const expected = Array.from({ length: N }, (_, i) =>
      i % 13 === 4 ? null : Array.from({ length: i % 6 }, (_, k) => pieces[(i + k) % pieces.length]).join(''),
    );
    const values = expected.map((t) => (t === null ? 'NULL' : `'${t}'`)).join(',');
    const q = `SELECT unnest([${values}]::VARCHAR[]) AS t`;
    for (const db of [native, wasm, new PassThroughDb(native)]) expect((await queryColumns(db, q)).texts('t')).toEqual(expected);
    // A batch's text is decoded in one call, not one per value (~0.3 s per 200 k ids in the page).
    const c = await queryColumns(wasm, q);
    const decode = vi.spyOn(TextDecoder.prototype, 'decode');
    try {
      c.texts('t');
      expect(decode.mock.calls.length).toBeGreaterThan(1);
      expect(decode.mock.calls.length).toBeLessThanOrEqual(tableFromIPC(await wasm.queryArrowIPC(q)).batches.length);
    } finally {
      decode.mockRestore();
    }
  });

  it('reads an empty result', async () => {
    for (const db of [native, wasm, new PassThroughDb(native)]) {
      const c = await queryColumns(db, 'SELECT 1::INTEGER AS n, 2.5::DOUBLE AS d, \'x\' AS t WHERE false');
      expect(c.length).toBe(0);
      expect(c.numbers('d')).toEqual(new Float64Array(0));
      expect(c.texts('t')).toEqual([]);
    }
  });
});
