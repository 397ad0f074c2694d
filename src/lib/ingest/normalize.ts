/**
 * From UTF-8 text to the "normalized raw" stream that DuckDB reads with one fixed dialect
 * (delimiter 0x1F, quote `"`, LF): every record except the header becomes one line with
 * its physical line number, a flag (see {@link RAW_FLAG}), its field count and exactly N
 * cells. The scanner works on bytes: delimiter, quote, CR and LF are ASCII, so they never
 * occur inside a multi-byte UTF-8 character.
 */
import { ChunkWriter, DEFAULT_CHUNK_BYTES, StatsCounter, shapeFlag, type NormalizeStats, type NormalizedChunk } from './chunk-writer.ts';
import { DEFAULT_MAX_RECORD_BYTES, type TextPreview } from './preview.ts';
import { RAW_FLAG, type RawFlag } from './raw-format.ts';
import { CR, LF, FIELD_NEEDS_QUOTES, FIELD_NOT_BLANK, RecordScanner, SCAN, fitsWidth } from './record-scanner.ts';
import { simpleFlag, type SimpleCellSpec } from './simple-cells.ts';

// The normalizer's parts, by job: the byte scanner, the preview, the chunk writer, the raw format.
export type { NormalizedChunk, NormalizeStats } from './chunk-writer.ts';
export * from './preview.ts';
export { RAW_FLAG, type RawFlag } from './raw-format.ts';
export * from './record-scanner.ts';

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

/** What the normalizer carries from one window of the text to the next. */
class TextNormalizer {
  readonly scanner: RecordScanner;
  readonly writer: ChunkWriter;
  readonly stats = new StatsCounter();
  /** Text bytes read so far (the windows' new bytes). */
  total = 0;
  private readonly n: number;
  private readonly headerLine: number;
  private readonly maxRecordBytes: number;
  private readonly fast: boolean;
  private readonly simple: SimpleCellSpec | null;
  private readonly delimiter: number;
  private readonly cellEnds: Int32Array;

  constructor(preview: Pick<TextPreview, 'dialect' | 'headerLine' | 'columnCount'>, opts: NormalizeOptions, sizeHint: number) {
    this.n = preview.columnCount;
    this.headerLine = preview.headerLine;
    this.maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.scanner = new RecordScanner(new Uint8Array(0), preview.dialect, this.maxRecordBytes, this.n);
    this.writer = new ChunkWriter(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, sizeHint + (sizeHint >> 2));
    this.fast = opts.plainFastPath !== false && preview.dialect.delimiter !== 'whitespace';
    this.simple = opts.simpleCells ?? null;
    this.delimiter = preview.dialect.delimiter.charCodeAt(0);
    this.cellEnds = new Int32Array(this.n);
  }

  /**
   * Normalize the records of `utf8` from `pos` on, yielding chunks as they fill; returns
   * where it stopped: the end, or (with `more`, more text to come) the start of a record
   * that may go on in the next window.
   */
  *window(utf8: Uint8Array, pos: number, more: boolean): Generator<NormalizedChunk, number, void> {
    const { scanner, writer, stats, n, headerLine, maxRecordBytes, simple, delimiter, cellEnds } = this;
    scanner.window(utf8, pos, more);
    for (;;) {
      if (this.fast && scanner.line > headerLine && scanner.pos < utf8.length) {
        const start = scanner.pos;
        const lf = utf8.indexOf(LF, start);
        // A record without its line break in the window may go on in the next one.
        if (lf < 0 && more) return start;
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
      if (!scanner.next()) return scanner.pos;
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
      // A quoted data record is simple as a plain one is, when its cells are written unquoted
      // (the engine's read of quoted files, typed-csv.ts, flags it the same way).
      let clean = this.fast && simple !== null && flag === RAW_FLAG.data && count === n && scanner.nulBytes === 0;
      const cellsFrom = writer.len + 1;
      let from = 0;
      for (let k = 0; k < kept; k++) {
        const to = scanner.fieldEnds[k] as number;
        const quote = ((scanner.fieldBits[k] as number) & FIELD_NEEDS_QUOTES) !== 0;
        writer.writeCell(scanner.cells, from, to, quote);
        if (quote) clean = false;
        cellEnds[k] = writer.len;
        from = to;
      }
      if (clean) writer.setFlag(simpleFlag(writer.out, cellsFrom, cellEnds, simple as SimpleCellSpec));
      writer.writeEmptyCells(n - kept);
      writer.endRecord();
      stats.count(flag);
      if (keepCells && scanner.nulBytes > 0) {
        stats.nulRemoved += scanner.nulBytes;
        stats.nulRecords++;
      }
    }
  }

  /** The last chunk (if any), and the totals. */
  *finish(): Generator<NormalizedChunk, NormalizeStats, void> {
    const { scanner, stats, writer } = this;
    stats.lines = this.total === 0 ? 0 : scanner.endedWithBreak ? scanner.line - 1 : scanner.line;
    if (writer.rows > 0) yield writer.take();
    return stats.result();
  }
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
  const text = new TextNormalizer(preview, opts, utf8.length);
  text.total = utf8.length;
  yield* text.window(utf8, 0, false);
  return yield* text.finish();
}

/**
 * The same stream from text that arrives in pieces (a large file read a slice at a time,
 * never whole): each piece is appended to a window that keeps only the record the last
 * window could not decide. A piece need only stay valid until the next is asked for; a
 * piece may end anywhere, inside a character or between a CR and its LF. The output is
 * byte for byte `normalize`'s of the whole text, chunked alike but for where chunks end.
 */
export async function* normalizePieces(
  pieces: AsyncIterable<Uint8Array>,
  preview: Pick<TextPreview, 'dialect' | 'headerLine' | 'columnCount'>,
  sizeHint: number,
  opts: NormalizeOptions = {},
): AsyncGenerator<NormalizedChunk, NormalizeStats, void> {
  const text = new TextNormalizer(preview, opts, sizeHint);
  let window = new Uint8Array(0);
  let len = 0;
  let pos = 0;
  for await (const piece of pieces) {
    if (piece.length === 0) continue;
    // Keep what is left of the last window, then the piece: one buffer, grown only when a
    // record is longer than what it holds.
    const left = len - pos;
    if (left + piece.length > window.length) {
      const grown = new Uint8Array(Math.max(left + piece.length, 2 * window.length));
      grown.set(window.subarray(pos, len));
      window = grown;
    } else {
      window.copyWithin(0, pos, len);
    }
    window.set(piece, left);
    len = left + piece.length;
    text.total += piece.length;
    pos = yield* text.window(window.subarray(0, len), 0, true);
  }
  yield* text.window(window.subarray(0, len), pos, false);
  return yield* text.finish();
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
