import { describe, expect, it } from 'vitest';
import {
  clvDistributionChart,
  cumulativeChart,
  holdoutByXChart,
  pAliveChart,
  recencyFrequencyChart,
  topCustomersChart,
  type ClvBinRow,
  type ClvGridRow,
  type ClvHoldoutXRow,
  type ClvTopRow,
  type PAliveBinRow,
} from '../../../src/lib/charts/clv.ts';
import { chartContext } from './context.ts';
import { describeSpec } from './spec.ts';
import { renderSvg } from './svg.ts';

type Marks = { marks: { type: string; channels: Record<string, unknown> }[] };
const LOCALES = ['en', 'zh-CN'] as const;

// 10 customers: P(alive) 0.05, 0.15, 0.55, 0.85, 0.95 and five without a repeat purchase (1).
const pAlive: PAliveBinRow[] = Array.from({ length: 10 }, (_, b) => ({
  from: b / 10,
  to: (b + 1) / 10,
  customers: [1, 1, 0, 0, 0, 1, 0, 0, 1, 6][b] as number,
  one_time: b === 9 ? 5 : 0,
}));
const bins: ClvBinRow[] = [
  { from: 0, to: 10, customers: 6, clv: 20 },
  { from: 10, to: 20, customers: 3, clv: 45 },
  { from: 20, to: null, customers: 1, clv: 300 },
];
const grid: ClvGridRow[] = [
  { frequency: 0, frequency_max: 0, recency_from: 0, recency_to: 5, customers: 4, p_alive: 1, expected_purchases: 0.4 },
  { frequency: 1, frequency_max: 1, recency_from: 0, recency_to: 5, customers: 2, p_alive: 0.9, expected_purchases: 1.1 },
  { frequency: 1, frequency_max: 1, recency_from: 20, recency_to: 25, customers: 1, p_alive: 0.3, expected_purchases: 0.2 },
  { frequency: 10, frequency_max: null, recency_from: 0, recency_to: 5, customers: 3, p_alive: 0.97, expected_purchases: 8 },
];
const byX: ClvHoldoutXRow[] = [
  { x: 0, customers: 10, actual: 2, expected: 2.5, actual_mean: 0.2, expected_mean: 0.25 },
  { x: 1, customers: 4, actual: 3, expected: 2, actual_mean: 0.75, expected_mean: 0.5 },
  { x: 7, customers: 1, actual: 6, expected: 5, actual_mean: 6, expected_mean: 5 },
];
const weeks = [
  { week: 1, actual: 1, expected: 0.8 },
  { week: 2, actual: 3, expected: 1.7 },
  { week: 3, actual: 4, expected: 2.5 },
];
const top: ClvTopRow[] = [
  { rank: 1, customer_id: 'K9', x: 8, t_x: 30, t_cal: 31, p_alive: 0.95, expected_purchases: 9.5, expected_spend: 40, clv: 300 },
  { rank: 2, customer_id: 'K2', x: 3, t_x: 20, t_cal: 30, p_alive: 0.7, expected_purchases: 2.1, expected_spend: 20, clv: 35 },
];

