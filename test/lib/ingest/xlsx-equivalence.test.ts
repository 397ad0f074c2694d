/**
 * The streaming sheet reader against read-excel-file 9.3.17, the reader it replaced (kept as
 * a dev dependency for this test only): on the workbook fixtures and on workbooks written by
 * write-excel-file, every worksheet's rows are the same text cells.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import readXlsxFile from 'read-excel-file/universal';
import type { Cell, SheetData } from 'write-excel-file/universal';
import { describe, expect, it } from 'vitest';
import { cellText, readWorkbook } from '../../../src/lib/ingest/formats/xlsx.ts';
import { NOTES, salesSheet, workbookBytes, type SheetSpec } from './workbook-helper.ts';

const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url)));

/** Every worksheet as the old reader gave it: name and rows of `cellText`. */
async function oldReader(bytes: Uint8Array): Promise<{ sheet: string; rows: string[][] }[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const parsed = await readXlsxFile(buffer);
  return parsed
    .filter((s) => Array.isArray(s.data))
    .map((s) => ({ sheet: s.sheet, rows: (s.data ?? []).map((row) => row.map(cellText)) }));
}

async function newReader(bytes: Uint8Array): Promise<{ sheet: string; rows: string[][] }[]> {
  const { sheets } = await readWorkbook(bytes);
  const out: { sheet: string; rows: string[][] }[] = [];
  for (const sheet of sheets) out.push({ sheet, rows: (await readWorkbook(bytes, sheet)).rows.map((r) => [...r]) });
  return out;
}

async function expectSameAsOld(bytes: Uint8Array): Promise<void> {
  const old = await oldReader(bytes);
  expect(old.length).toBeGreaterThan(0);
  expect(await newReader(bytes)).toEqual(old);
}

describe('the streaming reader reads what read-excel-file read', () => {
  it('on the workbook fixtures', async () => {
    await expectSameAsOld(fixture('ingest/41_real_workbook.xlsx'));
    await expectSameAsOld(fixture('load/workbook.xlsx'));
  });

  it('on multi-sheet workbooks from write-excel-file (a notes sheet, a chart sheet, an empty sheet)', async () => {
    await expectSameAsOld(await workbookBytes([NOTES, salesSheet('销售明细', 20), salesSheet('二月', 3)]));
    await expectSameAsOld(await workbookBytes([salesSheet('数据', 2), { sheet: '空白', data: [] }], { chartSheet: '图表' }));
  });

  it('on a sheet of every kind of cell: text, ids, numbers, booleans, dates and times, gaps', async () => {
    const data: SheetData = [['订单号', '客户ID', '下单时间', '金额', '已付', '备注']];
    for (let i = 0; i < 300; i++) {
      const when = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000 * 3.7 + (i % 7) * 3_600_000 + (i % 3) * 1000);
      data.push([
        `SO${String(i).padStart(6, '0')}`,
        i % 11 === 0 ? `  00${i}  ` : `C${i % 37}`,
        { value: when, type: Date, format: i % 2 === 0 ? 'yyyy-mm-dd hh:mm:ss' : 'yyyy-mm-dd' },
        i % 13 === 0 ? null : (i * 1234.5678) / 100 - 250,
        i % 4 === 0,
        i % 5 === 0 ? `备注 <${i}> & "引号" 'x'\n第二行` : i % 17 === 0 ? '   ' : null,
      ]);
    }
    data.push([], [null, null, null, null, null, '末行'], []);
    await expectSameAsOld(await workbookBytes([{ sheet: 'Sheet1', data }]));
  });
});

// ---------------------------------------------------------------- round trip

type Value = { kind: 'text'; v: string } | { kind: 'number'; v: number } | { kind: 'bool'; v: boolean } | { kind: 'date'; v: Date } | { kind: 'empty' };

const TEXT_CHARS = ['a', 'Z', '0', '7', '.', '-', ' ', '\n', '\t', '&', '<', '>', '"', "'", '中', '文', '￥', '😀', 'é'];

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TEXT_CHARS), maxLength: 12 }).map((v) => ({ kind: 'text' as const, v })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => ({ kind: 'number' as const, v })),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => ({ kind: 'number' as const, v: n / 100 })),
  fc.boolean().map((v) => ({ kind: 'bool' as const, v })),
  // Whole seconds from 1900-03-01 on: write-excel-file counts days without Excel's 29 February 1900.
  fc.integer({ min: Date.UTC(1900, 2, 1) / 1000, max: Date.UTC(9999, 11, 31) / 1000 }).map((s) => ({ kind: 'date' as const, v: new Date(s * 1000) })),
  fc.constant({ kind: 'empty' as const }),
);

function written(x: Value): Cell {
  switch (x.kind) {
    case 'text':
      return x.v;
    case 'number':
      return x.v;
    case 'bool':
      return x.v;
    case 'date':
      return { value: x.v, type: Date, format: 'yyyy-mm-dd hh:mm:ss' };
    case 'empty':
      return null;
  }
}

/** The text the reader should give back: strings trimmed, numbers shortest form (−0 as 0). */
function expectedText(x: Value): string {
  switch (x.kind) {
    case 'text':
      return x.v.trim();
    case 'number':
      return String(x.v);
    case 'bool':
      return x.v ? 'TRUE' : 'FALSE';
    case 'date':
      return cellText(x.v);
    case 'empty':
      return '';
  }
}

/** Rows as the reader returns them: empty rows after the last filled one dropped, all as wide as the widest filled cell. */
function shaped(rows: string[][]): string[][] {
  const filled = (r: string[]) => r.some((c) => c !== '');
  let end = rows.length;
  while (end > 0 && !filled(rows[end - 1] ?? [])) end--;
  const kept = rows.slice(0, end);
  const width = Math.max(0, ...kept.map((r) => r.reduce((w, c, k) => (c !== '' ? k + 1 : w), 0)));
  return kept.map((r) => Array.from({ length: width }, (_, k) => r[k] ?? ''));
}

describe('round trip through write-excel-file', () => {
  it('reads back every value written: text, numbers, booleans, dates to the second, empty cells', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(value, { maxLength: 6 }), { minLength: 1, maxLength: 12 }), async (rows) => {
        const sheet: SheetSpec = { sheet: 'Sheet1', data: [['x'], ...rows.map((r) => r.map(written))] };
        const book = await readWorkbook(await workbookBytes([sheet]));
        expect(book.rows).toEqual(shaped([['x'], ...rows.map((r) => r.map(expectedText))]));
      }),
      { numRuns: 150 },
    );
  });
});
