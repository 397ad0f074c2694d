import { describe, expect, it } from 'vitest';
import type { MigrationCell, StageHistoryRow, StageRow } from '../../../src/lib/analyses/lifecycle.ts';
import { FROM_ORDER, STAGE_ORDER, migrationChart, stageChart, stageHistoryChart } from '../../../src/lib/charts/lifecycle.ts';
import { chartContext } from './context.ts';
import { describeSpec } from './spec.ts';
import { renderSvg } from './svg.ts';

type Described = { marks: { type: string; channels: Record<string, unknown> }[] };

// 10 customers: exploration 4, formation 3, stability 1, decline 1, lost 1 (the registry's rule order).
const stages: StageRow[] = [
  { stage: 'lost', customers: 1, customer_share: 0.1, revenue_365: 0 },
  { stage: 'exploration', customers: 4, customer_share: 0.4, revenue_365: 400 },
  { stage: 'decline', customers: 1, customer_share: 0.1, revenue_365: 50 },
  { stage: 'stability', customers: 1, customer_share: 0.1, revenue_365: 900 },
  { stage: 'formation', customers: 3, customer_share: 0.3, revenue_365: 600 },
];

describe('lifecycle charts', () => {
  it('draws the stages in life order, not in rule order (en, zh-CN)', async () => {
    const d = describeSpec(stageChart(stages, chartContext('en', 600))) as Described;
    const [count, revenue] = d.marks.filter((m) => m.type === 'Text');
    expect(count?.channels.x).toEqual(['exploration', 'formation', 'stability', 'decline', 'lost']);
    expect(count?.channels.text).toEqual(['4', '3', '1', '1', '1']);
    expect(revenue?.channels.text).toEqual(['400', '600', '900', '50', '0']);
    await expect(renderSvg(stageChart(stages, chartContext('en', 600)))).toMatchFileSnapshot('./__snapshots__/lifecycle-stages.en.svg');
    await expect(renderSvg(stageChart(stages, chartContext('zh-CN', 600)))).toMatchFileSnapshot('./__snapshots__/lifecycle-stages.zh-CN.svg');
  });

  it('draws the from × to matrix with every cell’s count, coloured by its share of the row', async () => {
    // From "none" 2 customers, both to exploration; from formation 3: 2 stay, 1 to stability.
    const cells: MigrationCell[] = FROM_ORDER.flatMap((from) =>
      STAGE_ORDER.map((to) => {
        const n = from === 'none' && to === 'exploration' ? 2 : from === 'formation' && to === 'formation' ? 2 : from === 'formation' && to === 'stability' ? 1 : 0;
        const row = from === 'none' ? 2 : from === 'formation' ? 3 : 0;
        return { from, to, customers: n, from_share: row ? n / row : null, share: n / 5 };
      }),
    );
    const d = describeSpec(migrationChart(cells, chartContext('en', 600))) as Described;
    const cell = d.marks.find((m) => m.type === 'Cell');
    expect((cell?.channels.fill as number[]).filter((v) => v > 0)).toEqual([1, 0.6667, 0.3333]);
    await expect(renderSvg(migrationChart(cells, chartContext('en', 600)))).toMatchFileSnapshot('./__snapshots__/lifecycle-migration.en.svg');
    await expect(renderSvg(migrationChart(cells, chartContext('zh-CN', 390)))).toMatchFileSnapshot('./__snapshots__/lifecycle-migration.zh-CN.svg');
  });

  it('stacks the stage counts of each month end', async () => {
    const history: StageHistoryRow[] = [
      { date: '2024-01-31', lost: 0, exploration: 2, decline: 0, stability: 0, formation: 0 },
      { date: '2024-02-29', lost: 0, exploration: 1, decline: 0, stability: 0, formation: 2 },
      { date: '2024-03-15', lost: 1, exploration: 1, decline: 1, stability: 0, formation: 1 },
    ];
    const d = describeSpec(stageHistoryChart(history, chartContext('en', 600))) as Described;
    const area = d.marks.find((m) => m.type === 'Area') as { n: number; channels: Record<string, unknown> } | undefined;
    // One point per date and stage, stacked in life order.
    expect(area?.n).toBe(15);
    expect((area?.channels.fill as string[]).slice(0, 5)).toEqual(['exploration', 'formation', 'stability', 'decline', 'lost']);
    expect((area?.channels.x1 as string[]).slice(5, 10)).toEqual(Array(5).fill('2024-02-29'));
    // One filled band per stage.
    const svg = renderSvg(stageHistoryChart(history, chartContext('en', 600)));
    for (const colour of ['#56B4E9', '#0072B2', '#009E73', '#E69F00', '#8C96A3']) expect(svg).toContain(`fill="${colour}"`);
    await expect(renderSvg(stageHistoryChart(history, chartContext('en', 600)))).toMatchFileSnapshot('./__snapshots__/lifecycle-history.en.svg');
    await expect(renderSvg(stageHistoryChart(history, chartContext('zh-CN', 600)))).toMatchFileSnapshot('./__snapshots__/lifecycle-history.zh-CN.svg');
  });
});
