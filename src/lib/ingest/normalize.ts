/**
 * From UTF-8 text to the "normalized raw" stream that DuckDB reads with one fixed dialect
 * (delimiter 0x1F, quote `"`, LF): every record except the header becomes one line with
 * its physical line number, a flag (see {@link RAW_FLAG}), its field count and exactly N
 * cells. The scanner works on bytes: delimiter, quote, CR and LF are ASCII, so they never
 * occur inside a multi-byte UTF-8 character.
 */
import { utf8SequenceLength } from './decode.ts';
import { sniffDialect } from './dialect.ts';
import { detectHeader, effectiveWidth, type HeaderScorer } from './header.ts';
import { isSimpleRecord, type SimpleCellSpec } from './simple-cells.ts';
import type { Dialect } from './types.ts';
import { RAW_FLAG, type RawFlag } from './raw-format.ts';

// ───────────────────────────── record scanner ─────────────────────────────

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const US = 0x1f;
const QUOTE = 0x22;

/** How a scanned record ended. */
export const SCAN = {
  ok: 0,
  /** A quoted field ran to the end of the file, or across lines into the wrong field count. */
  unclosedQuote: 3,
  /** Invalid UTF-8 (or U+FFFD left by an earlier lossy decode) somewhere in the record. */
  invalidEncoding: 4,
  /** More than `maxRecordBytes` on one line. */
  lineTooLong: 5,
} as const;
export type ScanStatus = (typeof SCAN)[keyof typeof SCAN];

/** Per-field bits in `RecordScanner.fieldBits`. */
export const FIELD_NEEDS_QUOTES = 1;
export const FIELD_NOT_BLANK = 2;

/** Offset just after the first line break at or after `from` (CRLF counts once). */
export function nextLineStart(buf: Uint8Array, from: number): number {
  const n = buf.length;
  for (let i = from; i < n; i++) {
    const b = buf[i];
    if (b === LF) return i + 1;
    if (b === CR) return buf[i + 1] === LF ? i + 2 : i + 1;
  }
  return n;
}

/** True when the record's field count is acceptable: exactly `n`, or more with only blank extras. */
export function fitsWidth(fieldBits: Uint8Array, nFields: number, n: number): boolean {
  if (nFields === n) return true;
  if (nFields < n) return false;
  for (let k = n; k < nFields; k++) if ((fieldBits[k] as number) & FIELD_NOT_BLANK) return false;
  return true;
}

/**
 * Scans one record at a time. After `next()` returns true, `recordLine`, `status`,
 * `fieldCount`, `fieldEnds`, `fieldBits`, `cells`, `nulBytes` describe the record;
 * field k occupies `cells[fieldEnds[k-1] (or 0) .. fieldEnds[k])`, quotes removed and
 * doubled quotes unescaped, NUL bytes dropped.
 */
export class RecordScanner {
  pos = 0;
  /** Physical line on which the next record starts (1-based). */
  line = 1;
  /** True when the last record read ended with a line break. */
  endedWithBreak = false;

  recordLine = 0;
  status: ScanStatus = SCAN.ok;
  fieldCount = 0;
  nulBytes = 0;
  cells: Uint8Array;
  fieldEnds: Int32Array = new Int32Array(64);
  fieldBits: Uint8Array = new Uint8Array(64);

  private readonly delimiter: number;
  private readonly quote: number;

  /**
   * @param expectedFields width a record that crossed a line inside quotes must fit
   *   (otherwise the quote is taken as unclosed); 0 accepts any width.
   */
  constructor(
    private readonly buf: Uint8Array,
    dialect: Dialect,
    private readonly maxRecordBytes: number,
    private readonly expectedFields: number,
  ) {
    this.delimiter = dialect.delimiter === 'whitespace' ? -1 : dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quote === null ? -1 : QUOTE;
    this.cells = new Uint8Array(Math.min(maxRecordBytes, Math.max(buf.length, 16)) + 8);
  }

