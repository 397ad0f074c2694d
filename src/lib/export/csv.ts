/**
 * CSV for spreadsheets: UTF-8 with a BOM (so Excel on Chinese Windows reads it as UTF-8),
 * CRLF line ends and RFC 4180 quoting. Text cells that a spreadsheet would run as a
 * formula get a leading apostrophe (OWASP "CSV injection"); numbers stay numbers.
 */
export type CsvCell = string | number | boolean | null | undefined;

export const BOM = '\uFEFF';

/**
 * First characters that make Excel, LibreOffice or WPS treat a cell as a formula (incl.
 * full-width forms). TAB, CR and LF count too: spreadsheets skip them and then see the rest.
 */
export const FORMULA_START = /^[=+\-@\t\r\n＝＋－＠]/u;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file as text, BOM first. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return BOM + lines.join('\r\n') + '\r\n';
}
