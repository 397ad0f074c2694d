import { describe, expect, it } from 'vitest';
import {
  dayHistogramChart,
  dimensionRepurchaseChart,
  ordersPerCustomerChart,
  periodRepurchaseChart,
  secondPurchaseCurveChart,
} from '../../../src/lib/charts/repurchase.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';

type Spec = { marks: { type: string; channels: Record<string, unknown> }[] };
const ctx = chartContext('en', 600);

describe('repurchase charts', () => {
  it('orders per customer: shares of all customers on the bars, "10+" for the capped bucket', () => {
    const d = describeSpec(
      ordersPerCustomerChart(
        [
          { n_orders: 1, customers: 6 },
          { n_orders: 2, customers: 3 },
          { n_orders: 10, customers: 1, capped: true },
        ],
        ctx,
      ),
    ) as Spec;
    expect(d.marks[1]?.channels.x).toEqual(['1', '2', '10+']);
    expect(d.marks[1]?.channels.text).toEqual(['60%', '30%', '10%']);
    expect(d).toMatchSnapshot();
  });

  it('histogram with a median rule, Kaplan–Meier curve from (0, 0)', () => {
    const hist = describeSpec(
      dayHistogramChart(
        [
          { from: 0, to: 7, count: 4 },
          { from: 7, to: 14, count: 2 },
        ],
        ctx,
        { yLabelKey: 'chart.axis.customers', median: 5 },
      ),
    ) as Spec;
    expect(hist.marks.map((m) => m.type)).toEqual(['Rect', 'RuleX', 'Text', 'RuleY']);
    expect(hist).toMatchSnapshot();
    const km = describeSpec(
      secondPurchaseCurveChart(
        [
          { day: 3, cum_share: 0.25, at_risk: 4 },
          { day: 10, cum_share: 0.5, at_risk: 2 },
        ],
        ctx,
      ),
    ) as Spec;
    expect(km.marks[1]?.channels.x).toEqual([0, 3, 10]);
    expect(km.marks[1]?.channels.y).toEqual([0, 0.25, 0.5]);
    expect(km).toMatchSnapshot();
  });

  it('回购率 and by-dimension rates (zh-CN), bars sorted by rate', () => {
    const zh = chartContext('zh-CN', 600);
    expect(
      describeSpec(
        periodRepurchaseChart(
          [
            { period: '2024-01-01', customers: 10, returned: 4, rate: 0.4 },
            { period: '2024-02-01', customers: 0, returned: 0, rate: null },
          ],
          zh,
        ),
      ),
    ).toMatchSnapshot();
    const dim = describeSpec(
      dimensionRepurchaseChart(
        [
          { dimension: 'channel', value: '天猫', customers: 10, repeaters: 3, rate: 0.3 },
          { dimension: 'channel', value: '京东', customers: 4, repeaters: 2, rate: 0.5 },
        ],
        zh,
      ),
    ) as Spec & { scales: { y: { domain: string[] } } };
    expect(dim.scales.y.domain).toEqual(['京东', '天猫']);
    expect(dim.marks[1]?.channels.text).toEqual(['30% (n=10)', '50% (n=4)']);
  });

  it('handles empty rows', () => {
    const specs = [
      ordersPerCustomerChart([], ctx),
      dayHistogramChart([], ctx, { yLabelKey: 'chart.axis.customers' }),
      secondPurchaseCurveChart([], ctx),
      periodRepurchaseChart([], ctx),
      dimensionRepurchaseChart([], ctx),
    ];
    for (const s of specs) expect((describeSpec(s) as Spec).marks.map((m) => m.type)).toEqual(['Text']);
  });
});
