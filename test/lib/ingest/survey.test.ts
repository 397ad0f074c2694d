import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { DEFAULT_PARSE, RAW_FLAG } from '../../../src/lib/ingest/build-lines.ts';
import { buildSurvey, surveyAutoMap, surveyDdl } from '../../../src/lib/ingest/survey.ts';
import { makeRaw } from './raw-helper.ts';

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

describe('surveyAutoMap', () => {
  it('maps a customer-keyed NPS file', () => {
    expect(surveyAutoMap(['会员号', 'NPS', '日期', '备注'], [['M1', '9', '2023-01-05', '']])).toEqual({
      mapping: { customer: 0, date: 2, score: 1 },
      ambiguous: [],
      missing: [],
    });
  });
  it('maps an order-keyed review file (olist)', () => {
    const labels = ['review_id', 'order_id', 'review_score', 'review_comment_title', 'review_creation_date'];
    expect(surveyAutoMap(labels, []).mapping).toEqual({ order: 1, score: 2, date: 4 }) // review_creation_date: when the answer was given;
  });
  it('needs a key and a score', () => {
    expect(surveyAutoMap(['评分'], []).missing).toEqual(['customer']);
    expect(surveyAutoMap(['客户ID', '日期'], []).missing).toEqual(['score']);
  });
});

describe('buildSurvey', () => {
  it('keeps scored responses and accounts for every other row', async () => {
    const F = RAW_FLAG;
    await makeRaw(
      db,
      'raw_s',
      [
        [1, F.title, '2023 满意度调查'],
        [3, F.data, 'C1', '4,5', '2023/1/5'],
        [4, F.data, ' C2 ', '10', ''],
        [5, F.data, 'N/A', '3', '2023-01-05'],
        [6, F.data, 'C3', '', '2023-01-05'],
        [7, F.data, 'C4', 'good', '2023-01-05'],
        [8, F.data, '平均', '', ''],
        [9, F.data, '合计', '17.5', ''],
        [10, F.data, 'C5', '5', 'someday'],
      ],
      3,
    );
    await db.exec(surveyDdl('survey_t'));
    const r = await buildSurvey(
      db,
      { rawTable: 'raw_s', columnCount: 3, fileNo: 2, mapping: { customer: 0, score: 1, date: 2 }, target: 'survey_t', stage: 'stage_s' },
      DEFAULT_PARSE,
    );
    expect([r.rows_read, r.rows_kept, r.rows_rejected, r.rows_skipped]).toEqual([9, 3, 3, 3]);
    expect(r.rejected.map((x) => [x.line, x.reason, x.value])).toEqual([
      [5, 'missing_customer_id', 'N/A'],
      [6, 'missing_score', undefined],
      [7, 'unparseable_score', 'good'],
    ]);
    expect(r.skipped.map((x) => [x.line, x.reason])).toEqual([
      [1, 'title_row'],
      [8, 'summary_row'],
      [9, 'summary_row'],
    ]);
    expect(await db.query('SELECT file_no, line_no, customer_id, response_date::VARCHAR AS d, score FROM survey_t ORDER BY line_no')).toEqual([
      { file_no: 2, line_no: 3, customer_id: 'C1', d: '2023-01-05', score: 4.5 },
      { file_no: 2, line_no: 4, customer_id: 'C2', d: null, score: 10 },
      { file_no: 2, line_no: 10, customer_id: 'C5', d: null, score: 5 },
    ]);
  });
});
