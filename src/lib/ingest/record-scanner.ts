/**
 * The byte-level record scanner: finds records, fields and quoting in UTF-8 text (the
 * delimiter, quote, CR and LF are ASCII, so they never occur inside a multi-byte
 * character). Used by the preview and by the normalizer.
 */
import { utf8SequenceLength } from './decode.ts';
import type { Dialect } from './types.ts';

export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const TAB = 0x09;
export const US = 0x1f;
export const QUOTE = 0x22;

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
   * More input follows `buf` (a window of a file read in slices): a record whose reading
   * reached the end of the window — or looked at the byte after it — is not decided; `next()`
   * returns false and leaves `pos` and `line` at its start, for the next window to read whole.
   */
  private more = false;

  /**
   * @param expectedFields width a record that crossed a line inside quotes must fit
   *   (otherwise the quote is taken as unclosed); 0 accepts any width.
   */
  constructor(
    private buf: Uint8Array,
    dialect: Dialect,
    private readonly maxRecordBytes: number,
    private readonly expectedFields: number,
  ) {
    this.delimiter = dialect.delimiter === 'whitespace' ? -1 : dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quote === null ? -1 : QUOTE;
    this.cells = new Uint8Array(this.cellBytesFor(buf));
  }

  private cellBytesFor(buf: Uint8Array): number {
    return Math.min(this.maxRecordBytes, Math.max(buf.length, 16)) + 8;
  }

  /**
   * Go on reading in `buf` from `pos` (the line count carries on): the next window of a file
   * read in slices, `more` while another one follows.
   */
  window(buf: Uint8Array, pos: number, more: boolean): void {
    this.buf = buf;
    this.pos = pos;
    this.more = more;
    const need = this.cellBytesFor(buf);
    if (need > this.cells.length) this.cells = new Uint8Array(need);
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
    // The record reached the end of the window, or looked at the byte after it (a CR's LF):
    // with `more`, more of it may follow. A character, a doubled quote or a quoted line break
    // cut by the window's end keeps the scan going to the end, so these are all the places;
    // a record given up (`rewind`) was decided within the window.
    let touched = false;
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
        if (i >= n) {
          touched = true;
          break;
        }
        const b = buf[i];
        if (b === LF || b === CR) {
          if (b === CR && i + 1 >= n) touched = true;
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
            touched = true;
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
          touched = true;
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
          if (b === CR && i + 1 >= n) touched = true;
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

    if (touched && this.more) return this.undecided(start);
    this.nulBytes = nul;
    if (eofInQuotes || (overflow && breaksInQuotes > 0)) {
      return this.rewind(start, SCAN.unclosedQuote);
    }
    if (overflow) {
      const resume = nextLineStart(buf, i);
      // Where the over-long line ends can be in the next window.
      if (this.more && resume >= n) return this.undecided(start);
      this.status = SCAN.lineTooLong;
      this.fieldCount = 0;
      this.pos = resume;
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

  /** Leave the record that starts at `start` to the next window (`more`): nothing moves. */
  private undecided(start: number): false {
    this.pos = start;
    this.line = this.recordLine;
    this.fieldCount = 0;
    return false;
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
