/**
 * Load orchestration: bytes → kind → text (or workbook/Parquet rows) → preview → mapping →
 * normalized raw chunks → raw tables → `lines` (+ `survey`) and a report that accounts for
 * every row. Everything is built under stage names and swapped in at the end, so a failed
 * load leaves the previous tables as they were. File names and labels never enter SQL.
 */
import type { DbClient } from '../db/client.ts';
import { databaseSchema } from '../db/client.ts';
import { ident, sql, tableIdent } from '../db/sql.ts';
import type { MappingField } from '../model/schema.ts';
import { buildLines, createRawSql, DEFAULT_PARSE, linesDdl, type BuildLinesResult } from './build-lines.ts';
import { blobPieces, fileKindError, PIECE_BYTES, readBlob, readHead, SNIFF_BYTES, sniffKind, bomOf, releaseBuffer, type FileKind } from './bytes.ts';
import { detectEncoding, detectEncodingInPieces, SCORE_BYTES, toUtf8, utf8Pieces } from './decode.ts';
import { customerInfoDdl, finishInfoSql, infoSpec, infoStageDdl } from './customer-info.ts';
import { detectHeader, effectiveWidth } from './header.ts';
import { compressWorkFor, LOAD_MAX_BYTES } from './limits.ts';
import { autoMap, labelCounts, missingFields, scoreHeader, type AutoMapResult } from './mapping.ts';
import {
  normalize,
  normalizePieces,
  normalizeRows,
  previewText,
  RecordScanner,
  type CellRow,
  type NormalizedChunk,
  type NormalizeStats,
  type TextPreview,
} from './normalize.ts';
import type { SheetRows } from './formats/xlsx.ts';
import { simpleCellSpec, type SimpleCellSpec } from './simple-cells.ts';
import { buildSurvey, surveyAutoMap, surveyDdl } from './survey.ts';
/** The engine's own read of plain text files, fetched with the first load (it is not needed on the first screen). */
const typedCsv = () => import('./typed-csv.ts');
const simpleLines = () => import('./simple-lines.ts');
import {
  IngestError,
  type ColumnMapping,
  type Dialect,
  type EncodingName,
  type FileReport,
  type LoadReport,
  type LoadStep,
  type RawReader,
  type ParseOptions,
  type Progress,
  type RejectedLine,
  type SkippedLine,
  type Warning,
} from './types.ts';

/**
 * A file to load: its bytes, or the file itself (the page's), read as the load needs it —
 * whole, or, for a large text file, a slice at a time (`LoadEnv.piecesFrom`).
 */
export type InputFile = { readonly name: string; readonly bytes: Uint8Array } | { readonly name: string; readonly blob: Blob };

/** The file's size in bytes. */
export function inputSize(file: InputFile): number {
  return 'bytes' in file ? file.bytes.length : file.blob.size;
}

/** What the user changed in the preview / mapper (or the CLI's flags). */
export interface FileOverrides {
  readonly encoding?: EncodingName;
  readonly dialect?: Dialect;
  /** 1-based header line; 0 = the file has no header. */
  readonly headerLine?: number;
  readonly mapping?: ColumnMapping;
  readonly parse?: Partial<ParseOptions>;
  readonly sheet?: string;
}

export interface FileInspection {
  readonly name: string;
  readonly bytes: number;
  readonly kind: FileKind;
  readonly format: 'csv' | 'xlsx' | 'parquet' | null;
  readonly encoding: EncodingName | null;
  readonly encodingGuessed: boolean;
  readonly bomLength: number;
  readonly dialect: Dialect | null;
  readonly headerLine: number;
  /** All cells of the header record, trailing unnamed ones included. */
  readonly headerCells: readonly string[];
  readonly labels: readonly string[];
  readonly columnCount: number;
  readonly sampleRows: readonly (readonly string[])[];
  readonly sampleLines: readonly number[];
  readonly sheets: readonly string[];
  readonly sheet: string | null;
  /** The automatic mapping (for sales: `autoMap`; for a survey: `surveyAutoMap`). */
  readonly auto: AutoMapResult;
  /** The mapping the load will use: the override, else the automatic one. */
  readonly mapping: ColumnMapping;
  /** Why the file cannot be loaded as it stands; null when it can. */
  readonly error: { readonly code: IngestError['code']; readonly detail: Readonly<Record<string, string | number>> } | null;
}

