/**
 * `customer_info` from hand-made files (customer-info.ts).
 *
 * File 0 (an ERP export with an unused 地址 column), physical lines:
 *  2  K1  华东贸易          138-1  2024-01-05  上海路1号
 *  3  K1  华东贸易有限公司   ''     2024-02-01  上海路2号
 *  4  K1  ''               139-2  2024-03-01  ''          ← K1's latest line
 *  5  K2  ''               ''     2024-01-10  北京路9号   ← K2's only line
 *  6  合计 (summary row, skipped)
 *  7  K3  …                       not a date             ← rejected: K3 has no kept line
 * K1: line 4 has no name → line 3's, trimmed (华东贸易有限公司); phone from line 4 (139-2);
 * unused cells of line 4: 地址 empty (NULL). K2: no name or phone on any line; 地址 北京路9号.
 *
 * Adding file 1: K1 on 2024-02-15 named 新名称 (later than file 0 line 3's 2024-02-01, earlier
 * than line 4's 2024-03-01): name 新名称, latest line still file 0 line 4. K2 on 2024-05-01:
 * latest line file 1 line 3, whose unused 备注 is y.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { infoSpec, MAX_UNUSED_COLUMNS, unusedColumns } from '../../../src/lib/ingest/customer-info.ts';
import { loadDataset } from '../../../src/lib/ingest/load.ts';

const text = (name: string, body: string) => ({ name, bytes: new TextEncoder().encode(body) });

const ERP = [
  '客户编码,客户名称,联系电话,开单日期,销售金额,地址',
  'K1,华东贸易,138-1,2024-01-05,100,上海路1号',
  'K1, 华东贸易有限公司 ,,2024-02-01,50,上海路2号',
  'K1,,139-2,2024-03-01,20,',
  'K2,,,2024-01-10,30,北京路9号',
  '合计,,,,200,',
  'K3,不合格,137-3,not a date,10,广州路',
].join('\n');

type InfoRow = {
  customer_id: string;
  name: string | null;
  phone: string | null;
  contact: string | null;
  file_no: number;
  line_no: number;
  cells: string | null;
};

async function info(db: NodeDb): Promise<InfoRow[]> {
  return db.query<InfoRow>(`SELECT customer_id, name, phone, contact, file_no, line_no, cells[1] AS cells
    FROM customer_info ORDER BY customer_id`);
}

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

describe('customer_info', () => {
  it('takes each contact field from the latest line where it is not empty, and the unused cells of the latest line', async () => {
    const report = await loadDataset(db, [text('erp.csv', ERP)]);
    expect(report.files[0]?.mapping).toEqual({ customer: 0, name: 1, phone: 2, date: 3, amount: 4 });
    expect([report.rows_kept, report.rows_rejected, report.rows_skipped]).toEqual([4, 1, 1]);
    expect(await info(db)).toEqual([
      { customer_id: 'K1', name: '华东贸易有限公司', phone: '139-2', contact: null, file_no: 0, line_no: 4, cells: null },
      { customer_id: 'K2', name: null, phone: null, contact: null, file_no: 0, line_no: 5, cells: '北京路9号' },
    ]);
    // Nothing of it is in `lines`.
    const cols = await db.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM duckdb_columns() WHERE table_name = 'lines' AND column_name IN ('name', 'phone', 'cells')");
    expect(cols[0]?.n).toBe(0);
  });

  it('merges files by the latest line over all of them', async () => {
    const second = ['会员号,日期,金额,姓名,备注', 'K1,2024-02-15,5,新名称,x', 'K2,2024-05-01,5,,y'].join('\n');
    await loadDataset(db, [text('erp.csv', ERP), text('more.csv', second)]);
    expect(await info(db)).toEqual([
      { customer_id: 'K1', name: '新名称', phone: '139-2', contact: null, file_no: 0, line_no: 4, cells: null },
      { customer_id: 'K2', name: null, phone: null, contact: null, file_no: 1, line_no: 3, cells: 'y' },
    ]);
  });

  it('keeps nothing for a file with neither contact fields nor unused columns', async () => {
    expect(infoSpec({ customer: 0, date: 1, amount: 2 }, 3)).toBeNull();
    await loadDataset(db, [text('plain.csv', 'customer_id,date,amount\nA,2024-01-01,1\n')]);
    expect(await info(db)).toEqual([]);
  });

  it('caps the unused columns kept per file', () => {
    expect(unusedColumns({ customer: 1 }, 4)).toEqual([0, 2, 3]);
    expect(unusedColumns({ customer: 0 }, 500)).toHaveLength(MAX_UNUSED_COLUMNS);
  });
});
