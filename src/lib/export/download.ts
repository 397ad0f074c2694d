import { toCsv, type CsvCell } from './csv.ts';
import type { ExportSink } from './stream.ts';

/** Offer a blob as a file download (browser only). The object URL is released right after. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** From this many rows on, an export is written straight to a file the user picks (where the browser can). */
export const SAVE_TO_FILE_MIN_ROWS = 500_000;

interface SaveFilePickerOptions {
  readonly suggestedName: string;
  readonly types?: readonly { readonly description?: string; readonly accept: Readonly<Record<string, readonly string[]>> }[];
}
type SaveFilePicker = (options: SaveFilePickerOptions) => Promise<FileSystemFileHandle>;

function savePicker(): SaveFilePicker | null {
  const w = globalThis as { showSaveFilePicker?: SaveFilePicker };
  return typeof w.showSaveFilePicker === 'function' ? w.showSaveFilePicker.bind(globalThis) : null;
}

/**
 * Big exports in browsers with the File System Access API (Chromium): asks where to save and
 * returns a sink that writes each chunk to that file, so neither the page nor the browser
 * holds the file. `'cancelled'` when the user closed the dialog; null when there is no
 * dialog (another browser, a small export, or the click is too long ago for a dialog):
 * the caller downloads a Blob instead.
 */
export async function pickFileSink(fileName: string, rows: number, description: string): Promise<ExportSink | 'cancelled' | null> {
  const pick = savePicker();
  if (pick === null || rows < SAVE_TO_FILE_MIN_ROWS) return null;
  const ext = fileName.slice(fileName.lastIndexOf('.'));
  let handle: FileSystemFileHandle;
  try {
    handle = await pick({ suggestedName: fileName, types: [{ description, accept: { [MIME_OF_EXT[ext] ?? 'application/octet-stream']: [ext] } }] });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') return 'cancelled';
    return null;
  }
  const out = await handle.createWritable();
  return {
    write: (chunk) => out.write(chunk as Uint8Array<ArrayBuffer> | Blob),
    close: () => out.close(),
    abort: () => out.abort(),
  };
}

const MIME_OF_EXT: Readonly<Record<string, string>> = {
  '.csv': 'text/csv',
  '.parquet': 'application/vnd.apache.parquet',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Offer a CSV as a download (browser only). */
export function downloadCsv(fileName: string, header: readonly string[], rows: Iterable<readonly CsvCell[]>): void {
  downloadBlob(fileName, new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' }));
}
