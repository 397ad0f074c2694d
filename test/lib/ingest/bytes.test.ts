import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blobPieces, fileKindError, readBlob, readHead, reads, releaseBuffer, sniffKind, stalledReads, SNIFF_BYTES, type FileKind } from '../../../src/lib/ingest/bytes.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/ingest/${name}`, import.meta.url)));
const kindOf = (bytes: Uint8Array): FileKind => sniffKind(bytes.subarray(0, SNIFF_BYTES), bytes.length);

describe('sniffKind', () => {
  it.each([
    ['24_empty.csv', 'empty'],
    ['25_bom_only.csv', 'empty'],
    ['26_whitespace_only.csv', 'empty'],
    ['39_png_renamed.csv', 'binary'],
    ['40_xlsx_renamed.csv', 'xlsx'],
    ['41_real_workbook.xlsx', 'xlsx'],
    ['42_legacy_xls_signature.csv', 'xls'],
    ['43_gzip_renamed.csv', 'gzip'],
    ['44_random_binary.csv', 'binary'],
    ['01_gb18030_chinese_headers.csv', 'text'],
    ['03_utf16le_bom_tab_excel_unicode_text.txt', 'text'],
    ['03b_utf16be_bom.csv', 'text'],
    ['32_nul_bytes_in_field.csv', 'text'],
  ])('%s is %s', (name, kind) => {
    expect(kindOf(fixture(name))).toBe(kind);
  });

  it('recognises Parquet, plain ZIP, PDF and UTF-16 text without a BOM', () => {
    expect(kindOf(new Uint8Array([0x50, 0x41, 0x52, 0x31, 0x15, 0x04]))).toBe('parquet');
    expect(kindOf(new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode('data/a.csv')]))).toBe('zip');
    expect(kindOf(new TextEncoder().encode('%PDF-1.7\n'))).toBe('binary');
    const utf16 = new Uint8Array([...'id,amount\r\n1,2\r\n'].flatMap((c) => [c.charCodeAt(0), 0]));
    expect(kindOf(utf16)).toBe('text');
  });

  it('calls whitespace-only UTF-16 empty, but needs the whole file to call anything whitespace', () => {
    expect(kindOf(new Uint8Array([0xff, 0xfe, 0x20, 0x00, 0x0a, 0x00]))).toBe('empty');
    expect(sniffKind(new TextEncoder().encode('   \n'), 1000)).toBe('text');
  });
});

describe('fileKindError', () => {
  it('maps kinds to the file error codes and lets loadable formats through', () => {
    const kinds: FileKind[] = ['text', 'empty', 'xlsx', 'xls', 'zip', 'gzip', 'parquet', 'binary'];
    expect(kinds.map(fileKindError)).toEqual([null, 'EMPTY_FILE', null, 'EXCEL_WORKBOOK', 'COMPRESSED_FILE', 'COMPRESSED_FILE', null, 'NOT_TEXT']);
  });
});

describe('releaseBuffer', () => {
  it('detaches the buffer, so every view of it is empty', () => {
    const bytes = new TextEncoder().encode('客户ID,金额\nC1,10\n');
    const view = bytes.subarray(3, 9);
    releaseBuffer(view);
    expect(bytes.length).toBe(0);
    expect(view.length).toBe(0);
    expect(bytes.buffer.byteLength).toBe(0);
  });

  it('does nothing to a buffer that is already released or empty', () => {
    const bytes = new Uint8Array(8);
    releaseBuffer(bytes);
    expect(() => releaseBuffer(bytes)).not.toThrow();
    expect(() => releaseBuffer(new Uint8Array(0))).not.toThrow();
  });
});

