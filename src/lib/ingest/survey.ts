/**
 * A survey file: one row per response, keyed by customer id or order id, with a score and
 * optionally a response date. Same raw table and the same skip / structural rules as sales
 * lines; the kept rows go to `survey` (SURVEY_DDL).
 */
import type { DbClient } from '../db/client.ts';
import { createWorkTable, ident, quoteIdentifier, raw, sql, tableIdent } from '../db/sql.ts';
import { SURVEY_DDL } from '../model/schema.ts';
import {
  accountFor,
  rejectedLineTexts,
  stageLists,
  releaseRaw,
  cell,
  resolveParse,
  rowShapeReasons,
  rowTests,
  type BuildLinesResult,
  type BuildLinesSpec,
  type ResolvedParse,
} from './build-lines.ts';
import { autoMap, normalizeLabel, type AutoMapResult } from './mapping.ts';
import { cleanText, dateValue, idValue, scoreValue, trimText, type Fragment } from './parse.ts';
import { IngestError, type ColumnMapping, type ParseOptions } from './types.ts';
import type { MappingField } from '../model/schema.ts';

export function surveyDdl(table: string): string {
  return SURVEY_DDL.replace('CREATE OR REPLACE TABLE survey', `CREATE OR REPLACE TABLE ${quoteIdentifier(table)}`);
}

/** Survey mapping: customer or order id, score; date optional. Other fields are dropped. */
/**
 * Dates that only a survey has (when it was answered). They are not sales-date synonyms: in
 * a sales file a 评价日期 column next to 下单时间 must not compete for the order date.
 */
const SURVEY_DATE_LABELS: ReadonlySet<string> = new Set(
  ['调查日期', '调查时间', '回复日期', '回复时间', '评价日期', '评价时间', '填写日期', '填写时间', '提交时间', '提交日期',
    'response_date', 'survey_date', 'review_creation_date', 'responded_at', 'submitted_at', 'review_date'].map(normalizeLabel),
);

export function surveyAutoMap(labels: readonly string[], sampleRows: readonly (readonly string[])[]): AutoMapResult {
  // A survey needs no date or amount: nothing is proposed by its values.
  const a = autoMap(labels, sampleRows, { proposeByValues: false });
  const keep: readonly MappingField[] = ['customer', 'order', 'date', 'score'];
  const mapping: Partial<Record<MappingField, number>> = {};
  for (const f of keep) if (a.mapping[f] !== undefined) mapping[f] = a.mapping[f];
  if (mapping.date === undefined) {
    const dates = labels.flatMap((l, i) => (SURVEY_DATE_LABELS.has(normalizeLabel(l)) ? [i] : []));
    if (dates.length === 1) mapping.date = dates[0];
  }
  const ambiguous = a.ambiguous.filter((x) => x.field === 'customer' || x.field === 'date');
  const missing: MappingField[] = [];
  if (mapping.customer === undefined && mapping.order === undefined && !ambiguous.some((x) => x.field === 'customer')) {
    missing.push('customer');
  }
  if (mapping.score === undefined) missing.push('score');
  return { mapping, ambiguous, missing };
}

function stageSql(spec: BuildLinesSpec, p: ResolvedParse): Fragment {
  const m: ColumnMapping = spec.mapping;
  if ((m.customer === undefined && m.order === undefined) || m.score === undefined) {
    throw new IngestError('MISSING_REQUIRED_COLUMNS');
  }
  const { nonEmpty, firstCell } = rowTests(spec.columnCount);
  const id = (c: number | undefined) => (c === undefined ? raw('NULL::VARCHAR') : idValue(trimText(cell(c))));
  const keyCell = trimText(cell((m.customer ?? m.order) as number));
  const score = cleanText(cell(m.score));
  const date = m.date === undefined ? raw('NULL::TIMESTAMP') : dateValue(cleanText(cell(m.date)), p.dayMonthOrder);
  return sql`${createWorkTable(spec.stage)} AS
    WITH base AS (
      SELECT line_no, flag, ${nonEmpty} AS n_nonempty, ${firstCell} AS first_cell, ${keyCell} AS key_t,
        ${id(m.customer)} AS customer_id, ${id(m.order)} AS order_id,
        ${score} AS score_c, ${date} AS response_ts
      FROM ${tableIdent(spec.rawTable)}
    ), classified AS (
      SELECT *, ${scoreValue(ident('score_c'))} AS score,
        CASE
          ${rowShapeReasons(ident('key_t'), ident('n_nonempty'), ident('first_cell'))}
          WHEN customer_id IS NULL AND order_id IS NULL THEN 'missing_customer_id'
          WHEN score_c = '' THEN 'missing_score'
          WHEN ${scoreValue(ident('score_c'))} IS NULL THEN 'unparseable_score'
          ELSE NULL END AS reason
      FROM base
    )
    SELECT line_no,
      CASE WHEN reason IS NULL THEN 'kept'
           WHEN reason IN ('title_row', 'blank_row', 'summary_row', 'footer_row') THEN 'skipped'
           ELSE 'rejected' END AS status,
      reason,
      CASE WHEN reason = 'unparseable_score' THEN left(score_c, 80)
           WHEN reason = 'missing_customer_id' THEN left(key_t, 80) ELSE NULL END AS value,
      customer_id, order_id, response_ts::DATE AS response_date, score
    FROM classified`;
}

/** Classify a survey file's raw rows and append the kept responses to `spec.target`. */
export async function buildSurvey(db: DbClient, spec: BuildLinesSpec, parse: ParseOptions): Promise<BuildLinesResult> {
  const p = await resolveParse(db, spec.rawTable, spec.mapping, { ...parse, decimal: '.' });
  await db.exec(stageSql(spec, p));
  const stage = tableIdent(spec.stage);
  const { rowsRead, kept, rejected: rejectedN, skipped: skippedN } = await accountFor(db, spec.rawTable, spec.stage);
  const texts = await rejectedLineTexts(db, spec);
  await releaseRaw(db, spec);
  await db.exec(sql`INSERT INTO ${ident(spec.target)}
    SELECT ${spec.fileNo}::INTEGER, line_no, customer_id, order_id, response_date, score
    FROM ${stage} WHERE status = 'kept' ORDER BY line_no`);

  const { rejected, skipped, rejectedByReason, skippedByReason } = await stageLists(db, spec.stage, spec.fileNo, texts);
  const warnings = p.ambiguousOrder ? [{ code: 'ambiguous_day_month_order' as const, count: 1, detail: p.dayMonthOrder }] : [];
  return {
    parse: { dayMonthOrder: p.dayMonthOrder, decimal: p.decimal, dedupe: false },
    rows_read: rowsRead,
    rows_kept: kept,
    rows_rejected: rejectedN,
    rows_skipped: skippedN,
    rejectedByReason,
    skippedByReason,
    rejected,
    skipped,
    warnings,
  };
}
