import type { DbClient } from '../../../src/lib/db/client.ts';
import { createRawSql, RAW_DELIMITER } from '../../../src/lib/ingest/build-lines.ts';

/** One raw record: [line_no, flag, ...cells]; n_fields = number of cells given. */
export type RawRecord = readonly [number, number, ...string[]];

function quote(v: string): string {
  return /["\u001f\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Normalized raw text, as the normalizer writes it (cells padded/cut to `columns`). */
export function rawText(records: readonly RawRecord[], columns: number): string {
  return records
    .map(([line, flag, ...cells]) => {
      const fixed = Array.from({ length: columns }, (_, i) => cells[i] ?? '');
      return [String(line), String(flag), String(cells.length), ...fixed.map(quote)].join(RAW_DELIMITER);
    })
    .map((l) => l + '\n')
    .join('');
}

export async function makeRaw(db: DbClient, table: string, records: readonly RawRecord[], columns: number): Promise<void> {
  const path = await db.registerBuffer(new TextEncoder().encode(rawText(records, columns)));
  await db.exec(createRawSql(table, [path], columns));
  await db.dropBuffer(path);
}
