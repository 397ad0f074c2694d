/**
 * Writes records into the normalized raw stream (see raw-format.ts), in chunks that end
 * on record boundaries, and counts them.
 */
import { utf8SequenceLength } from './decode.ts';
import { simpleFlag, type SimpleCellSpec } from './simple-cells.ts';
import { RAW_FLAG, type RawFlag } from './raw-format.ts';
import { CR, LF, QUOTE, SPACE, TAB, US } from './record-scanner.ts';

/**
 * A piece of the normalized raw stream: whole records, one per line,
 * `line_no US flag US n_fields US c0 US … US c{N-1} LF` (US = 0x1F), cells quoted
 * RFC-4180 style only when they contain US, `"`, CR or LF.
 */
export interface NormalizedChunk {
  readonly bytes: Uint8Array;
  readonly rows: number;
  readonly firstLine: number;
  readonly lastLine: number;
  /** Bytes of the longest line in the chunk, its LF included (what the engine's reader must allow). */
  readonly longestLine: number;
}

/** Totals over the whole file. */
export interface NormalizeStats {
  /** Normalized lines written (every record except the header). */
  readonly records: number;
  /** Records per {@link RAW_FLAG} value. */
  readonly byFlag: Readonly<Record<number, number>>;
  /** NUL bytes dropped from kept cells. */
  readonly nulRemoved: number;
  /** Records that lost at least one NUL byte. */
  readonly nulRecords: number;
  /** Physical lines in the input. */
  readonly lines: number;
}

export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;

const ENCODER = new TextEncoder();

/**
 * Write `text` as UTF-8 into `out` from `p` (room is the caller's: 3 bytes per UTF-16 unit,
 * twice that when quoting) and return the end. Lone surrogates become U+FFFD, as with
 * `TextEncoder`. Unless `quoting`, returns -1 at the first quote, US, CR or LF (the cell
 * must be quoted); when `quoting`, quotes are doubled. Short cells are the common case,
 * where a loop beats `encodeInto` on a fresh subarray.
 */
function encodeUtf8(text: string, out: Uint8Array, p: number, quoting: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === QUOTE || c === US || c === CR || c === LF) {
        if (!quoting) return -1;
        if (c === QUOTE) out[p++] = QUOTE;
      }
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      const d = text.charCodeAt(i + 1);
      if (c < 0xdc00 && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[p++] = 0xf0 | (cp >> 18);
        out[p++] = 0x80 | ((cp >> 12) & 0x3f);
        out[p++] = 0x80 | ((cp >> 6) & 0x3f);
        out[p++] = 0x80 | (cp & 0x3f);
        i++;
      } else {
        out[p++] = 0xef;
        out[p++] = 0xbf;
        out[p++] = 0xbd;
      }
    }
  }
  return p;
}

/** Builds chunks of normalized lines in a growable buffer. */
export class ChunkWriter {
  out: Uint8Array;
  len = 0;
  rows = 0;
  firstLine = 0;
  lastLine = 0;
  /** Where the flag digit of the current record was written. */
  private flagAt = 0;
  /** Where the current record starts, and the longest record of the chunk so far. */
  private recordAt = 0;
  private longest = 0;
  /** Scratch: positions of a plain record's cell ends. */
  private cellEnds = new Int32Array(0);

  constructor(
    private readonly chunkBytes: number,
    private readonly sizeHint: number,
  ) {
    this.out = new Uint8Array(Math.min(chunkBytes, sizeHint) + 1024);
  }

  /** Make room for a record of at most `need` bytes; returns a finished chunk if one had to be cut. */
  reserve(need: number): NormalizedChunk | null {
    let done: NormalizedChunk | null = null;
    if (this.len > 0 && this.len + need > this.chunkBytes) {
      done = this.take();
      this.out = new Uint8Array(Math.min(this.chunkBytes, this.sizeHint) + 1024);
    }
    if (this.len + need > this.out.length) {
      const grown = new Uint8Array(Math.max(this.out.length * 2, this.len + need));
      grown.set(this.out.subarray(0, this.len));
      this.out = grown;
    }
    return done;
  }

  /** The current chunk; the writer starts over (the bytes now belong to the caller). */
  take(): NormalizedChunk {
    const chunk = { bytes: this.out.subarray(0, this.len), rows: this.rows, firstLine: this.firstLine, lastLine: this.lastLine, longestLine: this.longest };
    this.len = 0;
    this.rows = 0;
    this.longest = 0;
    return chunk;
  }

  /** Write `line_no US flag US n_fields`; the caller appends N times `US cell`, then `endRecord`. */
  beginRecord(line: number, flag: number, nFields: number): void {
    if (this.rows === 0) this.firstLine = line;
    this.lastLine = line;
    this.rows++;
    this.recordAt = this.len;
    this.writeUint(line);
    this.out[this.len++] = US;
    this.flagAt = this.len;
    this.writeUint(flag);
    this.out[this.len++] = US;
    this.writeUint(nFields);
  }

  /** Set the current record's flag (it was begun as data): `simpleFlag`'s, one digit. */
  setFlag(flag: number): void {
    this.out[this.flagAt] = 0x30 + flag;
  }

  endRecord(): void {
    this.out[this.len++] = LF;
    this.longest = Math.max(this.longest, this.len - this.recordAt);
  }

