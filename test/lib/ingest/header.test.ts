import { describe, expect, it } from 'vitest';
import { detectHeader, effectiveWidth } from '../../../src/lib/ingest/header.ts';

const KNOWN = new Set(['客户ID', '订单日期', '金额', 'customer_id', 'date', 'amount']);
const score = (cells: readonly string[]): number => cells.filter((c) => KNOWN.has(c)).length;
const noLabels = (): number => 0;

describe('detectHeader', () => {
  it('takes the row with the most known labels below title and blank rows', () => {
    const rows = [
      ['2023年1月销售明细表', '', '', ''],
      ['', '', '', ''],
      [' 客户ID ', '订单日期', ' 商品名称', '金额 '],
      ['C001', '2023-01-05', '绿茶', '100.00'],
    ];
    expect(detectHeader(rows, score)).toEqual({ headerIndex: 2 });
  });

  it('without known labels, takes the first all-text row of the modal width followed by a row as wide', () => {
    const rows = [['Report'], ['foo', 'bar', 'baz'], ['1', '2', '3'], ['4', '5', '6']];
    expect(detectHeader(rows, noLabels)).toEqual({ headerIndex: 1 });
  });

  it('does not take a data row with text ids as header when labels are unknown', () => {
    const rows = [['C001', '2023-01-05', '10.00'], ['C002', '2023-01-06', '20.00']];
    expect(detectHeader(rows, noLabels)).toEqual({ headerIndex: -1 });
  });

  it('has no header when every row is numeric (CDNOW_sample)', () => {
    const rows = [['00001', '19970101', '1', '11.77'], ['00002', '19970112', '1', '12.00']];
    expect(detectHeader(rows, score)).toEqual({ headerIndex: -1 });
  });

  it('prefers the row with more recognised labels over an earlier text row', () => {
    const rows = [['amount', 'note', 'x'], ['customer_id', 'date', 'amount'], ['C1', '2023-01-01', '5']];
    expect(detectHeader(rows, score)).toEqual({ headerIndex: 1 });
  });

  it('effectiveWidth ignores trailing empty cells', () => {
    expect(effectiveWidth(['a', '', 'b', '', ' '])).toBe(3);
    expect(effectiveWidth(['', ''])).toBe(0);
  });
});