export interface LoadEnv {
  /** Initialise parquet-wasm (Node and the browser load it differently). */
  readonly parquetInit?: () => unknown;
  /** Size of the normalized chunks handed to the engine (default 16 MB). */
  readonly chunkBytes?: number;
  /**
   * Parse records whose mapped cells are already clean by direct casts (default true). Off,
   * every record takes the full rules; the result is the same either way (tests compare).
   */
  readonly simpleCells?: boolean;
  /**
   * Leave the loaded `lines` and `survey` as TEMP tables, in memory (default false: in the
   * database). The page loads this way and copies them to its database on the device later
   * (`persistLoaded`): writing a table to a database file compresses it, which at 1 M lines
   * took 1.9 s of a 6.7 s load in the page against 0.6 s in memory.
   */
  readonly linesInTemp?: boolean;
  /**
   * The load owns the inputs' bytes (default false): once a file's rows are in the engine
   * they are released (`releaseBuffer`), so the rest of the load does not carry them; callers
   * that load the same `InputFile` twice must leave this off. What the load made itself (text
   * decoded from them, a Blob it read whole) is released then in any case.
   */
  readonly releaseInputs?: boolean;
  /**
   * Build `customer_info` (contact fields, unused columns of each customer's latest line;
   * default true). Off, it is left empty: for measuring what it costs (test/bench/contacts.ts).
   */
  readonly customerInfo?: boolean;
  /**
   * Turn a Parquet file's typed columns into the raw table in the engine (default true).
   * Off, its rows become text in JavaScript and are read like a text file's; the result is
   * the same either way (tests compare).
   */
  readonly parquetInEngine?: boolean;
  /**
   * Let the engine read a text file whose lines are plain records straight into the raw
   * table, and stage a file whose rows are all simple by the simple branch of the rules
   * alone (typed-csv.ts, simple-lines.ts; default true). Off, every text file goes through the normalizer and
   * the full rules; the result is the same either way (tests compare).
   */
  readonly typedCsv?: boolean;
  /**
   * Keep a load's working tables (each file's raw text table and its stage) in a compressed
   * in-memory database (`ATTACH ':memory:' (COMPRESS)`) instead of plain TEMP tables.
   * Their text is mostly repeats (ids, dates, product names): at 1 M lines the raw table took
   * 26 MB there against 163 MB as a TEMP table, and the engine's memory is what limits the
   * size of a file a tab can load; but writing it compressed took 1.8 s instead of 0.7 s.
   * Default: when the load's text is over `WORK_UNCOMPRESSED_MAX_BYTES` (limits.ts).
   */
  readonly compressWork?: boolean;
  /** Normalized text read into the raw table per statement (default `READ_SLICE_BYTES`). */
  readonly readSliceBytes?: number;
  /** Raw lines staged per statement (default `STAGE_SLICE_LINES` in build-lines.ts). */
  readonly stageSliceLines?: number;
  /**
   * A text file given as a Blob and larger than this (default `READ_SLICE_BYTES`, the size
   * from which a text file takes the normalizer anyway) is read a piece at a time and never
   * held whole: its encoding detected, its text transcoded and normalized piece by piece.
   * The result is the same as reading it whole (tests compare).
   */
  readonly piecesFrom?: number;
  /** Bytes per piece of such a file (default `PIECE_BYTES`, bytes.ts). */
  readonly pieceBytes?: number;
}

/** Rows of a Parquet file the preview decodes (and shows). */
const PARQUET_PREVIEW_ROWS = 500;

const EMPTY_AUTO: AutoMapResult = { mapping: {}, ambiguous: [], missing: [] };

/** Internal: a file prepared up to its normalized rows. */
interface Prepared {
  readonly inspection: FileInspection;
  readonly rows: () => Generator<NormalizedChunk, NormalizeStats, void> | AsyncGenerator<NormalizedChunk, NormalizeStats, void>;
  /**
   * Parquet: build the raw table in the engine from the typed columns instead of reading
   * `rows`; 'unsupported' when a column's type has no SQL text (`rows` is read then).
   */
  readonly rawInEngine?: (db: DbClient, rawTable: string, progress: (p: Progress) => void) => Promise<NormalizeStats | 'unsupported'>;
  /** `rawInEngine` can write its raw table into the load's work database (text files; Parquet's raw table stays a TEMP one). */
  readonly rawInWork?: boolean;
  /**
   * Buffers the load may let go once the rows are in the engine: what it made (text
   * re-encoded to UTF-8, a file it read), and the caller's bytes with `releaseInputs`.
   */
  readonly held: readonly Uint8Array[];
  /** `rows` reads the file a piece at a time (`prepareTextPieces`). */
  readonly pieces?: boolean;
  /** How far `rows` has read its input, where that is known better than by chunks (workbooks). */
  readonly progress?: () => { readonly done: number; readonly total: number } | null;
}

function headerRecordCells(utf8: Uint8Array, dialect: Dialect, headerLine: number): string[] {
  if (headerLine <= 0) return [];
  const window = utf8.subarray(0, Math.min(utf8.length, 256 * 1024));
  const scanner = new RecordScanner(window, dialect, 1024 * 1024, 0);
  const decoder = new TextDecoder();
  while (scanner.next()) {
    if (scanner.recordLine < headerLine) continue;
    if (scanner.recordLine > headerLine) break;
    const cells: string[] = [];
    let from = 0;
    for (let k = 0; k < scanner.fieldCount; k++) {
      const to = scanner.fieldEnds[k] as number;
      cells.push(decoder.decode(scanner.cells.subarray(from, to)));
      from = to;
    }
    return cells;
  }
  return [];
}

function modal(values: readonly number[]): number {
  const freq = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (const v of values) {
    const f = (freq.get(v) ?? 0) + 1;
    freq.set(v, f);
    if (f > bestCount || (f === bestCount && v > best)) [best, bestCount] = [v, f];
  }
  return best;
}

/** Rows searched for a workbook's header, and filled rows below it that decide the width. */
const HEADER_WINDOW = 50;
const WIDTH_SAMPLE = 2000;
/**
 * Normalized chunks of a workbook are smaller than a text file's: between chunks the load
 * reports how much of the sheet's XML is read, and a sheet's rows are normalized at only
 * 5–10 MB/s (the XML is scanned meanwhile), so 16 MB chunks would leave the bar still for seconds.
 */
const XLSX_CHUNK_BYTES = 4 * 1024 * 1024;

