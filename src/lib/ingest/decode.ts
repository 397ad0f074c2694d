/**
 * Text encoding: detect it from the bytes, then hand the rest of the pipeline UTF-8.
 * DuckDB's read_csv knows only UTF-8/UTF-16/latin-1, so GB18030 and Big5 are transcoded
 * here, in slices, without ever building one string of the whole file.
 */
import { bomOf, utf16ByNulPattern } from './bytes.ts';
import { IngestError, type EncodingName } from './types.ts';

/** The outcome of {@link detectEncoding}. */
export interface DetectedEncoding {
  readonly encoding: EncodingName;
  /** True when no BOM or unambiguous byte pattern decided it (the UI should let the user check). */
  readonly guessed: boolean;
  /** Bytes of byte-order mark to skip (0, 2 or 3). */
  readonly bomLength: number;
}

/** Length of the valid UTF-8 sequence starting at `i` (lead byte ≥ 0x80), or 0 if invalid. */
export function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  const b1 = bytes[i + 1] ?? 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) return b1 >= 0x80 && b1 <= 0xbf ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    const b2 = bytes[i + 2] ?? 0;
    return b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    const b2 = bytes[i + 2] ?? 0;
    const b3 = bytes[i + 3] ?? 0;
    return b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf && b3 >= 0x80 && b3 <= 0xbf ? 4 : 0;
  }
  return 0;
}

/** Lines that hold non-ASCII bytes, and how many of those hold invalid UTF-8. */
export interface Utf8LineStats {
  readonly nonAsciiLines: number;
  readonly invalidLines: number;
}

/** Expected length of a UTF-8 sequence by its lead byte (1 for a byte that cannot lead one). */
function leadLength(b: number): number {
  return b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 1;
}

/**
 * `utf8LineStats` over text that arrives in pieces, cut anywhere: a sequence cut by the end
 * of a piece is read whole from the next (the same counts as the whole text gives).
 */
export class Utf8LineCounter {
  private nonAsciiLines = 0;
  private invalidLines = 0;
  private lineNonAscii = false;
  private lineInvalid = false;
  /** The cut sequence, joined with the next piece (a buffer reused piece after piece). */
  private carry = 0;
  private joined = new Uint8Array(0);

  feed(piece: Uint8Array, last: boolean): void {
    let bytes = piece;
    if (this.carry > 0) {
      if (this.joined.length < this.carry + piece.length) {
        const grown = new Uint8Array(this.carry + piece.length);
        grown.set(this.joined.subarray(0, this.carry));
        this.joined = grown;
      }
      this.joined.set(piece, this.carry);
      bytes = this.joined.subarray(0, this.carry + piece.length);
      this.carry = 0;
    }
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      const b = bytes[i] as number;
      if (b < 0x80) {
        if (b === 0x0a || b === 0x0d) {
          if (this.lineNonAscii) this.nonAsciiLines++;
          if (this.lineInvalid) this.invalidLines++;
          this.lineNonAscii = this.lineInvalid = false;
        }
        i++;
        continue;
      }
      this.lineNonAscii = true;
      if (!last && i + leadLength(b) > n) {
        // Read it with the next piece (copied first: `bytes` may be the join buffer itself).
        const tail = bytes.slice(i);
        if (this.joined.length < tail.length) this.joined = new Uint8Array(Math.max(16, tail.length));
        this.joined.set(tail);
        this.carry = tail.length;
        return;
      }
      const len = utf8SequenceLength(bytes, i);
      if (len === 0) {
        this.lineInvalid = true;
        i++;
      } else i += len;
    }
  }

  result(): Utf8LineStats {
    return {
      nonAsciiLines: this.nonAsciiLines + (this.lineNonAscii ? 1 : 0),
      invalidLines: this.invalidLines + (this.lineInvalid ? 1 : 0),
    };
  }
}

/** Per-line UTF-8 validity: how many lines hold non-ASCII bytes, and how many of those are invalid. */
export function utf8LineStats(bytes: Uint8Array): Utf8LineStats {
  const counter = new Utf8LineCounter();
  counter.feed(bytes, true);
  return counter.result();
}

