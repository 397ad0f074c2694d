import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SheetData } from 'write-excel-file/universal';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { zipEntries } from '../../../src/lib/ingest/formats/zip-entries.ts';
import { loadDataset } from '../../../src/lib/ingest/load.ts';
import type { Progress } from '../../../src/lib/ingest/types.ts';
import { workbookBytes } from './workbook-helper.ts';

describe('loading a workbook as a stream', () => {
  let db: NodeDb;
  beforeAll(async () => {
    db = await NodeDb.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('reports the share of the sheet XML read while its rows are normalized, and loads every row', async () => {
    // 20,000 orders: customers K0…K9, amounts 1, 2, …, 20,000 (sum 20,000 × 20,001 / 2 = 200,010,000), a blank row after row 1,001.
    // The sheet's XML (about 2 MB) is inflated in several pieces, so progress comes in steps.
    const data: SheetData = [['客户ID', '订单日期', '金额']];
    for (let i = 1; i <= 20_000; i++) {
      data.push([`K${i % 10}`, { value: new Date(Date.UTC(2024, 0, 1 + (i % 300))), type: Date, format: 'yyyy-mm-dd' }, i]);
      if (i === 1000) data.push([null, null, null]);
    }
    const bytes = await workbookBytes([{ sheet: 'Sheet1', data }]);
    const sheetXml = zipEntries(bytes).get('xl/worksheets/sheet1.xml')?.size ?? 0;
    const events: Progress[] = [];
    const report = await loadDataset(db, [{ name: 'big.xlsx', bytes }], { chunkBytes: 64 * 1024, onProgress: (p) => events.push(p) });
    expect([report.rows_read, report.rows_kept, report.rows_skipped]).toEqual([20_001, 20_000, 1]);
    const revenue = await db.query<{ r: number }>('SELECT sum(amount)::DOUBLE AS r FROM lines');
    expect(revenue[0]?.r).toBe(200_010_000);

    const parse = events.filter((p) => p.stage === 'parse');
    expect(parse.length).toBeGreaterThan(3);
    expect(parse.every((p) => p.total === sheetXml)).toBe(true);
    expect(parse.map((p) => p.done)).toEqual([...parse.map((p) => p.done)].sort((a, b) => a - b));
    expect(parse.at(-1)?.done).toBe(sheetXml);
    expect(parse[0]?.done).toBeLessThan(sheetXml);
  });
});