/** Header, width and samples of rows that are already split (workbook sheets). */
function previewRows(rows: readonly (readonly string[])[], headerLine: number | undefined) {
  const line =
    headerLine ?? detectHeader(rows.slice(0, HEADER_WINDOW).map((r) => r.map((c) => c.trim())), scoreHeader).headerIndex + 1;
  const headerCells = line > 0 ? [...(rows[line - 1] ?? [])] : [];
  const data = rows.slice(line).filter((r) => r.some((c) => c.trim() !== ''));
  const columnCount = Math.max(1, effectiveWidth(headerCells), modal(data.slice(0, WIDTH_SAMPLE).map(effectiveWidth)));
  const labels = line > 0 ? Array.from({ length: columnCount }, (_, k) => (headerCells[k] ?? '').trim()) : [];
  const sampleRows: string[][] = [];
  const sampleLines: number[] = [];
  for (let i = line; i < rows.length && sampleRows.length < 500; i++) {
    const r = rows[i] ?? [];
    if (r.every((c) => c.trim() === '') || effectiveWidth(r) > columnCount) continue;
    sampleRows.push(Array.from({ length: columnCount }, (_, k) => r[k] ?? ''));
    sampleLines.push(i + 1);
  }
  return { headerLine: line, headerCells, labels, columnCount, sampleRows, sampleLines };
}

type Role = 'sales' | 'survey';

function decideMapping(
  role: Role,
  labels: readonly string[],
  sampleRows: readonly (readonly string[])[],
  columnCount: number,
  override: ColumnMapping | undefined,
): { auto: AutoMapResult; mapping: ColumnMapping; error: FileInspection['error'] } {
  const auto = role === 'sales' ? autoMap(labels, sampleRows) : surveyAutoMap(labels, sampleRows);
  const mapping = override ?? auto.mapping;
  const outside = Object.entries(mapping).find(([, c]) => c === undefined || c < 0 || c >= columnCount);
  if (outside) {
    return { auto, mapping, error: { code: 'MISSING_REQUIRED_COLUMNS', detail: { fields: outside[0] } } };
  }
  const missing = role === 'sales' ? missingFields(mapping) : surveyMissing(mapping);
  if (!override) {
    const first = auto.ambiguous[0];
    if (first) {
      const candidates = first.columns.map((c) => labels[c] ?? `#${c + 1}`).join(' / ');
      return { auto, mapping, error: { code: 'AMBIGUOUS_COLUMN_MAPPING', detail: { field: first.field, columns: candidates } } };
    }
  }
  if (missing.length > 0) {
    return { auto, mapping, error: { code: 'MISSING_REQUIRED_COLUMNS', detail: { fields: missing.join(',') } } };
  }
  return { auto, mapping, error: null };
}

function surveyMissing(mapping: ColumnMapping): MappingField[] {
  const missing: MappingField[] = [];
  if (mapping.customer === undefined && mapping.order === undefined) missing.push('customer');
  if (mapping.score === undefined) missing.push('score');
  return missing;
}

function failed(base: Omit<FileInspection, 'error' | 'auto' | 'mapping'>, code: IngestError['code'], detail: Record<string, string | number> = {}): Prepared {
  return {
    inspection: { ...base, auto: EMPTY_AUTO, mapping: {}, error: { code, detail } },
    rows: function* () {
      return { records: 0, byFlag: {}, nulRemoved: 0, nulRecords: 0, lines: 0 };
    },
    held: [],
  };
}

/** Which cells make a record simple (simple-cells.ts): sales files only, unless turned off. */
function simpleSpec(role: Role, env: LoadEnv, mapping: ColumnMapping, width: number): SimpleCellSpec | null {
  return role === 'sales' && env.simpleCells !== false ? simpleCellSpec(mapping, width) : null;
}

function chunkOpts(env: LoadEnv): { chunkBytes?: number } {
  return env.chunkBytes === undefined ? {} : { chunkBytes: env.chunkBytes };
}

async function prepare(file: InputFile, role: Role, o: FileOverrides, env: LoadEnv): Promise<Prepared> {
  if ('bytes' in file) {
    const p = await prepareBytes(file.name, file.bytes, role, o, env);
    return env.releaseInputs ? { ...p, held: [file.bytes, ...p.held] } : p;
  }
  const blob = file.blob;
  if (blob.size > (env.piecesFrom ?? READ_SLICE_BYTES)) {
    const head = await readHead(blob, SCORE_BYTES);
    const kind = sniffKind(head.subarray(0, SNIFF_BYTES), blob.size);
    if (kind === 'text') {
      const p = await prepareTextPieces(file.name, blob, head, role, o, env);
      if (p) return p;
    }
  }
  // Read whole: the bytes are the load's own.
  const bytes = await readBlob(blob);
  const p = await prepareBytes(file.name, bytes, role, o, env);
  return { ...p, held: [bytes, ...p.held] };
}

function baseInspection(name: string, size: number, kind: FileKind): Omit<FileInspection, 'error' | 'auto' | 'mapping'> {
  return {
    name,
    bytes: size,
    kind,
    format: null,
    encoding: null,
    encodingGuessed: false,
    bomLength: 0,
    dialect: null,
    headerLine: 0,
    headerCells: [],
    labels: [],
    columnCount: 0,
    sampleRows: [],
    sampleLines: [],
    sheets: [],
    sheet: null,
  };
}

