import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectEncoding, toUtf8 } from '../../../src/lib/ingest/decode.ts';
import { normalize, normalizePieces, previewText, type NormalizedChunk, type NormalizeStats } from '../../../src/lib/ingest/normalize.ts';
import type { Dialect } from '../../../src/lib/ingest/types.ts';

/** The text cut at the given offsets (each piece a copy, as a reader hands them). */
async function* cut(bytes: Uint8Array, at: readonly number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const to of [...at].sort((a, b) => a - b)) {
    yield bytes.slice(from, Math.max(from, to));
    from = Math.max(from, to);
  }
  yield bytes.slice(from);
}

/** One reused buffer per piece, as the slice reader hands them: a normalizer that kept a piece would read overwritten bytes. */
async function* cutReused(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(size);
  for (let from = 0; from < bytes.length; from += size) {
    const piece = bytes.subarray(from, Math.min(bytes.length, from + size));
    buffer.set(piece);
    yield buffer.subarray(0, piece.length);
    buffer.fill(0x41);
  }
}

function whole(bytes: Uint8Array, preview: Parameters<typeof normalize>[1], opts: Parameters<typeof normalize>[2]) {
  const chunks: NormalizedChunk[] = [];
  const gen = normalize(bytes, preview, opts);
  let r = gen.next();
  while (!r.done) {
    chunks.push(r.value);
    r = gen.next();
  }
  return { chunks, stats: r.value };
}

async function pieces(source: AsyncIterable<Uint8Array>, size: number, preview: Parameters<typeof normalize>[1], opts: Parameters<typeof normalize>[2]) {
  const chunks: NormalizedChunk[] = [];
  const gen = normalizePieces(source, preview, size, opts);
  let r = await gen.next();
  while (!r.done) {
    // Each chunk is the normalizer's own: copy nothing, but check it is not a view of the window.
    chunks.push({ ...r.value, bytes: r.value.bytes.slice() });
    r = await gen.next();
  }
  return { chunks, stats: r.value as NormalizeStats };
}

const stream = (cs: readonly NormalizedChunk[]): number[] => cs.flatMap((c) => [...c.bytes]);
const longest = (cs: readonly NormalizedChunk[]): number => Math.max(0, ...cs.map((c) => c.longestLine));

describe('normalizePieces: text in pieces normalizes as the whole text does', () => {
  // Every reason the scanner has to look ahead: quotes (doubled, unclosed, across lines),
  // CR/LF pairs, multi-byte and invalid UTF-8, NUL bytes, long lines, blank fields.
  const PIECES: readonly number[][] = [
    [0x61], [0x62, 0x63], [0x2c], [0x2c], [0x3b], [0x09], [0x20], [0x20, 0x20], [0x0a], [0x0a], [0x0d, 0x0a], [0x0d],
    [0x22], [0x22, 0x22], [0x00], [0x1f], [0xe4, 0xb8, 0xad], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbf, 0xbd], [0xff], [0xe4, 0xb8], [0x31, 0x32],
  ];
  const textArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }).map((ps) => new Uint8Array(ps.flat()));
  const dialectArb = fc.constantFrom<Dialect>(
    { delimiter: ',', quote: '"' },
    { delimiter: ',', quote: null },
    { delimiter: ';', quote: '"' },
    { delimiter: '\t', quote: '"' },
    { delimiter: 'whitespace', quote: '"' },
  );

  it('same bytes, longest lines, rows and statistics, wherever the text is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        textArb,
        dialectArb,
        fc.nat(3),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(200), { maxLength: 12 }),
        fc.boolean(),
        async (bytes, dialect, headerLine, columnCount, at, fastPath) => {
          const preview = { dialect, headerLine, columnCount };
          const opts = { chunkBytes: 64, maxRecordBytes: 24, plainFastPath: fastPath };
          const a = whole(bytes, preview, opts);
          const b = await pieces(cut(bytes, at.map((x) => x % (bytes.length + 1))), bytes.length, preview, opts);
          expect(b.stats).toEqual(a.stats);
          expect(stream(b.chunks)).toEqual(stream(a.chunks));
          expect(longest(b.chunks)).toBe(longest(a.chunks));
          expect(b.chunks.reduce((k, c) => k + c.rows, 0)).toBe(a.chunks.reduce((k, c) => k + c.rows, 0));
          for (const c of b.chunks) expect(c.bytes[c.bytes.length - 1]).toBe(0x0a);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('one byte at a time, in a buffer the reader reuses', async () => {
    const text = new TextEncoder().encode('id,"金额"\r\nC1,"1,5"\r\nC2,"a\r\nb"\r\nC3,"x""y"\rC4,5\n"open,6\nC5,7');
    const preview = previewText(text, { scoreHeader: () => 0 });
    const a = whole(text, preview, {});
    for (const size of [1, 2, 3, 5, 8]) {
      const b = await pieces(cutReused(text, size), text.length, preview, {});
      expect(b.stats).toEqual(a.stats);
      expect(stream(b.chunks)).toEqual(stream(a.chunks));
    }
    expect(a.stats.records).toBeGreaterThan(4);
  });

  it('a line too long, a CR cut from its LF, a quoted line break: cut at every offset', async () => {
    const texts = [
      'a,b\n' + 'x'.repeat(40) + ',1\nc,2\n',
      'a,b\r\nc,2\r\nd,3\r\n',
      'a b\r\nc 2\r\nd 3',
      'a,b\n"c\r\nd",2\n"e,3\nf,4\n',
    ];
    for (const t of texts) {
      const text = new TextEncoder().encode(t);
      for (const dialect of [{ delimiter: ',', quote: '"' }, { delimiter: 'whitespace', quote: '"' }] as const) {
        const preview = { dialect, headerLine: 1, columnCount: 2 };
        const opts = { maxRecordBytes: 16, chunkBytes: 64 };
        const a = whole(text, preview, opts);
        for (let at = 0; at <= text.length; at++) {
          const b = await pieces(cut(text, [at]), text.length, preview, opts);
          expect({ t, at, stats: b.stats, out: stream(b.chunks) }).toEqual({ t, at, stats: a.stats, out: stream(a.chunks) });
        }
      }
    }
  });

  it('every corpus file of the fixtures, cut into pieces of a few sizes', async () => {
    const dir = new URL('../../fixtures/ingest/', import.meta.url);
    const names = readdirSync(dir).filter((n) => /\.(csv|tsv|txt)$/i.test(n));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const raw = new Uint8Array(readFileSync(new URL(name, dir)));
      let text: Uint8Array;
      try {
        const enc = detectEncoding(raw);
        text = toUtf8(raw, enc.encoding, enc.bomLength);
      } catch {
        continue;
      }
      const preview = previewText(text, { scoreHeader: () => 0 });
      const a = whole(text, preview, { chunkBytes: 4096, maxRecordBytes: 64 * 1024 });
      for (const size of [7, 1000, 65536]) {
        const b = await pieces(cutReused(text, size), text.length, preview, { chunkBytes: 4096, maxRecordBytes: 64 * 1024 });
        expect({ name, size, stats: b.stats }).toEqual({ name, size, stats: a.stats });
        expect(Buffer.from(stream(b.chunks)).equals(Buffer.from(stream(a.chunks))), `${name} in pieces of ${size}`).toBe(true);
      }
    }
  });
});
