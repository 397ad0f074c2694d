/**
 * The load report as downloadable text: every rejected (and skipped) line with its file,
 * line number, reason and offending value, as spreadsheet-safe CSV.
 */
import { toCsv, type CsvCell } from '../export/csv.ts';
import type { MappingField } from '../model/schema.ts';
import type { FileReport, LoadReport, RejectReason, SkipReason } from './types.ts';

/**
 * Exact duplicate rows of the sales files: `kept` in files loaded as they are (they count
 * in every total), `removed` in files loaded with de-duplication (counted as skipped rows,
 * reason `duplicate_row`, so rows_read = kept + rejected + skipped still holds).
 */
export function duplicateRows(report: Pick<LoadReport, 'files'>): { kept: number; removed: number } {
  let kept = 0;
  let removed = 0;
  for (const f of report.files) {
    if (f.role !== 'sales') continue;
    if (f.parse.dedupe) removed += f.skippedByReason.duplicate_row ?? 0;
    else kept += f.warnings.find((w) => w.code === 'exact_duplicate_rows')?.count ?? 0;
  }
  return { kept, removed };
}

/** What the rejected rows of one reason carry: a sum per currency as written, and the rows without a readable amount. */
export interface ReasonAmounts {
  readonly sums: readonly { readonly currency: string | null; readonly amount: number }[];
  readonly unreadable: number;
}

/**
 * The amounts of a file's rejected rows of `reason`; null when the report has none (a survey,
 * or a report stored before amounts were kept). The exact decimal sum becomes a number for
 * display: cents stay exact below 2^53 / 100.
 */
export function reasonAmounts(f: Pick<FileReport, 'rejectedAmounts' | 'rejectedUnreadable'>, reason: RejectReason): ReasonAmounts | null {
  if (f.rejectedAmounts === undefined) return null;
  const sums = f.rejectedAmounts.filter((a) => a.reason === reason).map((a) => ({ currency: a.currency, amount: Number(a.amount) }));
  const unreadable = f.rejectedUnreadable?.[reason] ?? 0;
  return sums.length === 0 && unreadable === 0 ? null : { sums, unreadable };
}

/** Columns of a file that no field reads, by their labels (trimmed, unnamed ones left out), in file order. */
export function unusedColumns(f: Pick<FileReport, 'labels' | 'mapping'>): string[] {
  const used = new Set(Object.values(f.mapping));
  return f.labels.flatMap((l, i) => (used.has(i) || l.trim() === '' ? [] : [l.trim()]));
}

/** The message key naming a field for a file of this role: a survey's date is the date of the response, not of an order. */
export function fieldKey(role: 'sales' | 'survey', field: MappingField): string {
  return role === 'survey' && field === 'date' ? 'field.survey_date' : `field.${field}`;
}

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
