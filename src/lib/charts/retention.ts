/** Retention by cohort (METRICS.md §5): rows → Plot options. */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import { drillChannel } from './drill.ts';
import {
  OKABE_ITO,
  PALETTE,
  baseOptions,
  chartHeight,
  emptyChart,
  formatCompact,
  formatInteger,
  formatPercent,
  integerTicks,
  isoDate,
  labelWidth,
  monthAxis,
  percentTick,
  SMALL_FILL,
  smallGroupTip,
  type ChartContext,
} from './theme.ts';
import type { Shown } from '../analyses/index.ts';
import type { Settings } from '../model/settings.ts';
import type { Translate } from './theme.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';

import type { ActivityRow, CohortCell as CohortResult, RetentionCurvePoint } from '../analyses/retention.ts';

export type CohortCell = Pick<CohortResult, 'cohort' | 'cohort_label' | 'k' | 'size' | 'active' | 'rate' | 'revenue_rate' | 'complete'> & {
  /** A first cohort of customers from before the data starts: its label is marked with *. */
  readonly existing?: boolean;
  /** A small cohort (fewer customers than the minimum group size): its cells are grey. */
  readonly small?: boolean;
};
/** `size` and `small` absent = not small. */
export type AverageRetentionRow = Pick<RetentionCurvePoint, 'k' | 'cohorts' | 'rate' | 'revenue_rate'> & Partial<Pick<RetentionCurvePoint, 'size' | 'small'>>;
export type ActiveLapsedRow = Pick<ActivityRow, 'date' | 'active' | 'lapsed'>;
export type CohortPeriodKind = 'week' | 'month' | 'quarter';
export type RetentionMeasureKind = 'customers' | 'revenue';

function cellRate(c: Pick<CohortCell, 'rate' | 'revenue_rate'>, measure: RetentionMeasureKind): number | null {
  return measure === 'revenue' ? c.revenue_rate : c.rate;
}

const HEAT_MARGIN = { left: 96, right: 24 } as const;
const HEAT_PADDING = 0.04;

/** Steps between labelled periods, per period kind: whole months, quarters, years. */
const PERIOD_STEPS: Readonly<Record<CohortPeriodKind, readonly number[]>> = {
  week: [1, 2, 4, 13, 26, 52],
  month: [1, 2, 3, 6, 12],
  quarter: [1, 2, 4, 8],
};

/**
 * The periods since the first purchase that get a tick: every one when their labels fit
 * side by side in `plotWidth`, else every 2nd, 4th, 13th … (the first step whose labels fit).
 */
export function periodTicks(ks: readonly number[], plotWidth: number, period: CohortPeriodKind): number[] {
  if (ks.length === 0) return [];
  const column = plotWidth / ks.length;
  const label = labelWidth(String(Math.max(...ks))) + 8;
  const steps = PERIOD_STEPS[period];
  const last = steps[steps.length - 1] ?? 1;
  const step = steps.find((k) => k * column >= label) ?? last * Math.ceil(label / (last * column));
  return ks.filter((k) => k % step === 0);
}

/**
 * One sentence, when the first cohort is taken for customers from before the data starts:
 * which cohort, why, and that it is left out of the averages (empty otherwise).
 */
export function firstCohortNote(
  fc: { readonly cohort_label: string | null; readonly size: number | null; readonly next_median: number | null; readonly by_rule: boolean; readonly existing: boolean } | undefined,
  t: Translate,
  f: { int(v: number | null | undefined): string },
): string {
  if (!fc?.existing || fc.cohort_label === null) return '';
  const key = fc.by_rule ? 'dash.retention.firstCohortRule' : 'dash.retention.firstCohortSetting';
  return ' ' + t(key, { cohort: fc.cohort_label, size: f.int(fc.size), median: f.int(fc.next_median) });
}

