import { describe, expect, it } from 'vitest';
import { surveyAutoMap } from '../../../src/lib/ingest/survey.ts';
import { autoMap } from '../../../src/lib/ingest/mapping.ts';

describe('survey answer dates', () => {
  it('maps the demo survey header 客户ID,评分,调查日期 completely', () => {
    const r = surveyAutoMap(['客户ID', '评分', '调查日期'], [['C1', '9', '2024-01-05']]);
    expect(r.mapping).toEqual({ customer: 0, score: 1, date: 2 });
    expect(r.missing).toEqual([]);
  });
  it('recognises English answer-date labels', () => {
    expect(surveyAutoMap(['order_id', 'review_score', 'review_creation_date'], [['o1', '5', '2018-01-01 00:00:00']]).mapping.date).toBe(2);
    expect(surveyAutoMap(['Customer ID', 'Score', 'Response Date'], [['c', '7', '2024-01-01']]).mapping.date).toBe(2);
  });
  it('leaves the date unmapped when two answer-date columns compete', () => {
    expect(surveyAutoMap(['客户ID', '评分', '调查日期', '提交时间'], [['C1', '9', '2024-01-05', '2024-01-06']]).mapping.date).toBeUndefined();
  });
  it('does not let a review date compete with the order date of a sales file', () => {
    const r = autoMap(['客户ID', '下单时间', '实付金额', '评价日期'], [['C1', '2024-01-05', '10', '2024-01-09']]);
    expect(r.mapping.date).toBe(1);
    expect(r.ambiguous).toEqual([]);
  });
});