/**
 * Bytes per decoder call, when validating or transcoding a whole file. Each call returns a
 * string that is dropped at once; kept this small, each is an ordinary young object that the
 * next minor collection frees. Slices of megabytes made strings in V8's large-object space,
 * freed only by a full collection: loading a 900 MB UTF-8 file, the tab held ~1.4 GB of them
 * at the load's memory peak. Small slices are faster too (Node, 1 M lines: validating 89 MB
 * 174 → 97 ms at 32 KB; GB18030 → UTF-8 of 84 MB 993 → 428 ms; 256 KB slices were the slowest).
 */
export const DECODE_SLICE = 32 * 1024;

/** Valid UTF-8 so far, by the platform's decoder (a decoder of its own per text). */
class Utf8Check {
  private readonly strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  valid = true;

  /** Feed the next piece, in slices of `DECODE_SLICE`; false once the text is invalid. */
  feed(bytes: Uint8Array, last: boolean): boolean {
    if (!this.valid) return false;
    try {
      for (let at = 0; at < bytes.length; at += DECODE_SLICE) {
        const end = Math.min(bytes.length, at + DECODE_SLICE);
        this.strict.decode(bytes.subarray(at, end), { stream: true });
      }
      if (last) this.strict.decode();
    } catch {
      this.valid = false;
    }
    return this.valid;
  }
}

/**
 * Whether all of `bytes` is valid UTF-8, decided by the platform's decoder slice by slice
 * (several times faster than `utf8LineStats`, which only runs when this says no).
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return new Utf8Check().feed(bytes, true);
}

interface DoubleByteScore {
  /** Multi-byte characters seen. */
  readonly chars: number;
  /** Characters in the block of the most frequent characters of the script (or its punctuation). */
  readonly common: number;
}

/**
 * Byte statistics for GBK/GB18030: GB2312 level 1 (leads B0–D7, the 3 755 most frequent
 * hanzi) plus full-width punctuation (A1–A9) count as common.
 */
function scoreGb(bytes: Uint8Array, limit: number): DoubleByteScore {
  let chars = 0;
  let common = 0;
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; ) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    chars++;
    const trail = bytes[i + 1] ?? 0;
    if (lead >= 0x81 && lead <= 0xfe && trail >= 0x30 && trail <= 0x39) {
      i += 4;
      continue;
    }
    if (((lead >= 0xb0 && lead <= 0xd7) || (lead >= 0xa1 && lead <= 0xa9)) && trail >= 0xa1 && trail <= 0xfe) common++;
    i += lead >= 0x81 && lead <= 0xfe ? 2 : 1;
  }
  return { chars, common };
}

/** Byte statistics for Big5: leads A4–C6 are the 5 401 frequent hanzi, A1–A3 punctuation. */
function scoreBig5(bytes: Uint8Array, limit: number): DoubleByteScore {
  let chars = 0;
  let common = 0;
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; ) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    chars++;
    const trail = bytes[i + 1] ?? 0;
    const validTrail = (trail >= 0x40 && trail <= 0x7e) || (trail >= 0xa1 && trail <= 0xfe);
    if (lead >= 0xa1 && lead <= 0xc6 && validTrail) common++;
    i += lead >= 0x81 && lead <= 0xfe ? 2 : 1;
  }
  return { chars, common };
}

/** Bytes at the start of a file that the byte statistics read (all that detection reads but for the validity checks). */
export const SCORE_BYTES = 4 * 1024 * 1024;

const UTF8: DetectedEncoding = { encoding: 'utf-8', guessed: false, bomLength: 0 };

/** The encoding a byte-order mark or a UTF-16 pattern of NUL bytes states; null when none does. */
function byMarks(head: Uint8Array): DetectedEncoding | null {
  const bom = bomOf(head);
  if (bom.length === 3) return { encoding: 'utf-8', guessed: false, bomLength: 3 };
  if (bom.utf16 !== null) {
    return { encoding: bom.utf16 === 'le' ? 'utf-16le' : 'utf-16be', guessed: false, bomLength: 2 };
  }
  const utf16 = utf16ByNulPattern(head);
  if (utf16 !== null) {
    return { encoding: utf16 === 'le' ? 'utf-16le' : 'utf-16be', guessed: true, bomLength: 0 };
  }
  return null;
}