/** Cohort triangle: rows = cohorts, columns = k; incomplete cells are lighter and dashed, a small cohort's cells grey. */
export function cohortHeatmapChart(
  cells: readonly CohortCell[],
  ctx: ChartContext,
  opts: { readonly period: CohortPeriodKind; readonly measure: RetentionMeasureKind },
): PlotOptions {
  const data = cells.flatMap((c) => {
    const value = cellRate(c, opts.measure);
    return value === null ? [] : [{ ...c, value }];
  });
  if (data.length === 0) return emptyChart(ctx);
  type Cell = (typeof data)[number];
  const { locale, t } = ctx;
  const cohorts = [...new Set(data.map((c) => c.cohort))].sort();
  const ks = [...new Set(data.map((c) => c.k))].sort((a, b) => a - b);
  const labels = new Map(data.map((c) => [c.cohort, c.existing ? `${c.cohort_label} *` : c.cohort_label]));
  const label = (c: string): string => labels.get(c) ?? c;
  // Period 0 is 100 % by definition; colour the rest on their own range so it stays readable
  // (a small cohort's, grey anyway, does not stretch it).
  const later = data.filter((c) => c.k > 0 && !c.small).map((c) => c.value);
  const top = later.length === 0 ? 1 : Math.max(0.05, ...later);
  const plotWidth = Math.max(280, ctx.width) - HEAT_MARGIN.left - HEAT_MARGIN.right;
  // Each cell is labelled when its widest percentage fits, at a smaller size if need be
  // (a printed report has no tooltips to fall back on).
  const cellWidth = (plotWidth / Math.max(1, ks.length)) * (1 - HEAT_PADDING);
  const widest = data.reduce((w, c) => (formatPercent(locale, c.value, 0).length > w.length ? formatPercent(locale, c.value, 0) : w), '');
  const fontSize = [10, 9, 8].find((px) => labelWidth(widest, px) + 3 <= cellWidth);
  const tipText = (c: Cell): string =>
    [
      `${label(c.cohort)} · ${t('chart.retention.periodK', { k: c.k })}`,
      `${t(opts.measure === 'revenue' ? 'chart.retention.revenueRetention' : 'chart.retention.customerRetention')}: ${formatPercent(locale, c.value)}`,
      t('chart.retention.cohortSize', { n: formatInteger(locale, c.size) }),
      ...(opts.measure === 'customers' ? [t('chart.retention.activeOf', { active: formatInteger(locale, c.active), size: formatInteger(locale, c.size) })] : []),
      ...(c.complete ? [] : [t('chart.retention.incomplete')]),
      ...(c.small ? [smallGroupTip(ctx)] : []),
    ].join('\n');
  return {
    ...baseOptions(ctx, Math.max(140, 22 * cohorts.length + 70)),
    marginLeft: HEAT_MARGIN.left,
    marginRight: HEAT_MARGIN.right,
    marginTop: 40,
    padding: HEAT_PADDING,
    x: { label: t(`chart.retention.axis.${opts.period}`), axis: 'top', domain: ks, ticks: periodTicks(ks, plotWidth, opts.period) },
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
      Plot.cell(data.filter((c) => c.complete && !c.small), { x: 'k', y: 'cohort', fill: 'value', title: tipText, tip: true, ...drillChannel(ctx.drill, (c: Cell) => ({ drill: { kind: 'cohort', cohort: c.cohort, k: c.k } })) }),
      Plot.cell(data.filter((c) => !c.complete && !c.small), {
        x: 'k',
        y: 'cohort',
        fill: 'value',
        fillOpacity: 0.35,
        stroke: PALETTE.muted,
        strokeDasharray: '3,2',
        inset: 1,
        ...drillChannel(ctx.drill, (c: Cell) => ({ drill: { kind: 'cohort', cohort: c.cohort, k: c.k } })),
        title: tipText,
        tip: true,
      }),
      Plot.cell(data.filter((c) => c.small), {
        x: 'k',
        y: 'cohort',
        fill: SMALL_FILL,
        fillOpacity: (c: Cell) => (c.complete ? 1 : 0.5),
        ...drillChannel(ctx.drill, (c: Cell) => ({ drill: { kind: 'cohort', cohort: c.cohort, k: c.k } })),
        title: tipText,
        tip: true,
      }),
      ...(fontSize !== undefined
        ? [
            Plot.text(data, {
              x: 'k',
              y: 'cohort',
              text: (c: Cell) => formatPercent(locale, c.value, 0),
              fill: (c: Cell) => (c.value > top * 0.55 && c.complete && !c.small ? 'white' : PALETTE.ink),
              fontSize,
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
  /** The average's points: how many cohorts they average. */
  readonly cohorts?: number;
  /** The average's points: the customers of those cohorts, and whether they are fewer than the minimum group size. */
  readonly size?: number;
  readonly small?: boolean;
}

const SERIES_COLOURS = [OKABE_ITO.orange, OKABE_ITO.green, OKABE_ITO.purple, OKABE_ITO.vermillion, OKABE_ITO.sky, OKABE_ITO.yellow];

/** The size-weighted average curve (bold) and the selected cohorts (thin, complete cells only). */
export function retentionCurvesChart(
  average: readonly AverageRetentionRow[],
  cells: readonly CohortCell[],
  ctx: ChartContext,
  opts: { readonly period: CohortPeriodKind; readonly measure: RetentionMeasureKind; readonly selected: readonly string[] },
): PlotOptions {
  const { locale, t } = ctx;
  const avgName = t('chart.retention.average');
  // Period 0 is 100 % by definition: the curves start at k = 1 so the y axis can show the detail.
  const avg: CurvePoint[] = average.flatMap((r) => {
    const rate = cellRate(r, opts.measure);
    return rate === null || r.k < 1 ? [] : [{ series: avgName, k: r.k, rate, cohorts: r.cohorts, size: r.size, small: r.small ?? false }];
  });
  const labels = new Map(cells.map((c) => [c.cohort, c.cohort_label]));
  const selected = opts.selected.map((c) => labels.get(c) ?? c);
  const lines: CurvePoint[] = cells.flatMap((c) => {
    const rate = cellRate(c, opts.measure);
    return c.complete && c.k >= 1 && rate !== null && opts.selected.includes(c.cohort) ? [{ series: c.cohort_label, k: c.k, rate }] : [];
  });
  if (avg.length === 0 && lines.length === 0) return emptyChart(ctx);
  const all = [...avg, ...lines];
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 340)),
    x: { label: t(`chart.retention.axis.${opts.period}`), domain: [1, Math.max(2, ...all.map((p) => p.k))], ticks: integerTicks(1, Math.max(2, ...all.map((p) => p.k))), tickFormat: (k: number) => formatInteger(locale, k) },
    y: { label: t(opts.measure === 'revenue' ? 'chart.retention.revenueRetention' : 'chart.retention.customerRetention'), tickFormat: percentTick(locale), domain: [0, Math.max(0.1, ...all.map((p) => p.rate))], grid: true },
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
        fill: (p: CurvePoint) => (p.small ? SMALL_FILL : 'white'),
        r: 2.5,
        title: (p: CurvePoint) =>
          [
            `${p.series} · ${t('chart.retention.periodK', { k: p.k })}: ${formatPercent(locale, p.rate)}`,
            ...(p.cohorts === undefined ? [] : [t('chart.retention.averages', { n: formatInteger(locale, p.cohorts) })]),
            ...(p.size === undefined ? [] : [t('chart.customers', { n: formatInteger(locale, p.size) })]),
            ...(p.small ? [smallGroupTip(ctx)] : []),
          ].join('\n'),
        tip: true,
      }),
    ],
  };
}

