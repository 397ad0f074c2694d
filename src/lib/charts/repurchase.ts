/** Repurchase 复购 (METRICS.md §3): rows → Plot options. */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import {
  PALETTE,
  baseOptions,
  chartHeight,
  emptyChart,
  formatCompact,
  formatInteger,
  formatPercent,
  isoDate,
  percentTick,
  type ChartContext,
} from './theme.ts';

/** Customers by number of purchase orders; the analysis may cap the last bucket (`capped`). */
export interface OrdersPerCustomerRow {
  readonly n_orders: number;
  readonly customers: number;
  /** True for the last, open-ended bucket ("10+"). */
  readonly capped?: boolean;
}

/** A histogram bin over days, [from, to). */
export interface DayBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** Kaplan–Meier: cumulative share of customers with a second purchase within `day` days. */
export interface SurvivalPoint {
  readonly day: number;
  readonly cum_share: number;
  /** Customers still at risk just before `day`. */
  readonly at_risk?: number;
}

/** 回购率: of the customers buying in `period`, the share buying again in the next period. */
export interface PeriodRepurchaseRow {
  readonly period: string;
  readonly customers: number;
  readonly returned: number;
  readonly rate: number | null;
}

/** Repurchase rate by the category/channel/region of the first order. */
export interface DimensionRepurchaseRow {
  readonly dimension: string;
  readonly value: string;
  readonly customers: number;
  readonly repeaters: number;
  readonly rate: number | null;
}