  private writeUint(value: number): void {
    const out = this.out;
    if (value < 10) {
      out[this.len++] = 0x30 + value;
      return;
    }
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    let p = this.len + digits;
    this.len = p;
    for (let v = value; digits > 0; digits--) {
      out[--p] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
  }

  /** `US` followed by the cell bytes, quoted when `quote` is set. */
  writeCell(src: Uint8Array, from: number, to: number, quote: boolean): void {
    const out = this.out;
    let p = this.len;
    out[p++] = US;
    if (quote) {
      out[p++] = QUOTE;
      for (let i = from; i < to; i++) {
        const b = src[i] as number;
        out[p++] = b;
        if (b === QUOTE) out[p++] = QUOTE;
      }
      out[p++] = QUOTE;
    } else {
      for (let i = from; i < to; i++) out[p++] = src[i] as number;
    }
    this.len = p;
  }

  /**
   * A whole record straight from the input when it is plain: no quote, NUL, US or CR
   * inside, valid UTF-8 without U+FFFD, exactly `n` fields, not blank. Delimiters become
   * US. Returns false (and writes nothing) otherwise; the scanner then reads the record.
   */
  writePlainRecord(
    src: Uint8Array,
    from: number,
    to: number,
    delimiter: number,
    line: number,
    n: number,
    simple: SimpleCellSpec | null = null,
  ): boolean {
    const saved = [this.len, this.rows, this.firstLine, this.lastLine] as const;
    const ends = this.cellEnds.length >= n ? this.cellEnds : (this.cellEnds = new Int32Array(n));
    this.beginRecord(line, RAW_FLAG.data, n);
    const out = this.out;
    out[this.len] = US;
    // Copy first (native), then check the input and turn delimiters into US in place.
    const base = this.len + 1 - from;
    out.set(src.subarray(from, to), base + from);
    let fields = 1;
    let notBlank = false;
    let i = from;
    while (i < to) {
      const b = src[i] as number;
      if (b > QUOTE && b < 0x80) {
        if (b === delimiter) {
          out[base + i] = US;
          if (fields <= n) ends[fields - 1] = i;
          fields++;
        } else notBlank = true;
        i++;
      } else if (b < 0x80) {
        if (b === QUOTE || b === 0 || b === US || b === CR) break;
        if (b === delimiter) {
          out[base + i] = US;
          if (fields <= n) ends[fields - 1] = i;
          fields++;
        } else if (b !== SPACE && b !== TAB) notBlank = true;
        i++;
      } else if (b >= 0xe1 && b <= 0xec) {
        // Three-byte characters without range exceptions (all of CJK): continuation bytes only.
        if (((src[i + 1] as number) & 0xc0) !== 0x80 || ((src[i + 2] as number) & 0xc0) !== 0x80) break;
        notBlank = true;
        i += 3;
      } else {
        const sl = utf8SequenceLength(src, i);
        if (sl === 0 || (b === 0xef && src[i + 1] === 0xbf && src[i + 2] === 0xbd)) break;
        notBlank = true;
        i += sl;
      }
    }
    if (i < to || fields !== n || !notBlank) {
      [this.len, this.rows, this.firstLine, this.lastLine] = saved;
      return false;
    }
    ends[n - 1] = to;
    if (simple !== null) out[this.flagAt] = 0x30 + simpleFlag(src, from, ends, simple);
    let p = base + to;
    out[p++] = LF;
    this.len = p;
    this.longest = Math.max(this.longest, p - this.recordAt);
    return true;
  }

  writeEmptyCells(count: number): void {
    const out = this.out;
    for (let k = 0; k < count; k++) out[this.len++] = US;
  }

  /** The UTF-8 bytes of `text`: ASCII copied directly, anything else through the encoder. */
  writeText(text: string): void {
    const out = this.out;
    let p = this.len;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.len += ENCODER.encodeInto(text, out.subarray(this.len)).written;
        return;
      }
      out[p++] = c;
    }
    this.len = p;
  }

  /**
   * The cells of a row that is already split (`US cell` each), quoted where needed, and
   * whether the record is simple: a data record of exactly `spec.width` cells, none quoted,
   * that `simpleFlag` flags simple (formatted or not) on the bytes just written.
   */
  writeRowCells(texts: readonly string[], simple: SimpleCellSpec | null): boolean {
    const n = texts.length;
    const ends = this.cellEnds.length >= n ? this.cellEnds : (this.cellEnds = new Int32Array(n));
    const from = this.len + 1;
    let quoted = false;
    for (let k = 0; k < n; k++) {
      const text = texts[k] as string;
      this.out[this.len++] = US;
      let p = encodeUtf8(text, this.out, this.len, false);
      if (p < 0) {
        // A quote, US, CR or LF inside: the cell is written again, quoted.
        quoted = true;
        const out = this.out;
        out[this.len] = QUOTE;
        p = encodeUtf8(text, out, this.len + 1, true);
        out[p++] = QUOTE;
      }
      this.len = p;
      ends[k] = p;
    }
    if (simple === null || quoted || n !== simple.width) return false;
    const flag = simpleFlag(this.out, from, ends, simple);
    this.out[this.flagAt] = 0x30 + flag;
    return flag !== RAW_FLAG.data;
  }
}

export class StatsCounter {
  records = 0;
  readonly byFlag: Record<number, number> = {};
  nulRemoved = 0;
  nulRecords = 0;
  lines = 0;

  count(flag: number): void {
    this.records++;
    this.byFlag[flag] = (this.byFlag[flag] ?? 0) + 1;
  }

  result(): NormalizeStats {
    return { records: this.records, byFlag: { ...this.byFlag }, nulRemoved: this.nulRemoved, nulRecords: this.nulRecords, lines: this.lines };
  }
}

/** Flag of a record from its position and shape (scan problems are decided before). */
export function shapeFlag(line: number, headerLine: number, blank: boolean, fits: boolean, tooFew: boolean): RawFlag {
  if (blank) return RAW_FLAG.blank;
  if (line < headerLine) return RAW_FLAG.title;
  if (fits) return RAW_FLAG.data;
  return tooFew ? RAW_FLAG.tooFewFields : RAW_FLAG.tooManyFields;
}
