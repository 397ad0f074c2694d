/**
 * Labels stay clear of what they label: the satisfaction quadrants' texts inside their cells,
 * the Lorenz curve's cut-point labels off the curve and the line of equality, and the
 * satisfaction curve's rate labels off the dots and the axis. Read from the drawn SVG, at a
 * phone's and a desktop card's width, in both languages, with the demo's sizes of numbers.
 */
import { describe, expect, it } from 'vitest';
import { lorenzChart } from '../../../src/lib/charts/pareto.ts';
import { quadrantMapChart, satisfactionCurveChart, type QuadrantSummaryRow } from '../../../src/lib/charts/satisfaction.ts';
import { chartContext } from './context.ts';
import { cells, crosses, dots, lineSegments, overlaps, textLines, type Box } from './layout.ts';
import { renderElement, renderSvg } from './svg.ts';

const WIDTHS = [330, 520, 760];
const LOCALES = ['en', 'zh-CN'] as const;

const chartOf = (el: Element): Element => (el.tagName.toLowerCase() === 'svg' ? el : (el.querySelector('svg:last-of-type') ?? el));
const show = (b: Box): string => `${b.text} [${Math.round(b.left)}, ${Math.round(b.right)}] × [${Math.round(b.top)}, ${Math.round(b.bottom)}]`;

describe('satisfaction quadrant map', () => {
  // The demo's quadrants: six- and seven-digit values.
  const rows: QuadrantSummaryRow[] = [
    { quadrant: 'loyalists', high: true, loyal: true, customers: 186, share: 0.161, value: 853491.33, value_share: 0.371 },
    { quadrant: 'mercenaries', high: true, loyal: false, customers: 53, share: 0.046, value: 28839.8, value_share: 0.013 },
    { quadrant: 'hostages', high: false, loyal: true, customers: 339, share: 0.294, value: 1104956.66, value_share: 0.481 },
    { quadrant: 'defectors', high: false, loyal: false, customers: 577, share: 0.5, value: 312102.76, value_share: 0.136 },
  ];

  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      it(`keeps every line inside its cell (${locale}, ${width} px)`, () => {
        const chart = chartOf(renderElement(quadrantMapChart(rows, chartContext(locale, width), { high: 9, loyalMinOrders: 2 })));
        const tiles = cells(chart);
        expect(tiles).toHaveLength(4);
        const lines = textLines(chart).filter((b) => tiles.some((c) => overlaps(b, c)));
        expect(lines.length).toBeGreaterThanOrEqual(16);
        const outside = lines.filter((b) => !tiles.some((c) => b.left >= c.left + 2 && b.right <= c.right - 2 && b.top >= c.top && b.bottom <= c.bottom));
        expect(outside.map(show)).toEqual([]);
      });
    }
  }

  it('wraps the tiles and the axis labels of a phone-wide map', async () => {
    for (const locale of LOCALES) {
      await expect(renderSvg(quadrantMapChart(rows, chartContext(locale, 330), { high: 9, loyalMinOrders: 2 }))).toMatchFileSnapshot(
        `./__snapshots__/satisfaction-quadrant-map-phone.${locale}.svg`,
      );
    }
  });
});

describe('Lorenz curve', () => {
  // A steep curve like the demo's: the top fifth of customers bring 76 % of value.
  const points = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((x) => ({ customer_share: x, value_share: Math.min(1, 1 - (1 - x) ** 6.5) }));
  const markers = { topShare: 0.2, topValueShare: 0.76, tierA: 0.8, tierB: 0.95 };

  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      it(`keeps the cut-point labels off the curve, the line of equality and the other labels (${locale}, ${width} px)`, () => {
        const options = lorenzChart(points, chartContext(locale, width), markers);
        const chart = chartOf(renderElement(options));
        const texts = textLines(chart);
        const cut = texts.filter((b) => /cut|分界/.test(b.text));
        expect(cut).toHaveLength(2);
        const segments = lineSegments(chart);
        expect(segments.length).toBeGreaterThan(10);
        const crossed = cut.filter((b) => segments.some((s) => crosses(s, b)));
        expect(crossed.map(show)).toEqual([]);
        const others = texts.filter((b) => !cut.includes(b));
        expect(cut.filter((b) => others.some((o) => overlaps(b, o))).map(show)).toEqual([]);
        expect(cut.filter((b) => b.right > Number(options.width)).map(show)).toEqual([]);
      });
    }
  }
});

describe('satisfaction curve', () => {
  // The demo's levels on 0–10: level 0 has a rate of 0.
  const rates = [0, 0.33, 0.06, 0.15, 0.24, 0.22, 0.36, 0.52, 0.55, 0.72, 0.84];
  const ns = [4, 3, 16, 59, 107, 167, 184, 198, 178, 130, 109];
  const levels = rates.map((r, level) => ({ level, n: ns[level] ?? 0, repeat_customers: Math.round(r * (ns[level] ?? 0)), repurchase_rate: r }));

  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      it(`puts each rate label above the axis, right of it and off the dots (${locale}, ${width} px)`, () => {
        const options = satisfactionCurveChart(levels, chartContext(locale, width));
        const chart = chartOf(renderElement(options));
        const labels = textLines(chart).filter((b) => /%|n=/.test(b.text));
        // 330 px: (330 − 56 − 24 − 2·14) ÷ 10 = 22.2 px a level, under a label's 34: every second
        // level (0, 2, …, 10) is labelled. 520 px: 41.2 px a level, every level.
        const labelled = width < 520 ? levels.filter((l) => l.level % 2 === 0) : levels;
        expect(labels).toHaveLength(2 * labelled.length);
        expect(labels.filter((b) => /%/.test(b.text)).map((b) => b.text)).toEqual(labelled.map((l) => `${Math.round(l.repurchase_rate * 100)}%`));
        const circles = dots(chart);
        expect(circles).toHaveLength(levels.length);
        const axisY = Math.max(...circles.map((c) => (c.top + c.bottom) / 2));
        const left = Number(options.marginLeft ?? 0);
        expect(labels.filter((b) => b.bottom > axisY - 2 || b.left < left + 2).map(show)).toEqual([]);
        expect(labels.filter((b) => circles.some((c) => overlaps(b, c))).map(show)).toEqual([]);
        // Labels of neighbouring levels do not run into each other (two lines a label: pair them).
        const boxes = labels.reduce<Box[]>((out, b) => {
          const last = out[out.length - 1];
          if (last && Math.abs(last.bottom - b.top) < 2 && Math.abs((last.left + last.right) / 2 - (b.left + b.right) / 2) < 1) {
            out[out.length - 1] = { text: `${last.text} ${b.text}`, left: Math.min(last.left, b.left), right: Math.max(last.right, b.right), top: last.top, bottom: b.bottom };
          } else out.push(b);
          return out;
        }, []);
        expect(boxes).toHaveLength(labelled.length);
        const clash = boxes.filter((a, i) => boxes.some((b, j) => i !== j && overlaps(a, b)));
        expect(clash.map(show)).toEqual([]);
      });
    }
  }
});
