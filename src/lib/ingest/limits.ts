import { IngestError } from './types.ts';

const MB = 1024 * 1024;

/**
 * The most a browser tab analyses in one load, measured as text. A 5-million-line CSV
 * (448 MB) loads in headless Chromium with the tab at about 5 GB (the file, the engine's
 * staging tables and the canonical tables; wasm memory never shrinks back), so twice that
 * would pass the engine's 4 GB address space: the limit leaves room above 5 M lines only.
 */
export const BROWSER_MAX_BYTES = 512 * MB;

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

/**
 * Refuse files that would exhaust the tab before a single byte is read, naming their size,
 * their estimated size as text and the limit; the caller's message points to splitting the
 * data and to the `analyze` command (native DuckDB, no such limit).
 */
export function checkSize(files: readonly { readonly size: number; readonly name?: string }[], limit = BROWSER_MAX_BYTES): void {
  const total = files.reduce((s, f) => s + f.size, 0);
  const asText = files.reduce((s, f) => s + f.size * textFactor(f.name ?? ''), 0);
  if (asText > limit) {
    throw new IngestError('TOO_LARGE', { sizeMB: Math.ceil(total / MB), textMB: Math.ceil(asText / MB), limitMB: Math.floor(limit / MB) });
  }
}
