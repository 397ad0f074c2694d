/**
 * SQL expressions that turn a text cell into a typed value, or NULL when it does not parse.
 *
 * Every builder takes the cell as a fragment (a generated column name) and returns a
 * fragment; the patterns are constants of this file, inlined with `literal()`. The cleaning
 * step (`cleanText`) and the parsing step are separate so that callers can materialise the
 * cleaned text once and parse from it (the expressions reference their input many times).
 */
import { join, literal, raw, sql } from '../db/sql.ts';

export type Fragment = ReturnType<typeof sql>;
export type DateOrder = 'dmy' | 'mdy';
export type DecimalMark = '.' | ',';

/** Whitespace a spreadsheet leaves around values: NBSP, ideographic space, zero-width, BOM. */
const TRIM_CHARS = ' \t\r\n\u00a0\u3000\u200b\u2009\u202f\ufeff';
const FULL_WIDTH = '０１２３４５６７８９．，－＋（）／：\u2212';
const HALF_WIDTH = '0123456789.,-+()/:-';
/** A cell holds a character `cleanText` translates (none of them is special in a class). */
const FULL_WIDTH_CLASS = `[${FULL_WIDTH}]`;

const ASCII_SPACE = ' \t\r\n';

/**
 * Pure-ASCII cells (the vast majority) take the cheap path: `length = strlen` holds exactly
 * when no character is multi-byte, and trimming/translating Unicode costs 5–10× more.
 */
function isAscii(cell: Fragment): Fragment {
  return sql`(length(${cell}) = strlen(${cell}))`;
}

const TRIM_CODES = [...TRIM_CHARS].map((ch) => ch.codePointAt(0) as number).join(', ');

/**
 * Whether a cell may start or end with a character of `chars`: its first code point, and
 * byte suffixes. Far cheaper than a trim, which copies every cell; most cells need none.
 */
function mayNeedTrim(cell: Fragment, chars: string): Fragment {
  const codes = [...chars].map((ch) => ch.codePointAt(0) as number).join(', ');
  const ends = [...chars].map((ch) => sql`suffix(${cell}, ${literal(ch)})`);
  return sql`(list_contains([${raw(chars === TRIM_CHARS ? TRIM_CODES : codes)}], ascii(${cell})) OR ${join(ends, ' OR ')})`;
}

/**
 * `body` with `name` standing for `value`, which is computed once per row. DuckDB computes
 * an expression as often as it is written, and the builders below use their input several
 * times: an amount written out in full repeated its currency-stripping regexes eight times,
 * which made a `￥1,234.50` column 3-4× slower to parse than with the text bound once.
 * A plain column costs nothing to read again, so it is used as it is.
 * `name` must not be a column name (it would hide the column inside `body`).
 */
function bind(value: Fragment, name: string, body: (bound: Fragment) => Fragment): Fragment {
  if (/^"?[A-Za-z_][A-Za-z0-9_]*"?$/.test(value.text)) return body(value);
  return sql`list_transform([${value}], lambda ${raw(name)}: ${body(raw(name))})[1]`;
}

/** Trimmed text, exactly as written otherwise (ids). */
export function trimText(cell: Fragment): Fragment {
  return sql`CASE WHEN NOT ${mayNeedTrim(cell, TRIM_CHARS)} THEN ${cell}
    WHEN ${isAscii(cell)} THEN trim(${cell}, ${literal(ASCII_SPACE)}) ELSE trim(${cell}, ${literal(TRIM_CHARS)}) END`;
}

/** Trimmed text with full-width digits and punctuation and U+2212 minus made ASCII (dates, numbers). */
export function cleanText(cell: Fragment): Fragment {
  // Other Unicode text (`￥1,234.50`, Chinese dates) is translated only when it holds a
  // full-width character and trimmed only when it may need it: an unconditional translate
  // and trim took 1 µs a cell, a tenth of that with the tests first.
  return sql`CASE WHEN ${isAscii(cell)} THEN CASE WHEN ${mayNeedTrim(cell, ASCII_SPACE)} THEN trim(${cell}, ${literal(ASCII_SPACE)}) ELSE ${cell} END
    WHEN regexp_matches(${cell}, ${literal(FULL_WIDTH_CLASS)}) THEN trim(translate(${cell}, ${literal(FULL_WIDTH)}, ${literal(HALF_WIDTH)}), ${literal(TRIM_CHARS)})
    WHEN ${mayNeedTrim(cell, TRIM_CHARS)} THEN trim(${cell}, ${literal(TRIM_CHARS)})
    ELSE ${cell} END`;
}

