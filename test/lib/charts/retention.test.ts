import { describe, expect, it } from 'vitest';
import { activeLapsedChart, cohortHeatmapChart, cohortLabel, retentionCurvesChart, type CohortCell } from '../../../src/lib/charts/retention.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';

type Spec = { marks: { type: string; n: number; channels: Record<string, unknown>; styles: Record<string, unknown> }[]; scales: Record<string, Record<string, unknown>> };
const ctx = chartContext('en', 600);
const cells: CohortCell[] = [
  { cohort: '2024-01-01', k: 0, size: 10, rate: 1, complete: true },
  { cohort: '2024-01-01', k: 1, size: 10, rate: 0.4, complete: true },
  { cohort: '2024-01-01', k: 2, size: 10, rate: 0.2, complete: false },
  { cohort: '2024-02-01', k: 0, size: 5, rate: 1, complete: true },
  { cohort: '2024-02-01', k: 1, size: 5, rate: 0.6, complete: false },
];

describe('retention charts', () => {
  it('labels cohorts per period kind', () => {
    expect(cohortLabel(ctx, '2024-04-01', 'quarter')).toBe('2024 Q2');
    expect(cohortLabel(ctx, '2024-04-01', 'month')).toBe('Apr 2024');
    expect(cohortLabel(chartContext('zh-CN'), '2024-04-01', 'month')).toBe('2024年4月');
    expect(cohortLabel(ctx, '2024-04-01', 'week')).toBe('2024-04-01');
  });

  it('heatmap: complete and incomplete cells in separate marks, the colour range from k ≥ 1', () => {
    const d = describeSpec(cohortHeatmapChart(cells, ctx, { period: 'month', measure: 'customers' })) as Spec;
    expect(d.marks.map((m) => [m.type, m.n])).toEqual([
      ['Cell', 3],
      ['Cell', 2],
      ['Text', 5],
    ]);
    expect(d.marks[1]?.styles.fillOpacity).toBe(0.35);
    expect(d.scales.color?.domain).toEqual([0, 0.6]);
    expect(d).toMatchSnapshot();
  });

  it('curves: the average plus only the complete cells of selected cohorts', () => {
    const d = describeSpec(
      retentionCurvesChart(
        [
          { k: 0, rate: 1, cohorts: 2 },
          { k: 1, rate: 0.4, cohorts: 1 },
        ],
        cells,
        ctx,
        { period: 'month', selected: ['2024-01-01'] },
      ),
    ) as Spec;
    expect(d.marks[1]?.channels.x).toEqual([0, 1]);
    expect(d.marks[2]?.channels.y).toEqual([1, 0.4]);
    expect(d).toMatchSnapshot();
  });

  it('active vs lapsed stacks both statuses per period (zh-CN)', () => {
    const d = describeSpec(
      activeLapsedChart(
        [
          { period: '2024-01-31', active: 10, lapsed: 0 },
          { period: '2024-02-29', active: 8, lapsed: 4 },
        ],
        chartContext('zh-CN'),
        180,
      ),
    );
    expect(d).toMatchSnapshot();
  });

  it('handles empty rows', () => {
    const specs = [
      cohortHeatmapChart([], ctx, { period: 'week', measure: 'revenue' }),
      retentionCurvesChart([], [], ctx, { period: 'month', selected: [] }),
      activeLapsedChart([], ctx, 180),
    ];
    for (const s of specs) expect((describeSpec(s) as Spec).marks.map((m) => m.type)).toEqual(['Text']);
  });
});
