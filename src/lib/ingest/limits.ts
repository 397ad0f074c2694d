import { IngestError } from './types.ts';

const MB = 1024 * 1024;

/** The engine's memory a load may plan on: wasm32 addresses 4 GB; 1 GB is left for the dashboard's queries and for fragmentation. */
export const ENGINE_BUDGET_BYTES = 3 * 1024 * MB;

/**
 * Engine memory at the peak of a load and the dashboard run after it, as `base + perByte ×
 * text`, through the two points measured with test/bench/memory-ingest.ts --dashboard
 * --file (the page's engine, a large load's lines in the database file, the dashboard's
 * derived tables compressed from 3 M lines, model/derive.ts): 1121 MB at 5 M lines (448 MB
 * of text), 2281 MB at 10 M (901 MB). The peak is the dashboard's, at the first derived
 * table (`orders`), over a load that took 726 and 1243 MB. Smaller loads keep those tables
 * uncompressed and stay below the line (533 MB at 1 M lines, 89 MB of text). Before the
 * tables were compressed, 5 M lines peaked at 2014 MB and 10 M ran out of the engine's
 * 3.1 GB. Since `orders` is built in parts (derive.ts `orderParts`) the same runs peak lower,
 * at `customer_segments` and the lifecycle history: 1020 MB at 5 M, 1939 MB at 10 M; the fit
 * is kept through the higher points, as a margin, and the limits below do not depend on it
 * (the text limit is capped, the line limit rounded down).
 */
export const ENGINE_BASE_BYTES = -26 * MB;

/** Engine memory at that peak per byte of text: (2281 − 1121) / (901 − 448). */
export const ENGINE_BYTES_PER_TEXT_BYTE = 2.56;

/** The most a load may hold in any case (load.ts DEFAULT_MAX_BYTES, the command line's too). */
export const LOAD_MAX_BYTES = 1024 * MB;

/**
 * The same peak per kept line, through the same two points (5 M and 10 M lines): the engine's
 * memory follows the lines more than their length, so a file of short lines within the text
 * limit could still hold too many. (2281 − 1121) MB / 5 M lines = 243 bytes a line, and
 * 1121 MB − 5 M × 243 bytes = −39 MB.
 */
export const ENGINE_BASE_BYTES_BY_LINES = -39 * MB;
export const ENGINE_BYTES_PER_LINE = ((2281 - 1121) * MB) / 5_000_000;

/**
 * The most lines a browser tab analyses in one load (loads on the command line have no such
 * limit): within the budget by the per-line fit, 13.4 M, rounded down to 12 M for the files
 * whose lines cost more than the benchmark's.
 */
export const BROWSER_MAX_LINES = 12_000_000;

/** The most text a load may hold so that `base + perByte × text` stays within `budget`, in whole MB. */
export function maxTextBytes(budget: number, base: number, perByte: number): number {
  if (!(perByte > 0) || budget <= base) return 0;
  return Math.floor((budget - base) / perByte / MB) * MB;
}

/**
 * The most a browser tab analyses in one load, measured as text: what the engine's measured
 * peak allows within its budget (1209 MB), and at most what any load takes (1024 MB, about
 * eleven million lines of a typical export).
 */
export const BROWSER_MAX_BYTES = Math.min(LOAD_MAX_BYTES, maxTextBytes(ENGINE_BUDGET_BYTES, ENGINE_BASE_BYTES, ENGINE_BYTES_PER_TEXT_BYTE));

/**
 * How many bytes of text one byte of a compressed format becomes once read: the page turns
 * Parquet and workbook cells into the same text as a CSV (the benchmark's Parquet is 6×
 * smaller than its CSV; an .xlsx is a zip of XML, about 4× on typical exports).
 */
export function textFactor(name: string): number {
  const lower = name.toLowerCase();
  if (lower.endsWith('.parquet') || lower.endsWith('.parq')) return 6;
  if (lower.endsWith('.xlsx') || lower.endsWith('.xlsm')) return 4;
  return 1;
}

/** What the files come to as text (see `textFactor`). */
export function textBytes(files: readonly { readonly size: number; readonly name?: string }[]): number {
  return files.reduce((s, f) => s + f.size * textFactor(f.name ?? ''), 0);
}

/**
 * Up to this much text a load keeps `lines` in memory as TEMP tables, written to the device
 * after the first paint (a table written to the database file is compressed, which would
 * delay the report); above it, `lines` goes straight into the database. In memory a line
 * took ~170 bytes (0.8 GB at 5 M lines), in the database file ~30 (test/bench/memory-ingest.ts),
 * and the engine's memory is what limits the size of a load.
 */
export const LINES_IN_MEMORY_MAX_BYTES = 256 * MB;

export function linesInMemory(files: readonly { readonly size: number; readonly name?: string }[]): boolean {
  return textBytes(files) <= LINES_IN_MEMORY_MAX_BYTES;
}

/**
 * Up to this much text a load keeps its working tables (each file's raw text and its stage)
 * as plain TEMP tables; above it, in a compressed in-memory database (load.ts
 * `compressWork`). Compressing costs time and saves memory that only a large load needs. At
 * 1 M lines (89 MB), on the page's engine in Node (test/bench/memory-ingest.ts): the plain
 * sales load 7.2 → 5.5 s, the formatted GB18030 export 14.5 → 11.1 s; the engine's peak
 * during the load is its CSV reader's, 466 MB either way for the plain file, and 487 → 583 MB
 * for the export (its stage uncompressed), below the 656 MB of the dashboard run after it.
 * Uncompressed, the working tables take about 5 bytes per byte of text.
 */
export const WORK_UNCOMPRESSED_MAX_BYTES = 128 * MB;

/** Whether a load of these files keeps its working tables compressed (see `WORK_UNCOMPRESSED_MAX_BYTES`). */
export function compressWorkFor(files: readonly { readonly size: number; readonly name?: string }[]): boolean {
  return textBytes(files) > WORK_UNCOMPRESSED_MAX_BYTES;
}

/**
 * Refuse files that would exhaust the tab before a single byte is read, naming their size,
 * their estimated size as text and the limit; the caller's message points to splitting the
 * data and to the `analyze` command (native DuckDB, no such limit).
 */
export function checkSize(files: readonly { readonly size: number; readonly name?: string }[], limit = BROWSER_MAX_BYTES): void {
  const total = files.reduce((s, f) => s + f.size, 0);
  const asText = textBytes(files);
  if (asText > limit) {
    throw new IngestError('TOO_LARGE', { sizeMB: Math.ceil(total / MB), textMB: Math.ceil(asText / MB), limitMB: Math.floor(limit / MB) });
  }
}
