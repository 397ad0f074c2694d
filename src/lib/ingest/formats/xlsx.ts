/**
 * Excel 2007+ workbooks (.xlsx), read as a stream: the archive's parts are inflated piece by
 * piece (zip-entries.ts) and the sheet's XML is scanned as it arrives (xml-scan.ts,
 * sheet-xml.ts), rows handed on as they close. Nothing re-reads what was read, so the work
 * and the memory grow with the sheet, not faster; the same code runs in the browser and Node.
 */
import { detectHeader } from '../header.ts';
import { autoMap, scoreHeader } from '../mapping.ts';
import type { CellRow } from '../normalize.ts';
import { surveyAutoMap } from '../survey.ts';
import { IngestError } from '../types.ts';
import { RelationsHandler, SharedStringsHandler, SheetHandler, StylesHandler, WorkbookHandler, type SheetContext } from './sheet-xml.ts';
import { XmlScanner, scanDocument, type XmlHandler } from './xml-scan.ts';
import { entryBytes, zipEntries, ZipError, type ZipEntry } from './zip-entries.ts';

export { cellText } from './sheet-xml.ts';

/** One worksheet as text: `rows[i]` is worksheet row i + 1 (empty rows kept as rows of ''). */
export interface Workbook {
  /** Worksheet names in workbook order (chart sheets left out). */
  readonly sheets: readonly string[];
  /** The sheet that was read. */
  readonly sheet: string;
  readonly rows: readonly (readonly string[])[];
}

/** A sheet's rows as they are read, with how far the reading has got. */
export interface SheetRows extends Iterable<CellRow> {
  /** Bytes of the sheet's XML scanned so far, and in all. */
  readonly progress: { readonly done: number; readonly total: number };
}

