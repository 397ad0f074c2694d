import { describe, expect, it } from 'vitest';
import { duplicateRows, fieldKey, problemRows, problemsCsv, reasonAmounts, unusedColumns } from '../../../src/lib/ingest/report.ts';
import type { FileReport, LoadReport } from '../../../src/lib/ingest/types.ts';

const file = (name: string) => ({ name }) as FileReport;
const report: LoadReport = {
  files: [file('a.csv'), file("b'); SELECT 1; --.csv")],
  rows_read: 10,
  rows_kept: 6,
  rows_rejected: 3,
  rows_skipped: 1,
  rejected: [
    { file: 1, line: 4, reason: 'unparseable_amount', value: '=1+2' },
    { file: 0, line: 9, reason: 'missing_date' },
    { file: 0, line: 3, reason: 'unparseable_date', value: '2023-02-30' },
  ],
  skipped: [{ file: 0, line: 5, reason: 'summary_row' }],
  warnings: [],
  millis: 1,
};

describe('problem lines', () => {
  it('lists rejected then skipped lines in file and line order', () => {
    expect(problemRows(report, { skipped: true }).map((r) => [r.file, r.line, r.kind, r.reason])).toEqual([
      ['a.csv', 3, 'rejected', 'unparseable_date'],
      ['a.csv', 5, 'skipped', 'summary_row'],
      ['a.csv', 9, 'rejected', 'missing_date'],
      ["b'); SELECT 1; --.csv", 4, 'rejected', 'unparseable_amount'],
    ]);
    expect(problemRows(report)).toHaveLength(3);
  });

  it('writes spreadsheet-safe CSV with translated reasons', () => {
    const csv = problemsCsv(report, { skipped: false, header: ['文件', '行', '状态', '原因', '值'], reasonText: (r) => `<${r}>` });
    expect(csv).toBe(
      '\uFEFF文件,行,状态,原因,值\r\n' +
        'a.csv,3,rejected,<unparseable_date>,2023-02-30\r\n' +
        'a.csv,9,rejected,<missing_date>,\r\n' +
        "b'); SELECT 1; --.csv,4,rejected,<unparseable_amount>,'=1+2\r\n",
    );
  });
});

const sales = (over: Partial<FileReport>): FileReport =>
  ({
    name: 's.csv',
    role: 'sales',
    labels: [],
    mapping: {},
    parse: { dayMonthOrder: 'auto', decimal: 'auto', dedupe: false },
    skippedByReason: {},
    warnings: [],
    ...over,
  }) as FileReport;

describe('what the report says', () => {
  it('counts duplicates kept where files were loaded as they are, removed where de-duplicated', () => {
    const kept = sales({ warnings: [{ code: 'exact_duplicate_rows', count: 5 }] });
    const removed = sales({
      parse: { dayMonthOrder: 'auto', decimal: 'auto', dedupe: true },
      skippedByReason: { duplicate_row: 3, blank_row: 1 },
      warnings: [{ code: 'exact_duplicate_rows', count: 3 }],
    });
    const survey = { ...kept, role: 'survey' } as FileReport;
    expect(duplicateRows({ files: [kept, removed, survey] })).toEqual({ kept: 5, removed: 3 });
    expect(duplicateRows({ files: [sales({})] })).toEqual({ kept: 0, removed: 0 });
  });

  it('gives the amounts of one reason, per currency, with the rows without one', () => {
    const f = sales({
      rejectedAmounts: [
        { reason: 'missing_customer_id', currency: null, amount: '1234.5600', rows: 2 },
        { reason: 'missing_customer_id', currency: 'USD', amount: '-0.0100', rows: 1 },
        { reason: 'missing_date', currency: null, amount: '7.0000', rows: 1 },
      ],
      rejectedUnreadable: { missing_customer_id: 4, unparseable_amount: 2 },
    });
    expect(reasonAmounts(f, 'missing_customer_id')).toEqual({
      sums: [
        { currency: null, amount: 1234.56 },
        { currency: 'USD', amount: -0.01 },
      ],
      unreadable: 4,
    });
    expect(reasonAmounts(f, 'unparseable_amount')).toEqual({ sums: [], unreadable: 2 });
    expect(reasonAmounts(f, 'unclosed_quote')).toBeNull();
    // A report stored before the amounts were kept says nothing about them.
    expect(reasonAmounts(sales({}), 'missing_customer_id')).toBeNull();
  });

  it('names the columns no field reads, leaving unnamed ones out', () => {
    expect(unusedColumns({ labels: ['客户ID', ' 备注 ', '日期', '', '地址', '金额'], mapping: { customer: 0, date: 2, amount: 5 } })).toEqual(['备注', '地址']);
  });

  it('calls a survey’s date the survey date', () => {
    expect(fieldKey('survey', 'date')).toBe('field.survey_date');
    expect(fieldKey('sales', 'date')).toBe('field.date');
    expect(fieldKey('survey', 'score')).toBe('field.score');
  });
});
