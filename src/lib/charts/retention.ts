/** Retention by cohort (METRICS.md §5): rows → Plot options. */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import {
  OKABE_ITO,
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

/** One cell of the cohort triangle. */
export interface CohortCell {
  /** ISO date of the first day of the cohort's period. */
  readonly cohort: string;
  /** Periods since the cohort's period (0 = the first). */
  readonly k: number;
  /** Customers in the cohort. */
  readonly size: number;
  /** Retention in this cell (customers or revenue, "on" or "on or after"); null when undefined. */
  readonly rate: number | null;
  /** Period c + k ended on or before as-of. */
  readonly complete: boolean;
}

/** The size-weighted average curve over complete cells. */
export interface AverageRetentionRow {
  readonly k: number;
  readonly rate: number | null;
  /** Cohorts whose cell (c, k) is complete. */
  readonly cohorts: number;
}

/** Active and lapsed customers at the end of each period (churn window W). */
export interface ActiveLapsedRow {
  readonly period: string;
  readonly active: number;
  readonly lapsed: number;
}

export type CohortPeriodKind = 'week' | 'month' | 'quarter';

export function cohortLabel(ctx: ChartContext, cohort: string, period: CohortPeriodKind): string {
  const d = isoDate(cohort);
  if (period === 'quarter') return `${d.getUTCFullYear()} Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  if (period === 'week') return cohort.slice(0, 10);
  return new Intl.DateTimeFormat(ctx.locale, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(d);
}

/** Cohort triangle: rows = cohorts, columns = k; incomplete cells are lighter and dashed. */
export function cohortHeatmapChart(
  cells: readonly CohortCell[],
  ctx: ChartContext,
  opts: { readonly period: CohortPeriodKind; readonly measure: 'customers' | 'revenue' },
): PlotOptions {
  const data = cells.filter((c) => c.rate !== null);
  if (data.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const cohorts = [...new Set(data.map((c) => c.cohort))].sort();
  const ks = [...new Set(data.map((c) => c.k))].sort((a, b) => a - b);
  const label = (c: string): string => cohortLabel(ctx, c, opts.period);
  // Period 0 is 100 % by definition; colour the rest on their own range so it stays readable.
  const later = data.filter((c) => c.k > 0).map((c) => c.rate ?? 0);
  const top = later.length === 0 ? 1 : Math.max(0.05, ...later);
  const cellWidth = (ctx.width - 110) / Math.max(1, ks.length);
  const showText = cellWidth >= 34;
  const tipText = (c: CohortCell): string =>
    [
      `${label(c.cohort)} · ${t('chart.retention.periodK', { k: c.k })}`,
      `${t(opts.measure === 'revenue' ? 'chart.retention.revenueRetention' : 'chart.retention.customerRetention')}: ${formatPercent(locale, c.rate)}`,
      t('chart.retention.cohortSize', { n: formatInteger(locale, c.size) }),
      ...(c.complete ? [] : [t('chart.retention.incomplete')]),
    ].join('\n');
  return {
    ...baseOptions(ctx, Math.max(140, 22 * cohorts.length + 70)),
    marginLeft: 96,
    marginTop: 40,
    padding: 0.04,
    x: { label: t('chart.retention.periodsAxis', { period: t(`chart.retention.period.${opts.period}`) }), axis: 'top', domain: ks },
    y: { label: null, domain: cohorts, tickFormat: label },
    color: {
      type: 'linear',
      scheme: PALETTE.sequential,
      domain: [0, top],
      clamp: true,
      legend: true,
      tickFormat: percentTick(locale),
      label: t(opts.measure === 'revenue' ? 'chart.retention.revenueRetention' : 'chart.retention.customerRetention'),
    },
    marks: [
      Plot.cell(data.filter((c) => c.complete), { x: 'k', y: 'cohort', fill: 'rate', title: tipText, tip: true }),
      Plot.cell(data.filter((c) => !c.complete), {
        x: 'k',
        y: 'cohort',
        fill: 'rate',
        fillOpacity: 0.35,
        stroke: PALETTE.muted,
        strokeDasharray: '3,2',
        inset: 1,
        title: tipText,
        tip: true,
      }),
      ...(showText
        ? [
            Plot.text(data, {
              x: 'k',
              y: 'cohort',
              text: (c: CohortCell) => formatPercent(locale, c.rate, 0),
              fill: (c: CohortCell) => ((c.rate ?? 0) > top * 0.55 && c.complete ? 'white' : PALETTE.ink),
              fontSize: 10,
            }),
          ]
        : []),
    ],
  };
}

interface CurvePoint {
  readonly series: string;
  readonly k: number;
  readonly rate: number;
}

const SERIES_COLOURS = [OKABE_ITO.orange, OKABE_ITO.green, OKABE_ITO.purple, OKABE_ITO.vermillion, OKABE_ITO.sky, OKABE_ITO.yellow];

/** The size-weighted average curve (bold) and the selected cohorts (thin, complete cells only). */
export function retentionCurvesChart(
  average: readonly AverageRetentionRow[],
  cells: readonly CohortCell[],
  ctx: ChartContext,
  opts: { readonly period: CohortPeriodKind; readonly selected: readonly string[] },
): PlotOptions {
  const { locale, t } = ctx;
  const avgName = t('chart.retention.average');
  const avg: CurvePoint[] = average.flatMap((r) => (r.rate === null ? [] : [{ series: avgName, k: r.k, rate: r.rate }]));
  const selected = opts.selected.map((c) => cohortLabel(ctx, c, opts.period));
  const lines: CurvePoint[] = cells.flatMap((c) =>
    c.complete && c.rate !== null && opts.selected.includes(c.cohort) ? [{ series: cohortLabel(ctx, c.cohort, opts.period), k: c.k, rate: c.rate }] : [],
  );
  if (avg.length === 0 && lines.length === 0) return emptyChart(ctx);
  const all = [...avg, ...lines];
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 340)),
    x: { label: t('chart.retention.periodsAxis', { period: t(`chart.retention.period.${opts.period}`) }), domain: [0, Math.max(1, ...all.map((p) => p.k))] },
    y: { label: t('chart.retention.customerRetention'), tickFormat: percentTick(locale), domain: [0, Math.max(0.1, ...all.filter((p) => p.k > 0).map((p) => p.rate))], clamp: true, grid: true },
    color: {
      domain: [avgName, ...selected],
      range: [PALETTE.primary, ...SERIES_COLOURS.slice(0, selected.length)],
      legend: selected.length > 0,
    },
    marks: [
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.lineY(lines, { x: 'k', y: 'rate', z: 'series', stroke: 'series', strokeWidth: 1.5, strokeOpacity: 0.9 }),
      Plot.lineY(avg, { x: 'k', y: 'rate', stroke: 'series', strokeWidth: 3 }),
      Plot.dot(all, {
        x: 'k',
        y: 'rate',
        stroke: 'series',
        fill: 'white',
        r: 2.5,
        title: (p: CurvePoint) => `${p.series} · ${t('chart.retention.periodK', { k: p.k })}: ${formatPercent(locale, p.rate)}`,
        tip: true,
      }),
    ],
  };
}

interface ActiveLapsedPoint {
  readonly date: Date;
  readonly status: 'active' | 'lapsed';
  readonly customers: number;
}

/** Active vs lapsed customers over time (stacked areas from zero). */
export function activeLapsedChart(rows: readonly ActiveLapsedRow[], ctx: ChartContext, churnWindowDays: number): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const data: ActiveLapsedPoint[] = rows.flatMap((r) => {
    const date = isoDate(r.period);
    return [
      { date, status: 'active' as const, customers: r.active },
      { date, status: 'lapsed' as const, customers: r.lapsed },
    ];
  });
  const label = (s: string): string => t(`chart.retention.${s}`, { days: churnWindowDays });
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 300)),
    x: { type: 'utc', label: null },
    y: { label: t('chart.axis.customers'), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    color: { domain: ['active', 'lapsed'], range: [PALETTE.primary, PALETTE.tiers.C], legend: true, tickFormat: label },
    marks: [
      Plot.areaY(data, Plot.stackY({ x: 'date', y: 'customers', fill: 'status', order: ['active', 'lapsed'], curve: 'step-after' })),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.tip(
        rows.map((r) => ({ ...r, date: isoDate(r.period) })),
        Plot.pointerX({
          x: 'date',
          y: (r: ActiveLapsedRow) => r.active + r.lapsed,
          title: (r: ActiveLapsedRow) =>
            `${r.period.slice(0, 10)}\n${label('active')}: ${formatInteger(locale, r.active)}\n${label('lapsed')}: ${formatInteger(locale, r.lapsed)}`,
        }),
      ),
    ],
  };
}
