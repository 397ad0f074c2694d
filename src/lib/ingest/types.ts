/**
 * Shared vocabulary of the ingest pipeline: error codes, reasons and the load report.
 * Codes are stable (they match the hostile-input corpus); texts live in the i18n catalogues.
 */
import type { MappingField } from '../model/schema.ts';

/** Why a whole file could not be loaded (nothing of it is kept). */
export type FileErrorCode =
  | 'EMPTY_FILE'
  | 'NO_DATA_ROWS'
  | 'NOT_TEXT'
  | 'EXCEL_WORKBOOK'
  | 'COMPRESSED_FILE'
  | 'UNKNOWN_ENCODING'
  | 'MISSING_REQUIRED_COLUMNS'
  | 'AMBIGUOUS_COLUMN_MAPPING'
  | 'AMBIGUOUS_DATE_ORDER'
  | 'TOO_LARGE'
  | 'TOO_MANY_LINES'
  | 'UNREADABLE_WORKBOOK'
  | 'UNREADABLE_PARQUET'
  | 'SHAPE_MISMATCH'
  | 'ACCOUNTING_MISMATCH';

export type RejectReason =
  | 'missing_customer_id'
  | 'missing_date'
  | 'unparseable_date'
  | 'missing_amount'
  | 'unparseable_amount'
  | 'too_few_fields'
  | 'too_many_fields'
  | 'unclosed_quote'
  | 'invalid_encoding'
  | 'line_too_long'
  | 'missing_score'
  | 'unparseable_score';

/** `duplicate_row`: an exact copy of an earlier kept row, dropped because the user asked to de-duplicate. */
export type SkipReason = 'blank_row' | 'title_row' | 'summary_row' | 'footer_row' | 'duplicate_row';

export type WarningCode =
  | 'bom_stripped'
  | 'encoding_not_utf8'
  | 'exact_duplicate_rows'
  | 'multiple_currencies'
  | 'refund_rows'
  | 'mixed_date_formats'
  | 'excel_serial_dates'
  | 'epoch_dates'
  | 'ambiguous_day_month_order'
  | 'decimal_comma'
  | 'id_scientific_notation'
  | 'ids_whitespace_trimmed'
  | 'unused_columns'
  | 'unusual_column_names'
  | 'duplicate_column_names'
  | 'empty_column_names'
  | 'nul_bytes_removed'
  | 'placeholder_ids'
  | 'encoding_guessed'
  | 'mapped_by_values';

/** An error that the UI can show: a code plus the values that make it specific. */
export class IngestError extends Error {
  constructor(
    readonly code: FileErrorCode,
    readonly detail: Readonly<Record<string, string | number>> = {},
  ) {
    super(`${code}${Object.keys(detail).length ? ' ' + JSON.stringify(detail) : ''}`);
    this.name = 'IngestError';
  }
}

export type EncodingName = 'utf-8' | 'gb18030' | 'big5' | 'utf-16le' | 'utf-16be';

export interface Dialect {
  /** A single-character delimiter, or runs of spaces/tabs (e.g. CDNOW_master.txt). */
  readonly delimiter: ',' | ';' | '\t' | '|' | 'whitespace';
  /** Quote character; null when the file uses none. */
  readonly quote: '"' | null;
}

/** A column mapping: canonical field → 0-based column index in the file. */
export type ColumnMapping = Partial<Record<MappingField, number>>;

/** Parse decisions that apply to a whole column (shown to the user, adjustable). */
export interface ParseOptions {
  /** How to read n/n/yyyy dates: day first, month first, or undecided (the load asks). */
  readonly dayMonthOrder: 'dmy' | 'mdy' | 'auto';
  /** Decimal separator of amount columns. */
  readonly decimal: '.' | ',' | 'auto';
  /** Remove exact duplicate rows (same file, same values) before building `lines`. */
  readonly dedupe: boolean;
}

export interface Warning {
  readonly code: WarningCode;
  readonly count: number;
  /** A short value that makes the warning specific (e.g. the encoding or the currencies). */
  readonly detail?: string;
}

