/**
 * A large text file given as a Blob (the page's way) is read a piece at a time, never whole
 * (load.ts `piecesFrom`): its inspection and its load must be those of the same bytes read
 * whole. Files here are small; `piecesFrom: 0` and pieces of a few bytes stand in for size.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { inspectFile, loadDataset, type InputFile, type LoadOptions } from '../../../src/lib/ingest/load.ts';
import { IngestError, type LoadStep, type RawReader } from '../../../src/lib/ingest/types.ts';
import { linesDump, infoDump } from './table-dumps.ts';

const DIRS = ['ingest', 'load', 'cli', 'e2e', 'hostile'].map((d) => join(import.meta.dirname, '../../fixtures', d));
const TEXT = /\.(csv|tsv|txt)$/i;

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

/** The load's outcome (report without its time, lines, customer info, or the error) and how each raw table was made. */
async function outcome(file: InputFile, options: LoadOptions) {
  const via: RawReader[] = [];
  const onStep = (s: LoadStep) => {
    if (s.step === 'raw') via.push(s.via);
  };
  try {
    const { millis: _, ...report } = await loadDataset(db, [file], { ...options, onStep });
    return { result: { report, lines: await linesDump(db), info: await infoDump(db) }, via };
  } catch (e) {
    if (e instanceof IngestError) return { result: { error: e.code, detail: e.detail }, via };
    throw e;
  }
}

async function inspection(file: InputFile, options: LoadOptions) {
  try {
    return await inspectFile(file, {}, options);
  } catch (e) {
    if (e instanceof IngestError) return { error: e.code };
    throw e;
  }
}

describe('a text file read a piece at a time', () => {
  const files = DIRS.flatMap((dir) => readdirSync(dir).filter((n) => TEXT.test(n)).map((n) => ({ name: n, path: join(dir, n) })));

  it('inspects and loads every text fixture as it does read whole', async () => {
    expect(files.length).toBeGreaterThan(30);
    let pieces = 0;
    for (const { name, path } of files) {
      const bytes = new Uint8Array(readFileSync(path));
      const whole = await outcome({ name, bytes }, {});
      const wholeInspection = await inspection({ name, bytes }, {});
      for (const pieceBytes of [7, 4096]) {
        const blob = { name, blob: new Blob([bytes]) };
        const options = { piecesFrom: 0, pieceBytes };
        expect(await inspection(blob, options), `${name} inspected in pieces of ${pieceBytes}`).toEqual(wholeInspection);
        const read = await outcome(blob, options);
        expect(read.result, `${name} in pieces of ${pieceBytes}`).toEqual(whole.result);
        if (read.via.includes('pieces')) pieces++;
      }
    }
    // UTF-16 files (read whole) and files refused before their rows aside, every file took the pieces.
    expect(pieces).toBeGreaterThan(files.length);
  }, 300_000);

  it('says so in the load steps, and reads a file at or below `piecesFrom` whole', async () => {
    const text = new TextEncoder().encode('客户ID,订单日期,金额\nC1,2023-01-05,10\nC2,2023-01-06,20\n');
    const a = await outcome({ name: 'a.csv', blob: new Blob([text]) }, { piecesFrom: text.length - 1, pieceBytes: 5 });
    const b = await outcome({ name: 'a.csv', blob: new Blob([text]) }, { piecesFrom: text.length });
    const c = await outcome({ name: 'a.csv', bytes: text }, {});
    expect(a.via).toEqual(['pieces']);
    expect(b.via).toEqual(['engine']);
    expect(c.via).toEqual(['engine']);
    expect(a.result).toEqual(c.result);
    expect(b.result).toEqual(c.result);
  });

  it('a GB18030 file, cut inside its characters, and a UTF-8 file with a BOM and a few invalid lines', async () => {
    const gb = new Uint8Array(readFileSync(join(import.meta.dirname, '../../fixtures/load/gb18030_report_title_totals.csv')));
    // The BOM cut by the first pieces, above a blank first line (it would be a line of invalid bytes).
    const utf8 = new TextEncoder().encode('\ufeff\r\n客户ID,订单日期,金额\r\nC1,2023-01-05,10\r\n');
    const bad = new Uint8Array([...utf8, ...new TextEncoder().encode('C2,2023-01-06,20\r\nC3,'), 0xc4, 0xe3, ...new TextEncoder().encode(',5\r\n')]);
    for (const bytes of [gb, utf8, bad]) {
      const whole = await outcome({ name: 'x.csv', bytes }, {});
      expect('report' in whole.result).toBe(true);
      for (const pieceBytes of [1, 2, 3]) {
        const read = await outcome({ name: 'x.csv', blob: new Blob([bytes]) }, { piecesFrom: 0, pieceBytes });
        expect(read.result).toEqual(whole.result);
        expect(read.via).toEqual(['pieces']);
      }
    }
  });

  it('a file of spaces and line breaks only is refused as empty, and a Latin-1 one as of unknown encoding', async () => {
    // Larger than the head the kind is sniffed from, so that only the pieces can tell.
    const spaces = new Uint8Array(5 * 1024 * 1024).fill(0x20);
    spaces.set(new TextEncoder().encode('\r\n\t\n'), 4 * 1024 * 1024 + 7);
    const latin1 = new Uint8Array([...new TextEncoder().encode('name,date,amount\n'), 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, ...new TextEncoder().encode(',2023-01-05,1\n')]);
    for (const [bytes, code] of [[spaces, 'EMPTY_FILE'], [latin1, 'UNKNOWN_ENCODING']] as const) {
      const read = await outcome({ name: 'x.csv', blob: new Blob([bytes]) }, { piecesFrom: 0, pieceBytes: bytes.length > 1000 ? 1 << 20 : 2 });
      expect(read.result).toMatchObject({ error: code });
      expect(read.result).toEqual((await outcome({ name: 'x.csv', bytes }, {})).result);
    }
  });
});