/** Whether the pieces hold nothing but spaces, tabs and line breaks (read up to the first byte that is not). */
async function onlyWhitespace(pieces: AsyncIterable<Uint8Array>): Promise<boolean> {
  for await (const piece of pieces) {
    if (!piece.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) return false;
  }
  return true;
}

/**
 * A large text file read a piece at a time (`LoadEnv.piecesFrom`): the preview from its
 * first `SCORE_BYTES`, the encoding from passes over the pieces, the rows normalized from
 * pieces of text. Null for a UTF-16 file, which is read whole: whether a file is empty is
 * decided on its bytes, which only an ASCII-compatible encoding keeps as they read.
 */
async function prepareTextPieces(name: string, blob: Blob, head: Uint8Array, role: Role, o: FileOverrides, env: LoadEnv): Promise<Prepared | null> {
  const base = baseInspection(name, blob.size, 'text');
  const pieceBytes = env.pieceBytes ?? PIECE_BYTES;
  const pieces = () => blobPieces(blob, pieceBytes);
  try {
    const enc = o.encoding
      ? { encoding: o.encoding, guessed: false, bomLength: bomOf(head).length }
      : await detectEncodingInPieces(head, pieces);
    if (enc.encoding === 'utf-16le' || enc.encoding === 'utf-16be') return null;
    const text = (): AsyncGenerator<Uint8Array, void, void> => utf8Pieces(pieces(), enc.encoding, enc.bomLength);
    const textBase = { ...base, format: 'csv' as const, encoding: enc.encoding, encodingGuessed: enc.guessed, bomLength: enc.bomLength };
    if (await onlyWhitespace(text())) return failed(textBase, 'EMPTY_FILE');
    // The preview reads the first PREVIEW_BYTES of text, well within the head's.
    const { inspection, preview } = textInspection(textBase, toUtf8(head, enc.encoding, enc.bomLength), role, o);
    const simpleCells = simpleSpec(role, env, inspection.mapping, inspection.columnCount);
    return {
      inspection,
      rows: () => normalizePieces(text(), preview, blob.size, { ...chunkOpts(env), simpleCells }),
      held: [],
      pieces: true,
    };
  } catch (e) {
    if (e instanceof IngestError) return failed(base, e.code, { ...e.detail });
    throw e;
  }
}

/** The inspection of a text file from its UTF-8 text (the preview reads its first `PREVIEW_BYTES`). */
function textInspection(
  textBase: Omit<FileInspection, 'error' | 'auto' | 'mapping'>,
  utf8: Uint8Array,
  role: Role,
  o: FileOverrides,
): { readonly inspection: FileInspection; readonly preview: TextPreview } {
  const preview = previewText(utf8, {
    scoreHeader,
    ...(o.dialect ? { dialect: o.dialect } : {}),
    ...(o.headerLine !== undefined ? { headerLine: o.headerLine } : {}),
  });
  const m = decideMapping(role, preview.labels, preview.sampleRows, preview.columnCount, o.mapping);
  const inspection: FileInspection = {
    ...textBase,
    dialect: preview.dialect,
    headerLine: preview.headerLine,
    headerCells:
      preview.headerCells.length > 0 || preview.headerLine === 0
        ? preview.headerCells
        : headerRecordCells(utf8, preview.dialect, preview.headerLine),
    labels: preview.labels,
    columnCount: preview.columnCount,
    sampleRows: preview.sampleRows,
    sampleLines: preview.sampleLines,
    ...m,
  };
  return { inspection, preview };
}