export interface RejectedLine {
  readonly file: number;
  readonly line: number;
  readonly reason: RejectReason;
  /** The offending value (trimmed to 80 characters), when there is one. */
  readonly value?: string;
  /**
   * The line as text: its cells joined by the file's delimiter, cut with an ellipsis when
   * long (`REJECTED_LINE_CHARS`). Only the first `REJECTED_LINES_WITH_TEXT` rejected lines
   * of each file carry it: a file can reject hundreds of thousands.
   */
  readonly text?: string;
}

/**
 * The amounts the rejected rows of one reason carry, in one currency as written (null:
 * none written). `amount` is the exact sum of the amounts that could be read, as decimal
 * text ("1234.5600"); `rows` how many rows it sums.
 */
export interface RejectedAmount {
  readonly reason: RejectReason;
  readonly currency: string | null;
  readonly amount: string;
  readonly rows: number;
}

export interface SkippedLine {
  readonly file: number;
  readonly line: number;
  readonly reason: SkipReason;
}

/** What became of one file. `rows_read = rows_kept + rows_rejected + rows_skipped` always. */
export interface FileReport {
  readonly name: string;
  readonly bytes: number;
  readonly format: 'csv' | 'xlsx' | 'parquet';
  readonly role: 'sales' | 'survey';
  readonly sheet?: string;
  readonly encoding: EncodingName;
  readonly encodingGuessed: boolean;
  readonly dialect: Dialect;
  /** 1-based physical line of the header; 0 when the file has none. */
  readonly headerLine: number;
  /** Column labels as they appear in the file (display only, never in SQL). */
  readonly labels: readonly string[];
  readonly mapping: ColumnMapping;
  readonly parse: ParseOptions;
  readonly rows_read: number;
  readonly rows_kept: number;
  readonly rows_rejected: number;
  readonly rows_skipped: number;
  readonly rejectedByReason: Partial<Record<RejectReason, number>>;
  readonly skippedByReason: Partial<Record<SkipReason, number>>;
  /** Sales files: the amounts their rejected rows carry (absent in reports stored before it existed). */
  readonly rejectedAmounts?: readonly RejectedAmount[];
  /** Sales files: per reason, the rejected rows whose amount itself could not be read. */
  readonly rejectedUnreadable?: Partial<Record<RejectReason, number>>;
  readonly warnings: readonly Warning[];
}

export interface LoadReport {
  readonly files: readonly FileReport[];
  readonly rows_read: number;
  readonly rows_kept: number;
  readonly rows_rejected: number;
  readonly rows_skipped: number;
  /** Every rejected line (the full list is downloadable; the page shows the first ones). */
  readonly rejected: readonly RejectedLine[];
  readonly skipped: readonly SkippedLine[];
  readonly warnings: readonly Warning[];
  readonly millis: number;
}

/**
 * How a file's raw table was made: by the engine's own read of the file (a plain text file,
 * a Parquet file's typed columns), from chunks of normalized text, or from chunks of text
 * normalized as the file was read a piece at a time (a large text file, never held whole).
 */
export type RawReader = 'engine' | 'chunks' | 'pieces';

/**
 * One step of a load, in wall milliseconds; the steps add up to the whole load: `prepare`
 * (file k read, decoded and inspected), `raw` (its raw table made, the working tables' setup
 * included; `via`: how), `lines` (the rules, into the staged lines), `finish` (the tables
 * swapped in).
 */
export type LoadStep =
  | { readonly step: 'prepare' | 'lines'; readonly file: number; readonly ms: number }
  | { readonly step: 'raw'; readonly file: number; readonly ms: number; readonly via: RawReader }
  | { readonly step: 'finish'; readonly ms: number };

/** Progress of a long load, for the progress bar. */
export interface Progress {
  readonly stage: 'read' | 'decode' | 'parse' | 'map' | 'derive';
  readonly done: number;
  readonly total: number;
}
