import { describe, expect, it } from 'vitest';
import type { CompositionRow, NewReturningRow } from '../../../src/lib/analyses/composition.ts';
import { compositionChart, newReturningChart } from '../../../src/lib/charts/composition.ts';
import { chartContext } from './context.ts';
import { describeSpec } from './spec.ts';
import { renderSvg } from './svg.ts';

type Described = { marks: { type: string; channels: Record<string, unknown> }[] };

const row = (value: string | null, group: string, revenue: number, other = false): CompositionRow => ({ dimension: 'region', value, other, grouping: 'tier', group, customers: 1, revenue, profit: null });
// North: A 100 + B 50; South: A 30; blank: C 20; other: C 10.
const rows: CompositionRow[] = [row('North', 'A', 100), row('North', 'B', 50), row('South', 'A', 30), row(null, 'C', 20), row(null, 'C', 10, true)];

describe('composition charts', () => {
  it('stacks each value’s revenue by tier, blank and other named (en, zh-CN)', async () => {
    const d = describeSpec(compositionChart(rows, 'tier', chartContext('en', 600))) as Described;
    const bar = d.marks.find((m) => m.type === 'BarX');
    expect((bar?.channels.title as string[]).map((x) => x.split('\n')[0])).toEqual(['North · Tier A', 'North · Tier B', 'South · Tier A', '(blank) · Tier C', 'Other · Tier C']);
    expect((describeSpec(compositionChart(rows, 'tier', chartContext('en', 600))) as { scales: { y: { domain: string[] } } }).scales.y.domain).toEqual(['North', 'South', '(blank)', 'Other']);
    // Nothing grouped by segment in these rows.
    expect((describeSpec(compositionChart(rows, 'segment', chartContext('en', 600))) as Described).marks[0]?.type).toBe('Text');
    await expect(renderSvg(compositionChart(rows, 'tier', chartContext('en', 600)))).toMatchFileSnapshot('./__snapshots__/composition-tier.en.svg');
    await expect(renderSvg(compositionChart(rows, 'tier', chartContext('zh-CN', 600)))).toMatchFileSnapshot('./__snapshots__/composition-tier.zh-CN.svg');
  });

  it('stacks new over returning revenue per month', async () => {
    const months: NewReturningRow[] = [
      { month: '2024-01-01', new_customers: 2, new_revenue: 100, returning_customers: 0, returning_revenue: 0 },
      { month: '2024-02-01', new_customers: 1, new_revenue: 40, returning_customers: 2, returning_revenue: 60 },
    ];
    const d = describeSpec(newReturningChart(months, chartContext('en', 600))) as Described;
    const rect = d.marks.find((m) => m.type === 'Rect');
    expect((rect?.channels.title as string[]).map((x) => x.replace(/\n/g, ' | '))).toEqual([
      'New customers | 2 customers | 100.00',
      'Returning customers | 0 customers | 0.00',
      'New customers | 1 customers | 40.00',
      'Returning customers | 2 customers | 60.00',
    ]);
    await expect(renderSvg(newReturningChart(months, chartContext('en', 600)))).toMatchFileSnapshot('./__snapshots__/composition-new-returning.en.svg');
    await expect(renderSvg(newReturningChart(months, chartContext('zh-CN', 600)))).toMatchFileSnapshot('./__snapshots__/composition-new-returning.zh-CN.svg');
  });
});
