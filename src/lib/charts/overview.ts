/** Overview (METRICS.md §2): activity over time. */
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
  formatMoney,
  formatMonth,
  integerTicks,
  isoDate,
  moneyLabel,
  monthAxis,
  type ChartContext,
} from './theme.ts';
import type { Shown } from '../analyses/index.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';
import { activeLapsedChart } from './retention.ts';

/** One calendar month of activity. */
export interface PeriodActivityRow {
  /** ISO date of the first day of the month. */
  readonly period: string;
  /** Sum of the amounts of the kept lines dated in the month (net of returns). */
  readonly revenue: number;
  /** Purchase orders dated in the month. */
  readonly orders: number;
  /** Customers with a purchase order in the month. */
  readonly customers: number;
  /** Of those, customers whose first purchase order is in the month. */
  readonly new_customers: number;
}

/** Net revenue per month as bars from a zero baseline. */
export function revenueTrendChart(rows: readonly PeriodActivityRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const data = rows.map((r) => ({ ...r, date: isoDate(r.period) }));
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 300)),
    x: monthAxis(ctx, data.map((r) => r.date), { centred: true }),
    y: { label: moneyLabel(ctx, 'chart.axis.revenue'), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    marks: [
      Plot.rectY(data, {
        x: 'date',
        interval: 'month',
        y: 'revenue',
        ...drillChannel(ctx.drill, (r: (typeof data)[number]) => ({ drill: { kind: 'month', month: r.period, newOnly: false } })),
        inset: 1,
        fill: (r: PeriodActivityRow) => (r.revenue < 0 ? PALETTE.accent : PALETTE.primary),
        title: (r: PeriodActivityRow & { date: Date }) =>
          [
            formatMonth(locale, r.date),
            `${t('chart.axis.revenue')}: ${formatMoney(locale, r.revenue, ctx.currency)}`,
            t('chart.orders', { n: formatInteger(locale, r.orders) }),
          ].join('\n'),
        tip: true,
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

interface CustomerMix {
  readonly date: Date;
  readonly kind: 'new' | 'returning';
  readonly customers: number;
  readonly title: string;
}

/** Customers active per month, split into new and returning (stacked; the total is the bar). */
export function customerMixChart(rows: readonly PeriodActivityRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const data: CustomerMix[] = rows.flatMap((r) => {
    const date = isoDate(r.period);
    const returning = r.customers - r.new_customers;
    const head = formatMonth(locale, date);
    const title = `${head}\n${t('chart.overview.new')}: ${formatInteger(locale, r.new_customers)}\n${t('chart.overview.returning')}: ${formatInteger(locale, returning)}`;
    return [
      { date, kind: 'returning' as const, customers: returning, title },
      { date, kind: 'new' as const, customers: r.new_customers, title },
    ];
  });
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 300)),
    x: monthAxis(ctx, data.map((r) => r.date), { centred: true }),
    y: { label: t('chart.axis.customers'), ticks: integerTicks(0, Math.max(...rows.map((r) => r.customers))), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    color: {
      domain: ['returning', 'new'],
      range: [PALETTE.primary, PALETTE.secondary],
      legend: true,
      tickFormat: (k: string) => t(`chart.overview.${k}`),
    },
    marks: [
      Plot.rectY(data, Plot.stackY({ x: 'date', interval: 'month', y: 'customers', fill: 'kind', inset: 1, title: 'title', tip: true, order: ['returning', 'new'], ...drillChannel(ctx.drill, (r: CustomerMix) => (r.kind === 'new' ? { drill: { kind: 'month', month: r.date.toISOString().slice(0, 10), newOnly: true } } : null)) })),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The Overview's chart cards, in page order. */
export function overviewCards(result: Shown<'overview'>, settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const { t, locale } = ctx;
  const f = cardFormat(ctx);
  const trend = result.overview.trend;
  const activity = result.overview.activity;
  const days = settings.churnWindowDays;
  const month = (period: string): string => formatMonth(locale, isoDate(period));
  const best = trend.reduce<(typeof trend)[number] | null>((b, r) => (r.orders > 0 && (b === null || r.revenue > b.revenue) ? r : b), null);
  const lastBuying = [...trend].reverse().find((r) => r.customers > 0);
  const last = activity[activity.length - 1];
  return [
    {
      id: 'revenue-trend',
      title: best ? t('dash.trend.revenueTitle', { month: month(best.period), revenue: f.money(best.revenue) }) : t('dash.trend.titleNone'),
      subtitle: t('dash.trend.revenueSubtitle'),
      build: (w) => revenueTrendChart(trend, chartContextOf(ctx, w)),
    },
    {
      id: 'customer-mix',
      title: lastBuying
        ? t('dash.trend.customersTitle', { share: f.pct(lastBuying.new_customers / lastBuying.customers), month: month(lastBuying.period) })
        : t('dash.trend.titleNone'),
      subtitle: t('dash.trend.customersSubtitle'),
      build: (w) => customerMixChart(trend, chartContextOf(ctx, w)),
    },
    {
      id: 'activity',
      title: last ? t('dash.activity.title', { active: f.int(last.active), total: f.int(last.active + last.lapsed), days }) : t('dash.activity.titleNone'),
      subtitle: t('dash.activity.subtitle', { days }),
      build: (w) => activeLapsedChart(activity, chartContextOf(ctx, w), days),
    },
  ];
}