/** Values that stand for "no id" in exports (compared upper-cased, after trimming). */
export const ID_PLACEHOLDERS = [
  'NULL', 'N/A', 'NA', '#N/A', '-', '--', '无', '空', 'NONE', 'NAN', 'NIL', '(NULL)', 'UNDEFINED', '/',
] as const;

/** `list_contains`, not `IN`: DuckDB plans a constant IN list as a join against its values. */
export function isPlaceholder(trimmed: Fragment): Fragment {
  const list = ID_PLACEHOLDERS.map((p) => literal(p).text).join(', ');
  return sql`list_contains([${raw(list)}], upper(${trimmed}))`;
}

/** An id: trimmed; NULL when empty or a placeholder. */
export function idValue(trimmed: Fragment): Fragment {
  return sql`CASE WHEN ${trimmed} = '' OR ${isPlaceholder(trimmed)} THEN NULL ELSE ${trimmed} END`;
}

/** Ids that Excel turned into scientific notation (1.38E+10): the digits are already lost. */
export function isScientificId(trimmed: Fragment): Fragment {
  return sql`CASE WHEN contains(${trimmed}, '+') THEN regexp_matches(${trimmed}, ${literal('^[0-9](\\.[0-9]+)?[eE]\\+[0-9]+$')}) ELSE false END`;
}

// ── dates ────────────────────────────────────────────────────────────────────────────────

const TIME_REQUIRED = '([ T]+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)';
const TIME = `${TIME_REQUIRED}?`;
const ZONE = '(Z|[+-][0-9]{2}(:?[0-9]{2})?)?';
const PATTERNS = {
  /** 2023-01-05, 2023-1-5 08:26, 2023-01-05T08:26:00+08:00 */
  iso: `^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}${TIME}${ZONE}$`,
  /** 2023/1/5, 2023.1.5 (optionally with a time) */
  ymd: `^[0-9]{4}[/.][0-9]{1,2}[/.][0-9]{1,2}${TIME}$`,
  /** 2023年1月5日, 2023年1月5日 8:05 */
  cjk: '^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}[日号]?( *[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$',
  /** 20230105 */
  compact: '^[0-9]{8}$',
  /** 5/1/2023, 05.01.2023, 5-1-2023: day or month first, decided per column */
  dm: `^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}${TIME}$`,
  /** Excel serial day numbers, 1954-10-03 … 2099-12-31 */
  excel: '^[0-9]{5}(\\.[0-9]+)?$',
  /** Unix epoch milliseconds (2001-09-09 … 2286) */
  epoch: '^[0-9]{13}$',
} as const;
export type DateKind = keyof typeof PATTERNS;
export const DATE_KINDS = Object.keys(PATTERNS) as DateKind[];

const EXCEL_MIN = 20_000;
const EXCEL_MAX = 73_050;

function matches(text: Fragment, pattern: string): Fragment {
  return sql`regexp_matches(${text}, ${literal(pattern)})`;
}

/** Which supported form a cleaned date cell has (NULL when none). */
export function dateKind(clean: Fragment): Fragment {
  const arms = DATE_KINDS.map((k) => sql`WHEN ${matches(clean, PATTERNS[k])} THEN ${literal(k)}`);
  return sql`CASE ${join(arms, ' ')} ELSE NULL END`;
}

/** `clean` with its date part rewritten to Y-M-D, for a cast to TIMESTAMP. */
function rewrite(clean: Fragment, pattern: string, replacement: string): Fragment {
  return sql`regexp_replace(${clean}, ${literal(pattern)}, ${literal(replacement)})`;
}

