/**
 * Which data records are already clean, decided on their bytes while the normalizer copies
 * them. A record is *simple* when every mapped cell has a form whose cleaned, parsed value
 * is the cell itself cast directly (build-lines.ts then skips trimming, pattern matching
 * and summary tests for it). The tests err on the safe side: a record that fails one is
 * only slower, it is read by the full rules. Every test here mirrors a rule of parse.ts /
 * build-lines.ts on cleaned text:
 *
 * - text cells: nothing a trim would remove at either end (checked on UTF-8 lead bytes:
 *   C2 NBSP, E2 thin/zero-width spaces, E3 ideographic space, EF BOM count as possible);
 * - the customer cell: non-empty text that cannot be a placeholder, a summary word or a
 *   number Excel wrote in scientific notation (nor hold a dotless ı, which `upper()` turns
 *   into I: `nıl` is the placeholder NIL to the full rules);
 * - cell 0 (when it is not the customer): not blank and not starting like a summary row;
 * - the date: `YYYY-MM-DD`, optionally ` HH:MM` or ` HH:MM:SS` (the ISO form, no zone);
 * - numbers (amount, quantity, unit price, cost, profit): empty or `-?digits(.digits)?`;
 * - the score: empty or `digits(.digits)?`.
 *
 * A record is *formatted simple* (`RAW_FLAG.simpleFormatted`) when it passes these tests
 * but for numbers written as a spreadsheet's number and currency formats write them (an
 * optional minus, one currency sign of ￥ ¥ $ € £, digits in whole groups of three:
 * `-￥1,234.50`, parse.ts `FORMATTED`) or a date written `YYYY/MM/DD`, optionally with
 * ` HH:MM` or ` HH:MM:SS`. Such cells are their own cleaned text, and parse.ts reads them
 * with shortcuts of its full rules (`formattedAmount`, a slash date's rewrite).
 */
import type { ColumnMapping } from './types.ts';
import { SIGNS } from './parse.ts';
import { RAW_FLAG } from './raw-format.ts';

/** Positions of the mapped cells that decide whether a record is simple. */
export interface SimpleCellSpec {
  readonly customer: number;
  readonly date: number;
  readonly numbers: readonly number[];
  readonly texts: readonly number[];
  /** The order id: text that also must not read as a placeholder. */
  readonly order: number | null;
  readonly score: number | null;
  readonly width: number;
}

