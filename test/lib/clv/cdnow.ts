/**
 * The CDNOW sample (test/fixtures/clv, see SOURCE.md) as the tests need it: the lifetimes
 * summaries parsed into arrays, and the transactions loaded into `lines` and derived into
 * `orders` by the dashboard's own SQL.
 */
import { readFileSync } from 'node:fs';
import type { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { sql } from '../../../src/lib/db/sql.ts';
import { deriveTables, NO_FILTERS } from '../../../src/lib/model/derive.ts';
import { LINES_DDL, SURVEY_DDL } from '../../../src/lib/model/schema.ts';

const dir = new URL('../../fixtures/clv/', import.meta.url);

export interface CdnowSummaryRow {
  readonly id: string;
  readonly x: number;
  readonly tx: number;
  readonly T: number;
  /** 0 when x = 0. */
  readonly zbar: number;
}

/** `cdnow_customers_summary_with_transactions.csv` (ID,x,t_x,T,zbar). */
export function cdnowSummaryWithSpend(): CdnowSummaryRow[] {
  const text = readFileSync(new URL('cdnow_customers_summary_with_transactions.csv', dir), 'utf8');
  return text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => {
      const [id = '', x = '', tx = '', T = '', zbar = ''] = l.split(',');
      return { id, x: Number(x), tx: Number(tx), T: Number(T), zbar: Number(zbar) };
    });
}

/** `cdnow_customers_summary.csv` (ID,frequency,recency,T). */
export function cdnowSummary(): CdnowSummaryRow[] {
  const text = readFileSync(new URL('cdnow_customers_summary.csv', dir), 'utf8');
  return text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => {
      const [id = '', x = '', tx = '', T = ''] = l.split(',');
      return { id, x: Number(x), tx: Number(tx), T: Number(T), zbar: Number.NaN };
    });
}

export function toArrays(rows: readonly CdnowSummaryRow[]) {
  return {
    x: Float64Array.from(rows, (r) => r.x),
    tx: Float64Array.from(rows, (r) => r.tx),
    T: Float64Array.from(rows, (r) => r.T),
    zbar: Float64Array.from(rows, (r) => (r.x > 0 && r.zbar > 0 ? r.zbar : Number.NaN)),
  };
}

export interface CdnowTransaction {
  readonly id: string;
  /** 'YYYY-MM-DD' */
  readonly date: string;
  /** Sales in cents. */
  readonly cents: number;
}

export function cdnowTransactions(): CdnowTransaction[] {
  const text = readFileSync(new URL('cdnowElog.csv', dir), 'utf8');
  return text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => {
      const [, id = '', d = '', , sales = ''] = l.split(',');
      return { id, date: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, cents: Math.round(Number(sales) * 100) };
    });
}

/** Load the transactions as `lines` (customer = sample id, no order id) and derive `orders`. */
export async function loadCdnow(db: NodeDb): Promise<void> {
  await db.exec(LINES_DDL);
  await db.exec(SURVEY_DDL);
  const path = await db.registerBuffer(readFileSync(new URL('cdnowElog.csv', dir)));
  await db.exec(sql`INSERT INTO lines (file_no, line_no, customer_id, order_id, order_ts, order_date, amount)
SELECT 1, (row_number() OVER ())::INTEGER + 1, sampleid, NULL,
       strptime(date, '%Y%m%d'), strptime(date, '%Y%m%d')::DATE, sales::DECIMAL(18,4)
FROM read_csv(${path}, header = true, all_varchar = true)`);
  for (const q of deriveTables(NO_FILTERS, { category: false, region: false, channel: false, order: false })) {
    await db.exec(q);
  }
}