/**
 * A cleaned date cell as TIMESTAMP (wall-clock time as written; a UTC offset is dropped so
 * the calendar day is the one the file states). NULL when it does not parse or names a day
 * that does not exist (2023-02-30 stays NULL, it is never rolled over).
 */
export function dateValue(clean: Fragment, order: DateOrder, kind?: Fragment): Fragment {
  const isoNoZone = rewrite(clean, `${TIME_REQUIRED}(Z|[+-][0-9]{2}(:?[0-9]{2})?)$`, '\\1');
  // `2023/12/12 22:44` (both separators slashes, the month two digits) has no other slash:
  // replacing them is the rewrite without a pattern.
  const ymd = sql`CASE WHEN substring(${clean}, 5, 1) = '/' AND substring(${clean}, 8, 1) = '/' THEN replace(${clean}, '/', '-')
    ELSE ${rewrite(clean, '^([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})', '\\1-\\2-\\3')} END`;
  const cjk = rewrite(clean, '^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})[日号]? *', '\\1-\\2-\\3 ');
  const dm = rewrite(
    clean,
    '^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})',
    order === 'dmy' ? '\\3-\\2-\\1' : '\\3-\\1-\\2',
  );
  const serial = sql`TRY_CAST(${clean} AS DOUBLE)`;
  // With the column of `dateKind` at hand, test it instead of running the patterns again.
  const is = (k: DateKind) => (kind ? sql`${kind} = ${literal(k)}` : matches(clean, PATTERNS[k]));
  return sql`CASE
    WHEN ${is('iso')} THEN coalesce(TRY_CAST(${clean} AS TIMESTAMP), TRY_CAST(${isoNoZone} AS TIMESTAMP))
    WHEN ${is('ymd')} THEN TRY_CAST(${ymd} AS TIMESTAMP)
    WHEN ${is('cjk')} THEN TRY_CAST(trim(${cjk}) AS TIMESTAMP)
    WHEN ${is('compact')} THEN try_strptime(${clean}, ${literal('%Y%m%d')})
    WHEN ${is('dm')} THEN TRY_CAST(${dm} AS TIMESTAMP)
    WHEN ${is('excel')} AND ${serial} BETWEEN ${raw(String(EXCEL_MIN))} AND ${raw(String(EXCEL_MAX))}
      THEN TIMESTAMP '1899-12-30 00:00:00' + to_microseconds(CAST(round(${serial} * 86400000000) AS BIGINT))
    WHEN ${is('epoch')} THEN epoch_ms(CAST(${clean} AS BIGINT))
    ELSE NULL END`;
}

/** Counts over a whole column of cleaned dates that decide between d/m/Y and m/d/Y. */
export interface DateOrderStats {
  readonly dm_values: number;
  readonly first_over_12: number;
  readonly second_over_12: number;
}

export function dateOrderStatsQuery(source: Fragment, clean: Fragment): Fragment {
  const v = sql`v`;
  const first = sql`TRY_CAST(regexp_extract(${v}, ${literal('^([0-9]{1,2})[/.-]')}, 1) AS INTEGER)`;
  const second = sql`TRY_CAST(regexp_extract(${v}, ${literal('^[0-9]{1,2}[/.-]([0-9]{1,2})[/.-]')}, 1) AS INTEGER)`;
  return sql`SELECT
      count(*)::INTEGER AS dm_values,
      count(*) FILTER (WHERE ${first} > 12)::INTEGER AS first_over_12,
      count(*) FILTER (WHERE ${second} > 12)::INTEGER AS second_over_12
    FROM (SELECT ${clean} AS v FROM ${source}) WHERE ${matches(v, PATTERNS.dm)}`;
}

/**
 * 'dmy' when some first part exceeds 12 and no second part does, 'mdy' the other way round;
 * 'ambiguous' when every value reads both ways (the user must choose); 'none' when the column
 * has no such values. When both readings are contradicted, the majority wins (the rest fail).
 */
