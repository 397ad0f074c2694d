/**
 * The placeholder and summary words a simple cell may not start with (`startsWithWord`,
 * simple-cells.ts), for the SQL tests of the engine's reads (Parquet, plain text files). A
 * module of its own so that neither reader pulls the other into the first screen.
 */

/** The words of `startsWithWord` (simple-cells.ts), ASCII letters in either case. */
export const WORDS = [
  'null', 'n/a', 'na', '#n/a', '-', '/', 'none', 'nan', 'nil', '(null)', 'undefined',
  'total', 'subtotal', 'sub', 'grand', 'sum', 'average', 'avg',
  '无', '空', '合计', '合計', '小计', '小計', '总计', '總計', '累计', '累計', '总合计', '平均',
];
export const WORD_RE = `^(${WORDS.map((w) =>
  [...w].map((ch) => (/[a-z]/.test(ch) ? `[${ch}${ch.toUpperCase()}]` : /[a-zA-Z0-9\u4e00-\u9fff]/.test(ch) ? ch : `\\${ch}`)).join(''),
).join('|')})`;
