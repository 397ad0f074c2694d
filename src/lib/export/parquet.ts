/**
 * Parquet through parquet-wasm: each batch becomes an Arrow record batch (the engine's own
 * Arrow when it offers it) and `transformParquetStream` writes them as they come, so the
 * file is built from parts.
 * Dates are Arrow Date32, date-times Timestamp(ms), numbers Float64, integers Int32.
 */
import {
  Bool,
  DateDay,
  Field,
  Float64,
  Int32,
  Schema,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { Table as WasmTable, transformParquetStream, WriterPropertiesBuilder, Compression } from 'parquet-wasm/esm';
import { DEFAULT_BATCH, PARQUET_TYPE, type ColumnKind, type ExportColumn, type ExportRow, type ExportSource } from './stream.ts';
import { utcDate } from './xlsx.ts';

export { PARQUET_TYPE };

function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case 'text':
      return new Utf8();
    case 'number':
      return new Float64();
    case 'integer':
      return new Int32();
    case 'boolean':
      return new Bool();
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new TimestampMillisecond();
  }
}

/** `names` renames the columns in the file (default: the source's names). */
export function arrowSchema(columns: readonly ExportColumn[], names?: readonly string[]): Schema {
  return new Schema(columns.map((c, k) => new Field(names?.[k] ?? c.name, arrowType(c.kind), true)));
}

function columnValuesOf(c: ExportColumn, rows: readonly ExportRow[]): unknown[] {
  const out = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i]?.[c.name] ?? null;
    if (v === null) out[i] = null;
    else if (c.kind === 'date' || c.kind === 'timestamp') out[i] = typeof v === 'string' ? (utcDate(v)?.getTime() ?? null) : null;
    else out[i] = v;
  }
  return out;
}

/** Arrow IPC stream of one batch of rows. */
export function batchIpc(schema: Schema, columns: readonly ExportColumn[], rows: readonly ExportRow[]): Uint8Array {
  const vectors = Object.fromEntries(
    columns.map((c, k) => {
      const field = schema.fields[k] as Field;
      return [field.name, vectorFromArray(columnValuesOf(c, rows), field.type)];
    }),
  );
  return tableToIPC(new Table(vectors), 'stream');
}

/**
 * Parquet bytes as chunks. `init` must have initialised `parquet-wasm/esm` (Node and the
 * browser load its wasm differently).
 */
export async function parquetChunks(
  source: ExportSource,
  init: () => unknown,
  options: { names?: readonly string[]; batchSize?: number; onRows?: (rows: number) => void } = {},
): Promise<ReadableStream<Uint8Array>> {
  await init();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const schema = arrowSchema(source.columns, options.names);
  // Straight from the engine's Arrow when it can (no row objects); else built from rows here.
  const it: AsyncIterator<readonly ExportRow[] | Uint8Array> = source.arrowBatches
    ? source.arrowBatches(batchSize, options.names)
    : source.batches(batchSize);
  let empty = true;
  const batches = new ReadableStream({
    async pull(controller) {
      const next = await it.next();
      if (next.done) {
        // A file with no rows still carries the schema.
        if (empty) enqueue(controller, []);
        controller.close();
        return;
      }
      empty = false;
      enqueue(controller, next.value);
    },
  });
  function enqueue(controller: ReadableStreamDefaultController, batch: readonly ExportRow[] | Uint8Array): void {
    const table = WasmTable.fromIPCStream(batch instanceof Uint8Array ? batch : batchIpc(schema, source.columns, batch));
    let rows = 0;
    for (const b of table.recordBatches()) {
      rows += b.numRows;
      controller.enqueue(b);
    }
    if (rows > 0) options.onRows?.(rows);
    if (table.numBatches === 0) table.free();
  }
  const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  return (await transformParquetStream(batches, props)) as ReadableStream<Uint8Array>;
}

export async function parquetBlob(
  source: ExportSource,
  init: () => unknown,
  options: { names?: readonly string[]; batchSize?: number } = {},
): Promise<Blob> {
  const stream = await parquetChunks(source, init, options);
  const parts: BlobPart[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value as Uint8Array<ArrayBuffer>);
  }
  return new Blob(parts, { type: PARQUET_TYPE });
}
