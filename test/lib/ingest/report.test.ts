import { describe, expect, it } from 'vitest';
import { problemRows, problemsCsv } from '../../../src/lib/ingest/report.ts';
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
