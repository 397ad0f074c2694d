import { describe, expect, it } from 'vitest';
import {
  quadrantMapChart,
  quadrantOf,
  quadrantSummaryChart,
  satisfactionCurveChart,
  scoreDistributionChart,
} from '../../../src/lib/charts/satisfaction.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';

type Spec = { marks: { type: string; n: number; channels: Record<string, unknown> }[] };
const ctx = chartContext('en', 600);
const th = { high: 4, loyalMinOrders: 2, scaleMin: 1, scaleMax: 5 };

describe('satisfaction charts', () => {
  it('names quadrants by high satisfaction and n_orders ≥ loyal minimum', () => {
    expect(quadrantOf(4, 2, th)).toBe('loyalists');
    expect(quadrantOf(5, 1, th)).toBe('mercenaries');
    expect(quadrantOf(3, 3, th)).toBe('hostages');
    expect(quadrantOf(1, 1, th)).toBe('defectors');
  });

  it('quadrant map colours each cell by its quadrant and names all four corners', () => {
    const d = describeSpec(
      quadrantMapChart(
        [
          { level: 5, n_orders: 3, customers: 4 },
          { level: 2, n_orders: 1, customers: 7 },
        ],
        ctx,
        th,
      ),
    ) as Spec;
    const dots = d.marks.find((m) => m.type === 'Dot');
    expect(dots?.channels.fill).toEqual(['loyalists', 'defectors']);
    const corners = d.marks.filter((m) => m.type === 'Text').map((m) => m.channels.text);
    expect(corners).toEqual([
      ['Loyalists / apostles\nTrue loyalty'],
      ['Hostages\nSpurious loyalty'],
      ['Mercenaries\nLatent loyalty'],
      ['Defectors\nNo loyalty'],
    ]);
    expect(d).toMatchSnapshot();
  });

  it('curve with n, summary and NPS-coloured distribution (zh-CN)', () => {
    const zh = chartContext('zh-CN', 600);
    const curve = describeSpec(
      satisfactionCurveChart(
        [
          { level: 3, customers: 4, repeaters: 1, rate: 0.25 },
          { level: 5, customers: 2, repeaters: 2, rate: 1 },
        ],
        zh,
      ),
    ) as Spec;
    expect(curve.marks[3]?.channels.text).toEqual(['25%\nn=4', '100%\nn=2']);
    expect(curve).toMatchSnapshot();
    expect(
      describeSpec(
        quadrantSummaryChart(
          [
            { quadrant: 'loyalists', customers: 3, value: 300 },
            { quadrant: 'defectors', customers: 1, value: 20 },
          ],
          zh,
        ),
      ),
    ).toMatchSnapshot();
    const dist = describeSpec(
      scoreDistributionChart(
        [
          { score: 6, customers: 1 },
          { score: 8, customers: 2 },
          { score: 10, customers: 1 },
        ],
        zh,
        { nps: true, high: 9 },
      ),
    ) as Spec;
    expect(dist.marks[0]?.channels.fill).toEqual(['detractor', 'passive', 'promoter']);
  });

  it('handles empty rows', () => {
    const specs = [
      satisfactionCurveChart([], ctx),
      quadrantMapChart([], ctx, th),
      quadrantSummaryChart([], ctx),
      scoreDistributionChart([], ctx, { nps: false, high: 4 }),
    ];
    for (const s of specs) expect((describeSpec(s) as Spec).marks.map((m) => m.type)).toEqual(['Text']);
  });
});