describe('readBlob', () => {
  it('reads every byte of a blob, in parts, into one buffer of its own', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => new Uint8Array(10_000).fill(i));
    const blob = new Blob(parts);
    const bytes = await readBlob(blob);
    expect(bytes.length).toBe(400_000);
    expect(bytes.buffer.byteLength).toBe(400_000);
    for (let i = 0; i < 40; i++) expect(bytes[i * 10_000 + 9_999]).toBe(i);
    releaseBuffer(bytes);
    expect(bytes.length).toBe(0);
    expect((await readBlob(blob)).length).toBe(400_000);
  });

  it('reads an empty blob', async () => {
    expect((await readBlob(new Blob([]))).length).toBe(0);
  });

  /** A Blob-like whose stream gives `parts` (a byte stream when `bytes`, else plain chunks) while it says it holds `size`. */
  function streamed(parts: readonly Uint8Array[], size: number, bytes: boolean): Blob {
    let next = 0;
    const pull = (c: { close(): void; enqueue(chunk: Uint8Array<ArrayBuffer>): void }, byob?: ReadableByteStreamController) => {
      const part = parts[next++];
      if (part === undefined) {
        c.close();
        // A byte stream's pending BYOB read is answered by close() with an empty view.
        byob?.byobRequest?.respond(0);
      } else c.enqueue(part.slice());
    };
    const stream = bytes
      ? new ReadableStream({ type: 'bytes', pull: (c: ReadableByteStreamController) => pull(c, c) })
      : new ReadableStream<Uint8Array>({ pull: (c) => pull(c) });
    return { size, stream: () => stream } as unknown as Blob;
  }

  it('reads a byte stream into its buffer, and a plain one by chunks, the same', async () => {
    const parts = [new Uint8Array([1, 2, 3]), new Uint8Array(3_000_000).fill(9), new Uint8Array([4, 5])];
    const want = new Uint8Array([1, 2, 3, ...new Uint8Array(3_000_000).fill(9), 4, 5]);
    for (const bytes of [true, false]) {
      const got = await readBlob(streamed(parts, want.length, bytes));
      expect(got.length).toBe(want.length);
      expect(Buffer.compare(Buffer.from(got), Buffer.from(want))).toBe(0);
    }
  });

  it("reads a file's byte stream into its own buffer, with no chunk per read", async () => {
    const blob = new Blob([new Uint8Array(2_500_000).fill(3)]);
    const stream = blob.stream.bind(blob);
    const modes: (string | undefined)[] = [];
    Object.defineProperty(blob, 'stream', {
      value: () => {
        const s = stream();
        const getReader = s.getReader.bind(s) as (o?: { mode?: 'byob' }) => ReturnType<typeof s.getReader>;
        Object.defineProperty(s, 'getReader', { value: (o?: { mode?: 'byob' }) => (modes.push(o?.mode), getReader(o)) });
        return s;
      },
    });
    expect((await readBlob(blob)).length).toBe(2_500_000);
    expect(modes).toEqual(['byob']);
  });

  it('refuses a file that grew while it was read, and keeps what a shrunk one gave', async () => {
    const parts = [new Uint8Array(1000).fill(1), new Uint8Array(1000).fill(2)];
    for (const bytes of [true, false]) {
      await expect(readBlob(streamed(parts, 1500, bytes))).rejects.toThrow(/grew/);
      await expect(readBlob(streamed(parts, 2000 - 1, bytes))).rejects.toThrow(/grew/);
      const shrunk = await readBlob(streamed(parts, 2500, bytes));
      expect(shrunk.length).toBe(2000);
      expect([shrunk[999], shrunk[1000], shrunk[1999]]).toEqual([1, 2, 2]);
    }
  });
});

/** Streams opened and read to their end, across a file and its slices. */
interface StreamLog {
  opened: number;
  finished: number;
  cancelled: number;
}

/** A file whose streams (its slices' too) are counted, handing `chunk`-byte reads (a byte stream, or a plain one); `extra` bytes more than it holds, to stand for a file that grew. */
class WatchedBlob extends Blob {
  constructor(
    private readonly data: Uint8Array,
    private readonly chunk: number,
    private readonly byteStream: boolean,
    readonly log: StreamLog = { opened: 0, finished: 0, cancelled: 0 },
    private readonly extra = 0,
  ) {
    super([new Uint8Array(data)]);
  }
  override slice(start = 0, end = this.data.length): WatchedBlob {
    return new WatchedBlob(this.data.subarray(start, end), this.chunk, this.byteStream, this.log, this.extra);
  }
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const all = new Uint8Array(this.data.length + this.extra);
    all.set(this.data);
    let at = 0;
    this.log.opened++;
    const pull = (c: ReadableStreamDefaultController<Uint8Array<ArrayBuffer>> | ReadableByteStreamController) => {
      if (at >= all.length) {
        this.log.finished++;
        c.close();
        // A byte stream closed under a pending read of ours answers it with nothing.
        if ('byobRequest' in c) c.byobRequest?.respond(0);
        return;
      }
      c.enqueue(all.slice(at, at + this.chunk));
      at += this.chunk;
    };
    const cancel = () => {
      this.log.cancelled++;
    };
    return this.byteStream ? new ReadableStream({ type: 'bytes', pull, cancel }) : new ReadableStream<Uint8Array<ArrayBuffer>>({ pull, cancel });
  }
}

