import { describe, expect, it } from 'vitest';
import type { CustomerOrderRow } from '../../../src/lib/analyses/customer-detail.ts';
import type { KeyClassRow, KeyPoint } from '../../../src/lib/analyses/key-customers.ts';
import type { WarningRow } from '../../../src/lib/analyses/warnings.ts';
import { keyClassesChart, keyScatterChart } from '../../../src/lib/charts/key-customers.ts';
import { churnTopChart, customerTimelineChart, paceTopChart, warningCountsChart } from '../../../src/lib/charts/warnings.ts';
import { chartContext } from './context.ts';
import { describeSpec } from './spec.ts';
import { renderSvg } from './svg.ts';

type Marks = { marks: { type: string; channels: Record<string, unknown> }[] };

const row = (id: string, value_365: number, baseline: number | null, current: number): WarningRow => ({
  customer_id: id, stage: 'decline', rfm_segment: 'at_risk', tier: 'A', first_date: '2023-01-01', last_date: '2024-03-01',
  p: 3, g: 10, recency_days: 40, overdue_days: 20, value: value_365 + 100, value_365, current, baseline, drop: baseline === null ? null : baseline - current,
});
const churn = [row('C1', 900, null, 0), row('C2', 400, null, 0), row('C3', 120, null, 0)];
const pace = [row('P1', 0, 300, 20), row('P2', 0, 180, 60), row('P3', 0, 50, 10)];
const points: KeyPoint[] = [
  { customer_id: 'K01', value: 200, margin: 0.15, key_class: 'red' },
  { customer_id: 'K02', value: 150, margin: 0.1, key_class: 'white' },
  { customer_id: 'K07', value: 20, margin: -0.25, key_class: 'dark' },
  { customer_id: 'K06', value: 30, margin: 1, key_class: 'potential' },
  { customer_id: 'K05', value: 40, margin: 0.1, key_class: 'ordinary' },
];
const classes: KeyClassRow[] = [
  { key_class: 'red', customers: 1, revenue: 200, profit: 30, profit_share: 30 / 90 },
  { key_class: 'white', customers: 1, revenue: 150, profit: 15, profit_share: 15 / 90 },
  { key_class: 'dark', customers: 2, revenue: 120, profit: -5, profit_share: -5 / 90 },
  { key_class: 'potential', customers: 3, revenue: 90, profit: 46, profit_share: 46 / 90 },
  { key_class: 'ordinary', customers: 0, revenue: 0, profit: 0, profit_share: 0 },
];

describe('warning charts', () => {
  for (const locale of ['en', 'zh-CN'] as const) {
    it(`counts, churn and pace tops (${locale})`, async () => {
      const ctx = chartContext(locale, 600);
      const counts = warningCountsChart({ churn_warning_customers: 3, churn_warning_value: 1420, pace_assessed_customers: 9, pace_warning_customers: 3, pace_warning_drop: 440 }, ctx);
      expect((describeSpec(counts) as Marks).marks[1]?.channels.x).toEqual([3, 3, 9]);
      await expect(renderSvg(counts)).toMatchFileSnapshot(`./__snapshots__/warnings-counts.${locale}.svg`);
      const c = churnTopChart(churn, ctx);
      const label = (describeSpec(c) as Marks).marks[1];
      expect([label?.type, label?.channels.y, label?.channels.x]).toEqual(['Text', ['C1', 'C2', 'C3'], [900, 400, 120]]);
      await expect(renderSvg(c)).toMatchFileSnapshot(`./__snapshots__/warnings-churn.${locale}.svg`);
      const p = paceTopChart(pace, ctx);
      const link = (describeSpec(p) as Marks).marks[0];
      expect([link?.type, link?.channels.x1, link?.channels.x2]).toEqual(['Link', [300, 180, 50], [20, 60, 10]]);
      await expect(renderSvg(p)).toMatchFileSnapshot(`./__snapshots__/warnings-pace.${locale}.svg`);
    });
  }

  it('the customer timeline stems each order from zero, returns below', async () => {
    const orders: CustomerOrderRow[] = [
      { order_key: 'O1', order_date: '2024-01-05', order_net: 120, n_lines: 2, is_purchase: true, category: 'x', region: 'N', channel: null },
      { order_key: 'O2', order_date: '2024-02-10', order_net: -30, n_lines: 1, is_purchase: false, category: 'x', region: 'N', channel: null },
      { order_key: 'O3', order_date: '2024-03-01', order_net: 80, n_lines: 1, is_purchase: true, category: 'y', region: 'N', channel: null },
    ];
    const spec = customerTimelineChart(orders, chartContext('en', 600));
    const stems = (describeSpec(spec) as Marks).marks.find((m) => m.type === 'RuleX');
    expect(stems?.channels.y2).toEqual([120, -30, 80]);
    await expect(renderSvg(spec)).toMatchFileSnapshot('./__snapshots__/warnings-timeline.en.svg');
    await expect(renderSvg(customerTimelineChart(orders, chartContext('zh-CN', 600)))).toMatchFileSnapshot('./__snapshots__/warnings-timeline.zh-CN.svg');
  });
});

describe('key customer charts', () => {
  for (const locale of ['en', 'zh-CN'] as const) {
    it(`revenue × margin with both cut lines, and profit shares (${locale})`, async () => {
      const ctx = chartContext(locale, 600);
      const scatter = keyScatterChart(points, ctx, { overallMargin: 0.15, largeCut: 150 });
      const d = describeSpec(scatter) as Marks & { scales?: unknown };
      const dot = d.marks.find((m) => m.type === 'Dot');
      expect(dot?.channels.x).toEqual([200, 150, 20, 30, 40]);
      expect(d.marks.find((m) => m.type === 'RuleY' && (m.channels.y as number[])[0] === 0.15)).toBeDefined();
      expect(d.marks.find((m) => m.type === 'RuleX')?.channels.x).toEqual([150]);
      await expect(renderSvg(scatter)).toMatchFileSnapshot(`./__snapshots__/key-scatter.${locale}.svg`);
      const bars = keyClassesChart(classes, ctx);
      // The empty class is left out.
      expect((describeSpec(bars) as Marks).marks[1]?.channels.x).toEqual([0.3333, 0.1667, -0.0556, 0.5111]);
      await expect(renderSvg(bars)).toMatchFileSnapshot(`./__snapshots__/key-classes.${locale}.svg`);
    });
  }
});