/** Text that is not all valid UTF-8: by its invalid lines, then by the byte statistics of its head. */
function byLines(lines: Utf8LineStats, head: Uint8Array): DetectedEncoding {
  if (lines.invalidLines === 0) return UTF8;
  if (lines.invalidLines * 4 <= lines.nonAsciiLines) return UTF8;
  const gb = scoreGb(head, SCORE_BYTES);
  const big5 = scoreBig5(head, SCORE_BYTES);
  const share = (s: DoubleByteScore): number => (s.chars === 0 ? 0 : s.common / s.chars);
  const gbCommon = share(gb);
  const big5Common = share(big5);
  if (gbCommon < 0.5 && big5Common < 0.5) {
    throw new IngestError('UNKNOWN_ENCODING', { invalidLines: lines.invalidLines });
  }
  if (big5Common > gbCommon + 0.15) return { encoding: 'big5', guessed: true, bomLength: 0 };
  const clear = gbCommon >= 0.8 && gbCommon >= big5Common + 0.1;
  return { encoding: 'gb18030', guessed: !clear, bomLength: 0 };
}

/**
 * Decide the encoding: BOM → UTF-16 NUL pattern → UTF-8 (also when only a few lines are
 * invalid and the rest holds valid multi-byte text; those lines are rejected later) →
 * GB18030 or Big5 by byte statistics. Throws `IngestError('UNKNOWN_ENCODING')` when
 * neither Chinese encoding explains the bytes (e.g. latin-1 or Shift-JIS text).
 */
export function detectEncoding(bytes: Uint8Array): DetectedEncoding {
  return byMarks(bytes) ?? (isValidUtf8(bytes) ? UTF8 : byLines(utf8LineStats(bytes), bytes));
}

/**
 * `detectEncoding` of a file read in pieces, never whole: `head` is its first
 * `SCORE_BYTES` (or all of it), `pieces()` reads the whole file afresh — once to check
 * UTF-8, and a second time to count invalid lines when it is not.
 */
export async function detectEncodingInPieces(head: Uint8Array, pieces: () => AsyncIterable<Uint8Array>): Promise<DetectedEncoding> {
  const marked = byMarks(head);
  if (marked) return marked;
  const check = new Utf8Check();
  for await (const piece of pieces()) if (!check.feed(piece, false)) break;
  if (check.valid && check.feed(new Uint8Array(0), true)) return UTF8;
  const lines = new Utf8LineCounter();
  for await (const piece of pieces()) lines.feed(piece, false);
  lines.feed(new Uint8Array(0), true);
  return byLines(lines.result(), head);
}

/** Index just after the last byte below 0x30 in `bytes[from, to)`; `from` when there is none. */
function lastCleanCut(bytes: Uint8Array, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if ((bytes[i] as number) < 0x30) return i + 1;
  return from;
}

/**
 * Text in another encoding to UTF-8, fed in pieces, written into one buffer (`out`, grown as
 * needed; `written` bytes of it are the output so far).
 *
 * GB18030 and Big5 are decoded in calls that each end just after a byte below 0x30 (a line
 * break, a comma, a space, a quote), which is never part of a double-byte character: there
 * the decoder holds nothing back, so the calls give what one call over the whole text gives.
 * Node's decoders (ICU) need this: a GB18030 sequence cut by the end of a streamed call and
 * found invalid in the next one throws "The encoded data was not valid for encoding gb18030"
 * though `fatal` is off (Node 20, ICU 78). The bytes after the last such byte of a piece wait
 * for the next piece.
 */
class Transcoder {
  out: Uint8Array;
  written = 0;
  private readonly decoder: TextDecoder;
  private readonly encoder = new TextEncoder();
  private readonly cleanCuts: boolean;
  private tail = new Uint8Array(0);
  private tailLength = 0;

