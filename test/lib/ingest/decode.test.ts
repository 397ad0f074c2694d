import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DECODE_SLICE, detectEncoding, detectEncodingInPieces, isValidUtf8, SCORE_BYTES, toUtf8, utf8LineStats, utf8Pieces, Utf8LineCounter } from '../../../src/lib/ingest/decode.ts';
import { IngestError } from '../../../src/lib/ingest/types.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/ingest/${name}`, import.meta.url)));
const text = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes);
const HEADER = '客户ID,客户名称,订单日期,商品名称,金额';

describe('detectEncoding', () => {
  it('GB18030 (corpus 01) is decided without guessing and keeps the 4-byte character 䶮', () => {
    const bytes = fixture('01_gb18030_chinese_headers.csv');
    expect(detectEncoding(bytes)).toEqual({ encoding: 'gb18030', guessed: false, bomLength: 0 });
    const decoded = text(toUtf8(bytes, 'gb18030', 0));
    expect(decoded.split('\r\n')[0]).toBe(HEADER);
    expect(decoded.split('\r\n')[3]).toBe('00123,李䶮,2023-01-07,普洱茶饼 357g,356.00');
  });

  it('Big5 (corpus 04) wins over a mojibake GB18030 reading and is marked guessed', () => {
    const bytes = fixture('04_big5_traditional.csv');
    expect(detectEncoding(bytes)).toEqual({ encoding: 'big5', guessed: true, bomLength: 0 });
    expect(text(toUtf8(bytes, 'big5', 0)).split('\r\n')[1]).toBe('T001,陳美玲,2023-01-05,凍頂烏龍茶,1200.00');
  });

  it('a UTF-8 file with one GBK row (corpus 05) stays UTF-8', () => {
    const bytes = fixture('05_utf8_with_one_gbk_row.csv');
    expect(utf8LineStats(bytes)).toEqual({ nonAsciiLines: 6, invalidLines: 1 });
    expect(detectEncoding(bytes)).toEqual({ encoding: 'utf-8', guessed: false, bomLength: 0 });
  });

  it('UTF-16 with a BOM, either byte order (corpus 03, 03b)', () => {
    const le = fixture('03_utf16le_bom_tab_excel_unicode_text.txt');
    expect(detectEncoding(le)).toEqual({ encoding: 'utf-16le', guessed: false, bomLength: 2 });
    expect(text(toUtf8(le, 'utf-16le', 2)).split('\r\n')[0]).toBe(HEADER.replaceAll(',', '\t'));
    const be = fixture('03b_utf16be_bom.csv');
    expect(detectEncoding(be)).toEqual({ encoding: 'utf-16be', guessed: false, bomLength: 2 });
    expect(text(toUtf8(be, 'utf-16be', 2)).split(/\r?\n/)[0]).toBe(HEADER);
  });

  it('UTF-16LE without a BOM by its NUL pattern, marked guessed', () => {
    const bytes = new Uint8Array([...'id,amount\n1,2\n'].flatMap((c) => [c.charCodeAt(0), 0]));
    expect(detectEncoding(bytes)).toEqual({ encoding: 'utf-16le', guessed: true, bomLength: 0 });
  });

  it('UTF-8 BOM: the text starts after it, as a view on the same buffer', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('客户ID\n')]);
    expect(detectEncoding(bytes)).toEqual({ encoding: 'utf-8', guessed: false, bomLength: 3 });
    const out = toUtf8(bytes, 'utf-8', 3);
    expect(out.buffer).toBe(bytes.buffer);
    expect(text(out)).toBe('客户ID\n');
  });

  it('latin-1 text is no Chinese encoding: UNKNOWN_ENCODING', () => {
    const latin1 = new Uint8Array([...'name,city\nM\xfcller,K\xf6ln\nJos\xe9,S\xe3o Paulo\n'].map((c) => c.charCodeAt(0)));
    expect(() => detectEncoding(latin1)).toThrow(IngestError);
    expect(() => detectEncoding(latin1)).toThrow(/UNKNOWN_ENCODING/);
  });
});