describe('lifetime-value charts', () => {
  it('P(alive): repeat and one-time customers stacked per tenth', async () => {
    const d = describeSpec(pAliveChart(pAlive, chartContext('en', 600))) as Marks;
    const rect = d.marks.find((m) => m.type === 'Rect');
    // Bin 9 (0.9–1): 1 repeat customer, then 5 one-time stacked on top (y1 1 → y2 6).
    expect((rect?.channels.y2 as number[]).slice(-2)).toEqual([1, 6]);
    for (const l of LOCALES) await expect(renderSvg(pAliveChart(pAlive, chartContext(l, 600)))).toMatchFileSnapshot(`./__snapshots__/clv-p-alive.${l}.svg`);
  });

  it('CLV distribution: the open last bin drawn one width wide', async () => {
    const d = describeSpec(clvDistributionChart(bins, chartContext('en', 600))) as Marks;
    const rect = d.marks.find((m) => m.type === 'Rect');
    expect(rect?.channels.x1).toEqual([0, 10, 20]);
    expect(rect?.channels.x2).toEqual([10, 20, 30]);
    for (const l of LOCALES) await expect(renderSvg(clvDistributionChart(bins, chartContext(l, 600)))).toMatchFileSnapshot(`./__snapshots__/clv-distribution.${l}.svg`);
  });

  it('recency × frequency: one cell per grid row, "10+" for the open row', async () => {
    for (const measure of ['p_alive', 'expected_purchases'] as const) {
      const d = describeSpec(recencyFrequencyChart(grid, chartContext('en', 600), { measure, unit: 'week' })) as Marks;
      const rect = d.marks.find((m) => m.type === 'BarX');
      expect(rect?.channels.y).toEqual(['0', '1', '1', '10+']);
      expect(rect?.channels.fill).toEqual(grid.map((g) => g[measure]));
      for (const l of LOCALES) {
        await expect(renderSvg(recencyFrequencyChart(grid, chartContext(l, 600), { measure, unit: 'week' }))).toMatchFileSnapshot(`./__snapshots__/clv-grid-${measure}.${l}.svg`);
      }
    }
  });

  it('holdout by x: actual and expected means side by side, 7+ last', async () => {
    const d = describeSpec(holdoutByXChart(byX, chartContext('en', 600))) as Marks;
    const bar = d.marks.find((m) => m.type === 'BarY');
    expect(bar?.channels.x).toEqual(['actual', 'expected', 'actual', 'expected', 'actual', 'expected']);
    expect((bar?.channels.title as string[]).map((s) => s.split('\n')[0])).toEqual(['x = 0', 'x = 0', 'x = 1', 'x = 1', 'x = 7+', 'x = 7+']);
    expect(bar?.channels.y2).toEqual([0.2, 0.25, 0.75, 0.5, 6, 5]);
    for (const l of LOCALES) await expect(renderSvg(holdoutByXChart(byX, chartContext(l, 600)))).toMatchFileSnapshot(`./__snapshots__/clv-holdout-x.${l}.svg`);
  });

  it('cumulative tracking: two lines from week 0', async () => {
    const d = describeSpec(cumulativeChart(weeks, chartContext('en', 600))) as Marks;
    const lines = d.marks.filter((m) => m.type === 'Line');
    expect(lines.map((m) => m.channels.y)).toEqual([
      [0, 1, 3, 4],
      [0, 0.8, 1.7, 2.5],
    ]);
    for (const l of LOCALES) await expect(renderSvg(cumulativeChart(weeks, chartContext(l, 600)))).toMatchFileSnapshot(`./__snapshots__/clv-cumulative.${l}.svg`);
  });

  it('top customers: bars by CLV, best first; by expected purchases without a spend model', async () => {
    const d = describeSpec(topCustomersChart(top, chartContext('en', 600))) as Marks;
    const bar = d.marks.find((m) => m.type === 'BarX');
    expect(bar?.channels.x2).toEqual([300, 35]);
    const noSpend = top.map((r) => ({ ...r, clv: null, expected_spend: null }));
    const d2 = describeSpec(topCustomersChart(noSpend, chartContext('en', 600))) as Marks;
    expect(d2.marks.find((m) => m.type === 'BarX')?.channels.x2).toEqual([9.5, 2.1]);
    for (const l of LOCALES) await expect(renderSvg(topCustomersChart(top, chartContext(l, 600)))).toMatchFileSnapshot(`./__snapshots__/clv-top.${l}.svg`);
  });

  it('empty rows give the "no data" chart', () => {
    const ctx = chartContext('en', 600);
    for (const spec of [pAliveChart([], ctx), clvDistributionChart([], ctx), recencyFrequencyChart([], ctx, { measure: 'p_alive', unit: 'day' }), holdoutByXChart([], ctx), cumulativeChart([], ctx), topCustomersChart([], ctx)]) {
      expect((describeSpec(spec) as Marks).marks.map((m) => m.type)).toEqual(['Text']);
    }
  });
});
