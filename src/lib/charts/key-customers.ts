/**
 * Key customers (METRICS.md §10): revenue × margin with the two cut lines, and each class's
 * share of profit.
 */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import { drillChannel } from './drill.ts';
import type { Shown } from '../analyses/index.ts';
import type { KeyClassRow, KeyPoint } from '../analyses/key-customers.ts';
import type { KeyClass } from '../analyses/segments.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';
import { baseOptions, chartHeight, emptyChart, formatMoney, formatPercent, labelWidth, moneyLabel, OKABE_ITO, PALETTE, percentTick, type ChartContext } from './theme.ts';

export const KEY_CLASS_COLORS: Readonly<Record<KeyClass, string>> = {
  red: OKABE_ITO.vermillion,
  white: OKABE_ITO.sky,
  dark: PALETTE.ink,
  potential: OKABE_ITO.green,
  ordinary: '#B8C2CC',
};
const ORDER: readonly KeyClass[] = ['red', 'white', 'potential', 'ordinary', 'dark'];

/** Revenue (log) × margin, one dot per customer, with the overall margin and the large-customer cut. */
export function keyScatterChart(points: readonly KeyPoint[], ctx: ChartContext, cuts: { readonly overallMargin: number | null; readonly largeCut: number | null }): PlotOptions {
  if (points.length === 0) return emptyChart(ctx);
  const { t, locale } = ctx;
  const label = (c: KeyClass) => t(`chart.key.class.${c}`);
  const margins = points.map((p) => p.margin);
  // Margins far below zero (a big return) would squash the rest: clamp the axis to [-1, max].
  const lo = Math.max(-1, Math.min(0, ...margins));
  const hi = Math.max(0.05, ...margins);
  const marks: Plot.Markish[] = [
    Plot.ruleY([0], { stroke: PALETTE.grid }),
    Plot.dot(points, {
      x: 'value',
      y: (p: KeyPoint) => Math.max(lo, Math.min(hi, p.margin)),
      fill: (p: KeyPoint) => label(p.key_class),
      r: 3,
      fillOpacity: 0.75,
      title: (p: KeyPoint) => `${p.customer_id} · ${label(p.key_class)}\n${formatMoney(locale, p.value, ctx.currency ?? null)} · ${formatPercent(locale, p.margin, 1)}`,
      tip: true,
    }),
  ];
  if (cuts.overallMargin !== null) {
    marks.push(
      Plot.ruleY([cuts.overallMargin], { stroke: PALETTE.inkSoft, strokeDasharray: '4,3' }),
      Plot.text([cuts.overallMargin], { y: (v: number) => v, frameAnchor: 'right', dy: -7, text: () => t('chart.key.overallMargin', { m: formatPercent(locale, cuts.overallMargin, 1) }), fill: PALETTE.inkSoft, fontSize: 10 }),
    );
  }
  if (cuts.largeCut !== null && cuts.largeCut > 0) {
    marks.push(
      Plot.ruleX([cuts.largeCut], { stroke: PALETTE.inkSoft, strokeDasharray: '4,3' }),
      Plot.text([cuts.largeCut], { x: (v: number) => v, frameAnchor: 'top', dy: -10, text: () => t('chart.key.largeCut'), fill: PALETTE.inkSoft, fontSize: 10, textAnchor: 'start', dx: 4 }),
    );
  }
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.6, 260, 460)),
    marginLeft: 56,
    x: { type: 'log', label: moneyLabel(ctx, 'chart.axis.value'), grid: true },
    y: { label: t('chart.key.margin'), tickFormat: percentTick(locale), domain: [lo, hi], grid: true },
    color: { domain: ORDER.map(label), range: ORDER.map((c) => KEY_CLASS_COLORS[c]), legend: true },
    marks,
  };
}

/** Each class's share of all profit (dark faces pull it below zero). */
export function keyClassesChart(rows: readonly KeyClassRow[], ctx: ChartContext): PlotOptions {
  const shown = rows.filter((r) => r.customers > 0);
  if (shown.length === 0) return emptyChart(ctx);
  const { t, locale } = ctx;
  const label = (c: KeyClass) => t(`chart.key.class.${c}`);
  return {
    ...baseOptions(ctx, Math.max(160, 50 + shown.length * 30)),
    marginLeft: Math.min(200, Math.max(...shown.map((r) => labelWidth(label(r.key_class)))) + 16),
    marginRight: 56,
    x: { label: t('chart.key.profitShare'), tickFormat: percentTick(locale), grid: true },
    y: { label: null, domain: shown.map((r) => label(r.key_class)), padding: 0.25 },
    marks: [
      Plot.barX(shown, { x: (r: KeyClassRow) => r.profit_share ?? 0, y: (r: KeyClassRow) => label(r.key_class), fill: (r: KeyClassRow) => KEY_CLASS_COLORS[r.key_class], ...drillChannel(ctx.drill, (r: KeyClassRow) => ({ drill: { kind: 'keyClass', keyClass: r.key_class } })) }),
      Plot.text(shown, {
        x: (r: KeyClassRow) => r.profit_share ?? 0,
        y: (r: KeyClassRow) => label(r.key_class),
        text: (r: KeyClassRow) => formatPercent(locale, r.profit_share, 0),
        dx: 4,
        textAnchor: 'start',
        fill: PALETTE.ink,
        fontSize: 10,
      }),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}

export function keyCustomersCards(result: Shown<'key_customers'>, _settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const k = result.key_customers;
  if (!k.hasProfit) return [];
  const { t } = ctx;
  const f = cardFormat(ctx);
  const red = k.classes.find((c) => c.key_class === 'red');
  const dark = k.classes.find((c) => c.key_class === 'dark');
  return [
    {
      id: 'key-scatter',
      title: red ? t('dash.key.scatterTitle', { n: f.int(red.customers), share: f.pct(red.profit_share) }) : t('dash.key.scatterNone'),
      subtitle:
        k.pointsTotal > k.points.length
          ? t('dash.key.scatterSubtitleThin', { shown: f.int(k.points.length), total: f.int(k.pointsTotal), m: f.pct(k.summary.overall_margin, 1) })
          : t('dash.key.scatterSubtitle', { m: f.pct(k.summary.overall_margin, 1) }),
      printSubtitle: t('dash.key.scatterSubtitlePrint', { m: f.pct(k.summary.overall_margin, 1) }),
      build: (w) => keyScatterChart(k.points, chartContextOf(ctx, w), { overallMargin: k.summary.overall_margin, largeCut: k.largeCut }),
    },
    {
      id: 'key-classes',
      title: dark && dark.customers > 0 ? t('dash.key.classesTitleDark', { n: f.int(dark.customers), profit: f.money(dark.profit) }) : t('dash.key.classesTitle', { profit: f.money(k.summary.total_profit) }),
      subtitle: t('dash.key.classesSubtitle'),
      build: (w) => keyClassesChart(k.classes, chartContextOf(ctx, w)),
    },
  ];
}