interface ActiveLapsedPoint {
  /** ISO, as in the row. */
  readonly day: string;
  readonly date: Date;
  readonly status: 'active' | 'lapsed';
  readonly customers: number;
}

/** Active vs lapsed customers over time (stacked areas from zero). */
export function activeLapsedChart(rows: readonly ActiveLapsedRow[], ctx: ChartContext, churnWindowDays: number): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const data: ActiveLapsedPoint[] = rows.flatMap((r) => {
    const date = isoDate(r.date);
    return [
      { day: r.date, date, status: 'active' as const, customers: r.active },
      { day: r.date, date, status: 'lapsed' as const, customers: r.lapsed },
    ];
  });
  const label = (s: string): string => t(`chart.retention.${s}`, { days: churnWindowDays });
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 300)),
    x: monthAxis(ctx, data.map((d) => d.date)),
    y: { label: t('chart.axis.customers'), ticks: integerTicks(0, Math.max(...rows.map((r) => r.active + r.lapsed))), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    color: { domain: ['active', 'lapsed'], range: [PALETTE.primary, PALETTE.tiers.C], legend: true, tickFormat: label },
    marks: [
      // Samples at month ends joined by straight lines: a step-after curve would give the last
      // sample (the as-of date, the number in the title) no width at all.
      Plot.areaY(data, Plot.stackY({ x: 'date', y: 'customers', fill: 'status', order: ['active', 'lapsed'], curve: 'linear' })),
      // A point in the middle of each band at each sample opens its customers.
      ...(ctx.drill
        ? [
            Plot.dot(
              data,
              Plot.stackY({
                x: 'date',
                y: 'customers',
                z: 'status',
                order: ['active', 'lapsed'],
                r: 3.5,
                fill: 'white',
                stroke: PALETTE.ink,
                strokeWidth: 1,
                filter: (p: ActiveLapsedPoint) => p.customers > 0,
                ariaLabel: (p: ActiveLapsedPoint) => `${p.day} ${label(p.status)}: ${formatInteger(locale, p.customers)}`,
                ...drillChannel(ctx.drill, (p: ActiveLapsedPoint) => ({ drill: { kind: 'activeAt', date: p.day, active: p.status === 'active' } })),
              }),
            ),
          ]
        : []),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.tip(
        rows.map((r) => ({ ...r, day: isoDate(r.date) })),
        Plot.pointerX({
          x: 'day',
          y: (r: ActiveLapsedRow) => r.active + r.lapsed,
          title: (r: ActiveLapsedRow) =>
            `${r.date}\n${label('active')}: ${formatInteger(locale, r.active)}\n${label('lapsed')}: ${formatInteger(locale, r.lapsed)}`,
        }),
      ),
    ],
  };
}