async function prepareBytes(name: string, bytes: Uint8Array, role: Role, o: FileOverrides, env: LoadEnv): Promise<Prepared> {
  const kind = sniffKind(bytes.subarray(0, SNIFF_BYTES), bytes.length);
  const base = baseInspection(name, bytes.length, kind);
  const kindError = fileKindError(kind);
  if (kindError) return failed(base, kindError);

  try {
    if (kind === 'xlsx') {
      // Loaded on demand: the workbook and Parquet readers are large and most files are text.
      const { openWorkbook, sheetHead } = await import('./formats/xlsx.ts');
      const book = await openWorkbook(bytes, o.sheet, role);
      // The preview reads only the rows it looks at: the header window and 2,000 rows below it.
      const head = sheetHead(book.rows(), Infinity, (o.headerLine ?? HEADER_WINDOW) + WIDTH_SAMPLE);
      const p = previewRows(head, o.headerLine);
      const m = decideMapping(role, p.labels, p.sampleRows, p.columnCount, o.mapping);
      const inspection: FileInspection = {
        ...base,
        format: 'xlsx',
        ...p,
        sheets: book.sheets,
        sheet: book.sheet,
        ...m,
        // Rows come only up to the last filled one: a sheet with none has no rows.
        error: head.length === 0 ? { code: 'EMPTY_FILE', detail: {} } : m.error,
      };
      const simpleCells = simpleSpec(role, env, inspection.mapping, p.columnCount);
      let sheet: SheetRows | null = null;
      return {
        inspection,
        rows: () => {
          sheet = book.rows(p.columnCount);
          return normalizeRows(sheet, p.columnCount, p.headerLine, { chunkBytes: env.chunkBytes ?? XLSX_CHUNK_BYTES, simpleCells });
        },
        held: [],
        progress: () => sheet?.progress ?? null,
      };
    }
    if (kind === 'parquet') {
      if (!env.parquetInit) return failed(base, 'UNREADABLE_PARQUET', { reason: 'no parquet reader' });
      const { readParquetRows, parquetRows, parquetRawInEngine } = await import('./formats/parquet.ts');
      // The preview decodes only the rows it shows; the load reads the rest.
      const pq = await readParquetRows(bytes, env.parquetInit, PARQUET_PREVIEW_ROWS);
      const sampleRows: string[][] = [];
      const sampleLines: number[] = [];
      for (const r of pq.rows) {
        if (sampleRows.length >= 500) break;
        sampleRows.push(r.cells.map((c) => c ?? ''));
        sampleLines.push(r.line);
      }
      const labels = [...pq.labels];
      const m = decideMapping(role, labels, sampleRows, labels.length, o.mapping);
      const inspection: FileInspection = {
        ...base,
        format: 'parquet',
        headerLine: 0,
        headerCells: labels,
        labels,
        columnCount: labels.length,
        sampleRows,
        sampleLines,
        ...m,
      };
      const simpleCells = simpleSpec(role, env, inspection.mapping, labels.length);
      return {
        inspection,
        rows: () => normalizeRows(parquetRows(bytes).rows, labels.length, 0, { ...chunkOpts(env), simpleCells }),
        ...(env.parquetInEngine === false
          ? {}
          : { rawInEngine: (db: DbClient, rawTable: string, progress: (p: Progress) => void) => parquetRawInEngine(db, bytes, pq.schema, rawTable, simpleCells, progress) }),
        held: [],
      };
    }

    const enc = o.encoding
      ? { encoding: o.encoding, guessed: false, bomLength: bomOf(bytes).length }
      : detectEncoding(bytes);
    const utf8 = toUtf8(bytes, enc.encoding, enc.bomLength);
    const textBase = { ...base, format: 'csv' as const, encoding: enc.encoding, encodingGuessed: enc.guessed, bomLength: enc.bomLength };
    if (utf8.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) return failed(textBase, 'EMPTY_FILE');
    const { inspection, preview } = textInspection(textBase, utf8, role, o);
    const simpleCells = simpleSpec(role, env, inspection.mapping, preview.columnCount);
    // Re-encoded text is a buffer of its own; UTF-8 input is a view of the file's bytes.
    const held = utf8.buffer === bytes.buffer ? [] : [utf8];
    return {
      inspection,
      rows: () => normalize(utf8, preview, { ...chunkOpts(env), simpleCells }),
      // Sales files only: the property tests compare the two ways on the sales rules.
      // One statement reads the whole file, so only files of up to one read slice: a larger
      // file is read a slice at a time, which bounds the engine's memory (limits.ts).
      ...(env.typedCsv === false || role !== 'sales' || utf8.length > (env.readSliceBytes ?? READ_SLICE_BYTES)
        ? {}
        : {
            rawInWork: true,
            rawInEngine: async (db: DbClient, rawTable: string, progress: (p: Progress) => void) => {
              const { typedCsvPlan, typedRawInEngine } = await typedCsv();
              const plan = typedCsvPlan(utf8, preview, simpleCells);
              return typeof plan === 'string' ? 'unsupported' : typedRawInEngine(db, utf8, plan, rawTable, progress);
            },
          }),
      held,
    };
  } catch (e) {
    if (e instanceof IngestError) return failed(base, e.code, { ...e.detail });
    throw e;
  }
}

/** Everything the preview and the column mapper show, without loading anything. */
export async function inspectFile(
  file: InputFile,
  overrides: FileOverrides = {},
  options: LoadEnv & { role?: Role } = {},
): Promise<FileInspection> {
  const p = await prepare(file, options.role ?? 'sales', overrides, { ...options, releaseInputs: false });
  // What it read or made for the preview goes now (the inspection holds none of it).
  for (const b of p.held) releaseBuffer(b);
  return p.inspection;
}

export interface LoadOptions extends LoadEnv {
  readonly survey?: InputFile;
  /** Per sales file, by position. */
  readonly overrides?: readonly (FileOverrides | undefined)[];
  readonly surveyOverrides?: FileOverrides;
  readonly onProgress?: (p: Progress) => void;
  /** Told each step of the load as it ends: where the time went, for the benchmark. */
  readonly onStep?: (step: LoadStep) => void;
  /** Refuse inputs larger than this in total (default 1024 MB). */
  readonly maxBytes?: number;
  /** Refuse inputs of more records than this in total, once read (TOO_MANY_LINES; the page's limits.ts BROWSER_MAX_LINES; none by default). */
  readonly maxLines?: number;
}

export const DEFAULT_MAX_BYTES = LOAD_MAX_BYTES;

const STAGE_LINES = 'lines__next';
const STAGE_SURVEY = 'survey__next';
/** Per-file customer rows (customer-info.ts), merged into STAGE_INFO after the last file. */
const STAGE_INFO_FILES = 'customer_info__files';
const STAGE_INFO = 'customer_info__next';

function fileError(e: FileInspection['error'] & object, name: string, index: number): IngestError {
  return new IngestError(e.code, { ...e.detail, file: name, fileIndex: index });
}

