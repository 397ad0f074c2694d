import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { xlsxBlob } from '../../../src/lib/export/xlsx.ts';
import { cellText, readWorkbook } from '../../../src/lib/ingest/formats/xlsx.ts';
import { normalizeRows } from '../../../src/lib/ingest/normalize.ts';
import { IngestError } from '../../../src/lib/ingest/types.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/ingest/${name}`, import.meta.url)));

describe('readWorkbook', () => {
  it('reads corpus 41 as text: ids stay text, serial dates become ISO dates, numbers shortest form', async () => {
    const wb = await readWorkbook(fixture('41_real_workbook.xlsx'));
    expect(wb.sheets).toEqual(['销售明细']);
    expect(wb.sheet).toBe('销售明细');
    expect(wb.rows).toHaveLength(10);
    expect(wb.rows[0]).toEqual(['客户ID', '订单日期', '商品名称', '金额']);
    expect(wb.rows[1]).toEqual(['C001', '2023-01-05', '西湖龙井 250g', '1234.5']);
    expect(wb.rows[3]).toEqual(['00123', '2023-01-07', '普洱茶饼 357g', '356']);
    expect(wb.rows[4]).toEqual(['123', '2023-01-07', '茉莉花茶', '45.9']);
    expect(wb.rows[5]).toEqual(['C001', '2023-01-20', '西湖龙井 250g', '-1234.5']);
    expect(wb.rows[9]).toEqual(['合计', '', '', '1274.5']);
  });

  it('feeds normalizeRows with worksheet row numbers as lines', async () => {
    const wb = await readWorkbook(fixture('41_real_workbook.xlsx'));
    const gen = normalizeRows(wb.rows.map((cells, i) => ({ line: i + 1, cells })), 4, 1);
    let text = '';
    let r = gen.next();
    while (!r.done) {
      text += new TextDecoder().decode(r.value.bytes);
      r = gen.next();
    }
    const lines = text.split('\n').slice(0, -1).map((l) => l.replaceAll('\u001f', '|'));
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('2|0|4|C001|2023-01-05|西湖龙井 250g|1234.5');
    expect(lines[8]).toBe('10|0|4|合计|||1274.5');
    expect(r.value.byFlag).toEqual({ 0: 9 });
  });

  it('rejects a damaged workbook and an unknown sheet with UNREADABLE_WORKBOOK', async () => {
    await expect(readWorkbook(fixture('42_legacy_xls_signature.csv'))).rejects.toThrow(IngestError);
    await expect(readWorkbook(fixture('41_real_workbook.xlsx'), 'Sheet9')).rejects.toThrow(/UNREADABLE_WORKBOOK/);
  });
});

describe('cellText', () => {
  it('formats dates from UTC fields, with a time only when there is one', () => {
    expect(cellText(new Date(Date.UTC(1900, 0, 1)))).toBe('1900-01-01');
    expect(cellText(new Date(Date.UTC(2023, 11, 31, 14, 5, 9)))).toBe('2023-12-31 14:05:09');
  });

  it('rounds a time to the nearest second (serial fractions arrive a millisecond short)', () => {
    expect(cellText(new Date(Date.UTC(2024, 0, 5, 9, 29, 59, 999)))).toBe('2024-01-05 09:30:00');
    expect(cellText(new Date(Date.UTC(2024, 0, 5, 9, 30, 0, 499)))).toBe('2024-01-05 09:30:00');
    // Just before midnight rounds into the next day, which then has no time of day.
    expect(cellText(new Date(Date.UTC(2023, 11, 31, 23, 59, 59, 600)))).toBe('2024-01-01');
  });

  it('reads back the times a workbook was written with, to the second', async () => {
    const stamps = ['2024-01-05 09:30:00', '2024-02-29 23:59:59', '2024-03-01 00:00:01', '2024-07-14 17:45:30'];
    const blob = await xlsxBlob(
      {
        columns: [{ name: 'ts', kind: 'timestamp' }],
        rowCount: stamps.length,
        async *batches() {
          yield stamps.map((ts) => ({ ts }));
        },
        release: async () => {},
      },
      ['ts'],
    );
    const wb = await readWorkbook(new Uint8Array(await blob.arrayBuffer()));
    expect(wb.rows.slice(1).map((r) => r[0])).toEqual(stamps);
  });

  it('keeps numbers round-trippable and strings verbatim', () => {
    expect([cellText(0.1 + 0.2), cellText(1e21), cellText(-0.5), cellText('00123'), cellText(true), cellText(null)]).toEqual([
      '0.30000000000000004',
      '1e+21',
      '-0.5',
      '00123',
      'TRUE',
      '',
    ]);
  });
});