  private pushField(end: number, bits: number): void {
    const k = this.fieldCount;
    if (k >= this.fieldEnds.length) {
      const ends = new Int32Array(this.fieldEnds.length * 2);
      ends.set(this.fieldEnds);
      this.fieldEnds = ends;
      const b = new Uint8Array(this.fieldBits.length * 2);
      b.set(this.fieldBits);
      this.fieldBits = b;
    }
    this.fieldEnds[k] = end;
    this.fieldBits[k] = bits;
    this.fieldCount = k + 1;
  }

  /** Read the next record; false at the end of the input. */
  next(): boolean {
    const buf = this.buf;
    const n = buf.length;
    const start = this.pos;
    if (start >= n) return false;
    const D = this.delimiter;
    const Q = this.quote;
    const whitespace = D < 0;
    const limit = this.maxRecordBytes;
    const cells = this.cells;
    let len = 0;
    let i = start;
    let breaksInQuotes = 0;
    let invalid = false;
    let nul = 0;
    let ended = false; // consumed a line break at the end of the record
    let overflow = false;
    let eofInQuotes = false;
    this.fieldCount = 0;
    this.recordLine = this.line;

    if (whitespace) while (i < n && (buf[i] === SPACE || buf[i] === TAB)) i++;

    fields: for (;;) {
      if (whitespace) {
        if (i >= n) break;
        const b = buf[i];
        if (b === LF || b === CR) {
          i += b === CR && buf[i + 1] === LF ? 2 : 1;
          ended = true;
          break;
        }
      }
      let bits = 0;
      if (i < n && buf[i] === Q) {
        i++;
        for (;;) {
          if (i >= n) {
            eofInQuotes = true;
            break fields;
          }
          if (len > limit) {
            overflow = true;
            break fields;
          }
          const b = buf[i] as number;
          if (b === Q) {
            if (buf[i + 1] === Q) {
              cells[len++] = Q;
              bits |= FIELD_NEEDS_QUOTES | FIELD_NOT_BLANK;
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (b < 0x80) {
            i++;
            if (b === LF || b === CR) {
              cells[len++] = b;
              if (b === CR && buf[i] === LF) cells[len++] = buf[i++] as number;
              breaksInQuotes++;
              bits |= FIELD_NEEDS_QUOTES | FIELD_NOT_BLANK;
            } else if (b === 0) {
              nul++;
            } else {
              cells[len++] = b;
              if (b === US) bits |= FIELD_NEEDS_QUOTES;
              if (b !== SPACE && b !== TAB) bits |= FIELD_NOT_BLANK;
            }
            continue;
          }
          bits |= FIELD_NOT_BLANK;
          const sl = utf8SequenceLength(buf, i);
          if (sl === 0 || (b === 0xef && buf[i + 1] === 0xbf && buf[i + 2] === 0xbd)) {
            invalid = true;
            cells[len++] = b;
            i++;
          } else {
            for (let k = 0; k < sl; k++) cells[len++] = buf[i + k] as number;
            i += sl;
          }
        }
      }
      // Unquoted text, or what follows a closing quote (kept literally).
      for (;;) {
        if (i >= n) {
          this.pushField(len, bits);
          break fields;
        }
        if (len > limit) {
          overflow = true;
          break fields;
        }
        const b = buf[i] as number;
        if (b > QUOTE && b < 0x80 && b !== D) {
          cells[len++] = b;
          bits |= FIELD_NOT_BLANK;
          i++;
          continue;
        }
        if (b === D) {
          i++;
          this.pushField(len, bits);
          continue fields;
        }
        if (b === LF || b === CR) {
          i += b === CR && buf[i + 1] === LF ? 2 : 1;
          ended = true;
          this.pushField(len, bits);
          break fields;
        }
        if (whitespace && (b === SPACE || b === TAB)) {
          this.pushField(len, bits);
          while (i < n && (buf[i] === SPACE || buf[i] === TAB)) i++;
          continue fields;
        }
        if (b < 0x80) {
          i++;
          if (b === 0) {
            nul++;
            continue;
          }
          cells[len++] = b;
          if (b === Q || b === US) bits |= FIELD_NEEDS_QUOTES;
          if (b !== SPACE && b !== TAB) bits |= FIELD_NOT_BLANK;
          continue;
        }
        bits |= FIELD_NOT_BLANK;
        const sl = utf8SequenceLength(buf, i);
        if (sl === 0 || (b === 0xef && buf[i + 1] === 0xbf && buf[i + 2] === 0xbd)) {
          invalid = true;
          cells[len++] = b;
          i++;
        } else {
          for (let k = 0; k < sl; k++) cells[len++] = buf[i + k] as number;
          i += sl;
        }
      }
    }

    this.nulBytes = nul;
    if (eofInQuotes || (overflow && breaksInQuotes > 0)) {
      return this.rewind(start, SCAN.unclosedQuote);
    }
    if (overflow) {
      this.status = SCAN.lineTooLong;
      this.fieldCount = 0;
      this.pos = nextLineStart(buf, i);
      this.line = this.recordLine + 1;
      this.endedWithBreak = this.pos > 0 && (buf[this.pos - 1] === LF || buf[this.pos - 1] === CR);
      return true;
    }
    if (
      breaksInQuotes > 0 &&
      this.expectedFields > 0 &&
      !fitsWidth(this.fieldBits, this.fieldCount, this.expectedFields)
    ) {
      return this.rewind(start, SCAN.unclosedQuote);
    }
    this.status = invalid ? SCAN.invalidEncoding : SCAN.ok;
    this.pos = i;
    this.line = this.recordLine + breaksInQuotes + (ended ? 1 : 0);
    this.endedWithBreak = ended;
    return true;
  }

  /** Give up on the record that starts at `start`: report its line and resume on the next one. */
  private rewind(start: number, status: ScanStatus): true {
    this.status = status;
    this.fieldCount = 0;
    this.pos = nextLineStart(this.buf, start);
    this.line = this.recordLine + 1;
    const last = this.buf[this.pos - 1];
    this.endedWithBreak = last === LF || last === CR;
    return true;
  }
}

// ───────────────────────────── preview ─────────────────────────────

export { RAW_FLAG, type RawFlag } from './raw-format.ts';

/** What the first part of a text file says about its layout. */
export interface TextPreview {
  readonly dialect: Dialect;
  /** 1-based physical line of the header; 0 when the file has none. */
  readonly headerLine: number;
  /** Header cells, trimmed, one per column (`''` for unnamed columns); `[]` without a header. */
  readonly labels: readonly string[];
  /** Every cell of the header record as written, trailing unnamed ones included; `[]` without a header. */
  readonly headerCells: readonly string[];
  /** N: the number of cells every normalized line carries. */
  readonly columnCount: number;
  /** The first data records after the header (well-formed ones only), N cells each. */
  readonly sampleRows: readonly (readonly string[])[];
  /** Physical line of each sample row. */
  readonly sampleLines: readonly number[];
}

export interface PreviewOptions {
  /** Use this dialect instead of sniffing one. */
  readonly dialect?: Dialect;
  /** Use this header line (1-based; 0 = no header) instead of detecting it. */
  readonly headerLine?: number;
  readonly scoreHeader: HeaderScorer;
}

/** Bytes of the file that the preview reads. */
export const PREVIEW_BYTES = 256 * 1024;
const SAMPLE_ROWS = 500;
const PREVIEW_RECORDS = 2_000;
const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** The first `limit` bytes, cut after the last line break when the file is longer. */
function previewWindow(utf8: Uint8Array, limit: number): Uint8Array {
  if (utf8.length <= limit) return utf8;
  for (let i = limit - 1; i >= 0; i--) {
    const b = utf8[i];
    if (b === LF) return utf8.subarray(0, i + 1);
    if (b === CR) return utf8.subarray(0, utf8[i + 1] === LF ? i + 2 : i + 1);
  }
  return utf8.subarray(0, limit);
}

interface TextRecord {
  readonly line: number;
  readonly status: ScanStatus;
  readonly cells: string[];
  /** Whether field k may be ignored when it lies beyond the table's width. */
  readonly fits: (width: number) => boolean;
}

function readTextRecords(bytes: Uint8Array, dialect: Dialect, expectedFields: number): TextRecord[] {
  const scanner = new RecordScanner(bytes, dialect, DEFAULT_MAX_RECORD_BYTES, expectedFields);
  const decoder = new TextDecoder();
  const records: TextRecord[] = [];
  while (records.length < PREVIEW_RECORDS && scanner.next()) {
    const cells: string[] = [];
    let from = 0;
    for (let k = 0; k < scanner.fieldCount; k++) {
      const to = scanner.fieldEnds[k] as number;
      cells.push(decoder.decode(scanner.cells.subarray(from, to)));
      from = to;
    }
    const bits = scanner.fieldBits.slice(0, scanner.fieldCount);
    const count = scanner.fieldCount;
    records.push({
      line: scanner.recordLine,
      status: scanner.status,
      cells,
      fits: (width) => fitsWidth(bits, count, width),
    });
  }
  return records;
}

function isBlankCells(cells: readonly string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

/** The most frequent value, the larger one on a tie; 0 for no values. */
function modalValue(values: readonly number[]): number {
  const freq = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (const v of values) {
    const f = (freq.get(v) ?? 0) + 1;
    freq.set(v, f);
    if (f > bestCount || (f === bestCount && v > best)) {
      best = v;
      bestCount = f;
    }
  }
  return best;
}

/**
 * Sniff the dialect and the header from the first {@link PREVIEW_BYTES} of UTF-8 text and
 * fix the width N of the normalized lines: the header's width without trailing unnamed
 * columns, or the data's modal width when that is larger.
 */
export function previewText(utf8: Uint8Array, opts: PreviewOptions): TextPreview {
  const window = previewWindow(utf8, PREVIEW_BYTES);
  const dialect = opts.dialect ?? sniffDialect(new TextDecoder().decode(window));
  const firstPass = readTextRecords(window, dialect, 0);

  let headerLine: number;
  let headerCells: readonly string[] = [];
  if (opts.headerLine !== undefined) {
    headerLine = opts.headerLine;
    headerCells = firstPass.find((r) => r.line === headerLine)?.cells ?? [];
  } else {
    const rows = firstPass.map((r) => (r.status === SCAN.ok || r.status === SCAN.invalidEncoding ? r.cells : []));
    const { headerIndex } = detectHeader(rows, opts.scoreHeader);
    const header = firstPass[headerIndex];
    headerLine = header?.line ?? 0;
    headerCells = header?.cells ?? [];
  }

  // Re-read with the header's width so that a stray quote cannot glue lines into a wide record.
  const headerWidth = effectiveWidth(headerCells);
  const firstWidths = firstPass.filter((r) => r.status === SCAN.ok && !isBlankCells(r.cells)).map((r) => effectiveWidth(r.cells));
  const records = readTextRecords(window, dialect, headerWidth > 0 ? headerWidth : modalValue(firstWidths));
  const data = records.filter((r) => r.line > headerLine && r.status === SCAN.ok && !isBlankCells(r.cells));
  const columnCount = Math.max(1, headerWidth, modalValue(data.map((r) => effectiveWidth(r.cells))));
  const labels =
    headerLine === 0
      ? []
      : Array.from({ length: columnCount }, (_, k) => (headerCells[k] ?? '').trim());

  const sampleRows: string[][] = [];
  const sampleLines: number[] = [];
  for (const r of data) {
    if (sampleRows.length >= SAMPLE_ROWS) break;
    if (!r.fits(columnCount)) continue;
    sampleRows.push(r.cells.slice(0, columnCount));
    sampleLines.push(r.line);
  }
  return { dialect, headerLine, labels, headerCells: headerLine === 0 ? [] : [...headerCells], columnCount, sampleRows, sampleLines };
}

// ───────────────────────────── normalize ─────────────────────────────

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

export interface NormalizeOptions {
  /** Target size of a chunk (default 16 MB); a chunk only exceeds it to hold one huge record. */
  readonly chunkBytes?: number;
  /** Records longer than this are flagged `lineTooLong` (default 1 MiB). */
  readonly maxRecordBytes?: number;
  /** Copy plain records without the record scanner (default true; same output either way). */
  readonly plainFastPath?: boolean;
  /** Flag plain data records whose mapped cells are already clean as `simpleData` (sales files). */
  readonly simpleCells?: SimpleCellSpec | null;
}

const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
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
class ChunkWriter {
  out: Uint8Array;
  len = 0;
  rows = 0;
  firstLine = 0;
  lastLine = 0;
  /** Where the flag digit of the current record was written. */
  private flagAt = 0;
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
    const chunk = { bytes: this.out.subarray(0, this.len), rows: this.rows, firstLine: this.firstLine, lastLine: this.lastLine };
    this.len = 0;
    this.rows = 0;
    return chunk;
  }

  /** Write `line_no US flag US n_fields`; the caller appends N times `US cell`, then `endRecord`. */
  beginRecord(line: number, flag: number, nFields: number): void {
    if (this.rows === 0) this.firstLine = line;
    this.lastLine = line;
    this.rows++;
    this.writeUint(line);
    this.out[this.len++] = US;
    this.flagAt = this.len;
    this.writeUint(flag);
    this.out[this.len++] = US;
    this.writeUint(nFields);
  }

  endRecord(): void {
    this.out[this.len++] = LF;
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
    if (simple !== null && isSimpleRecord(src, from, ends, simple)) out[this.flagAt] = 0x30 + RAW_FLAG.simpleData;
    let p = base + to;
    out[p++] = LF;
    this.len = p;
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
   * that passes `isSimpleRecord` on the bytes just written.
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
    if (simple === null || quoted || n !== simple.width || !isSimpleRecord(this.out, from, ends, simple)) return false;
    this.out[this.flagAt] = 0x30 + RAW_FLAG.simpleData;
    return true;
  }
}

class StatsCounter {
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
function shapeFlag(line: number, headerLine: number, blank: boolean, fits: boolean, tooFew: boolean): RawFlag {
  if (blank) return RAW_FLAG.blank;
  if (line < headerLine) return RAW_FLAG.title;
  if (fits) return RAW_FLAG.data;
  return tooFew ? RAW_FLAG.tooFewFields : RAW_FLAG.tooManyFields;
}

/**
 * Turn UTF-8 text into the normalized raw stream: one line per record except the
 * header, in file order, in chunks that end on record boundaries.
 */
export function* normalize(
  utf8: Uint8Array,
  preview: Pick<TextPreview, 'dialect' | 'headerLine' | 'columnCount'>,
  opts: NormalizeOptions = {},
): Generator<NormalizedChunk, NormalizeStats, void> {
  const n = preview.columnCount;
  const headerLine = preview.headerLine;
  const maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const scanner = new RecordScanner(utf8, preview.dialect, maxRecordBytes, n);
  const writer = new ChunkWriter(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, utf8.length + (utf8.length >> 2));
  const stats = new StatsCounter();

  const fast = opts.plainFastPath !== false && preview.dialect.delimiter !== 'whitespace';
  const simple = opts.simpleCells ?? null;
  const delimiter = preview.dialect.delimiter.charCodeAt(0);

  for (;;) {
    if (fast && scanner.line > headerLine && scanner.pos < utf8.length) {
      const start = scanner.pos;
      const lf = utf8.indexOf(LF, start);
      let end = lf < 0 ? utf8.length : lf;
      if (lf > start && utf8[lf - 1] === CR) end--;
      if (end - start <= maxRecordBytes) {
        const done = writer.reserve(40 + 3 * n + (end - start));
        if (done) yield done;
        if (writer.writePlainRecord(utf8, start, end, delimiter, scanner.line, n, simple)) {
          scanner.recordLine = scanner.line;
          scanner.pos = lf < 0 ? utf8.length : lf + 1;
          scanner.endedWithBreak = lf >= 0;
          if (lf >= 0) scanner.line++;
          stats.count(RAW_FLAG.data);
          continue;
        }
      }
    }
    if (!scanner.next()) break;
    const line = scanner.recordLine;
    if (line === headerLine) continue;
    const count = scanner.fieldCount;
    let blank = true;
    for (let k = 0; k < count; k++) {
      if ((scanner.fieldBits[k] as number) & FIELD_NOT_BLANK) {
        blank = false;
        break;
      }
    }
    const flag: RawFlag =
      scanner.status !== SCAN.ok
        ? scanner.status
        : shapeFlag(line, headerLine, blank, fitsWidth(scanner.fieldBits, count, n), count < n);
    const keepCells = flag === RAW_FLAG.data || flag === RAW_FLAG.title || flag === RAW_FLAG.tooFewFields || flag === RAW_FLAG.tooManyFields;
    const kept = keepCells ? Math.min(count, n) : 0;
    const cellBytes = kept === 0 ? 0 : (scanner.fieldEnds[kept - 1] as number);
    const done = writer.reserve(40 + 3 * n + 2 * cellBytes);
    if (done) yield done;

    writer.beginRecord(line, flag, count);
    let from = 0;
    for (let k = 0; k < kept; k++) {
      const to = scanner.fieldEnds[k] as number;
      writer.writeCell(scanner.cells, from, to, ((scanner.fieldBits[k] as number) & FIELD_NEEDS_QUOTES) !== 0);
      from = to;
    }
    writer.writeEmptyCells(n - kept);
    writer.endRecord();
    stats.count(flag);
    if (keepCells && scanner.nulBytes > 0) {
      stats.nulRemoved += scanner.nulBytes;
      stats.nulRecords++;
    }
  }
  stats.lines = scanner.endedWithBreak ? scanner.line - 1 : scanner.line;
  if (utf8.length === 0) stats.lines = 0;
  if (writer.rows > 0) yield writer.take();
  return stats.result();
}

/** One row of a workbook or Parquet file: its line (worksheet row / 1-based row) and cells. */
export interface CellRow {
  readonly line: number;
  readonly cells: readonly (string | null)[];
}

/** Whether `trim()` would leave nothing; most cells are decided by their first character. */
function isBlankText(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  if (c > 0x20 && c < 0x80) return false;
  return text.trim() === '';
}

/**
 * The same normalized stream for rows that are already split (xlsx, Parquet): rows before
 * `headerLine` are title rows, the header row itself is left out, widths are checked
 * against `n` like text records. NUL characters are dropped and counted. With
 * `simpleCells`, clean data records are flagged as in `normalize`.
 */
export function* normalizeRows(
  rows: Iterable<CellRow>,
  n: number,
  headerLine: number,
  opts: Pick<NormalizeOptions, 'chunkBytes' | 'simpleCells'> = {},
): Generator<NormalizedChunk, NormalizeStats, void> {
  const writer = new ChunkWriter(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, 1024 * 1024);
  const stats = new StatsCounter();
  const simple = opts.simpleCells ?? null;
  const texts: string[] = [];
  for (const row of rows) {
    stats.lines = Math.max(stats.lines, row.line);
    if (row.line === headerLine) continue;
    const cells = row.cells;
    const count = cells.length;
    let blank = true;
    let extrasBlank = true;
    let nul = 0;
    let need = 40 + 3 * n;
    texts.length = 0;
    for (let k = 0; k < count; k++) {
      let text = cells[k] ?? '';
      if (text.includes('\u0000')) {
        const stripped = text.replaceAll('\u0000', '');
        nul += text.length - stripped.length;
        text = stripped;
      }
      if (!isBlankText(text)) {
        blank = false;
        if (k >= n) extrasBlank = false;
      }
      if (k < n) {
        texts.push(text);
        need += 6 * text.length + 3;
      }
    }
    const flag = shapeFlag(row.line, headerLine, blank, count === n || (count > n && extrasBlank), count < n);
    if (flag === RAW_FLAG.blank) texts.length = 0;
    const done = writer.reserve(need);
    if (done) yield done;
    writer.beginRecord(row.line, flag, count);
    writer.writeRowCells(texts, flag === RAW_FLAG.data && count === n && nul === 0 ? simple : null);
    writer.writeEmptyCells(n - texts.length);
    writer.endRecord();
    stats.count(flag);
    if (nul > 0) {
      stats.nulRemoved += nul;
      stats.nulRecords++;
    }
  }
  if (writer.rows > 0) yield writer.take();
  return stats.result();
}
