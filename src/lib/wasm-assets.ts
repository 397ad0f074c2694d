/**
 * Where the built page serves the Parquet reader's WebAssembly: one import for every module
 * that starts it, so the bundler keeps a single small URL module (not a copy per chunk).
 */
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';

export { parquetWasmUrl };

/** Start the Parquet reader/writer in the page (fetched when first needed). */
export const parquetInit = async (): Promise<unknown> => (await import('parquet-wasm/esm')).default({ module_or_path: parquetWasmUrl });
