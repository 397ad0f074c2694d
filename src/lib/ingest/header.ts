/**
 * Which record is the header: the one that names the most known columns, or else the
 * first all-text record of the table's width. Records above it are title rows.
 */

/** Counts how many cells look like known column labels (e.g. `mapping.ts` `scoreHeader`). */
export type HeaderScorer = (cells: readonly string[]) => number;

/** Index of the header among the records given; -1 when the file has no header. */
export interface HeaderGuess {
  readonly headerIndex: number;
}

const HEADER_SEARCH_RECORDS = 50;
const MIN_RECOGNISED_LABELS = 2;

/** Values that are data, not labels: numbers, amounts, dates, times, percentages. */
const DATA_LIKE = /^[\s\d.,:;/\\+\-−()$¥￥€£%'年月日号時时分秒TZ]*$/u;

function isBlankRow(row: readonly string[]): boolean {
  return row.every((c) => c.trim() === '');
}

/** Width without trailing empty cells. */
export function effectiveWidth(row: readonly string[]): number {
  let w = row.length;
  while (w > 0 && (row[w - 1] ?? '').trim() === '') w--;
  return w;
}

function looksLikeLabels(row: readonly string[]): boolean {
  const filled = row.map((c) => c.trim()).filter((c) => c !== '');
  if (filled.length < Math.min(2, row.length)) return false;
  return filled.every((c) => !DATA_LIKE.test(c));
}

/**
 * Find the header among the first ~50 records (`rows`, blank ones included).
 * 1. The first record with the best label score, when that score is ≥ 2.
 * 2. Otherwise the first non-blank record whose width is the modal width, whose filled
 *    cells all look like text (not numbers or dates), and which the next non-blank
 *    record matches in width.
 * 3. Otherwise -1: no header (e.g. CDNOW's all-numeric rows).
 */
export function detectHeader(rows: readonly (readonly string[])[], scoreHeader: HeaderScorer): HeaderGuess {
  const candidates = rows.slice(0, HEADER_SEARCH_RECORDS);
  let bestIndex = -1;
  let bestScore = 0;
  candidates.forEach((row, i) => {
    if (isBlankRow(row)) return;
    const score = scoreHeader(row.map((c) => c.trim()));
    if (score > bestScore) {
      bestScore = score;
      bestIndex = i;
    }
  });
  if (bestScore >= MIN_RECOGNISED_LABELS) return { headerIndex: bestIndex };

  const widths = new Map<number, number>();
  for (const row of candidates) {
    if (!isBlankRow(row)) widths.set(row.length, (widths.get(row.length) ?? 0) + 1);
  }
  let modal = 0;
  let modalCount = 0;
  for (const [w, count] of widths) {
    if (count > modalCount || (count === modalCount && w > modal)) {
      modal = w;
      modalCount = count;
    }
  }
  for (let i = 0; i < candidates.length; i++) {
    const row = candidates[i] ?? [];
    if (isBlankRow(row) || row.length !== modal || !looksLikeLabels(row)) continue;
    const next = candidates.slice(i + 1).find((r) => !isBlankRow(r));
    if (next !== undefined && next.length === modal) return { headerIndex: i };
  }
  return { headerIndex: -1 };
}