/**
 * A file whose k-th stream stands still for good at its `stallAt[k]`-th read (never, past the
 * list's end), as Chromium's stream of a file on disk now and then does. Chunks of `chunk` bytes.
 */
function stalling(bytes: Uint8Array, stallAt: readonly number[], byteStream: boolean, chunk = 1000): { blob: Blob; opened: () => number } {
  let opened = 0;
  const from = (offset: number): Blob =>
    ({
      size: bytes.length - offset,
      slice: (start = 0) => from(offset + start),
      stream: () => {
        const k = opened++;
        let pos = offset;
        let n = 0;
        const pull = (c: { close(): void; enqueue(chunk: Uint8Array<ArrayBuffer>): void }, byob?: ReadableByteStreamController): Promise<void> | void => {
          if (n++ === stallAt[k]) return new Promise<void>(() => undefined);
          if (pos >= bytes.length) {
            c.close();
            byob?.byobRequest?.respond(0);
            return;
          }
          c.enqueue(bytes.slice(pos, pos + chunk));
          pos += chunk;
        };
        return byteStream
          ? new ReadableStream({ type: 'bytes', pull: (c: ReadableByteStreamController) => pull(c, c) })
          : new ReadableStream<Uint8Array>({ pull: (c) => pull(c) });
      },
    }) as unknown as Blob;
  return { blob: from(0), opened: () => opened };
}

describe('reads', () => {
  const bytes = Uint8Array.from({ length: 10_500 }, (_, i) => (i * 7) % 251);
  const all = async (blob: Blob, stallMs: number) => {
    const out: number[] = [];
    for await (const piece of reads(blob, stallMs)) out.push(...piece);
    return Uint8Array.from(out);
  };

  it('goes on from the next byte with a new stream when a read stalls, every byte once and in order', async () => {
    for (const byteStream of [true, false]) {
      const before = stalledReads();
      // The first stream stalls at its 4th read (after 3,000 bytes), the second at its 2nd.
      const file = stalling(bytes, [3, 1], byteStream);
      const got = await all(file.blob, 50);
      expect(Buffer.compare(Buffer.from(got), Buffer.from(bytes))).toBe(0);
      expect(file.opened()).toBe(3);
      expect(stalledReads() - before).toBe(2);
    }
  });

  it('gives up with an error after the fourth stall in a row', async () => {
    const file = stalling(bytes, [0, 0, 0, 0], true);
    await expect(all(file.blob, 20)).rejects.toThrow(/stopped reading the file \(4 times at byte 0\)/);
    // Three stalls, then a stream that answers: read whole.
    const recovers = stalling(bytes, [0, 0, 0], true);
    expect((await all(recovers.blob, 20)).length).toBe(bytes.length);
    // Five stalls, each after a read that brought bytes: not in a row, read whole.
    const apart = stalling(bytes, [1, 1, 1, 1, 1], true);
    expect(Buffer.compare(Buffer.from(await all(apart.blob, 20)), Buffer.from(bytes))).toBe(0);
  });
});

describe('blobPieces', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

  it('hands the file in pieces of the size asked, the last shorter, each a view of one reused buffer', async () => {
    for (const byteStream of [true, false]) {
      const file = new WatchedBlob(bytes, 37, byteStream);
      const got: number[] = [];
      const sizes: number[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const p of blobPieces(file, 300)) {
        got.push(...p);
        sizes.push(p.length);
        buffers.add(p.buffer);
      }
      expect(got).toEqual([...bytes]);
      expect(sizes).toEqual([300, 300, 300, 100]);
      expect(buffers.size).toBe(1);
      expect(file.log).toEqual({ opened: 4, finished: 4, cancelled: 0 });
    }
    expect([...(await readHead(new Blob([bytes]), 10))]).toEqual([...bytes.subarray(0, 10)]);
  });

  it('leaves no stream of the file open when the reader stops early (an open one held up the next read of the file)', async () => {
    for (const byteStream of [true, false]) {
      const file = new WatchedBlob(bytes, 37, byteStream);
      for await (const p of blobPieces(file, 100)) {
        expect(p.length).toBe(100);
        break;
      }
      expect(file.log).toEqual({ opened: 1, finished: 1, cancelled: 0 });
    }
  });

  it('refuses a file that grew while it was read', async () => {
    const file = new WatchedBlob(bytes, 37, true, undefined, 5);
    await expect(async () => {
      for await (const _ of blobPieces(file, 100)) void _;
    }).rejects.toThrow(/grew/);
  });
});