/** An opened workbook: the sheet chosen, whose rows are read on demand. */
export interface WorkbookReader {
  /** Worksheet names in workbook order (chart sheets left out). */
  readonly sheets: readonly string[];
  /** The sheet chosen. */
  readonly sheet: string;
  /**
   * The sheet's rows from the first, read afresh from the workbook's bytes at each call:
   * `line` is the worksheet row number; empty rows between filled ones come as rows with no
   * cells, empty rows after the last filled one not at all. Rows narrower than `minWidth`
   * are padded with ''. Iterating throws `IngestError('UNREADABLE_WORKBOOK')` for damaged XML.
   */
  rows(minWidth?: number): SheetRows;
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

/**
 * What reading a workbook threw, as the error the page shows: a damaged archive (ZipError),
 * malformed XML (XmlError), bytes that are not UTF-8 (TypeError), or a read past the end
 * of a truncated part (RangeError) all make it unreadable.
 */
function unreadable(e: unknown): IngestError {
  if (e instanceof IngestError) return e;
  const reason = e instanceof Error ? e.message : 'unknown';
  return new IngestError('UNREADABLE_WORKBOOK', { reason: reason.slice(0, 80) });
}

const CONTENT = { workbook: 'xl/workbook.xml', relations: 'xl/_rels/workbook.xml.rels' } as const;

interface Parts {
  readonly bytes: Uint8Array;
  readonly ctx: SheetContext;
  readonly worksheets: readonly { readonly name: string; readonly entry: ZipEntry }[];
}

function readParts(bytes: Uint8Array): Parts {
  const entries = zipEntries(bytes);
  const scan = <H extends XmlHandler>(path: string, handler: H, optional = false): H => {
    const entry = entries.get(path);
    if (entry === undefined) {
      if (optional) return handler;
      throw new ZipError(`"${path}" is missing`);
    }
    scanDocument(entryBytes(bytes, entry), handler);
    return handler;
  };
  const book = scan(CONTENT.workbook, new WorkbookHandler());
  const rels = scan(CONTENT.relations, new RelationsHandler());
  const strings = scan(rels.sharedStrings ?? 'xl/sharedStrings.xml', new SharedStringsHandler(), true);
  const styles = scan(rels.styles ?? 'xl/styles.xml', new StylesHandler(), true);
  const worksheets: { name: string; entry: ZipEntry }[] = [];
  for (const s of book.sheets) {
    const path = rels.worksheets.get(s.rel);
    if (path === undefined) continue;
    const entry = entries.get(path);
    if (entry === undefined) throw new ZipError(`"${path}" is missing`);
    worksheets.push({ name: s.name, entry });
  }
  return { bytes, ctx: { sharedStrings: strings.strings, dateStyles: styles.dateStyles(), date1904: book.date1904 }, worksheets };
}

function sheetRows(parts: Parts, entry: ZipEntry, minWidth: number): SheetRows {
  const progress = { done: 0, total: entry.size };
  function* generate(): Generator<CellRow, void, void> {
    const handler = new SheetHandler(parts.ctx);
    const scanner = new XmlScanner(handler);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const ready = handler.ready;
    const pieces = entryBytes(parts.bytes, entry);
    for (;;) {
      let done: boolean;
      try {
        const step = pieces.next();
        done = step.done === true;
        if (step.done) scanner.feed(decoder.decode(), true);
        else {
          scanner.feed(decoder.decode(step.value, { stream: true }), false);
          progress.done += step.value.length;
        }
      } catch (e) {
        throw unreadable(e);
      }
      for (let k = 0; k < ready.length; k++) {
        const row = ready[k] as { line: number; cells: string[] };
        while (row.cells.length < minWidth) row.cells.push('');
        yield row;
      }
      ready.length = 0;
      if (done) return;
    }
  }
  return { progress, [Symbol.iterator]: generate };
}

/** Up to `limit` rows (or, with `nonBlank`, until that many filled rows), all as wide as the widest. */
export function sheetHead(rows: Iterable<CellRow>, limit: number, nonBlank = Infinity): string[][] {
  const out: string[][] = [];
  let filled = 0;
  let width = 0;
  if (limit <= 0) return out;
  for (const row of rows) {
    const cells = row.cells.map((c) => c ?? '');
    out.push(cells);
    width = Math.max(width, cells.length);
    if (!isBlank(cells)) filled++;
    if (out.length >= limit || filled >= nonBlank) break;
  }
  for (const r of out) while (r.length < width) r.push('');
  return out;
}

/**
 * Open a workbook and choose its sheet: the one named, or by default the one
 * `defaultSheetIndex` picks for `role` (from each sheet's first rows only). Chart sheets (and
 * dialog or macro sheets) hold no cells: they are not listed in `sheets` and cannot be named.
 * Throws `IngestError('UNREADABLE_WORKBOOK')` for a damaged file or an unknown sheet, and
 * `IngestError('EMPTY_FILE')` when no worksheet has a filled cell.
 */
export async function openWorkbook(bytes: Uint8Array, sheet?: string, role: SheetRole = 'sales'): Promise<WorkbookReader> {
  let parts: Parts;
  try {
    parts = readParts(bytes);
  } catch (e) {
    throw unreadable(e);
  }
  const { worksheets } = parts;
  const heads: string[][][] = [];
  const head = (k: number): string[][] => {
    const ws = worksheets[k];
    if (ws === undefined) return [];
    return (heads[k] ??= sheetHead(sheetRows(parts, ws.entry, 0), HEADER_ROWS + SAMPLE_ROWS));
  };
  if (!worksheets.some((_, k) => head(k).length > 0)) throw new IngestError('EMPTY_FILE');
  let index: number;
  if (sheet !== undefined) index = worksheets.findIndex((s) => s.name === sheet);
  else if (worksheets.length === 1 || sheetHasRequiredColumns(head(0), role)) index = 0;
  else index = defaultSheetIndex(worksheets.map((_, k) => head(k)), role);
  const chosen = worksheets[index];
  if (chosen === undefined) throw new IngestError('UNREADABLE_WORKBOOK', { sheet: sheet ?? '' });
  return {
    sheets: worksheets.map((s) => s.name),
    sheet: chosen.name,
    rows: (minWidth = 0) => sheetRows(parts, chosen.entry, minWidth),
  };
}

/**
 * Read one worksheet whole, as rows of text all as wide as the widest (see `openWorkbook`
 * for which sheet, and its errors). For small workbooks and tests: a load streams the rows.
 */
export async function readWorkbook(bytes: Uint8Array, sheet?: string, role: SheetRole = 'sales'): Promise<Workbook> {
  const book = await openWorkbook(bytes, sheet, role);
  return { sheets: book.sheets, sheet: book.sheet, rows: sheetHead(book.rows(), Infinity) };
}
