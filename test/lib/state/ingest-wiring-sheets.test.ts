import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { ingestApi } from '../../../src/lib/state/ingest-wiring.ts';
import { NOTES, salesSheet, workbookBytes } from '../ingest/workbook-helper.ts';

const asFile = (bytes: Uint8Array, name: string) => new File([bytes.slice().buffer], name);

describe('the page reads the sheet it shows', () => {
  let db: NodeDb;
  beforeAll(async () => {
    db = await NodeDb.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('lists the sheets, reads the one asked for, and loads the sheet of the inspection', async () => {
    const file = asFile(await workbookBytes([NOTES, salesSheet('一月', 3), salesSheet('二月', 7)]), 'export.xlsx');
    const first = await ingestApi.inspect(file, 'sales', null);
    expect([first.sheet, first.sheets, first.sheetEmpty]).toEqual(['一月', ['说明', '一月', '二月'], undefined]);
    const feb = await ingestApi.inspect(file, 'sales', null, '二月');
    expect(feb.sheet).toBe('二月');
    const report = await ingestApi.load(db, [{ file, role: 'sales', inspection: feb, mapping: feb.mapping, parse: feb.parse, encoding: null }], () => {});
    expect([report.files[0]?.sheet, report.rows_kept]).toEqual(['二月', 7]);
  });

  it('returns an empty sheet of several as a choice to change, and still refuses a workbook with nothing in it', async () => {
    const file = asFile(await workbookBytes([salesSheet('一月', 2), { sheet: '空白', data: [] }]), 'export.xlsx');
    const empty = await ingestApi.inspect(file, 'sales', null, '空白');
    expect([empty.sheet, empty.sheetEmpty, empty.labels, empty.missing]).toEqual(['空白', true, [], ['customer', 'date', 'amount']]);
    const nothing = asFile(await workbookBytes([{ sheet: 'A', data: [] }, { sheet: 'B', data: [] }]), 'blank.xlsx');
    await expect(ingestApi.inspect(nothing, 'sales', null)).rejects.toThrow(/EMPTY_FILE/);
  });
});