export function decideDateOrder(s: DateOrderStats): DateOrder | 'ambiguous' | 'none' {
  if (s.dm_values === 0) return 'none';
  if (s.first_over_12 === 0 && s.second_over_12 === 0) return 'ambiguous';
  return s.first_over_12 >= s.second_over_12 ? 'dmy' : 'mdy';
}

// ── amounts ──────────────────────────────────────────────────────────────────────────────

/** Currency markers, longest first so that "US$" is not read as "$". ¥ is taken as CNY. */
const CURRENCIES: readonly (readonly [string, string])[] = [
  ['US$', 'USD'], ['HK$', 'HKD'], ['NT$', 'TWD'], ['RMB', 'CNY'], ['CNY', 'CNY'], ['USD', 'USD'],
  ['EUR', 'EUR'], ['GBP', 'GBP'], ['HKD', 'HKD'], ['JPY', 'JPY'], ['TWD', 'TWD'], ['人民币', 'CNY'],
  ['¥', 'CNY'], ['￥', 'CNY'], ['元', 'CNY'], ['$', 'USD'], ['€', 'EUR'], ['£', 'GBP'],
];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
const CURRENCY_RE = `(?i)(${CURRENCIES.map(([m]) => escapeRe(m)).join('|')})`;

/** The ISO code of the currency a cleaned amount cell names, or NULL. */
export function currencyOf(clean: Fragment): Fragment {
  const marker = sql`upper(regexp_extract(${clean}, ${literal(CURRENCY_RE)}, 1))`;
  const arms = CURRENCIES.map(([m, code]) => `WHEN ${literal(m.toUpperCase()).text} THEN ${literal(code).text}`);
  // `CASE x WHEN …` compares x once per arm: bound, the regex runs once instead of 18 times.
  return bind(marker, 'll_currency_marker', (m) => sql`CASE ${m} ${raw(arms.join(' '))} ELSE NULL END`);
}

/**
 * The number part of a cleaned amount: currency markers and inner spaces after a sign
 * removed, accounting parentheses kept (they are read by `amountValue`).
 */
export function amountText(clean: Fragment): Fragment {
  const noCurrency = sql`trim(regexp_replace(${clean}, ${literal(CURRENCY_RE)}, '', 'g'))`;
  return sql`regexp_replace(regexp_replace(${noCurrency}, '^\\( *', '('), ${literal('^([+-]) +')}, '\\1')`;
}

const GROUPED = {
  '.': "^[+-]?([0-9]{1,3}([,' ][0-9]{3})+|[0-9]+)(\\.[0-9]+)?$|^[+-]?\\.[0-9]+$",
  ',': '^[+-]?([0-9]{1,3}([. ][0-9]{3})+|[0-9]+)(,[0-9]+)?$|^[+-]?,[0-9]+$',
} as const;

/**
 * An amount as DECIMAL(18,4): optional sign, thousands separators in whole groups of three
 * (so "1,23" and "12.3.4" fail), the column's decimal mark, accounting parentheses = negative.
 * Input is `amountText(cleanText(cell))`.
 */
export function amountValue(text: Fragment, decimal: DecimalMark): Fragment {
  return bind(text, 'll_amount_text', (t) => {
    const paren = sql`regexp_matches(${t}, ${literal('^\\(.*\\)$')})`;
    const inner = sql`CASE WHEN ${paren} THEN trim(substr(${t}, 2, length(${t}) - 2)) ELSE ${t} END`;
    return bind(inner, 'll_amount_inner', (i) => {
      const plain =
        decimal === '.'
          ? sql`regexp_replace(${i}, ${literal("[,' ]")}, '', 'g')`
          : sql`replace(regexp_replace(${i}, ${literal('[. ]')}, '', 'g'), ',', '.')`;
      const number = sql`TRY_CAST(${plain} AS DECIMAL(18,4))`;
      return sql`CASE
        WHEN NOT regexp_matches(${i}, ${literal(GROUPED[decimal])}) THEN NULL
        WHEN ${paren} AND regexp_matches(${i}, '^[+-]') THEN NULL
        WHEN ${paren} THEN -${number}
        ELSE ${number} END`;
    });
  });
}

