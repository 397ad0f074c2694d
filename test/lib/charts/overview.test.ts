import { describe, expect, it } from 'vitest';
import { customerMixChart, revenueTrendChart, type PeriodActivityRow } from '../../../src/lib/charts/overview.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';

const rows: PeriodActivityRow[] = [
  { period: '2024-01-01', revenue: 1200.5, orders: 10, customers: 8, new_customers: 8 },
  { period: '2024-02-01', revenue: -50, orders: 1, customers: 1, new_customers: 0 },
  { period: '2024-03-01', revenue: 900, orders: 7, customers: 6, new_customers: 2 },
];

describe('overview charts', () => {
  it('revenue bars colour a net-negative month differently', () => {
    const d = describeSpec(revenueTrendChart(rows, chartContext('en'))) as { marks: { channels: Record<string, unknown> }[] };
    expect(d.marks[0]?.channels.fill).toEqual(['#0072B2', '#D55E00', '#0072B2']);
    expect(d).toMatchSnapshot();
  });

  it('customer mix splits each month into returning = customers − new and new', () => {
    const d = describeSpec(customerMixChart(rows, chartContext('zh-CN'))) as { marks: { channels: Record<string, unknown> }[] };
    expect(d.marks[0]?.channels.fill).toEqual(['returning', 'new', 'returning', 'new', 'returning', 'new']);
    expect(d).toMatchSnapshot();
  });

  it('handles empty rows', () => {
    for (const spec of [revenueTrendChart([], chartContext()), customerMixChart([], chartContext())]) {
      expect((describeSpec(spec) as { marks: unknown[] }).marks).toHaveLength(1);
    }
  });
});
