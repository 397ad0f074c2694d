/**
 * What the first part of a text file says about its layout: dialect, header line, width
 * and sample rows, for the mapping screen (no data is loaded).
 */
import { sniffDialect } from './dialect.ts';
import { detectHeader, effectiveWidth, type HeaderScorer } from './header.ts';
import type { Dialect } from './types.ts';
import { CR, LF, RecordScanner, SCAN, fitsWidth, type ScanStatus } from './record-scanner.ts';

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
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

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
