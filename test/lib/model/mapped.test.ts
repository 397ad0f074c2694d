import { describe, expect, it } from 'vitest';
import { isNpsLabel, matchField } from '../../../src/lib/ingest/mapping.ts';
import type { FileReport } from '../../../src/lib/ingest/types.ts';
import { mappedOf } from '../../../src/lib/model/mapped.ts';

type Files = Parameters<typeof mappedOf>[0]['files'];
const file = (role: 'sales' | 'survey', labels: string[], mapping: Record<string, number>) =>
  ({ role, labels, mapping }) as unknown as FileReport;

describe('a score column named as a Net Promoter question', () => {
  it.each([
    ['NPS', true], ['nps_score', true], ['推荐度', true], ['推荐意愿', true], ['净推荐值', true],
    ['Likelihood to recommend', true], ['How likely are you to recommend us?', true],
    ['评分', false], ['满意度', false], ['review_score', false], ['rating', false],
  ])('%s → %s', (label, nps) => {
    expect(isNpsLabel(label)).toBe(nps);
  });

  it('maps the usual NPS names to the score field', () => {
    for (const label of ['推荐度', '推荐意愿', '净推荐值', 'Likelihood to recommend', 'NPS Score']) expect(matchField(label), label).toBe('score');
  });

  it('mappedOf reads the score column in use: the survey’s when there is one, else the sales files’', () => {
    const sales = file('sales', ['客户ID', '日期', '金额', 'NPS'], { customer: 0, date: 1, amount: 2, score: 3 });
    expect(mappedOf({ files: [sales] as Files }).npsScore).toBe(true);
    const survey = file('survey', ['客户ID', '评分'], { customer: 0, score: 1 });
    expect(mappedOf({ files: [sales, survey] as Files }).npsScore).toBe(false);
    const npsSurvey = file('survey', ['订单号', '推荐意愿'], { order: 0, score: 1 });
    expect(mappedOf({ files: [sales, npsSurvey] as Files }).npsScore).toBe(true);
    const plain = file('sales', ['客户ID', '日期', '金额'], { customer: 0, date: 1, amount: 2 });
    expect(mappedOf({ files: [plain] as Files }).npsScore).toBe(false);
  });
});
