/**
 * The normalized raw stream's record flags: written by the normalizer (normalize.ts) in
 * column `flag`, read by the staging SQL (build-lines.ts). One declaration for both sides.
 */
/** Flags of the normalized raw stream, one per record (column `flag`). */
export const RAW_FLAG = {
  /** A data record with the expected width (blank extra trailing fields allowed). */
  data: 0,
  /** A record above the header line. */
  title: 1,
  /** Empty, or only delimiters and whitespace. Cells empty. */
  blank: 2,
  /** A quote that never closes; the record is its start line only. Cells empty. */
  unclosedQuote: 3,
  /** Invalid UTF-8 (or U+FFFD from a lossy decode). Cells empty. */
  invalidEncoding: 4,
  /** A line longer than `maxRecordBytes`. Cells empty. */
  lineTooLong: 5,
  /** Fewer fields than the header; cells kept (padded) so summary/footer rows can be recognised. */
  tooFewFields: 6,
  /** A non-blank field beyond the header's width; the first N cells kept. */
  tooManyFields: 7,
  /** A data record whose mapped cells are already clean (simple-cells.ts): parsed by direct casts. */
  simpleData: 8,
  /**
   * A data record whose mapped cells are clean, some number written as a spreadsheet formats
   * it (`-￥1,234.50`) or the date as `2023/12/12 22:44` (simple-cells.ts): parsed by the
   * shortcuts of the full rules for those forms, without cleaning or pattern tests.
   */
  simpleFormatted: 9,
} as const;
export type RawFlag = (typeof RAW_FLAG)[keyof typeof RAW_FLAG];