describe('isValidUtf8', () => {
  it('agrees with the per-line scan on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 16 }), (noise, text) => {
        for (const bytes of [noise, new TextEncoder().encode(text)]) {
          expect(isValidUtf8(bytes)).toBe(utf8LineStats(bytes).invalidLines === 0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads characters across its slices, and starts clean after invalid bytes', () => {
    const big = new Uint8Array(3 * DECODE_SLICE + 8).fill(0x61);
    big.set(new TextEncoder().encode('张'), DECODE_SLICE - 1); // E5 | BC A0 across the first boundary
    big.set(new TextEncoder().encode('😀'), 2 * DECODE_SLICE - 2); // F0 9F | 98 80 across the second
    expect(isValidUtf8(big)).toBe(true);
    const truncated = big.subarray(0, DECODE_SLICE + 1);
    expect(isValidUtf8(truncated)).toBe(false);
    const brokenAtBoundary = big.slice();
    brokenAtBoundary[2 * DECODE_SLICE] = 0x61; // the emoji's third byte gone: invalid across the boundary
    expect(isValidUtf8(brokenAtBoundary)).toBe(false);
    expect(isValidUtf8(new Uint8Array([0x61, 0xe5]))).toBe(false);
    expect(isValidUtf8(new Uint8Array([0xbc, 0xa0]))).toBe(false);
    expect(isValidUtf8(new TextEncoder().encode('客户'))).toBe(true);
  });
});

describe('toUtf8', () => {
  it('transcodes across its slices without breaking a double-byte character', () => {
    const one = fixture('01_gb18030_chinese_headers.csv');
    const copies = Math.ceil((9 * 1024 * 1024) / one.length);
    expect(copies * one.length).toBeGreaterThan(100 * DECODE_SLICE);
    const big = new Uint8Array(one.length * copies);
    for (let k = 0; k < copies; k++) big.set(one, k * one.length);
    const expected = text(toUtf8(one, 'gb18030', 0));
    const out = text(toUtf8(big, 'gb18030', 0));
    expect(out.length).toBe(expected.length * copies);
    expect(out.slice(expected.length * 22_000, expected.length * 22_001)).toBe(expected);
    expect(out.includes('\uFFFD')).toBe(false);
  });

  it('joins a double-byte character cut by a slice boundary', () => {
    // 张 is D5 C5 in GB18030: its first byte ends the first slice, its second starts the next.
    const bytes = new Uint8Array(2 * DECODE_SLICE).fill(0x61);
    bytes.set([0xd5, 0xc5], DECODE_SLICE - 1);
    const out = text(toUtf8(bytes, 'gb18030', 0));
    expect(out.length).toBe(2 * DECODE_SLICE - 1);
    expect(out.slice(DECODE_SLICE - 2, DECODE_SLICE + 1)).toBe('a张a');
  });
});

/** `bytes` cut at the given offsets, each piece in a buffer that is overwritten once the next is asked for. */
async function* cutReused(bytes: Uint8Array, at: readonly number[]): AsyncGenerator<Uint8Array> {
  const ends = [...at.map((x) => x % (bytes.length + 1)), bytes.length].sort((a, b) => a - b);
  const buffer = new Uint8Array(bytes.length + 1);
  let from = 0;
  for (const to of ends) {
    buffer.set(bytes.subarray(from, to));
    yield buffer.subarray(0, to - from);
    buffer.fill(0x41);
    from = to;
  }
}

async function joined(pieces: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const p of pieces) out.push(...p);
  return out;
}

function detected(bytes: Uint8Array): unknown {
  try {
    return detectEncoding(bytes);
  } catch (e) {
    return (e as IngestError).code;
  }
}