  constructor(encoding: Exclude<EncodingName, 'utf-8'>, capacity: number) {
    // The names are WHATWG labels; `gb18030`, not `gbk`, whose Node 20 decoder drops 4-byte characters.
    this.decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: true });
    this.cleanCuts = encoding === 'gb18030' || encoding === 'big5';
    this.out = new Uint8Array(capacity);
  }

  /** Transcode the next piece; `last`, the text ends with it. */
  feed(piece: Uint8Array, last: boolean): void {
    if (!this.cleanCuts) {
      this.decodeSlices(piece, 0, piece.length);
    } else {
      let from = 0;
      if (this.tailLength > 0) {
        // The bytes the last piece left, with this piece's up to its first cut.
        let first = piece.findIndex((b) => b < 0x30) + 1;
        if (first === 0) {
          if (!last) {
            this.keep(piece, 0);
            return;
          }
          first = piece.length;
        }
        const join = new Uint8Array(this.tailLength + first);
        join.set(this.tail.subarray(0, this.tailLength));
        join.set(piece.subarray(0, first), this.tailLength);
        this.tailLength = 0;
        this.emit(this.decoder.decode(join, { stream: true }));
        from = first;
      }
      const cut = last ? piece.length : lastCleanCut(piece, from, piece.length);
      this.decodeSlices(piece, from, cut);
      if (cut < piece.length) this.keep(piece, cut);
    }
    if (last) this.emit(this.decoder.decode());
  }

  /** `bytes[from, to)` in calls of at most DECODE_SLICE bytes, each cut after a byte below 0x30 where there is one (see above). */
  private decodeSlices(bytes: Uint8Array, from: number, to: number): void {
    for (let at = from; at < to; ) {
      let end = Math.min(to, at + DECODE_SLICE);
      const clean = this.cleanCuts && end < to ? lastCleanCut(bytes, at, end) : at;
      if (clean > at) end = clean;
      this.emit(this.decoder.decode(bytes.subarray(at, end), { stream: true }));
      at = end;
    }
  }

  private keep(bytes: Uint8Array, from: number): void {
    const n = bytes.length - from;
    if (this.tailLength + n > this.tail.length) {
      const grown = new Uint8Array(Math.max(2 * this.tail.length, this.tailLength + n, 64));
      grown.set(this.tail.subarray(0, this.tailLength));
      this.tail = grown;
    }
    this.tail.set(bytes.subarray(from), this.tailLength);
    this.tailLength += n;
  }

  private emit(text: string): void {
    while (text.length > 0) {
      const result = this.encoder.encodeInto(text, this.out.subarray(this.written));
      this.written += result.written;
      if (result.read === text.length) return;
      text = text.slice(result.read);
      const grown = new Uint8Array(Math.max(this.out.length * 2, this.written + text.length * 3 + 16));
      grown.set(this.out.subarray(0, this.written));
      this.out = grown;
    }
  }
}

/**
 * `toUtf8` of a file read in pieces: its UTF-8 text in pieces, the BOM left out. UTF-8
 * pieces are passed on as they come; others are transcoded into one buffer, reused (a piece
 * is valid until the next is asked for).
 */
export async function* utf8Pieces(pieces: AsyncIterable<Uint8Array>, encoding: EncodingName, bomLength: number): AsyncGenerator<Uint8Array, void, void> {
  let skip = bomLength;
  const transcoder = encoding === 'utf-8' ? null : new Transcoder(encoding, 0);
  for await (const piece of pieces) {
    const body = skip > 0 ? piece.subarray(Math.min(skip, piece.length)) : piece;
    skip = Math.max(0, skip - piece.length);
    if (body.length === 0) continue;
    if (transcoder === null) {
      yield body;
      continue;
    }
    transcoder.written = 0;
    transcoder.feed(body, false);
    if (transcoder.written > 0) yield transcoder.out.subarray(0, transcoder.written);
  }
  if (transcoder !== null) {
    transcoder.written = 0;
    transcoder.feed(new Uint8Array(0), true);
    if (transcoder.written > 0) yield transcoder.out.subarray(0, transcoder.written);
  }
}

/**
 * UTF-8 bytes of the text after the BOM. For UTF-8 input this is a view (no copy).
 * Other encodings are transcoded slice by slice; bytes that are invalid in the source
 * encoding become U+FFFD, which the normalizer flags as `invalid_encoding`.
 */
export function toUtf8(bytes: Uint8Array, encoding: EncodingName, bomLength: number): Uint8Array {
  if (encoding === 'utf-8') return bytes.subarray(bomLength);
  const body = bytes.subarray(bomLength);
  // UTF-16 and GB18030/Big5 grow at most 1.5× (2 bytes → 3); invalid bytes can grow 3×.
  const transcoder = new Transcoder(encoding, Math.ceil(body.length * 1.5) + 16);
  transcoder.feed(body, true);
  return transcoder.out.subarray(0, transcoder.written);
}