/** One cohort of the cohort table: its label, size and number of complete periods after the first. */
export interface CohortSummary {
  readonly cohort: string;
  readonly label: string;
  readonly size: number;
  readonly complete: number;
}

export function cohortSummaries(cells: readonly CohortCell[]): CohortSummary[] {
  const map = new Map<string, CohortSummary>();
  for (const c of cells) {
    const e = map.get(c.cohort) ?? { cohort: c.cohort, label: c.cohort_label, size: c.size, complete: 0 };
    map.set(c.cohort, c.complete && c.k > 0 ? { ...e, complete: e.complete + 1 } : e);
  }
  return [...map.values()].sort((a, b) => a.cohort.localeCompare(b.cohort));
}

/** The cohorts drawn by default: the three largest with at least two complete periods after the first. */
export function defaultCohortSelection(cells: readonly CohortCell[]): string[] {
  return cohortSummaries(cells)
    .filter((c) => c.complete >= 2)
    .sort((a, b) => b.size - a.size || a.cohort.localeCompare(b.cohort))
    .slice(0, 3)
    .map((c) => c.cohort)
    .sort();
}

/** The Retention panel's chart cards, in page order; `selected` = the cohorts drawn beside the average. */
export function retentionCards(
  result: Shown<'retention' | 'overview'>,
  settings: Settings,
  ctx: CardContext,
  opts: { readonly selected?: readonly string[] } = {},
): ChartCardSpec[] {
  const { t } = ctx;
  const f = cardFormat(ctx);
  const ret = result.retention;
  const s = settings;
  const period = s.cohortPeriod;
  const measure = s.retentionMeasure;
  const periodName = t(`dash.retention.unit.${period}`);
  const unitsName = t(`dash.retention.units.${period}`);
  const selected = opts.selected ?? defaultCohortSelection(ret.cells);
  const rateOf = (p: RetentionCurvePoint | undefined): number | null => (p ? (measure === 'revenue' ? p.revenue_rate : p.rate) : null);
  // Headlines quote only points of the average curve that rest on at least minGroupSize customers.
  const k1Point = ret.curve.find((p) => p.k === 1);
  const k1 = k1Point?.small ? null : rateOf(k1Point);
  const rated = ret.curve.filter((p) => p.k > 0 && rateOf(p) !== null);
  const lastPoint = rated.filter((p) => !p.small).at(-1);
  const activity = result.overview.activity;
  const lastActivity = activity[activity.length - 1];
  const days = s.churnWindowDays;
  return [
    {
      id: 'cohorts',
      title:
        k1 === null
          ? k1Point?.small
            ? t('dash.retention.heatSmall', { min: f.int(s.minGroupSize), period: periodName })
            : t('dash.retention.heatNone')
          : t(measure === 'revenue' ? 'dash.retention.heatTitleRevenue' : 'dash.retention.heatTitle', { rate: f.pct(k1), period: periodName }),
      // Revenue retention reads the revenue of period k itself, whatever the mode.
      subtitle:
        (measure === 'revenue'
          ? t('dash.retention.heatSubtitleRevenue', { period: periodName, units: unitsName })
          : t(`dash.retention.heatSubtitle.${s.retentionMode}`, { period: periodName, units: unitsName })) + firstCohortNote(ret.firstCohort, t, f),
      build: (w) => cohortHeatmapChart(ret.cells, { ...chartContextOf(ctx, w), minGroupSize: s.minGroupSize }, { period, measure }),
    },
    {
      id: 'retention-curves',
      title: lastPoint
        ? t(measure === 'revenue' ? 'dash.retention.curveTitleRevenue' : 'dash.retention.curveTitle', {
            k: lastPoint.k,
            units: unitsName,
            period: periodName,
            rate: f.pct(rateOf(lastPoint)),
          })
        : rated.length > 0
          ? t('dash.retention.curveSmall', { min: f.int(s.minGroupSize) })
          : t('dash.retention.curveNone'),
      subtitle:
        s.completeThrough !== null
          ? t('dash.retention.curveSubtitleThrough', { k: s.completeThrough, n: f.int(ret.curve[0]?.cohorts ?? 0) })
          : t(measure === 'revenue' ? 'dash.retention.curveSubtitleRevenue' : 'dash.retention.curveSubtitle', { period: periodName }),
      build: (w) => retentionCurvesChart(ret.curve, ret.cells, { ...chartContextOf(ctx, w), minGroupSize: s.minGroupSize }, { period, measure, selected }),
    },
    {
      id: 'active-lapsed',
      title: lastActivity
        ? t('dash.activity.title', { active: f.int(lastActivity.active), total: f.int(lastActivity.customers), days })
        : t('dash.activity.titleNone'),
      subtitle: t('dash.activity.subtitle', { days }),
      build: (w) => activeLapsedChart(activity, chartContextOf(ctx, w), days),
    },
  ];
}
