import { describe, expect, it } from 'vitest';
import {
  quadrantMapChart,
  quadrantSummaryChart,
  satisfactionCurveChart,
  scoreDistributionChart,
  type QuadrantSummaryRow,
} from '../../../src/lib/charts/satisfaction.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';
import { renderSvg } from './svg.ts';

type Spec = { marks: { type: string; n: number; channels: Record<string, unknown>; styles?: Record<string, unknown> }[]; scales: Record<string, Record<string, unknown>> };
const ctx = chartContext('en', 600);
const quadrants: QuadrantSummaryRow[] = [
  { quadrant: 'loyalists', high: true, loyal: true, customers: 3, share: 0.5, value: 300, value_share: 0.75 },
  { quadrant: 'mercenaries', high: true, loyal: false, customers: 1, share: 1 / 6, value: 40, value_share: 0.1 },
  { quadrant: 'hostages', high: false, loyal: true, customers: 0, share: 0, value: 0, value_share: 0 },
  { quadrant: 'defectors', high: false, loyal: false, customers: 2, share: 1 / 3, value: 60, value_share: 0.15 },
];

describe('satisfaction charts', () => {
  it('quadrant map places each quadrant by satisfaction × loyalty and names both typologies', async () => {
    const d = describeSpec(quadrantMapChart(quadrants, ctx, { high: 4, loyalMinOrders: 2 })) as Spec;
    const tiles = d.marks[0];
    expect(tiles?.channels.x).toEqual(['High satisfaction (≥ 4)', 'High satisfaction (≥ 4)', 'Not high (< 4)', 'Not high (< 4)']);
    expect(tiles?.channels.y).toEqual(['Loyal (≥ 2 orders)', 'Not loyal (< 2 orders)', 'Loyal (≥ 2 orders)', 'Not loyal (< 2 orders)']);
    expect((d.marks[1]?.channels.text as string[])[0]).toBe('Loyalists / apostles\nTrue loyalty\n\n3 customers (50.0%)\nValue: 300.00 (75.0%)');
    for (const locale of ['en', 'zh-CN'] as const) {
      await expect(renderSvg(quadrantMapChart(quadrants, chartContext(locale, 600), { high: 4, loyalMinOrders: 2 }))).toMatchFileSnapshot(
        `./__snapshots__/satisfaction-quadrant-map.${locale}.svg`,
      );
    }
  });

  it('curve labels each level with its rate and n (zh-CN)', async () => {
    const zh = chartContext('zh-CN', 600);
    const spec = satisfactionCurveChart(
      [
        { level: 3, n: 4, repeat_customers: 1, repurchase_rate: 0.25 },
        { level: 5, n: 2, repeat_customers: 2, repurchase_rate: 1 },
      ],
      zh,
    );
    const curve = describeSpec(spec) as Spec;
    expect(curve.marks[3]?.channels.text).toEqual(['25%\nn=4', '100%\nn=2']);
    expect(curve.marks[2]?.channels.fill).toBeUndefined(); // without groups: one colour, no legend
    await expect(renderSvg(spec)).toMatchFileSnapshot('./__snapshots__/satisfaction-curve.zh-CN.svg');
    await expect(renderSvg(quadrantSummaryChart(quadrants, zh))).toMatchFileSnapshot('./__snapshots__/satisfaction-quadrant-summary.zh-CN.svg');
  });

  it('curve: a small level is a grey dot with a grey label, and its tip says why', async () => {
    const levels = [
      { level: 1, group: 'below' as const, n: 4, repeat_customers: 0, repurchase_rate: 0, small: true },
      { level: 3, group: 'below' as const, n: 30, repeat_customers: 9, repurchase_rate: 0.3, small: false },
      { level: 5, group: 'top_box' as const, n: 40, repeat_customers: 20, repurchase_rate: 0.5, small: false },
    ];
    const spec = satisfactionCurveChart(levels, { ...ctx, minGroupSize: 30 });
    const d = describeSpec(spec) as Spec;
    expect(d.marks[2]?.channels.x).toEqual([3, 5]);
    expect(d.marks[2]?.channels.fill).toEqual(['below', 'top_box']);
    expect(d.marks[3]?.channels.fill).toEqual(['#8C96A3', '#1F2933', '#1F2933']);
    expect(d.marks[4]?.channels.x).toEqual([1]);
    expect(d.marks[4]?.styles?.fill).toBe('#D5DAE0');
    expect((d.marks[4]?.channels.title as string[])[0]).toMatch(/\nSmall group \(fewer than 30 customers\): greyed, not used in headlines$/);
    await expect(renderSvg(spec)).toMatchFileSnapshot('./__snapshots__/satisfaction-curve-small.en.svg');
  });

  it('curve colours each level by its group and gives the satisfied-but-not-completely group its rate', async () => {
    const levels = [
      { level: 2, group: 'below' as const, n: 3, repeat_customers: 0, repurchase_rate: 0 },
      { level: 3, group: 'below' as const, n: 4, repeat_customers: 1, repurchase_rate: 0.25 },
      { level: 4, group: 'satisfied' as const, n: 8, repeat_customers: 2, repurchase_rate: 0.25 },
      { level: 5, group: 'top_box' as const, n: 5, repeat_customers: 4, repurchase_rate: 0.8 },
    ];
    const groups = [
      { group: 'top_box' as const, n: 5, repurchase_rate: 0.8 },
      { group: 'satisfied' as const, n: 8, repurchase_rate: 0.25 },
      { group: 'below' as const, n: 7, repurchase_rate: 1 / 7 },
    ];
    const spec = satisfactionCurveChart(levels, ctx, groups);
    const d = describeSpec(spec) as Spec;
    expect(d.marks[2]?.channels.fill).toEqual(['below', 'below', 'satisfied', 'top_box']);
    const legend = (spec.color as { tickFormat: (g: string) => string }).tickFormat;
    expect(['top_box', 'satisfied', 'below'].map(legend)).toEqual([
      'Completely satisfied (top box): 80% (n=5)',
      'Satisfied, not completely: 25% (n=8)',
      'Less satisfied: 14% (n=7)',
    ]);
    await expect(renderSvg(spec)).toMatchFileSnapshot('./__snapshots__/satisfaction-curve-groups.en.svg');
  });

  it('distribution colours NPS bands on 0–10 and high / not high otherwise', async () => {
    const levels = [
      { level: 6, n: 1, repeat_customers: 0, repurchase_rate: 0 },
      { level: 8, n: 2, repeat_customers: 1, repurchase_rate: 0.5 },
      { level: 10, n: 1, repeat_customers: 1, repurchase_rate: 1 },
    ];
    const nps = describeSpec(scoreDistributionChart(levels, ctx, { high: 9, detractorMax: 6 })) as Spec;
    expect(nps.marks[0]?.channels.fill).toEqual(['detractor', 'passive', 'promoter']);
    expect(nps.marks[1]?.channels.text).toEqual(['25%', '50%', '25%']);
    await expect(renderSvg(scoreDistributionChart(levels, ctx, { high: 9, detractorMax: 6 }))).toMatchFileSnapshot('./__snapshots__/satisfaction-distribution-nps.en.svg');
    const five = describeSpec(scoreDistributionChart(levels, ctx, { high: 8, detractorMax: null })) as Spec;
    expect(five.marks[0]?.channels.fill).toEqual(['detractor', 'promoter', 'promoter']);
  });

  it('handles empty rows', () => {
    const specs = [
      satisfactionCurveChart([], ctx),
      quadrantMapChart([], ctx, { high: 4, loyalMinOrders: 2 }),
      quadrantSummaryChart([], ctx),
      scoreDistributionChart([], ctx, { high: 4, detractorMax: null }),
    ];
    for (const s of specs) expect((describeSpec(s) as Spec).marks.map((m) => m.type)).toEqual(['Text']);
  });
});
