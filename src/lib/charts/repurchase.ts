/** Repurchase 复购 (METRICS.md §3): rows → Plot options. */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import { drillChannel } from './drill.ts';
import {
  PALETTE,
  baseOptions,
  chartHeight,
  emptyChart,
  formatCompact,
  formatInteger,
  formatPercent,
  integerTicks,
  isoDate,
  monthAxis,
  labelWidth,
  percentTick,
  SMALL_FILL,
  smallGroupTip,
  type ChartContext,
} from './theme.ts';
import type { Shown } from '../analyses/index.ts';
import type { Dimension } from '../model/schema.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';

import { DAY_BIN_EDGES, type DayBinRow } from '../analyses/common.ts';
import type { KmPoint, OrderCountRow, PeriodRepurchaseRow as PeriodResult, RepurchaseByDimRow } from '../analyses/repurchase.ts';

export type OrdersPerCustomerRow = Pick<OrderCountRow, 'bucket' | 'n_orders' | 'customers' | 'share'>;
export type DayBin = Pick<DayBinRow, 'lo' | 'hi' | 'n' | 'share'>;
export type SurvivalPoint = Pick<KmPoint, 'day' | 'cumulative' | 'at_risk'>;
/** `small` absent = not small. */
export type PeriodRepurchaseRow = Pick<PeriodResult, 'period' | 'next_period' | 'buyers' | 'returning' | 'rate' | 'complete'> & Partial<Pick<PeriodResult, 'small'>>;
export type DimensionRepurchaseRow = Pick<RepurchaseByDimRow, 'value' | 'customers' | 'repeat_customers' | 'repurchase_rate'> & Partial<Pick<RepurchaseByDimRow, 'small'>>;

