import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { parquetChunks } from '../../../src/lib/export/parquet.ts';
import { batchSizeFor, blobSink, csvChunks, openTable, pump, type ExportSink, type ExportSource } from '../../../src/lib/export/stream.ts';
import { parquetInit } from './fixture.ts';

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
  // rowids 0–24 with 10 and 11 deleted: 23 rows.
  await db.exec('CREATE OR REPLACE TABLE t AS SELECT range::INTEGER AS i, (range * 1.5)::DOUBLE AS x FROM range(25)');
  await db.exec('DELETE FROM t WHERE i IN (10, 11)');
});
afterAll(async () => {
  await db.close();
});

/** A sink that records what reaches it. */
function recorder(): ExportSink & { chunks: Uint8Array[]; closed: boolean; aborted: boolean } {
  const r = {
    chunks: [] as Uint8Array[],
    closed: false,
    aborted: false,
    async write(c: Uint8Array | Blob) {
      r.chunks.push(c instanceof Blob ? new Uint8Array(await c.arrayBuffer()) : c);
    },
    async close() {
      r.closed = true;
    },
    async abort() {
      r.aborted = true;
    },
  };
  return r;
}

describe('batchSizeFor', () => {
  it('aims at 20 batches between 10 k and 100 k rows each', () => {
    expect([0, 50_000, 200_000, 400_000, 1_000_000, 2_000_001, 5_000_000].map(batchSizeFor)).toEqual([
      10_000, 10_000, 10_000, 20_000, 50_000, 100_000, 100_000,
    ]);
  });
});

describe('progress of a CSV export', () => {
  it('reports each batch\'s rows, by the engine and by the row path', async () => {
    const engine: number[] = [];
    const rec = recorder();
    await pump(csvChunks(await openTable(db, 't'), undefined, 10, (n) => engine.push(n)), rec);
    // rowids 0–9, 10–19 (two deleted), 20–24
    expect(engine).toEqual([10, 8, 5]);
    // The header chunk, then one chunk per batch.
    expect(rec.chunks).toHaveLength(4);
    expect(rec.closed).toBe(true);

    const { csvBatches: _, arrowBatches: __, ...rowsOnly } = await openTable(db, 't');
    const rows: number[] = [];
    await pump(csvChunks(rowsOnly as ExportSource, undefined, 10, (n) => rows.push(n)), recorder());
    expect(rows).toEqual([10, 8, 5]);
  });

  it('reports the rows of each Parquet batch', async () => {
    const seen: number[] = [];
    const rec = recorder();
    await pump(await parquetChunks(await openTable(db, 't'), parquetInit, { batchSize: 10, onRows: (n) => seen.push(n) }), rec);
    expect(seen).toEqual([10, 8, 5]);
    const bytes = Buffer.concat(rec.chunks);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(bytes.subarray(-4).toString('latin1')).toBe('PAR1');
  });
});

describe('pump and blobSink', () => {
  it('keeps the chunks in order in one Blob', async () => {
    let blob: Blob | null = null;
    const enc = new TextEncoder();
    async function* parts() {
      yield enc.encode('ab');
      yield enc.encode('');
      yield enc.encode('cde');
    }
    await pump(parts(), blobSink('text/plain', (b) => (blob = b)));
    expect(blob).not.toBeNull();
    const b = blob as unknown as Blob;
    expect(b.type).toBe('text/plain');
    expect(await b.text()).toBe('abcde');
  });

  it('aborts the sink and does not close it when the source fails half-way', async () => {
    const rec = recorder();
    async function* failing() {
      yield new Uint8Array([1]);
      throw new Error('engine gone');
    }
    await expect(pump(failing(), rec)).rejects.toThrow('engine gone');
    expect([rec.chunks.length, rec.closed, rec.aborted]).toEqual([1, false, true]);
  });
});