export function ordersPerCustomerChart(rows: readonly OrdersPerCustomerRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const total = rows.reduce((s, r) => s + r.customers, 0);
  const label = (r: OrdersPerCustomerRow): string => (r.capped ? `${r.n_orders}+` : String(r.n_orders));
  const data = rows.map((r) => ({ ...r, label: label(r), share: total > 0 ? r.customers / total : 0 }));
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 320)),
    x: { label: t('chart.repurchase.ordersAxis'), domain: data.map((d) => d.label) },
    y: { label: t('chart.axis.customers'), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    marks: [
      Plot.barY(data, {
        x: 'label',
        y: 'customers',
        fill: (d: OrdersPerCustomerRow) => (d.n_orders >= 2 ? PALETTE.primary : PALETTE.muted),
        title: (d: (typeof data)[number]) =>
          `${t('chart.orders', { n: d.label })}: ${t('chart.customers', { n: formatInteger(locale, d.customers) })} (${formatPercent(locale, d.share)})`,
        tip: true,
      }),
      Plot.text(data, {
        x: 'label',
        y: 'customers',
        text: (d: (typeof data)[number]) => formatPercent(locale, d.share, 0),
        dy: -7,
        fill: PALETTE.ink,
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** A histogram of day bins (days to second purchase, gaps between orders). */
export function dayHistogramChart(
  bins: readonly DayBin[],
  ctx: ChartContext,
  opts: { readonly yLabelKey: string; readonly median?: number | null },
): PlotOptions {
  if (bins.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const median = opts.median ?? null;
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 320)),
    x: { label: t('chart.axis.days'), domain: [0, Math.max(...bins.map((b) => b.to))] },
    y: { label: t(opts.yLabelKey), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    marks: [
      Plot.rectY(bins, {
        x1: 'from',
        x2: 'to',
        y: 'count',
        inset: 0.5,
        fill: PALETTE.primary,
        title: (b: DayBin) => `${t('chart.repurchase.dayRange', { from: b.from, to: b.to })}: ${formatInteger(locale, b.count)}`,
        tip: true,
      }),
      ...(median === null
        ? []
        : [
            Plot.ruleX([median], { stroke: PALETTE.accent, strokeWidth: 1.5, strokeDasharray: '4,3' }),
            Plot.text([median], {
              x: (d: number) => d,
              text: () => t('chart.repurchase.median', { days: formatInteger(locale, median) }),
              frameAnchor: 'top',
              textAnchor: 'start',
              dx: 4,
              fill: PALETTE.accent,
            }),
          ]),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** Kaplan–Meier cumulative share of customers who made a second purchase within d days. */
export function secondPurchaseCurveChart(points: readonly SurvivalPoint[], ctx: ChartContext): PlotOptions {
  if (points.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const first = points[0];
  const curve: SurvivalPoint[] = first !== undefined && first.day === 0 ? [...points] : [{ day: 0, cum_share: 0 }, ...points];
  const last = curve[curve.length - 1];
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 320)),
    x: { label: t('chart.repurchase.daysSinceFirst'), domain: [0, last?.day ?? 1] },
    y: { label: t('chart.repurchase.cumShare'), tickFormat: percentTick(locale), domain: [0, Math.max(0.1, ...curve.map((p) => p.cum_share))], grid: true },
    marks: [
      Plot.areaY(curve, { x: 'day', y: 'cum_share', curve: 'step-after', fill: PALETTE.primary, fillOpacity: 0.1 }),
      Plot.lineY(curve, { x: 'day', y: 'cum_share', curve: 'step-after', stroke: PALETTE.primary, strokeWidth: 2 }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.tip(
        curve,
        Plot.pointerX({
          x: 'day',
          y: 'cum_share',
          title: (p: SurvivalPoint) =>
            t('chart.repurchase.kmTip', { days: formatInteger(locale, p.day), share: formatPercent(locale, p.cum_share) }) +
            (p.at_risk === undefined ? '' : `\n${t('chart.repurchase.atRisk', { n: formatInteger(locale, p.at_risk) })}`),
        }),
      ),
    ],
  };
}

/** 回购率 period over period, with the base (customers buying in t) in the tip. */
export function periodRepurchaseChart(rows: readonly PeriodRepurchaseRow[], ctx: ChartContext): PlotOptions {
  const data = rows.filter((r) => r.rate !== null).map((r) => ({ ...r, date: isoDate(r.period) }));
  if (data.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 300)),
    x: { type: 'utc', label: null },
    y: { label: t('chart.repurchase.periodRate'), tickFormat: percentTick(locale), domain: [0, Math.max(0.1, ...data.map((d) => d.rate ?? 0))], grid: true },
    marks: [
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.lineY(data, { x: 'date', y: 'rate', stroke: PALETTE.primary, strokeWidth: 2 }),
      Plot.dot(data, {
        x: 'date',
        y: 'rate',
        fill: PALETTE.primary,
        r: 3,
        title: (d: (typeof data)[number]) =>
          `${d.period.slice(0, 10)}: ${formatPercent(locale, d.rate)}\n${t('chart.repurchase.returnedOf', { returned: formatInteger(locale, d.returned), customers: formatInteger(locale, d.customers) })}`,
        tip: true,
      }),
    ],
  };
}

/** Repurchase rate per value of one dimension of the first order, with n on each bar. */
export function dimensionRepurchaseChart(rows: readonly DimensionRepurchaseRow[], ctx: ChartContext): PlotOptions {
  const data = rows.filter((r) => r.rate !== null);
  if (data.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const order = [...data].sort((a, b) => (b.rate ?? 0) - (a.rate ?? 0) || a.value.localeCompare(b.value)).map((r) => r.value);
  const longest = Math.max(...order.map((v) => [...v].length));
  return {
    ...baseOptions(ctx, Math.max(120, 28 * order.length + 60)),
    marginLeft: Math.min(180, 16 + 8 * longest),
    marginRight: 72,
    x: { label: t('chart.repurchaseRate'), tickFormat: percentTick(locale), domain: [0, Math.max(0.1, ...data.map((d) => d.rate ?? 0))], grid: true },
    y: { label: null, domain: order },
    marks: [
      Plot.barX(data, {
        x: 'rate',
        y: 'value',
        fill: PALETTE.primary,
        title: (r: DimensionRepurchaseRow) =>
          `${r.value}: ${formatPercent(locale, r.rate)}\n${t('chart.repurchase.returnedOf', { returned: formatInteger(locale, r.repeaters), customers: formatInteger(locale, r.customers) })}`,
        tip: true,
      }),
      Plot.text(data, {
        x: 'rate',
        y: 'value',
        text: (r: DimensionRepurchaseRow) => `${formatPercent(locale, r.rate, 0)} (n=${formatInteger(locale, r.customers)})`,
        textAnchor: 'start',
        dx: 4,
        fill: PALETTE.ink,
      }),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}
