/** The loaded tables as comparable rows (every value as the engine prints it), for tests that load a file two ways. */
import type { DbClient, Row } from '../../../src/lib/db/client.ts';

export async function linesDump(on: DbClient): Promise<Row[]> {
  return on.query(`SELECT file_no, line_no, customer_id, order_id, order_ts::VARCHAR AS ts, order_date::VARCHAR AS d,
      amount::VARCHAR AS amount, quantity, unit_price, product, category, region, channel, cost::VARCHAR AS cost,
      profit::VARCHAR AS profit, score, currency FROM lines ORDER BY file_no, line_no`);
}

export async function infoDump(on: DbClient): Promise<Row[]> {
  return on.query('SELECT customer_id, name, phone, contact, file_no, line_no, cells::VARCHAR AS cells FROM customer_info ORDER BY customer_id');
}
