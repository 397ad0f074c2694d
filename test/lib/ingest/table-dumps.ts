/** The loaded tables as comparable rows (every value as the engine prints it), for tests that load a file two ways. */
import type { DbClient, Row } from '../../../src/lib/db/client.ts';
import { loadDataset, type LoadOptions } from '../../../src/lib/ingest/load.ts';
import { IngestError, type LoadReport } from '../../../src/lib/ingest/types.ts';

export async function linesDump(on: DbClient): Promise<Row[]> {
  return on.query(`SELECT file_no, line_no, customer_id, order_id, order_ts::VARCHAR AS ts, order_date::VARCHAR AS d,
      amount::VARCHAR AS amount, quantity, unit_price, product, category, region, channel, cost::VARCHAR AS cost,
      profit::VARCHAR AS profit, score, currency FROM lines ORDER BY rowid`);
}

export async function infoDump(on: DbClient): Promise<Row[]> {
  return on.query('SELECT customer_id, name, phone, contact, file_no, line_no, cells::VARCHAR AS cells FROM customer_info ORDER BY customer_id');
}

/** What a load gives, comparably: its report (without the time), lines and customer_info; or its error. */
export type LoadOutcome = { report: Omit<LoadReport, 'millis'>; lines: Row[]; info: Row[] } | { error: string };

/**
 * Loads `text` as one file `sales.csv` on `on` and dumps the outcome (an IngestError is an
 * outcome); `asBlob`, given as a Blob (the page's way), read as `options` say.
 */
export async function loadOutcome(on: DbClient, text: string | Uint8Array, options: LoadOptions, asBlob = false): Promise<LoadOutcome> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const file = asBlob ? { name: 'sales.csv', blob: new Blob([new Uint8Array(bytes)]) } : { name: 'sales.csv', bytes };
  try {
    const { millis: _, ...report } = await loadDataset(on, [file], options);
    return { report, lines: await linesDump(on), info: await infoDump(on) };
  } catch (e) {
    if (e instanceof IngestError) return { error: `${e.code} ${JSON.stringify(e.detail)}` };
    throw e;
  }
}
