/**
 * XLSX through write-excel-file: numbers stay numbers, dates become Excel dates, and text
 * that a spreadsheet could take for a formula gets a leading apostrophe (as in csv.ts).
 * A workbook is built whole in memory (see XLSX_MAX_ROWS), so large tables go to CSV or
 * Parquet instead.
 */
import { errorDetail } from '../format.ts';
import type { Cell as XlsxCell, Row as XlsxRow } from 'write-excel-file/universal';
import type { Cell } from '../db/client.ts';
import { FORMULA_START } from './csv.ts';
import { DEFAULT_BATCH, type ColumnKind, type ExportSource } from './stream.ts';

/** Data rows one sheet can take (the header takes the first of Excel's 1,048,576). */
export const XLSX_SHEET_ROWS = 1_048_575;

/**
 * Most rows this page exports as a workbook. The workbook is built whole: 100 k rows
 * measured about +400 MB in the tab, so a full sheet would risk the tab before Excel's
 * own limit; larger tables go to CSV or Parquet, which are written batch by batch.
 */
export const XLSX_MAX_ROWS = 200_000;

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function guardText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' as a Date at that wall-clock time in UTC. */
export function utcDate(iso: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/.exec(iso);
  if (!m) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  return new Date(Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6)));
}

export function xlsxCell(kind: ColumnKind, v: Cell): XlsxCell {
  if (v === null) return null;
  if (kind === 'date' || kind === 'timestamp') {
    const d = typeof v === 'string' ? utcDate(v) : null;
    if (d === null) return guardText(String(v));
    return { value: d, type: Date, format: kind === 'date' ? 'yyyy-mm-dd' : 'yyyy-mm-dd hh:mm:ss' };
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  return guardText(v);
}

export class XlsxTooLargeError extends Error {
  constructor(readonly rows: number) {
    super(`xlsx: ${rows} rows exceed the ${XLSX_MAX_ROWS} a workbook export takes`);
    this.name = 'XlsxTooLargeError';
  }
}

/** What a failed export says: the workbook's row limit, or the cause, shortened. */
export function exportFailure(
  e: unknown,
  t: (key: string, params?: Readonly<Record<string, string | number>>) => string,
  int: (n: number) => string,
): string {
  return e instanceof XlsxTooLargeError
    ? t('exp.tooLarge', { rows: int(e.rows), max: int(XLSX_MAX_ROWS) })
    : t('exp.failed', { detail: errorDetail(e) });
}

/** One sheet: the header (labels) and every row of the source. */
export async function xlsxBlob(
  source: ExportSource,
  header: readonly string[] = source.columns.map((c) => c.name),
  options: { sheet?: string; batchSize?: number } = {},
): Promise<Blob> {
  if (source.rowCount > XLSX_MAX_ROWS) throw new XlsxTooLargeError(source.rowCount);
  const data: XlsxRow[] = [header.map((h) => ({ value: guardText(h), fontWeight: 'bold' as const }))];
  for await (const rows of source.batches(options.batchSize ?? DEFAULT_BATCH)) {
    for (const r of rows) data.push(source.columns.map((c) => xlsxCell(c.kind, r[c.name] ?? null)));
  }
  // Loaded on demand: the writer is a large part of the page's code and few exports are workbooks.
  const { default: writeXlsxFile } = await import('write-excel-file/universal');
  return writeXlsxFile(data, { sheet: options.sheet ?? 'data', stickyRowsCount: 1 }).toBlob();
}
