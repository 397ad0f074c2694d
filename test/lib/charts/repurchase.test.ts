import { describe, expect, it } from 'vitest';
import {
  dayBinLabel,
  dayBinsChart,
  dimensionRepurchaseChart,
  ordersPerCustomerChart,
  periodRepurchaseChart,
  secondPurchaseCurveChart,
} from '../../../src/lib/charts/repurchase.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';
import { renderSvg } from './svg.ts';

type Spec = { marks: { type: string; channels: Record<string, unknown> }[]; scales: Record<string, Record<string, unknown>> };
const ctx = chartContext('en', 600);

describe('repurchase charts', () => {
  it('orders per customer: buckets as categories, repeaters highlighted, shares on the bars', async () => {
    const counts = [
      { bucket: '1', n_orders: 1, customers: 6, share: 0.6 },
      { bucket: '2', n_orders: 2, customers: 3, share: 0.3 },
      { bucket: '10+', n_orders: 10, customers: 1, share: 0.1 },
    ];
    const d = describeSpec(ordersPerCustomerChart(counts, ctx)) as Spec;
    expect(d.marks[1]?.channels.x).toEqual(['1', '2', '10+']);
    expect(d.marks[1]?.channels.text).toEqual(['60%', '30%', '10%']);
    expect(d.marks[0]?.channels.fill).toEqual(['#8C96A3', '#0072B2', '#0072B2']);
    await expect(renderSvg(ordersPerCustomerChart(counts, ctx))).toMatchFileSnapshot('./__snapshots__/repurchase-orders-per-customer.en.svg');
    await expect(renderSvg(ordersPerCustomerChart(counts, chartContext('zh-CN', 600)))).toMatchFileSnapshot(
      './__snapshots__/repurchase-orders-per-customer.zh-CN.svg',
    );
  });

  it('day bins are labelled with inclusive ranges and an open last bin', async () => {
    expect(dayBinLabel(ctx, { lo: 0, hi: 7 })).toBe('0–6 days');
    expect(dayBinLabel(ctx, { lo: 365, hi: null })).toBe('365+ days');
    expect(dayBinLabel(chartContext('zh-CN'), { lo: 7, hi: 14 })).toBe('7–13 天');
    const bins = [
      { lo: 0, hi: 7, n: 3, share: 0.75 },
      { lo: 7, hi: null, n: 1, share: 0.25 },
    ];
    const d = describeSpec(dayBinsChart(bins, ctx, { yLabelKey: 'chart.axis.customers' })) as Spec;
    expect(d.scales.x?.domain).toEqual(['0–6', '7+']);
    expect(d.marks[0]?.channels.title).toEqual(['0–6 days: 3 (75.0%)', '7+ days: 1 (25.0%)']);
    expect(d.marks[1]?.channels.text).toEqual(['75%', '25%']);
    await expect(renderSvg(dayBinsChart(bins, ctx, { yLabelKey: 'chart.axis.customers' }))).toMatchFileSnapshot('./__snapshots__/repurchase-day-bins.en.svg');
  });

  it('Kaplan–Meier curve is a step line from (0, 0)', async () => {
    const points = [
      { day: 3, cumulative: 0.25, at_risk: 4 },
      { day: 10, cumulative: 0.5, at_risk: 2 },
    ];
    const km = describeSpec(secondPurchaseCurveChart(points, ctx)) as Spec;
    expect(km.marks[1]?.channels.x).toEqual([0, 3, 10]);
    expect(km.marks[1]?.channels.y).toEqual([0, 0.25, 0.5]);
    await expect(renderSvg(secondPurchaseCurveChart(points, ctx))).toMatchFileSnapshot('./__snapshots__/repurchase-second-purchase.en.svg');
  });

  it('回购率: incomplete months hollow and off the line; by-dimension bars sorted by rate (zh-CN)', async () => {
    const zh = chartContext('zh-CN', 600);
    const periods = [
      { period: '2024-01', next_period: '2024-02', buyers: 10, returning: 4, rate: 0.4, complete: true },
      { period: '2024-02', next_period: '2024-03', buyers: 5, returning: 1, rate: 0.2, complete: false },
      { period: '2024-03', next_period: '2024-04', buyers: 0, returning: 0, rate: null, complete: false },
    ];
    const p = describeSpec(periodRepurchaseChart(periods, zh)) as Spec;
    expect(p.marks[1]?.channels.y).toEqual([0.4]);
    expect(p.marks[2]?.channels.fill).toEqual(['#0072B2', 'white']);
    await expect(renderSvg(periodRepurchaseChart(periods, zh))).toMatchFileSnapshot('./__snapshots__/repurchase-period.zh-CN.svg');
    const dims = [
      { value: '天猫', customers: 10, repeat_customers: 3, repurchase_rate: 0.3 },
      { value: '京东', customers: 4, repeat_customers: 2, repurchase_rate: 0.5 },
      { value: null, customers: 2, repeat_customers: 0, repurchase_rate: 0 },
    ];
    const dim = describeSpec(dimensionRepurchaseChart(dims, zh)) as Spec;
    expect(dim.scales.y?.domain).toEqual(['京东', '天猫', '（空白）']);
    expect(dim.marks[1]?.channels.text).toEqual(['30% (n=10)', '50% (n=4)', '0% (n=2)']);
    await expect(renderSvg(dimensionRepurchaseChart(dims, zh))).toMatchFileSnapshot('./__snapshots__/repurchase-by-dimension.zh-CN.svg');
  });

  it('by dimension: small groups grey and below the others, whatever their rate', async () => {
    const dims = [
      { value: 'N', customers: 40, repeat_customers: 12, repurchase_rate: 0.3, small: false },
      { value: 'E', customers: 30, repeat_customers: 15, repurchase_rate: 0.5, small: false },
      { value: 'W', customers: 1, repeat_customers: 1, repurchase_rate: 1, small: true },
      { value: 'S', customers: 29, repeat_customers: 0, repurchase_rate: 0, small: true },
    ];
    const d = describeSpec(dimensionRepurchaseChart(dims, { ...ctx, minGroupSize: 30 })) as Spec;
    expect(d.scales.y?.domain).toEqual(['E', 'N', 'W', 'S']);
    expect(d.marks[0]?.channels.fill).toEqual(['#0072B2', '#0072B2', '#D5DAE0', '#D5DAE0']);
    expect(d.marks[1]?.channels.text).toEqual(['30% (n=40)', '50% (n=30)', '100% (n=1)', '0% (n=29)']);
    expect((d.marks[0]?.channels.title as string[])[2]).toBe('W: 100.0%\n1 of 1 customers\nSmall group (fewer than 30 customers): greyed, not used in headlines');
    await expect(renderSvg(dimensionRepurchaseChart(dims, { ...ctx, minGroupSize: 30 }))).toMatchFileSnapshot('./__snapshots__/repurchase-by-dimension-small.en.svg');
  });

  it('handles empty rows', () => {
    const specs = [
      ordersPerCustomerChart([], ctx),
      dayBinsChart([], ctx, { yLabelKey: 'chart.axis.customers' }),
      dayBinsChart([{ lo: 0, hi: 7, n: 0, share: null }], ctx, { yLabelKey: 'chart.axis.customers' }),
      secondPurchaseCurveChart([], ctx),
      periodRepurchaseChart([], ctx),
      dimensionRepurchaseChart([], ctx),
    ];
    for (const s of specs) expect((describeSpec(s) as Spec).marks.map((m) => m.type)).toEqual(['Text']);
  });
});
