/**
 * Excel 2007+ workbooks (.xlsx) through read-excel-file's universal entry, which takes an
 * ArrayBuffer and imports no Node modules, so the same code runs in the browser and in Node.
 */
import readXlsxFile from 'read-excel-file/universal';
import { detectHeader } from '../header.ts';
import { autoMap, scoreHeader } from '../mapping.ts';
import { surveyAutoMap } from '../survey.ts';
import { IngestError } from '../types.ts';

/** One worksheet as text: `rows[i]` is worksheet row i + 1 (empty rows kept as `[]`-like rows of ''). */
export interface Workbook {
  /** Worksheet names in workbook order (chart sheets left out). */
  readonly sheets: readonly string[];
  /** The sheet that was read. */
  readonly sheet: string;
  readonly rows: readonly (readonly string[])[];
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * A cell as the text a CSV export would hold: strings unchanged (ids like 00123 stay
 * text), numbers in shortest round-trip form, booleans TRUE/FALSE, dates from their UTC
 * fields as YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS when they carry a time (to the nearest second).
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    // Serial day fractions come back a hair off (09:30:00 as 09:29:59.999): nearest second.
    const d = new Date(Math.round(value.getTime() / 1000) * 1000);
    const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    const h = d.getUTCHours();
    const m = d.getUTCMinutes();
    const s = d.getUTCSeconds();
    return h === 0 && m === 0 && s === 0 ? date : `${date} ${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  }
  return String(value);
}

/** Which load a workbook is read for: each needs its own columns (see `sheetHasRequiredColumns`). */
export type SheetRole = 'sales' | 'survey';

/** Rows the default-sheet check looks at: the header search window and the sample below it. */
const HEADER_ROWS = 50;
const SAMPLE_ROWS = 200;

const isBlank = (row: readonly string[]): boolean => row.every((c) => c.trim() === '');

/**
 * Whether a sheet's header maps the fields a load needs (sales: customer, date and amount or
 * quantity × unit price; survey: a score and a customer or order id), found as the preview
 * finds them: the header among the first rows, sample values from the rows below it.
 * A field that several columns match counts as mapped (the user picks one in the mapper).
 */
export function sheetHasRequiredColumns(rows: readonly (readonly string[])[], role: SheetRole): boolean {
  const head = rows.slice(0, HEADER_ROWS).map((r) => r.map((c) => c.trim()));
  const index = detectHeader(head, scoreHeader).headerIndex;
  if (index < 0) return false;
  const labels = head[index] ?? [];
  const sample = rows.slice(index + 1, index + 1 + SAMPLE_ROWS).filter((r) => !isBlank(r));
  const auto = role === 'sales' ? autoMap(labels, sample) : surveyAutoMap(labels, sample);
  return auto.missing.length === 0;
}

/**
 * The sheet read when none is named: the first, unless it lacks the columns `role` needs and
 * a later sheet has them; then the first such sheet. (A notes sheet in front of the data.)
 */
export function defaultSheetIndex(sheets: readonly (readonly (readonly string[])[])[], role: SheetRole): number {
  const first = sheets[0];
  if (first === undefined || sheets.length === 1 || sheetHasRequiredColumns(first, role)) return 0;
  const later = sheets.findIndex((rows, i) => i > 0 && sheetHasRequiredColumns(rows, role));
  return later < 0 ? 0 : later;
}

type ParsedSheet = { readonly sheet: string; readonly data: readonly (readonly unknown[])[] };

function textRows(data: readonly (readonly unknown[])[], limit = data.length): string[][] {
  return data.slice(0, limit).map((row) => row.map(cellText));
}

/**
 * Read one worksheet as rows of text: the one named, or by default the one
 * `defaultSheetIndex` picks for `role`. Chart sheets (and dialog or macro sheets) hold no
 * cells: they are not listed in `sheets` and cannot be named.
 * Throws `IngestError('UNREADABLE_WORKBOOK')` for a damaged file or an unknown sheet, and
 * `IngestError('EMPTY_FILE')` when no worksheet has a filled cell.
 */
export async function readWorkbook(bytes: Uint8Array, sheet?: string, role: SheetRole = 'sales'): Promise<Workbook> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let parsed: readonly { readonly sheet: string; readonly data?: readonly (readonly unknown[])[] }[];
  try {
    parsed = await readXlsxFile(buffer);
  } catch (e) {
    throw new IngestError('UNREADABLE_WORKBOOK', { reason: e instanceof Error ? e.message.slice(0, 80) : 'unknown' });
  }
  // The reader returns a sheet whose relation is not a worksheet (a chart sheet) without data.
  const worksheets = parsed.filter((s): s is ParsedSheet => Array.isArray(s.data));
  const filled = (s: ParsedSheet) => s.data.some((row) => row.some((c) => cellText(c).trim() !== ''));
  if (!worksheets.some(filled)) throw new IngestError('EMPTY_FILE');
  const index =
    sheet === undefined
      ? defaultSheetIndex(worksheets.map((s) => textRows(s.data, HEADER_ROWS + SAMPLE_ROWS)), role)
      : worksheets.findIndex((s) => s.sheet === sheet);
  const chosen = worksheets[index];
  if (chosen === undefined) throw new IngestError('UNREADABLE_WORKBOOK', { sheet: sheet ?? '' });
  return { sheets: worksheets.map((s) => s.sheet), sheet: chosen.sheet, rows: textRows(chosen.data) };
}
