import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { defaultSheetIndex, readWorkbook, sheetHasRequiredColumns } from '../../../src/lib/ingest/formats/xlsx.ts';
import { inspectFile, loadDataset } from '../../../src/lib/ingest/load.ts';
import { NOTES, salesSheet, workbookBytes } from './workbook-helper.ts';

const SALES_HEADER = ['客户ID', '订单日期', '金额'];

describe('sheetHasRequiredColumns', () => {
  it('finds the header below a title row and checks customer, date and amount', () => {
    const rows = [['2024 年 3 月销售'], [], SALES_HEADER, ['C1', '2024-03-01', '100']];
    expect(sheetHasRequiredColumns(rows, 'sales')).toBe(true);
    expect(sheetHasRequiredColumns([['客户ID', '订单日期', '备注'], ['C1', '2024-03-01', 'x']], 'sales')).toBe(false);
  });

  it('takes quantity × unit price for the amount', () => {
    expect(sheetHasRequiredColumns([['客户ID', '订单日期', '数量', '单价'], ['C1', '2024-03-01', '2', '9.5']], 'sales')).toBe(true);
  });

  it('judges a survey sheet by its score and key, not by an amount', () => {
    const survey = [['客户ID', '评分'], ['C1', '5']];
    expect(sheetHasRequiredColumns(survey, 'survey')).toBe(true);
    expect(sheetHasRequiredColumns(survey, 'sales')).toBe(false);
  });

  it('is false for notes, an empty sheet and a header whose values do not fit (dates that are names)', () => {
    expect(sheetHasRequiredColumns(NOTES.data.map((r) => r.map(String)), 'sales')).toBe(false);
    expect(sheetHasRequiredColumns([], 'sales')).toBe(false);
    expect(sheetHasRequiredColumns([SALES_HEADER, ['C1', '张三', '100'], ['C2', '李四', '50']], 'sales')).toBe(false);
  });
});

describe('defaultSheetIndex', () => {
  const notes = [['说明'], ['数据来源：POS']];
  const sales = [SALES_HEADER, ['C1', '2024-03-01', '100']];
  it('keeps the first sheet when it has the columns, even if a later one has them too', () => {
    expect(defaultSheetIndex([sales, sales], 'sales')).toBe(0);
  });
  it('passes over a notes or empty first sheet to the first sheet with the columns', () => {
    expect(defaultSheetIndex([notes, notes, sales, sales], 'sales')).toBe(2);
    expect(defaultSheetIndex([[], sales], 'sales')).toBe(1);
  });
  it('falls back to the first sheet when none has the columns', () => {
    expect(defaultSheetIndex([notes, [], notes], 'sales')).toBe(0);
    expect(defaultSheetIndex([], 'sales')).toBe(0);
  });
});

describe('readWorkbook with several sheets', () => {
  it('reads "销售明细" behind a notes sheet "说明" by default, and "说明" when named', async () => {
    const bytes = await workbookBytes([NOTES, salesSheet('销售明细', 5)]);
    const book = await readWorkbook(bytes);
    expect(book.sheets).toEqual(['说明', '销售明细']);
    expect(book.sheet).toBe('销售明细');
    expect(book.rows).toHaveLength(6);
    expect(book.rows[0]).toEqual(SALES_HEADER);
    expect(book.rows[1]).toEqual(['C000', '2024-03-01', '100']);
    expect(book.rows[5]).toEqual(['C001', '2024-03-05', '140']);

    const notes = await readWorkbook(bytes, '说明');
    expect(notes.sheet).toBe('说明');
    expect(notes.rows).toEqual([['销售数据导出说明'], ['数据来源：门店 POS 系统'], ['金额单位：元，含税']]);
  });

  it('leaves a chart sheet out of the list and cannot be asked for it', async () => {
    const bytes = await workbookBytes([NOTES, salesSheet('销售明细', 2)], { chartSheet: '图表1' });
    const book = await readWorkbook(bytes);
    expect(book.sheets).toEqual(['说明', '销售明细']);
    expect(book.sheet).toBe('销售明细');
    await expect(readWorkbook(bytes, '图表1')).rejects.toThrow(/UNREADABLE_WORKBOOK/);
  });

  it('reads an empty sheet as no rows, and passes over it by default', async () => {
    const bytes = await workbookBytes([{ sheet: '空白', data: [] }, salesSheet('二月', 3)]);
    expect((await readWorkbook(bytes)).sheet).toBe('二月');
    const empty = await readWorkbook(bytes, '空白');
    expect(empty.sheets).toEqual(['空白', '二月']);
    expect(empty.rows).toEqual([]);
  });

  it('refuses a workbook with no filled cell (only empty sheets and a chart sheet) as EMPTY_FILE', async () => {
    const bytes = await workbookBytes([{ sheet: 'Sheet1', data: [] }, { sheet: 'Sheet2', data: [[null, '']] }], { chartSheet: 'Chart1' });
    await expect(readWorkbook(bytes)).rejects.toThrow(/EMPTY_FILE/);
  });

  it('picks a survey sheet by its score column when read for a survey', async () => {
    const bytes = await workbookBytes([NOTES, { sheet: '问卷', data: [['客户ID', '评分'], ['C000', 5]] }]);
    expect((await readWorkbook(bytes, undefined, 'survey')).sheet).toBe('问卷');
    expect((await readWorkbook(bytes, undefined, 'sales')).sheet).toBe('说明');
  });
});

describe('inspect and load a workbook by sheet', () => {
  let db: NodeDb;
  beforeAll(async () => {
    db = await NodeDb.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('inspects the data sheet by default and the named sheet on request', async () => {
    const file = { name: 'export.xlsx', bytes: await workbookBytes([NOTES, salesSheet('销售明细', 5)]) };
    const auto = await inspectFile(file);
    expect([auto.sheet, auto.sheets, auto.error, auto.mapping]).toEqual(['销售明细', ['说明', '销售明细'], null, { customer: 0, date: 1, amount: 2 }]);
    const notes = await inspectFile(file, { sheet: '说明' });
    expect(notes.sheet).toBe('说明');
    expect(notes.error?.code).toBe('MISSING_REQUIRED_COLUMNS');
  });

  it('inspects an empty sheet as EMPTY_FILE without throwing', async () => {
    const file = { name: 'export.xlsx', bytes: await workbookBytes([salesSheet('一月', 2), { sheet: '空白', data: [] }]) };
    const insp = await inspectFile(file, { sheet: '空白' });
    expect([insp.sheet, insp.error?.code, insp.labels]).toEqual(['空白', 'EMPTY_FILE', []]);
  });

  it('loads the chosen sheet and names it in the report', async () => {
    const file = { name: 'export.xlsx', bytes: await workbookBytes([NOTES, salesSheet('一月', 3), salesSheet('二月', 7)]) };
    const byDefault = await loadDataset(db, [file]);
    expect([byDefault.files[0]?.sheet, byDefault.rows_kept]).toEqual(['一月', 3]);
    const chosen = await loadDataset(db, [file], { overrides: [{ sheet: '二月' }] });
    expect([chosen.files[0]?.sheet, chosen.rows_read, chosen.rows_kept]).toEqual(['二月', 7, 7]);
    const total = await db.query<{ n: number; revenue: number }>('SELECT count(*) AS n, sum(amount) AS revenue FROM lines');
    // 100 + 110 + … + 160
    expect([Number(total[0]?.n), Number(total[0]?.revenue)]).toEqual([7, 910]);
  });
});