const PLAIN = { '.': '^[+-]?[0-9]+(\\.[0-9]+)?$', ',': '^[+-]?[0-9]+$' } as const;

/**
 * The one-character currency signs a formatted cell may start with (after a minus), and
 * their codes as `CURRENCIES` gives them.
 */
export const SIGNS: readonly (readonly [string, string])[] = [['￥', 'CNY'], ['¥', 'CNY'], ['$', 'USD'], ['€', 'EUR'], ['£', 'GBP']];
const SIGN_CLASS = `[${SIGNS.map(([s]) => s).join('')}]`;

/**
 * Amounts as a spreadsheet's number and currency formats write them: an optional minus, at
 * most one currency sign, digits in whole groups of three or none, the column's decimal
 * mark (`-￥1,234.50`, `$12.00`, `1.234,50`). Every such cell reads the same through
 * `amountText` and `amountValue` (the sign removed, the group separators dropped), so
 * `amountFromClean` casts it after deleting those characters, without the eight patterns of
 * the general rules; a test compares both on random near-miss cells.
 */
const FORMATTED = {
  '.': `^-?${SIGN_CLASS}?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\\.[0-9]+)?$`,
  ',': `^-?${SIGN_CLASS}?([0-9]{1,3}(\\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$`,
} as const;

/**
 * A `FORMATTED` cell as DECIMAL(18,4), as `amountValue` reads it: its currency sign cut out
 * (the cell starts with a digit, a minus and a digit, a minus and the sign, or the sign),
 * the group separators deleted, the mark made a point. Cutting by position costs a third of
 * deleting the signs with `translate` or `replace`.
 */
export function formattedAmount(c: Fragment, decimal: DecimalMark): Fragment {
  const digit = (x: Fragment) => sql`ascii(${x}) BETWEEN 48 AND 57`;
  const unsigned = sql`CASE WHEN ${digit(c)} THEN ${c}
    WHEN ascii(${c}) = 45 THEN CASE WHEN ${digit(sql`substring(${c}, 2, 1)`)} THEN ${c} ELSE '-' || substring(${c}, 3) END
    ELSE substring(${c}, 2) END`;
  const group = decimal === '.' ? ',' : '.';
  const grouped = sql`CASE WHEN contains(${c}, ${literal(group)}) THEN replace(${unsigned}, ${literal(group)}, '') ELSE ${unsigned} END`;
  return sql`TRY_CAST(${decimal === '.' ? grouped : sql`replace(${grouped}, ',', '.')`} AS DECIMAL(18,4))`;
}

/**
 * Whether a cell, raw or cleaned, has a `FORMATTED` form. Such a cell is its own cleaned
 * text (it starts with a digit, a minus or a sign and ends with a digit, and none of its
 * characters is one `cleanText` translates), so a raw cell that passes needs no cleaning.
 */
export function isFormatted(c: Fragment, decimal: DecimalMark): Fragment {
  return sql`regexp_matches(${c}, ${literal(FORMATTED[decimal])})`;
}

/** A `FORMATTED` cell's currency: its sign's, or none (`currencyFromClean` gives the same). */
export function formattedCurrency(c: Fragment): Fragment {
  const bySign = SIGNS.map(([s, code]) => sql`WHEN contains(${c}, ${literal(s)}) THEN ${literal(code)}`);
  return sql`CASE ${join(bySign, ' ')} ELSE NULL END`;
}

/**
 * An amount from a raw cell: a `FORMATTED` one is read as it is, anything else cleaned and
 * read by `amountFromClean`. The cleaning of a `￥39.00` cell (not ASCII) cost as much as
 * reading it.
 */
export function amountFromCell(cell: Fragment, decimal: DecimalMark): Fragment {
  const parse = (c: Fragment) => sql`CASE WHEN ${isFormatted(c, decimal)} THEN ${formattedAmount(c, decimal)}
    ELSE ${amountFromClean(cleanText(c), decimal)} END`;
  return bind(cell, 'll_amount_cell', parse);
}