export function ordersPerCustomerChart(rows: readonly OrdersPerCustomerRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 320)),
    x: { label: t('chart.repurchase.ordersAxis'), domain: rows.map((d) => d.bucket) },
    y: { label: t('chart.axis.customers'), ticks: integerTicks(0, Math.max(...rows.map((r) => r.customers))), tickFormat: (v: number) => formatCompact(locale, v), grid: true, insetTop: 14 },
    marks: [
      Plot.barY(rows, {
        x: 'bucket',
        y: 'customers',
        ...drillChannel(ctx.drill, (d: OrdersPerCustomerRow) => ({ drill: { kind: 'orderCount', orders: d.n_orders } })),
        fill: (d: OrdersPerCustomerRow) => (d.n_orders >= 2 ? PALETTE.primary : PALETTE.muted),
        title: (d: OrdersPerCustomerRow) =>
          `${t('chart.orders', { n: d.bucket })}: ${t('chart.customers', { n: formatInteger(locale, d.customers) })} (${formatPercent(locale, d.share)})`,
        tip: true,
      }),
      Plot.text(rows, {
        x: 'bucket',
        y: 'customers',
        text: (d: OrdersPerCustomerRow) => formatPercent(locale, d.share, 0),
        dy: -7,
        fill: PALETTE.ink,
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** "0–6", …, "365+": the bins are of unequal width, so they are categories, not a linear axis. */
export function dayBinLabel(ctx: ChartContext, b: Pick<DayBin, 'lo' | 'hi'>): string {
  return b.hi === null ? ctx.t('chart.repurchase.daysOpen', { from: b.lo }) : ctx.t('chart.repurchase.dayRange', { from: b.lo, to: b.hi - 1 });
}

/** The short form for axis ticks: "0–6", "365+". */
export function dayBinTick(b: Pick<DayBin, 'lo' | 'hi'>): string {
  return b.hi === null ? `${b.lo}+` : `${b.lo}–${b.hi - 1}`;
}

/** Day bins (days to second purchase, gaps between orders) as bars with their share. */
export function dayBinsChart(bins: readonly DayBin[], ctx: ChartContext, opts: { readonly yLabelKey: string; readonly drillDays?: boolean }): PlotOptions {
  const total = bins.reduce((s, b) => s + b.n, 0);
  if (bins.length === 0 || total === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const data = bins.map((b) => ({ ...b, label: dayBinTick(b), title: dayBinLabel(ctx, b) }));
  type Bin = (typeof data)[number];
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 320)),
    x: { label: t('chart.axis.days'), domain: data.map((b) => b.label) },
    y: { label: t(opts.yLabelKey), ticks: integerTicks(0, Math.max(...bins.map((b) => b.n))), tickFormat: (v: number) => formatCompact(locale, v), grid: true, insetTop: 14 },
    marks: [
      Plot.barY(data, {
        x: 'label',
        y: 'n',
        ...drillChannel(opts.drillDays ? ctx.drill : false, (b: Bin) => ({ drill: { kind: 'daysToSecond', bin: [0, ...DAY_BIN_EDGES].indexOf(b.lo) } })),
        fill: PALETTE.primary,
        title: (b: Bin) => `${b.title}: ${formatInteger(locale, b.n)} (${formatPercent(locale, b.share)})`,
        tip: true,
      }),
      Plot.text(data, { x: 'label', y: 'n', text: (b: Bin) => formatPercent(locale, b.share, 0), dy: -7, fill: PALETTE.ink }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** How many points of the Kaplan–Meier curve open a list (every row does in the table view). */
export const KM_POINTS = 40;

/** At most `max` of `xs`, evenly spaced through it, the first and the last included. */
export function evenly<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(xs[Math.round((k * (xs.length - 1)) / (max - 1))] as T);
  return out;
}

/** Kaplan–Meier cumulative share of customers who made a second purchase within d days. */
export function secondPurchaseCurveChart(points: readonly SurvivalPoint[], ctx: ChartContext): PlotOptions {
  if (points.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const first = points[0];
  const curve: SurvivalPoint[] = first !== undefined && first.day === 0 ? [...points] : [{ day: 0, cumulative: 0, at_risk: first?.at_risk ?? 0 }, ...points];
  const last = curve[curve.length - 1];
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 320)),
    x: { label: t('chart.repurchase.daysSinceFirst'), domain: [0, last?.day ?? 1] },
    y: { label: t('chart.repurchase.cumShare'), tickFormat: percentTick(locale), domain: [0, Math.max(0.1, ...curve.map((p) => p.cumulative))], grid: true },
    marks: [
      Plot.areaY(curve, { x: 'day', y: 'cumulative', curve: 'step-after', fill: PALETTE.primary, fillOpacity: 0.1 }),
      Plot.lineY(curve, { x: 'day', y: 'cumulative', curve: 'step-after', stroke: PALETTE.primary, strokeWidth: 2 }),
      // Points of the curve (at most KM_POINTS, evenly through it) open the customers still at risk there.
      ...(ctx.drill
        ? [
            Plot.dot(evenly(points, KM_POINTS), {
              x: 'day',
              y: 'cumulative',
              r: 3,
              fill: 'white',
              stroke: PALETTE.primary,
              ariaLabel: (p: SurvivalPoint) => `${t('chart.repurchase.kmTip', { days: formatInteger(locale, p.day), share: formatPercent(locale, p.cumulative) })} ${t('chart.repurchase.atRisk', { n: formatInteger(locale, p.at_risk) })}`,
              ...drillChannel(ctx.drill, (p: SurvivalPoint) => ({ drill: { kind: 'km', day: p.day, part: 'atRisk' } })),
            }),
          ]
        : []),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.tip(
        curve,
        Plot.pointerX({
          x: 'day',
          y: 'cumulative',
          title: (p: SurvivalPoint) =>
            t('chart.repurchase.kmTip', { days: formatInteger(locale, p.day), share: formatPercent(locale, p.cumulative) }) +
            `\n${t('chart.repurchase.atRisk', { n: formatInteger(locale, p.at_risk) })}`,
        }),
      ),
    ],
  };
}

/** 回购率 month over month; a month whose next month has not ended is drawn hollow, a small month grey. */
export function periodRepurchaseChart(rows: readonly PeriodRepurchaseRow[], ctx: ChartContext): PlotOptions {
  const data = rows.filter((r) => r.rate !== null).map((r) => ({ ...r, date: isoDate(`${r.period}-01`) }));
  if (data.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  type Point = (typeof data)[number];
  const complete = data.filter((d) => d.complete);
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 300)),
    x: monthAxis(ctx, data.map((d) => d.date)),
    y: { label: t('chart.repurchase.periodRate'), tickFormat: percentTick(locale), domain: [0, Math.max(0.1, ...data.map((d) => d.rate ?? 0))], grid: true },
    marks: [
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.lineY(complete, { x: 'date', y: 'rate', stroke: PALETTE.primary, strokeWidth: 2 }),
      Plot.dot(data, {
        x: 'date',
        ...drillChannel(ctx.drill, (p: Point) => ({ drill: { kind: 'nextMonth', period: p.period, returning: true } })),
        y: 'rate',
        stroke: (d: Point) => (d.small ? PALETTE.muted : PALETTE.primary),
        fill: (d: Point) => (!d.complete ? 'white' : d.small ? PALETTE.muted : PALETTE.primary),
        r: 3,
        title: (d: Point) =>
          [
            `${d.period} → ${d.next_period}: ${formatPercent(locale, d.rate)}`,
            t('chart.repurchase.returnedOf', { returned: formatInteger(locale, d.returning), customers: formatInteger(locale, d.buyers) }),
            ...(d.complete ? [] : [t('chart.repurchase.incomplete')]),
            ...(d.small ? [smallGroupTip(ctx)] : []),
          ].join('\n'),
        tip: true,
      }),
    ],
  };
}

