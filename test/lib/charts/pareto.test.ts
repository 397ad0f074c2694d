import { describe, expect, it } from 'vitest';
import { decileChart, lorenzChart, profitSplitChart, tierShareChart, tierValueChart, type DecileRow, type ProfitGroupRow, type TierRow } from '../../../src/lib/charts/pareto.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';
import { renderSvg } from './svg.ts';

const ctx = chartContext('en', 600);
// 5 customers with values 50, 30, 10, 6, 4 (total 100).
const lorenz = [
  { customer_share: 0.2, value_share: 0.5 },
  { customer_share: 0.4, value_share: 0.8 },
  { customer_share: 0.6, value_share: 0.9 },
  { customer_share: 0.8, value_share: 0.96 },
  { customer_share: 1, value_share: 1 },
];
const tiers: TierRow[] = [
  { tier: 'A', customers: 2, value: 80, orders: 6, aov: 80 / 6, repurchase_rate: 1 },
  { tier: 'B', customers: 2, value: 16, orders: 2, aov: 8, repurchase_rate: 0 },
  { tier: 'C', customers: 1, value: 4, orders: 1, aov: 4, repurchase_rate: 0 },
];

describe('pareto charts', () => {
  it('Lorenz curve starts at the origin and marks "top 20 % → 50 %"', async () => {
    const spec = lorenzChart(lorenz, ctx, { topShare: 0.2, topValueShare: 0.5, tierA: 0.8, tierB: 0.95 });
    const d = describeSpec(spec) as { marks: { type: string; channels: Record<string, unknown> }[] };
    const line = d.marks.find((m) => m.type === 'Line' && Array.isArray(m.channels.x) && (m.channels.x as number[]).length === 6);
    expect(line?.channels.x).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(line?.channels.y).toEqual([0, 0.5, 0.8, 0.9, 0.96, 1]);
    const label = d.marks.filter((m) => m.type === 'Text').map((m) => m.channels.text);
    expect(label).toContainEqual(['Top 20% → 50%']);
    expect(label).toContainEqual(['A/B cut: 80%']);
    expect(label).toContainEqual(['B/C cut: 95%']);
    await expect(renderSvg(spec)).toMatchFileSnapshot('./__snapshots__/pareto-lorenz.en.svg');
    const zh = lorenzChart(lorenz, chartContext('zh-CN', 600), { topShare: 0.2, topValueShare: 0.5, tierA: 0.8, tierB: 0.95 });
    await expect(renderSvg(zh)).toMatchFileSnapshot('./__snapshots__/pareto-lorenz.zh-CN.svg');
  });

  it('Lorenz curve leaves out the marker when total value ≤ 0', () => {
    const spec = lorenzChart(lorenz, ctx, { topShare: 0.2, topValueShare: null, tierA: 0.8, tierB: 0.95 });
    const types = (describeSpec(spec) as { marks: { type: string }[] }).marks.map((m) => m.type);
    expect(types.filter((t) => t === 'RuleX')).toHaveLength(0);
  });

  it('tier bars put customers and value shares side by side', async () => {
    const d = describeSpec(tierShareChart(tiers, ctx)) as { marks: { type: string; channels: Record<string, unknown> }[] };
    const bar = d.marks[0];
    expect(bar?.type).toBe('BarX');
    // customers 2/5, 2/5, 1/5; value 80/100, 16/100, 4/100
    expect(bar?.channels.x1).toEqual([0, 0.4, 0.8, 0, 0.8, 0.96]);
    expect(bar?.channels.x2).toEqual([0.4, 0.8, 1, 0.8, 0.96, 1]);
    await expect(renderSvg(tierShareChart(tiers, ctx))).toMatchFileSnapshot('./__snapshots__/pareto-tier-share.en.svg');
  });

  it('tier value, deciles and profit split (zh-CN)', async () => {
    const zh = chartContext('zh-CN', 600);
    const deciles: DecileRow[] = [
      { decile: 1, customers: 1, value: 60, value_share: 0.6 },
      { decile: 2, customers: 1, value: 50, value_share: 0.5 },
      { decile: 3, customers: 1, value: -10, value_share: -0.1 },
    ];
    const profit: ProfitGroupRow[] = [
      { group: 'top20', customers: 1, profit: 30, profit_share: 1.5 },
      { group: 'middle60', customers: 3, profit: 0, profit_share: 0 },
      { group: 'bottom20', customers: 1, profit: -10, profit_share: -0.5 },
    ];
    await expect(renderSvg(tierValueChart(tiers, zh))).toMatchFileSnapshot('./__snapshots__/pareto-tier-value.zh-CN.svg');
    await expect(renderSvg(decileChart(deciles, zh))).toMatchFileSnapshot('./__snapshots__/pareto-deciles.zh-CN.svg');
    await expect(renderSvg(profitSplitChart(profit, zh))).toMatchFileSnapshot('./__snapshots__/pareto-profit-split.zh-CN.svg');
  });

  it('every pareto chart handles empty rows', () => {
    const m = { topShare: 0.2, topValueShare: null, tierA: 0.8, tierB: 0.95 };
    for (const spec of [lorenzChart([], ctx, m), tierShareChart([], ctx), tierValueChart([], ctx), decileChart([], ctx), profitSplitChart([], ctx)]) {
      expect((describeSpec(spec) as { marks: { type: string }[] }).marks.map((x) => x.type)).toEqual(['Text']);
    }
  });
});