/** The spec for a sales mapping; null when customer or date is unmapped (nothing is simple then). */
export function simpleCellSpec(m: ColumnMapping, width: number): SimpleCellSpec | null {
  if (m.customer === undefined || m.date === undefined) return null;
  const defined = (xs: readonly (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
  return {
    customer: m.customer,
    date: m.date,
    numbers: defined([m.amount, m.quantity, m.unit_price, m.cost, m.profit]),
    texts: defined([m.product, m.category, m.region, m.channel]),
    order: m.order ?? null,
    score: m.score ?? null,
    width,
  };
}

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * Starts of placeholder ids (ID_PLACEHOLDERS) and summary words (SUMMARY_RE), lower-cased;
 * a cell starting with any of them (ASCII case folded) is left to the full rules.
 */
const WORDS: readonly Uint8Array[] = [
  'null', 'n/a', 'na', '#n/a', '-', '/', 'none', 'nan', 'nil', '(null)', 'undefined',
  'total', 'subtotal', 'sub', 'grand', 'sum', 'average', 'avg',
  '无', '空', '合计', '合計', '小计', '小計', '总计', '總計', '累计', '累計', '总合计', '平均',
].map(enc);

const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);

/** The words by their first byte: most cells start with a byte no word starts with. */
const WORDS_BY_FIRST: readonly (readonly Uint8Array[] | null)[] = (() => {
  const table: (Uint8Array[] | null)[] = Array.from({ length: 256 }, () => null);
  for (const w of WORDS) (table[w[0] as number] ??= []).push(w);
  return table;
})();

function startsWithWord(src: Uint8Array, a: number, b: number): boolean {
  const words = WORDS_BY_FIRST[lower(src[a] as number)];
  if (!words) return false;
  for (const w of words) {
    if (b - a < w.length) continue;
    let k = 1;
    while (k < w.length && lower(src[a + k] as number) === w[k]) k++;
    if (k === w.length) return true;
  }
  return false;
}

/**
 * Lead bytes of every character a trim removes beyond ASCII space, tab, CR and LF (NBSP C2,
 * U+2009/200B/202F E2, U+3000 E3, U+FEFF EF), and C5 for U+017F, which a case-insensitive
 * pattern reads as "s". A cell starting or ending with such a lead byte is not simple.
 */
function suspectLead(b: number): boolean {
  return b === 0xc2 || b === 0xe2 || b === 0xe3 || b === 0xef || b === 0xc5;
}

/** No character a trim would remove at either end (empty is fine). */
function noTrim(src: Uint8Array, a: number, b: number): boolean {
  if (a === b) return true;
  const first = src[a] as number;
  if (first <= 0x20 || suspectLead(first)) return false;
  const last = src[b - 1] as number;
  if (last <= 0x20) return false;
  if (last >= 0x80) {
    let lead = b - 1;
    while (lead > a && ((src[lead] as number) & 0xc0) === 0x80) lead--;
    if (suspectLead(src[lead] as number)) return false;
  }
  return true;
}

/**
 * The cell holds U+0131 (dotless ı, C4 B1), the one non-ASCII character `upper()` maps to a
 * letter of a placeholder word (I), so that `nıl` or `undefıned` are placeholders.
 */
function hasDotlessI(src: Uint8Array, a: number, b: number): boolean {
  for (let i = a; i + 1 < b; i++) if (src[i] === 0xc4 && src[i + 1] === 0xb1) return true;
  return false;
}

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

function digits(src: Uint8Array, a: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (!isDigit(src[a + k])) return false;
  return true;
}

/** `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS`; with `sep` 0x2f, the same with slashes. */
function isoDate(src: Uint8Array, a: number, b: number, sep = 0x2d): boolean {
  const len = b - a;
  if (len !== 10 && len !== 16 && len !== 19) return false;
  if (!digits(src, a, 4) || src[a + 4] !== sep || !digits(src, a + 5, 2) || src[a + 7] !== sep || !digits(src, a + 8, 2)) return false;
  if (len === 10) return true;
  if (src[a + 10] !== 0x20 || !digits(src, a + 11, 2) || src[a + 13] !== 0x3a || !digits(src, a + 14, 2)) return false;
  return len === 16 || (src[a + 16] === 0x3a && digits(src, a + 17, 2));
}

/** Empty, or digits with an optional fraction (and an optional leading minus when `signed`). */
function plainNumber(src: Uint8Array, a: number, b: number, signed: boolean): boolean {
  if (a === b) return true;
  let i = a;
  if (signed && src[i] === 0x2d) i++;
  const intStart = i;
  while (i < b && isDigit(src[i])) i++;
  if (i === intStart) return false;
  if (i === b) return true;
  if (src[i] !== 0x2e) return false;
  const fracStart = ++i;
  while (i < b && isDigit(src[i])) i++;
  return i === b && i > fracStart;
}

/** parse.ts `SIGNS` as UTF-8. */
const SIGN_BYTES: readonly Uint8Array[] = SIGNS.map(([s]) => enc(s));

/** The length of the currency sign (`SIGN_BYTES`) at `src[i]`, or 0. */
function signLength(src: Uint8Array, i: number): number {
  for (const sign of SIGN_BYTES) {
    let k = 0;
    while (k < sign.length && src[i + k] === sign[k]) k++;
    if (k === sign.length) return k;
  }
  return 0;
}

/**
 * parse.ts `FORMATTED['.']`: `-?`, at most one currency sign, digits in whole groups of three
 * (`1,234,567`) or ungrouped, an optional `.digits`. Not empty.
 */
function formattedNumber(src: Uint8Array, a: number, b: number): boolean {
  let i = a;
  if (src[i] === 0x2d) i++;
  i += signLength(src, i);
  const intStart = i;
  while (i < b && isDigit(src[i])) i++;
  if (i === intStart) return false;
  if (src[i] === 0x2c) {
    if (i - intStart > 3) return false;
    while (i < b && src[i] === 0x2c) {
      if (!digits(src, i + 1, 3) || i + 4 > b) return false;
      i += 4;
    }
    if (i < b && isDigit(src[i])) return false;
  }
  if (i === b) return true;
  if (src[i] !== 0x2e) return false;
  const fracStart = ++i;
  while (i < b && isDigit(src[i])) i++;
  return i === b && i > fracStart;
}

/** Where cell k starts: `ends[k]` is the position of the delimiter after it (or the record end). */
function cellStart(ends: Int32Array, k: number, from: number): number {
  return k === 0 ? from : (ends[k - 1] as number) + 1;
}

/**
 * The record `src[from, to)`'s flag, whose cell k ends at `ends[k]`: `RAW_FLAG.simpleData`,
 * `RAW_FLAG.simpleFormatted`, or `RAW_FLAG.data` when it is neither. The record is known to
 * be a plain, well-formed data record of `spec.width` cells. Runs for every record of a
 * file: no allocation, cheapest tests first.
 */
export function simpleFlag(src: Uint8Array, from: number, ends: Int32Array, spec: SimpleCellSpec): number {
  let formatted = false;
  let a = cellStart(ends, spec.date, from);
  let b = ends[spec.date] as number;
  if (!isoDate(src, a, b)) {
    if (!isoDate(src, a, b, 0x2f)) return RAW_FLAG.data;
    formatted = true;
  }

  for (const k of spec.numbers) {
    a = cellStart(ends, k, from);
    b = ends[k] as number;
    if (plainNumber(src, a, b, true)) continue;
    if (!formattedNumber(src, a, b)) return RAW_FLAG.data;
    formatted = true;
  }
  if (spec.score !== null && !plainNumber(src, cellStart(ends, spec.score, from), ends[spec.score] as number, false)) return RAW_FLAG.data;
  return simpleTexts(src, from, ends, spec) ? (formatted ? RAW_FLAG.simpleFormatted : RAW_FLAG.simpleData) : RAW_FLAG.data;
}

/** The tests of the customer, cell 0, the texts and the order id. */
function simpleTexts(src: Uint8Array, from: number, ends: Int32Array, spec: SimpleCellSpec): boolean {
  let a: number;
  let b: number;

  a = cellStart(ends, spec.customer, from);
  b = ends[spec.customer] as number;
  if (a === b || !noTrim(src, a, b) || startsWithWord(src, a, b) || hasDotlessI(src, a, b)) return false;
  for (let i = a; i < b; i++) if (src[i] === 0x2b) return false; // '+': maybe 1.38E+10

  if (spec.customer !== 0) {
    b = ends[0] as number;
    if (from === b || !noTrim(src, from, b) || startsWithWord(src, from, b)) return false;
  }
  for (const k of spec.texts) {
    if (!noTrim(src, cellStart(ends, k, from), ends[k] as number)) return false;
  }
  if (spec.order !== null) {
    a = cellStart(ends, spec.order, from);
    b = ends[spec.order] as number;
    if (!noTrim(src, a, b) || (a < b && (startsWithWord(src, a, b) || hasDotlessI(src, a, b)))) return false;
  }
  return true;
}