function fileWarnings(insp: FileInspection, stats: NormalizeStats): Warning[] {
  const out: Warning[] = [];
  const add = (code: Warning['code'], count: number, detail?: string) => {
    if (count > 0) out.push(detail === undefined ? { code, count } : { code, count, detail });
  };
  if (insp.encoding && insp.encoding !== 'utf-8') add('encoding_not_utf8', 1, insp.encoding);
  if (insp.encodingGuessed) add('encoding_guessed', 1, insp.encoding ?? undefined);
  // A UTF-8 byte-order mark is what Excel writes ("CSV UTF-8"): read as usual, not worth a word.
  add('nul_bytes_removed', stats.nulRecords, String(stats.nulRemoved));
  const labels = labelCounts(insp.headerCells.length ? insp.headerCells : insp.labels, insp.labels, insp.mapping);
  add('empty_column_names', insp.headerLine > 0 || insp.format === 'parquet' ? labels.empty : 0);
  add('duplicate_column_names', labels.duplicate);
  add('unusual_column_names', labels.unusual);
  add('unused_columns', labels.unused);
  // A required column chosen by its values and kept as it was proposed (an override can change it).
  for (const p of insp.auto.proposed ?? []) {
    if (insp.mapping[p.field] === p.column) add('mapped_by_values', 1, `${p.field}=${insp.labels[p.column] || `#${p.column + 1}`}`);
  }
  return out;
}

/** Add `next` into `into`, merging warnings of the same code (counts add up). */
function mergeWarnings(into: Warning[], next: readonly Warning[]): void {
  for (const w of next) {
    const i = into.findIndex((x) => x.code === w.code);
    const prev = into[i];
    if (prev === undefined) into.push(w);
    else into[i] = { ...prev, count: prev.count + w.count };
  }
}

/**
 * Normalized text registered with the engine before it is read into the raw table: the
 * engine copies each registered buffer into its own memory, so reading the whole file in
 * one statement held all of it there at once (0.5 GB at 5 M lines) beside the raw table.
 */
export const READ_SLICE_BYTES = 128 * 1024 * 1024;

/**
 * Register file k's normalized chunks with the engine and read them into `rawTable`, one
 * statement per `readSliceBytes` of chunks, dropping each slice's chunks once read (or let
 * the engine make it, where the file allows); with how it was made. Stats null when the file
 * has no record to read. The chunk generator lives only in this frame, so nothing here
 * outlives the read.
 */
async function readRaw(
  db: DbClient,
  prepared: readonly (Prepared | null)[],
  k: number,
  rawTable: string,
  buffers: string[],
  progress: (p: Progress) => void,
  env: LoadEnv,
): Promise<{ readonly stats: NormalizeStats | null; readonly via: RawReader }> {
  const p = prepared[k];
  if (!p) return { stats: null, via: 'chunks' };
  const slice = env.readSliceBytes ?? READ_SLICE_BYTES;
  if (p.rawInEngine) {
    const stats = await p.rawInEngine(db, rawTable, progress);
    if (stats !== 'unsupported') return { stats: stats.records === 0 ? null : stats, via: 'engine' };
  }
  const gen = p.rows();
  // A file read in pieces normalizes them as they come (an async generator); one read whole, at once.
  let step = await gen.next();
  const estimate = Math.max(1, Math.ceil(p.inspection.bytes / (16 * 1024 * 1024)));
  // Chunks are read READ_SLICE_BYTES at a time, by one statement each: measured at 1 M
  // lines, one read_csv over a list of chunks took 1.1 s where a statement per chunk
  // (overlapping the normalizer) took 3 s.
  let paths: string[] = [];
  let sliceBytes = 0;
  let longest = 0;
  let chunks = 0;
  let created = false;
  const flush = async () => {
    await db.exec(createRawSql(rawTable, paths, p.inspection.columnCount, created, longest));
    created = true;
    for (const path of paths) {
      await db.dropBuffer(path);
      buffers.splice(buffers.indexOf(path), 1);
    }
    paths = [];
    sliceBytes = 0;
    longest = 0;
  };
  while (!step.done) {
    longest = Math.max(longest, step.value.longestLine);
    sliceBytes += step.value.bytes.length;
    const path = await db.registerBuffer(step.value.bytes);
    buffers.push(path);
    paths.push(path);
    chunks++;
    const read = p.progress?.();
    progress(read ? { stage: 'parse', done: read.done, total: read.total } : { stage: 'parse', done: Math.min(chunks, estimate), total: Math.max(estimate, chunks) });
    if (sliceBytes >= slice) await flush();
    step = await gen.next();
  }
  if (paths.length > 0) await flush();
  return { stats: created ? step.value : null, via: p.pieces ? 'pieces' : 'chunks' };
}

/** The compressed in-memory database a load keeps its working tables in (see `compressWork`). */
export const WORK_DATABASE = 'load_work';

async function attachWork(db: DbClient): Promise<string> {
  await db.exec(`ATTACH IF NOT EXISTS ':memory:' AS ${WORK_DATABASE} (COMPRESS)`);
  return WORK_DATABASE;
}

/**
 * Load sales files (and optionally a survey file) into `lines` and `survey`. Throws an
 * `IngestError` naming the file (`detail.file`, `detail.fileIndex`) when a file cannot be
 * loaded; the tables are then unchanged.
 */
export async function loadDataset(db: DbClient, sales: readonly InputFile[], options: LoadOptions = {}): Promise<LoadReport> {
  const started = Date.now();
  const limit = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const total = sales.reduce((s, f) => s + inputSize(f), 0) + (options.survey ? inputSize(options.survey) : 0);
  if (total > limit) throw new IngestError('TOO_LARGE', { sizeMB: Math.ceil(total / (1024 * 1024)), textMB: Math.ceil(total / (1024 * 1024)), limitMB: Math.floor(limit / (1024 * 1024)) });
  const progress = options.onProgress ?? (() => {});
  let stepStart = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - stepStart;
    stepStart = now;
    return ms;
  };
  const step = options.onStep ?? (() => {});

  const inputs: { file: InputFile; role: Role; o: FileOverrides }[] = [
    ...sales.map((file, i) => ({ file, role: 'sales' as const, o: options.overrides?.[i] ?? {} })),
    ...(options.survey ? [{ file: options.survey, role: 'survey' as const, o: options.surveyOverrides ?? {} }] : []),
  ];
  // Sized before any input is read (and, with `releaseInputs`, let go).
  const compress = options.compressWork ?? compressWorkFor(inputs.map(({ file }) => ({ size: inputSize(file), name: file.name })));
  // `prepared[k]` holds file k's rows until they are in the engine; `inspections` outlive them.
  const prepared: (Prepared | null)[] = [];
  const inspections: FileInspection[] = [];
  for (const [i, input] of inputs.entries()) {
    progress({ stage: 'read', done: i, total: inputs.length });
    const p = await prepare(input.file, input.role, input.o, options);
    if (p.inspection.error) throw fileError(p.inspection.error, input.file.name, i);
    prepared.push(p);
    inspections.push(p.inspection);
    step({ step: 'prepare', file: i, ms: lap() });
  }
  progress({ stage: 'decode', done: inputs.length, total: inputs.length });

  const buffers: string[] = [];
  const temps: string[] = [];
  const files: FileReport[] = [];
  const rejected: RejectedLine[] = [];
  const skipped: SkippedLine[] = [];
  const warnings: Warning[] = [];
  let records = 0;
  try {
    const stageDdl = (ddl: string) => (options.linesInTemp ? ddl.replace('CREATE OR REPLACE TABLE', 'CREATE OR REPLACE TEMP TABLE') : ddl);
    const work = compress ? await attachWork(db) : null;
    await db.exec(stageDdl(linesDdl(STAGE_LINES)));
    await db.exec(stageDdl(surveyDdl(STAGE_SURVEY)));
    await db.exec(infoStageDdl(STAGE_INFO_FILES));
    await db.exec(customerInfoDdl(STAGE_INFO, options.linesInTemp === true));
    // Unused columns by the labels (none for a file without a header): what the report can name.
    const infos = inputs.map((input, k) => {
      const insp = inspections[k];
      return input.role === 'sales' && insp && options.customerInfo !== false ? infoSpec(insp.mapping, insp.labels.length) : null;
    });
    // One file adding rows writes customer_info directly; several are merged after the last.
    const single = infos.filter((i) => i !== null).length === 1;
    for (const [k, input] of inputs.entries()) {
      const insp = inspections[k];
      if (!insp) continue;
      // A Parquet file read in the engine builds a TEMP raw table from its typed columns (parquet.ts).
      const rawTable = work && (!prepared[k]?.rawInEngine || prepared[k]?.rawInWork) ? `${work}.raw__${k}` : `raw__${k}`;
      const stageTable = work ? `${work}.stage__${k}` : `stage__${k}`;
      temps.push(rawTable, stageTable);
      const { stats, via } = await readRaw(db, prepared, k, rawTable, buffers, progress, options);
      if (stats === null) throw fileError({ code: 'NO_DATA_ROWS', detail: {} }, input.file.name, k);
      // The engine must hold every record the reader counted: a reader that silently returned
      // fewer rows would otherwise look like a smaller, fully accounted file.
      const [held] = await db.query(sql`SELECT count(*)::INTEGER AS n FROM ${tableIdent(rawTable)}`);
      if (Number(held?.n) !== stats.records) {
        throw fileError({ code: 'ACCOUNTING_MISMATCH', detail: { records: stats.records, in_engine: Number(held?.n) } }, input.file.name, k);
      }
      records += stats.records;
      if (options.maxLines !== undefined && records > options.maxLines) {
        // Before the rules and the dashboard: what would run out of memory comes after this.
        throw new IngestError('TOO_MANY_LINES', { lines: records, limit: options.maxLines });
      }
      // The rows are in the engine: the file and what was made of it go now, not at the next
      // collection (at 5 M lines, ~0.45 GB of bytes, twice that when re-encoded).
      const done = prepared[k]?.held ?? [];
      prepared[k] = null;
      for (const b of done) releaseBuffer(b);
      progress({ stage: 'map', done: k, total: inputs.length });
      step({ step: 'raw', file: k, ms: lap(), via });

      const parse: ParseOptions = { ...DEFAULT_PARSE, ...input.o.parse };
      const delimiter = insp.dialect?.delimiter === 'whitespace' ? ' ' : (insp.dialect?.delimiter ?? ',');
      // A file whose rows are mostly simple records has those read by the simple branch of the
      // rules alone, straight into the lines when every one is kept (the others staged by the
      // full rules); a file whose rows are all simple goes through a simple stage otherwise.
      const simple = input.role === 'sales' && options.typedCsv !== false ? await simpleLines() : null;
      const simpleRows = simple === null ? null : await simple.simpleRows(db, rawTable);
      const spec = {
        rawTable,
        columnCount: insp.columnCount,
        fileNo: k,
        mapping: insp.mapping,
        stage: stageTable,
        dropRawWhenCounted: true,
        delimiter,
        ...(simple && simpleRows?.all ? { stageSql: simple.simpleStageSql(simpleRows.rows) } : {}),
      };
      const info = infos[k] ?? null;
      let result: BuildLinesResult;
      try {
        if (input.role === 'sales') {
          const sales = { ...spec, target: STAGE_LINES, ...(info ? { info: single ? { spec: info, table: STAGE_INFO, final: true } : { spec: info, table: STAGE_INFO_FILES } } : {}) };
          result = (simple && simpleRows ? await simple.buildSimpleLines(db, sales, parse, simpleRows.rows, options.stageSliceLines) : null) ?? (await buildLines(db, sales, parse, options.stageSliceLines));
        } else {
          result = await buildSurvey(db, { ...spec, target: STAGE_SURVEY }, parse);
        }
      } catch (e) {
        if (e instanceof IngestError) throw new IngestError(e.code, { ...e.detail, file: input.file.name, fileIndex: k });
        throw e;
      }
      if (result.rows_read - result.rows_skipped === 0) {
        throw fileError({ code: 'NO_DATA_ROWS', detail: {} }, input.file.name, k);
      }
      const w = [...fileWarnings(insp, stats), ...result.warnings];
      files.push({
        name: input.file.name,
        bytes: insp.bytes,
        format: insp.format ?? 'csv',
        role: input.role,
        ...(insp.sheet !== null ? { sheet: insp.sheet } : {}),
        encoding: insp.encoding ?? 'utf-8',
        encodingGuessed: insp.encodingGuessed,
        dialect: insp.dialect ?? { delimiter: ',', quote: '"' },
        headerLine: insp.headerLine,
        labels: insp.labels,
        mapping: insp.mapping,
        parse: result.parse,
        rows_read: result.rows_read,
        rows_kept: result.rows_kept,
        rows_rejected: result.rows_rejected,
        rows_skipped: result.rows_skipped,
        rejectedByReason: result.rejectedByReason,
        skippedByReason: result.skippedByReason,
        ...(result.rejectedAmounts ? { rejectedAmounts: result.rejectedAmounts } : {}),
        ...(result.rejectedUnreadable ? { rejectedUnreadable: result.rejectedUnreadable } : {}),
        warnings: w,
      });
      // Not push(...list): a file can have hundreds of thousands of rejected lines.
      for (const r of result.rejected) rejected.push(r);
      for (const r of result.skipped) skipped.push(r);
      mergeWarnings(warnings, w);
      await db.exec(sql`DROP TABLE IF EXISTS ${tableIdent(rawTable)}`);
      await db.exec(sql`DROP TABLE IF EXISTS ${tableIdent(stageTable)}`);
      step({ step: 'lines', file: k, ms: lap() });
    }
    progress({ stage: 'derive', done: 0, total: 1 });
    if (infos.filter((i) => i !== null).length > 1) await db.exec(finishInfoSql(STAGE_INFO_FILES, STAGE_INFO));
    await db.exec(sql`DROP TABLE IF EXISTS ${ident(STAGE_INFO_FILES)}`);
    // One call, one transaction: the page's connection is shared, and another caller's
    // statement sent between a BEGIN and its COMMIT would run inside it.
    // Unqualified names find a TEMP table first: both places are cleared.
    const stored = await databaseSchema(db);
    const swap = [
      ...['lines', 'survey', 'customer_info'].flatMap((t) => [`DROP TABLE IF EXISTS temp.main.${t}`, `DROP TABLE IF EXISTS ${stored}.${t}`]),
      sql`ALTER TABLE ${ident(STAGE_LINES)} RENAME TO lines`.text,
      sql`ALTER TABLE ${ident(STAGE_SURVEY)} RENAME TO survey`.text,
      sql`ALTER TABLE ${ident(STAGE_INFO)} RENAME TO customer_info`.text,
    ];
    try {
      await db.exec(['BEGIN TRANSACTION', ...swap, 'COMMIT'].join(';\n'));
    } catch (e) {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
    progress({ stage: 'derive', done: 1, total: 1 });
    step({ step: 'finish', ms: lap() });
  } finally {
    for (const path of buffers) await db.dropBuffer(path);
    for (const t of temps) await db.exec(sql`DROP TABLE IF EXISTS ${tableIdent(t)}`);
    await db.exec(`DETACH DATABASE IF EXISTS ${WORK_DATABASE}`);
    await db.exec(sql`DROP TABLE IF EXISTS ${ident(STAGE_LINES)}`);
    await db.exec(sql`DROP TABLE IF EXISTS ${ident(STAGE_SURVEY)}`);
    await db.exec(sql`DROP TABLE IF EXISTS ${ident(STAGE_INFO_FILES)}`);
    await db.exec(sql`DROP TABLE IF EXISTS ${ident(STAGE_INFO)}`);
  }

  const sum = (k: 'rows_read' | 'rows_kept' | 'rows_rejected' | 'rows_skipped') => files.reduce((s, f) => s + f[k], 0);
  return {
    files,
    rows_read: sum('rows_read'),
    rows_kept: sum('rows_kept'),
    rows_rejected: sum('rows_rejected'),
    rows_skipped: sum('rows_skipped'),
    rejected,
    skipped,
    warnings,
    millis: Date.now() - started,
  };
}