/**
 * An amount from a cleaned cell: plain numbers ("12.50", "-3") are cast directly, formatted
 * ones (`FORMATTED`) after deleting their sign and separators, anything else goes through
 * `amountText` and `amountValue`. Same results, a fraction of the work.
 */
export function amountFromClean(clean: Fragment, decimal: DecimalMark): Fragment {
  const parse = (c: Fragment) => sql`CASE WHEN regexp_matches(${c}, ${literal(PLAIN[decimal])}) THEN TRY_CAST(${c} AS DECIMAL(18,4))
    WHEN ${isFormatted(c, decimal)} THEN ${formattedAmount(c, decimal)}
    ELSE ${amountValue(amountText(c), decimal)} END`;
  return bind(clean, 'll_amount_clean', parse);
}

/** `amountText` that leaves plain numbers alone (for the decimal-mark statistics). */
export function amountTextFromClean(clean: Fragment): Fragment {
  const text = (c: Fragment) => sql`CASE WHEN regexp_matches(${c}, ${literal(PLAIN['.'])}) THEN ${c} ELSE ${amountText(c)} END`;
  return bind(clean, 'll_amount_clean', text);
}

/**
 * A minus, at most one currency sign, then digits and separators only: the sign, if any, is
 * the cell's one currency marker (what `currencyOf` finds), read with `contains`.
 */
const SIGNED_NUMBER = `^-?${SIGN_CLASS}?[0-9][0-9.,]*$`;

/** `currencyOf` that skips plain numbers and reads a formatted cell's sign directly. */
export function currencyFromClean(clean: Fragment): Fragment {
  const currency = (c: Fragment) => sql`CASE WHEN regexp_matches(${c}, ${literal(PLAIN['.'])}) THEN NULL
    WHEN regexp_matches(${c}, ${literal(SIGNED_NUMBER)}) THEN ${formattedCurrency(c)}
    ELSE ${currencyOf(c)} END`;
  return bind(clean, 'll_amount_clean', currency);
}

export interface DecimalStats {
  /** Values whose last separator is a comma followed by 1–2 digits, or a dot group before a comma. */
  readonly comma_evidence: number;
  /** Values whose last separator is a dot followed by 1–2 or 4+ digits, or a comma group before a dot. */
  readonly dot_evidence: number;
}

/** An amount text (`amountText`) that shows a decimal comma. Only a text holding a comma can. */
export function commaEvidence(text: Fragment): Fragment {
  return sql`regexp_matches(${text}, ${literal('[0-9],[0-9]{1,2}\\)?$|\\.[0-9]{3}[^,]*,[0-9]+\\)?$')})`;
}

export function decimalStatsQuery(source: Fragment, text: Fragment): Fragment {
  return sql`SELECT
      count(*) FILTER (WHERE ${commaEvidence(text)})::INTEGER AS comma_evidence,
      count(*) FILTER (WHERE regexp_matches(${text}, ${literal('[0-9]\\.([0-9]{1,2}|[0-9]{4,})\\)?$|,[0-9]{3}[^.]*\\.[0-9]+\\)?$')}))::INTEGER AS dot_evidence
    FROM ${source}`;
}

/** Decimal comma only when the column shows it and nothing contradicts it. */
export function decideDecimal(s: DecimalStats): DecimalMark {
  return s.comma_evidence > 0 && s.dot_evidence === 0 ? ',' : '.';
}

// ── scores ───────────────────────────────────────────────────────────────────────────────

/** A satisfaction score as DOUBLE; "4,5" is read as 4.5. Input is `cleanText(cell)`. */
export function scoreValue(clean: Fragment): Fragment {
  const score = (c: Fragment) => sql`CASE WHEN regexp_matches(${c}, ${literal('^[+-]?([0-9]+([.,][0-9]+)?|[.,][0-9]+)$')})
    THEN CAST(replace(${c}, ',', '.') AS DOUBLE) ELSE NULL END`;
  return bind(clean, 'll_score_clean', score);
}