async function detectedInPieces(bytes: Uint8Array, at: readonly number[]): Promise<unknown> {
  try {
    return await detectEncodingInPieces(bytes.subarray(0, SCORE_BYTES), () => cutReused(bytes, at));
  } catch (e) {
    return (e as IngestError).code;
  }
}

describe('a file in pieces: detection and transcoding as of the whole file', () => {
  // Chinese text in either encoding, ASCII, BOMs, line breaks and noise, cut anywhere.
  const gb = new TextDecoder('gb18030');
  const part = fc.oneof(
    fc.constantFrom('客户', '金额,', '合计', '䶮', '😀', 'abc', ',', '\n', '\r\n', '\r', '\ufeff').map((t) => new TextEncoder().encode(t)),
    fc.constantFrom([0xbf, 0xcd, 0xbb, 0xa7], [0xd6, 0xd0], [0x82, 0x35, 0x8f, 0x33], [0xa4, 0xa4], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xc4], [0x0a]).map((b) => new Uint8Array(b)),
  );
  const bytesArb = fc.array(part, { maxLength: 40 }).map((ps) => new Uint8Array(ps.flatMap((p) => [...p])));
  const cuts = fc.array(fc.nat(300), { maxLength: 10 });

  it('detectEncodingInPieces decides as detectEncoding does', async () => {
    await fc.assert(
      fc.asyncProperty(bytesArb, cuts, async (bytes, at) => {
        expect(await detectedInPieces(bytes, at)).toEqual(detected(bytes));
      }),
      { numRuns: 1500 },
    );
    expect(gb.decode(new Uint8Array([0xd6, 0xd0]))).toBe('中');
  });

  it('utf8Pieces gives the bytes toUtf8 gives, for each encoding and BOM length', async () => {
    await fc.assert(
      fc.asyncProperty(bytesArb, cuts, fc.constantFrom('utf-8', 'gb18030', 'big5') as fc.Arbitrary<'utf-8' | 'gb18030' | 'big5'>, fc.nat(3), async (bytes, at, encoding, bom) => {
        const bomLength = Math.min(bom, bytes.length);
        const body = bytes.subarray(bomLength);
        // The reference: one decoder call over the whole text.
        const reference = encoding === 'utf-8' ? [...body] : [...new TextEncoder().encode(new TextDecoder(encoding, { ignoreBOM: true }).decode(body))];
        expect([...toUtf8(bytes, encoding, bomLength)]).toEqual(reference);
        expect(await joined(utf8Pieces(cutReused(bytes, at), encoding, bomLength))).toEqual(reference);
      }),
      { numRuns: 1500 },
    );
  });

  it('a GB18030 sequence cut by a decoder call and found invalid after it (Node throws on that) reads as one call reads it', () => {
    const filler = new TextEncoder().encode('ab,'.repeat(DECODE_SLICE));
    const body = new Uint8Array(2 * DECODE_SLICE + 3);
    body.set(filler.subarray(0, body.length));
    // 0x8F 0x33 opens a four-byte sequence across the first slice's end; the line break ends it.
    body.set([0x8f, 0x33, 0x0a], DECODE_SLICE - 1);
    const reference = new TextEncoder().encode(new TextDecoder('gb18030').decode(body));
    expect(Buffer.from(toUtf8(body, 'gb18030', 0)).equals(Buffer.from(reference))).toBe(true);
  });

  it('counts invalid lines as utf8LineStats does, a sequence cut by a piece read whole', () => {
    fc.assert(
      fc.property(bytesArb, cuts, (bytes, at) => {
        const ends = [...at.map((x) => x % (bytes.length + 1)), bytes.length].sort((a, b) => a - b);
        const counter = new Utf8LineCounter();
        let from = 0;
        for (const to of ends) {
          counter.feed(bytes.slice(from, to), false);
          from = to;
        }
        counter.feed(new Uint8Array(0), true);
        expect(counter.result()).toEqual(utf8LineStats(bytes));
      }),
      { numRuns: 1500 },
    );
  });
});
