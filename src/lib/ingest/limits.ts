import { IngestError } from './types.ts';

/** The most a browser tab analyses in one load (files read whole, then held by the engine). */
export const BROWSER_MAX_BYTES = 1024 * 1024 * 1024;

const MB = 1024 * 1024;

/**
 * Refuse files that would exhaust the tab before a single byte is read, naming the size and
 * the limit; the caller's message points to Parquet and the `analyze` command.
 */
export function checkSize(files: readonly { readonly size: number }[], limit = BROWSER_MAX_BYTES): void {
  const total = files.reduce((s, f) => s + f.size, 0);
  if (total > limit) {
    throw new IngestError('TOO_LARGE', { sizeMB: Math.ceil(total / MB), limitMB: Math.floor(limit / MB) });
  }
}
