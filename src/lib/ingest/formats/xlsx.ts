/**
 * Excel 2007+ workbooks (.xlsx) through read-excel-file's universal entry, which takes an
 * ArrayBuffer and imports no Node modules, so the same code runs in the browser and in Node.
 */
import readXlsxFile from 'read-excel-file/universal';
import { IngestError } from '../types.ts';

/** One worksheet as text: `rows[i]` is worksheet row i + 1 (empty rows kept as `[]`-like rows of ''). */
export interface Workbook {
  /** Sheet names in workbook order. */
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

/**
 * Read one sheet (by name; the first one by default) as rows of text.
 * Throws `IngestError('UNREADABLE_WORKBOOK')` for a damaged file or an unknown sheet.
 */
export async function readWorkbook(bytes: Uint8Array, sheet?: string): Promise<Workbook> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let sheets: Awaited<ReturnType<typeof readXlsxFile>>;
  try {
    sheets = await readXlsxFile(buffer);
  } catch (e) {
    throw new IngestError('UNREADABLE_WORKBOOK', { reason: e instanceof Error ? e.message.slice(0, 80) : 'unknown' });
  }
  const chosen = sheet === undefined ? sheets[0] : sheets.find((s) => s.sheet === sheet);
  if (chosen === undefined) throw new IngestError('UNREADABLE_WORKBOOK', { sheet: sheet ?? '' });
  return {
    sheets: sheets.map((s) => s.sheet),
    sheet: chosen.sheet,
    rows: chosen.data.map((row) => row.map(cellText)),
  };
}
