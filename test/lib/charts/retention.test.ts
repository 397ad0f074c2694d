import { describe, expect, it } from 'vitest';
import { activeLapsedChart, cohortHeatmapChart, periodTicks, retentionCurvesChart, type CohortCell } from '../../../src/lib/charts/retention.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';
import { renderSvg } from './svg.ts';

type Spec = { marks: { type: string; n: number; channels: Record<string, unknown>; styles: Record<string, unknown> }[]; scales: Record<string, Record<string, unknown>> };
const ctx = chartContext('en', 600);
const cell = (cohort: string, k: number, size: number, active: number, revenue_rate: number | null, complete: boolean): CohortCell => ({
  cohort,
  cohort_label: cohort.slice(0, 7),
  k,
  size,
  active,
  rate: active / size,
  revenue_rate,
  complete,
});
const cells: CohortCell[] = [
  cell('2024-01-01', 0, 10, 10, 1, true),
  cell('2024-01-01', 1, 10, 4, 0.5, true),
  cell('2024-01-01', 2, 10, 2, 1.2, false),
  cell('2024-02-01', 0, 5, 5, 1, true),
  cell('2024-02-01', 1, 5, 3, null, false),
];

describe('retention charts', () => {
  it('heatmap: complete and incomplete cells in separate marks, the colour range from k ≥ 1', async () => {
    const d = describeSpec(cohortHeatmapChart(cells, ctx, { period: 'month', measure: 'customers' })) as Spec;
    expect(d.marks.map((m) => [m.type, m.n])).toEqual([
      ['Cell', 3],
      ['Cell', 2],
      ['Cell', 0],
      ['Text', 5],
    ]);
    expect(d.marks[1]?.styles.fillOpacity).toBe(0.35);
    expect(d.scales.color?.domain).toEqual([0, 0.6]);
    expect(d.marks[3]?.channels.text).toEqual(['100%', '40%', '20%', '100%', '60%']);
    expect(d.scales.y?.ticks).toEqual(['2024-01', '2024-02']);
    for (const locale of ['en', 'zh-CN'] as const) {
      await expect(renderSvg(cohortHeatmapChart(cells, chartContext(locale, 600), { period: 'month', measure: 'customers' }))).toMatchFileSnapshot(
        `./__snapshots__/retention-heatmap.${locale}.svg`,
      );
    }
  });

  it('heatmap: 105 weekly periods get as many ticks as fit side by side, at round steps', () => {
    const weekly: CohortCell[] = [];
    for (let c = 0; c < 105; c++) {
      const cohort = new Date(Date.UTC(2023, 0, 2 + 7 * c)).toISOString().slice(0, 10);
      for (let k = 0; k < 105 - c; k++) weekly.push(cell(cohort, k, 50, k === 0 ? 50 : 10, null, k < 104 - c));
    }
    const ticksAt = (width: number) => {
      const d = describeSpec(cohortHeatmapChart(weekly, chartContext('en', width), { period: 'week', measure: 'customers' })) as Spec;
      return d.scales.x?.ticks as number[];
    };
    // 700 px: 580 px of plot, 5.5 px a week; "104" needs ~30 px → every 13th week (a quarter).
    expect(ticksAt(700)).toEqual([0, 13, 26, 39, 52, 65, 78, 91, 104]);
    // 1200 px: 10.3 px a week → every 4th week.
    expect(ticksAt(1200)).toHaveLength(27);
    expect(ticksAt(1200).slice(0, 3)).toEqual([0, 4, 8]);
    // A short triangle keeps every period.
    expect(periodTicks([0, 1, 2, 3], 580, 'month')).toEqual([0, 1, 2, 3]);
  });

  it('heatmap on revenue reads revenue_rate and drops undefined cells', () => {
    const d = describeSpec(cohortHeatmapChart(cells, ctx, { period: 'month', measure: 'revenue' })) as Spec;
    expect(d.marks[3]?.channels.text).toEqual(['100%', '50%', '120%', '100%']);
    expect(d.scales.color?.domain).toEqual([0, 1.2]);
  });

  it('heatmap: a small cohort is grey and does not stretch the colour range', async () => {
    const withSmall: CohortCell[] = [
      ...cells.map((c) => ({ ...c, small: false })),
      { ...cell('2024-03-01', 0, 1, 1, 1, true), small: true },
      { ...cell('2024-03-01', 1, 1, 1, 1, true), small: true },
    ];
    const d = describeSpec(cohortHeatmapChart(withSmall, { ...ctx, minGroupSize: 30 }, { period: 'month', measure: 'customers' })) as Spec;
    expect(d.marks.map((m) => [m.type, m.n])).toEqual([
      ['Cell', 3],
      ['Cell', 2],
      ['Cell', 2],
      ['Text', 7],
    ]);
    // The March cohort's 100 % at k = 1 (one customer) leaves the range at the others' 60 %.
    expect(d.scales.color?.domain).toEqual([0, 0.6]);
    expect(d.marks[2]?.styles.fill).toBe('#D5DAE0');
    expect((d.marks[2]?.channels.title as string[])[1]).toMatch(/Small group \(fewer than 30 customers\)/);
    await expect(renderSvg(cohortHeatmapChart(withSmall, { ...ctx, minGroupSize: 30 }, { period: 'month', measure: 'customers' }))).toMatchFileSnapshot(
      './__snapshots__/retention-heatmap-small.en.svg',
    );
  });

  it('curves: the average plus only the complete cells of selected cohorts', async () => {
    const spec = retentionCurvesChart(
      [
        { k: 0, rate: 1, revenue_rate: 1, cohorts: 2 },
        { k: 1, rate: 0.4, revenue_rate: 0.5, cohorts: 1 },
      ],
      cells,
      ctx,
      { period: 'month', measure: 'customers', selected: ['2024-01-01'] },
    );
    const d = describeSpec(spec) as Spec;
    // k = 0 (100 % by definition) is left out; cohort 2024-01 has one complete cell after it.
    expect(d.marks[1]?.channels.x).toEqual([1]);
    expect(d.marks[1]?.channels.stroke).toEqual(['2024-01']);
    expect(d.marks[2]?.channels.y).toEqual([0.4]);
    await expect(renderSvg(spec)).toMatchFileSnapshot('./__snapshots__/retention-curves.en.svg');
  });

  it('active vs lapsed stacks both statuses per date (zh-CN)', async () => {
    const spec = activeLapsedChart(
      [
        { date: '2024-01-31', active: 10, lapsed: 0 },
        { date: '2024-02-29', active: 8, lapsed: 4 },
      ],
      chartContext('zh-CN'),
      180,
    );
    const d = describeSpec(spec) as Spec;
    expect(d.marks[0]?.channels.fill).toEqual(['active', 'lapsed', 'active', 'lapsed']);
    await expect(renderSvg(spec)).toMatchFileSnapshot('./__snapshots__/retention-active-lapsed.zh-CN.svg');
  });

  it('handles empty rows', () => {
    const specs = [
      cohortHeatmapChart([], ctx, { period: 'week', measure: 'revenue' }),
      retentionCurvesChart([], [], ctx, { period: 'month', measure: 'customers', selected: [] }),
      activeLapsedChart([], ctx, 180),
    ];
    for (const s of specs) expect((describeSpec(s) as Spec).marks.map((m) => m.type)).toEqual(['Text']);
  });
});
