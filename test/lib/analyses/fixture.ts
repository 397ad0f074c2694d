/**
 * A tiny hand-made `lines` dataset. Every number the tests assert is worked out by hand
 * in dashboard.test.ts. Dates are 2024 (a leap year).
 *
 *  line cust date        order amount cat region score  notes
 *   1   C01  2024-01-05  A1    100    x   N      5      A1 spans two days → order_date 01-05, net 150
 *   2   C01  2024-01-06  A1     50    y   N      4
 *   3   C01  2024-02-10  A2     80    y   N      4
 *   4   C01  2024-04-01  A3    -30    y   N      -      return order
 *   5   C02  2024-01-20  -       40    x   S      2      two lines, no order id, same day → one order of 100
 *   6   C02  2024-01-20  -       60    y   S      3
 *   7   C02  2024-03-15  -        0    x   S      -      zero-value order: still a purchase
 *   8   C03  2024-01-25  B1    500    z   S      1
 *   9   C04  2024-02-01  D1     20    x   N      5      two orders on one day (ids D1 < D2)
 *  10   C04  2024-02-01  D2     30    y   N      5
 *  11   C04  2024-05-05  D3     25    x   N      3
 *  12   C05  2024-02-14  E1    300    z   E      4
 *  13   C05  2024-03-01  E2   -300    z   E      -      full refund
 *  14   C06  2024-03-03  F1     60    x   N      3
 *  15   C06  2024-04-10  F2     60    x   N      3
 *  16   C06  2024-06-30  F3     60    y   N      4      latest line → default as_of 2024-06-30
 *  17   C07  2024-04-20  G1     90    z   E      -
 *  18   C08  2024-05-31  H1     10    x   S      5
 *  19   C08  2024-06-01  H2     10    x   S      5
 *  20   C09  2024-06-15  I1      5    y   N      2
 *  21   C10  2023-12-31  J0    -15    x   E      -      return before the first purchase
 *  22   C10  2024-01-02  J1     45    x   E      4
 *  23   R01  2024-02-20  K1    -25    y   S      -      only a return: not a customer
 */
import type { DbClient } from '../../../src/lib/db/client.ts';
import { sql } from '../../../src/lib/db/sql.ts';
import { LINES_DDL, SURVEY_DDL } from '../../../src/lib/model/schema.ts';

type FixtureLine = [string, string, string | null, number, string, string | null, number | null, number | null];

export const FIXTURE_LINES: readonly FixtureLine[] = [
  // customer, date, order, amount, category, region, score, profit
  ['C01', '2024-01-05', 'A1', 100, 'x', 'N', 5, null],
  ['C01', '2024-01-06', 'A1', 50, 'y', 'N', 4, null],
  ['C01', '2024-02-10', 'A2', 80, 'y', 'N', 4, null],
  ['C01', '2024-04-01', 'A3', -30, 'y', 'N', null, null],
  ['C02', '2024-01-20', null, 40, 'x', 'S', 2, null],
  ['C02', '2024-01-20', null, 60, 'y', 'S', 3, null],
  ['C02', '2024-03-15', null, 0, 'x', 'S', null, null],
  ['C03', '2024-01-25', 'B1', 500, 'z', 'S', 1, null],
  ['C04', '2024-02-01', 'D1', 20, 'x', 'N', 5, null],
  ['C04', '2024-02-01', 'D2', 30, 'y', 'N', 5, null],
  ['C04', '2024-05-05', 'D3', 25, 'x', 'N', 3, null],
  ['C05', '2024-02-14', 'E1', 300, 'z', 'E', 4, null],
  ['C05', '2024-03-01', 'E2', -300, 'z', 'E', null, null],
  ['C06', '2024-03-03', 'F1', 60, 'x', 'N', 3, null],
  ['C06', '2024-04-10', 'F2', 60, 'x', 'N', 3, null],
  ['C06', '2024-06-30', 'F3', 60, 'y', 'N', 4, null],
  ['C07', '2024-04-20', 'G1', 90, 'z', 'E', null, null],
  ['C08', '2024-05-31', 'H1', 10, 'x', 'S', 5, null],
  ['C08', '2024-06-01', 'H2', 10, 'x', 'S', 5, null],
  ['C09', '2024-06-15', 'I1', 5, 'y', 'N', 2, null],
  ['C10', '2023-12-31', 'J0', -15, 'x', 'E', null, null],
  ['C10', '2024-01-02', 'J1', 45, 'x', 'E', 4, null],
  ['R01', '2024-02-20', 'K1', -25, 'y', 'S', null, null],
];

/** (Re)create `lines` with `data` and an empty `survey`. */
export async function loadLines(db: DbClient, data: readonly FixtureLine[] = FIXTURE_LINES): Promise<void> {
  await db.exec(LINES_DDL);
  await db.exec(SURVEY_DDL);
  let lineNo = 1;
  for (const [customer, date, order, amount, category, region, score, profit] of data) {
    lineNo += 1;
    await db.exec(sql`INSERT INTO lines (file_no, line_no, customer_id, order_id, order_ts, order_date, amount,
        category, region, score, profit)
      VALUES (1, ${lineNo}, ${customer}, ${order}, CAST(${date} AS TIMESTAMP), CAST(${date} AS DATE),
        CAST(${amount} AS DECIMAL(18,4)), ${category}, ${region}, ${score}, CAST(${profit} AS DECIMAL(18,4)))`);
  }
}

export async function loadSurvey(
  db: DbClient,
  rows: readonly { customer?: string; order?: string; score: number; date?: string }[],
): Promise<void> {
  await db.exec(SURVEY_DDL);
  let lineNo = 1;
  for (const r of rows) {
    lineNo += 1;
    await db.exec(sql`INSERT INTO survey (file_no, line_no, customer_id, order_id, score, response_date)
      VALUES (2, ${lineNo}, ${r.customer ?? null}, ${r.order ?? null}, ${r.score}, CAST(${r.date ?? null} AS DATE))`);
  }
}
