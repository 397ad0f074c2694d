/**
 * The load report as downloadable text: every rejected (and skipped) line with its file,
 * line number, reason and offending value, as spreadsheet-safe CSV.
 */
import { toCsv, type CsvCell } from '../export/csv.ts';
import type { LoadReport, RejectReason, SkipReason } from './types.ts';

export interface ProblemRow {
  readonly file: string;
  readonly line: number;
  readonly kind: 'rejected' | 'skipped';
  readonly reason: RejectReason | SkipReason;
  readonly value: string;
}

/** Rejected and skipped lines of all files, in file then line order. */
export function problemRows(report: LoadReport, include: { skipped?: boolean } = {}): ProblemRow[] {
  const name = (k: number) => report.files[k]?.name ?? `#${k + 1}`;
  const rows: (ProblemRow & { fileNo: number })[] = report.rejected.map((r) => ({
    fileNo: r.file,
    file: name(r.file),
    line: r.line,
    kind: 'rejected',
    reason: r.reason,
    value: r.value ?? '',
  }));
  if (include.skipped) {
    for (const s of report.skipped) {
      rows.push({ fileNo: s.file, file: name(s.file), line: s.line, kind: 'skipped', reason: s.reason, value: '' });
    }
  }
  rows.sort((a, b) => a.fileNo - b.fileNo || a.line - b.line);
  return rows.map(({ fileNo: _, ...r }) => r);
}

/** Column titles of the CSV; the page passes translated ones. */
export const PROBLEM_HEADER = ['file', 'line', 'status', 'reason', 'value'] as const;

/**
 * CSV of the problem lines. `reasonText` turns a reason code into the user's language
 * (default: the code itself).
 */
export function problemsCsv(
  report: LoadReport,
  options: {
    readonly skipped?: boolean;
    readonly header?: readonly string[];
    readonly reasonText?: (reason: RejectReason | SkipReason) => string;
  } = {},
): string {
  const text = options.reasonText ?? ((r) => r);
  const rows = problemRows(report, { skipped: options.skipped ?? true }).map(
    (r): CsvCell[] => [r.file, r.line, r.kind, text(r.reason), r.value],
  );
  return toCsv(options.header ?? PROBLEM_HEADER, rows);
}