/**
 * Repurchase rate per value of one dimension of the first order, with n on each bar; small
 * groups grey and below the others (each part sorted by rate).
 */
export function dimensionRepurchaseChart(rows: readonly DimensionRepurchaseRow[], ctx: ChartContext, dimension?: Dimension): PlotOptions {
  const { locale, t } = ctx;
  const data = rows
    .filter((r) => r.repurchase_rate !== null)
    .map((r) => ({ ...r, label: r.value ?? t('chart.blank'), rate: r.repurchase_rate ?? 0 }));
  if (data.length === 0) return emptyChart(ctx);
  type Bar = (typeof data)[number];
  const order = [...data]
    .sort((a, b) => Number(a.small ?? false) - Number(b.small ?? false) || b.rate - a.rate || a.label.localeCompare(b.label))
    .map((r) => r.label);
  const longest = Math.max(...order.map((v) => labelWidth(v)));
  return {
    ...baseOptions(ctx, Math.max(120, 28 * order.length + 60)),
    marginLeft: Math.min(180, 16 + longest),
    marginRight: 96,
    x: { label: t('chart.repurchaseRate'), tickFormat: percentTick(locale), domain: [0, Math.max(0.1, ...data.map((d) => d.rate))], grid: true },
    y: { label: null, domain: order },
    marks: [
      Plot.barX(data, {
        x: 'rate',
        y: 'label',
        ...drillChannel(dimension === undefined ? false : ctx.drill, (r: Bar) => (dimension === undefined ? null : { drill: { kind: 'firstDimension', dimension, value: r.value } })),
        fill: (r: Bar) => (r.small ? SMALL_FILL : PALETTE.primary),
        title: (r: Bar) =>
          `${r.label}: ${formatPercent(locale, r.rate)}\n${t('chart.repurchase.returnedOf', { returned: formatInteger(locale, r.repeat_customers), customers: formatInteger(locale, r.customers) })}` +
          (r.small ? `\n${smallGroupTip(ctx)}` : ''),
        tip: true,
      }),
      Plot.text(data, {
        x: 'rate',
        y: 'label',
        text: (r: Bar) => `${formatPercent(locale, r.rate, 0)} (n=${formatInteger(locale, r.customers)})`,
        textAnchor: 'start',
        dx: 4,
        fill: (r: Bar) => (r.small ? PALETTE.muted : PALETTE.ink),
      }),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The Repurchase panel's chart cards, in page order (one per mapped dimension at the end). */
export function repurchaseCards(result: Shown<'repurchase'>, settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const { t } = ctx;
  const f = cardFormat(ctx);
  const r = result.repurchase;
  // The repeat buyers' median: the histogram below is of those who came back.
  const median = r.summary.median_days_to_second_repeaters;
  let within90: number | null = null;
  for (const p of r.km) if (p.day <= 90) within90 = p.cumulative;
  const completeMonths = r.byPeriod.filter((p) => p.complete && p.rate !== null);
  const meanPeriodRate =
    completeMonths.length === 0 ? null : completeMonths.reduce((s, p) => s + p.returning, 0) / Math.max(1, completeMonths.reduce((s, p) => s + p.buyers, 0));
  const gapTotal = r.gaps.reduce((s, b) => s + b.n, 0);
  const shortGaps = gapTotal === 0 ? null : r.gaps.filter((b) => b.hi !== null && b.hi <= 30).reduce((s, b) => s + b.n, 0) / gapTotal;
  const dims = [...new Set(r.byDimension.map((d) => d.dimension))];
  const dimCard = (dim: Dimension): ChartCardSpec => {
    const rows = r.byDimension.filter((d) => d.dimension === dim);
    // A small group never heads the card, however high its rate.
    const rated = rows.filter((d) => d.repurchase_rate !== null);
    const best = rated.filter((d) => !d.small).sort((a, b) => (b.repurchase_rate ?? 0) - (a.repurchase_rate ?? 0) || b.customers - a.customers)[0];
    const dimName = t(`dash.dim.${dim}`);
    return {
      id: `repurchase-by-${dim}`,
      title: best
        ? t('dash.repurchase.dimTitle', { dim: dimName, value: best.value ?? t('chart.blank'), rate: f.pct(best.repurchase_rate) })
        : rated.length > 0
          ? t('dash.repurchase.dimAllSmall', { dim: dimName, min: f.int(settings.minGroupSize) })
          : t('dash.repurchase.dimNone', { dim: dimName }),
      subtitle: t('dash.repurchase.dimSubtitle', { dim: dimName }),
      build: (w) => dimensionRepurchaseChart(rows, { ...chartContextOf(ctx, w), minGroupSize: settings.minGroupSize }, dim),
    };
  };
  return [
    {
      id: 'orders-per-customer',
      title: t('dash.repurchase.countsTitle', { share: f.pct(r.orderCounts.find((c) => c.n_orders === 1)?.share ?? null) }),
      subtitle: t('dash.repurchase.countsSubtitle'),
      build: (w) => ordersPerCustomerChart(r.orderCounts, chartContextOf(ctx, w)),
    },
    {
      id: 'km',
      title: within90 === null ? t('dash.repurchase.kmNone') : t('dash.repurchase.kmTitle', { share: f.pct(within90) }),
      subtitle: t('dash.repurchase.kmSubtitle'),
      build: (w) => secondPurchaseCurveChart(r.km, chartContextOf(ctx, w)),
    },
    {
      id: 'days-to-second',
      title: median === null ? t('dash.repurchase.secondNone') : t('dash.repurchase.secondTitle', { days: f.num(median, 0) }),
      subtitle: t('dash.repurchase.secondSubtitle'),
      build: (w) => dayBinsChart(r.daysToSecond, chartContextOf(ctx, w), { yLabelKey: 'chart.axis.customers', drillDays: true }),
    },
    {
      id: 'gaps',
      title: shortGaps === null ? t('dash.repurchase.gapsNone') : t('dash.repurchase.gapsTitle', { share: f.pct(shortGaps) }),
      subtitle: t('dash.repurchase.gapsSubtitle'),
      build: (w) => dayBinsChart(r.gaps, chartContextOf(ctx, w), { yLabelKey: 'dash.col.gaps' }),
    },
    {
      id: 'period-repurchase',
      title: meanPeriodRate === null ? t('dash.repurchase.periodNone') : t('dash.repurchase.periodTitle', { rate: f.pct(meanPeriodRate, 1) }),
      subtitle: t('dash.repurchase.periodSubtitle'),
      build: (w) => periodRepurchaseChart(r.byPeriod, { ...chartContextOf(ctx, w), minGroupSize: settings.minGroupSize }),
    },
    ...dims.map(dimCard),
  ];
}
