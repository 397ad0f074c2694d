import { describe, expect, it } from 'vitest';
import { customerMixChart, revenueTrendChart, type PeriodActivityRow } from '../../../src/lib/charts/overview.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';
import { renderSvg } from './svg.ts';

const rows: PeriodActivityRow[] = [
  { period: '2024-01-01', revenue: 1200.5, orders: 10, customers: 8, new_customers: 8 },
  { period: '2024-02-01', revenue: -50, orders: 1, customers: 1, new_customers: 0 },
  { period: '2024-03-01', revenue: 900, orders: 7, customers: 6, new_customers: 2 },
];

describe('overview charts', () => {
  it('revenue bars colour a net-negative month differently', () => {
    const d = describeSpec(revenueTrendChart(rows, chartContext('en'))) as { marks: { channels: Record<string, unknown> }[] };
    expect(d.marks[0]?.channels.fill).toEqual(['#0072B2', '#D55E00', '#0072B2']);
  });

  it('customer mix splits each month into returning = customers − new and new', () => {
    const d = describeSpec(customerMixChart(rows, chartContext('zh-CN'))) as { marks: { channels: Record<string, unknown> }[] };
    expect(d.marks[0]?.channels.fill).toEqual(['returning', 'new', 'returning', 'new', 'returning', 'new']);
  });

  it('renders both charts in both locales', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const ctx = chartContext(locale);
      await expect(renderSvg(revenueTrendChart(rows, ctx))).toMatchFileSnapshot(`./__snapshots__/overview-revenue.${locale}.svg`);
      await expect(renderSvg(customerMixChart(rows, ctx))).toMatchFileSnapshot(`./__snapshots__/overview-customer-mix.${locale}.svg`);
    }
  });

  it('names the currency on the money axis and in the tooltip', () => {
    const svg = renderSvg(revenueTrendChart(rows, { ...chartContext('zh-CN'), currency: 'CNY' }));
    expect(svg).toContain('净销售额 (CNY)');
    expect(svg).toContain('净销售额: ¥1,200.50');
  });

  it('handles empty rows', async () => {
    for (const spec of [revenueTrendChart([], chartContext()), customerMixChart([], chartContext())]) {
      expect((describeSpec(spec) as { marks: unknown[] }).marks).toHaveLength(1);
    }
    await expect(renderSvg(revenueTrendChart([], chartContext('zh-CN')))).toMatchFileSnapshot('./__snapshots__/empty.zh-CN.svg');
  });
});
