/** Customer composition 客户构成 (METRICS.md §11): rows → Plot options, and the panel's cards. */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import { drillChannel } from './drill.ts';
import type { CompositionGrouping, CompositionRow, NewReturningRow } from '../analyses/composition.ts';
import type { Shown } from '../analyses/index.ts';
import { RFM_SEGMENTS } from '../analyses/segments.ts';
import type { Dimension } from '../model/schema.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';
import { STAGE_COLORS, STAGE_ORDER, stageName } from './lifecycle.ts';
import { segmentName } from './segments.ts';
import { PALETTE, baseOptions, chartHeight, emptyChart, formatCompact, formatMoney, isoDate, monthAxis, moneyLabel, labelWidth, type ChartContext } from './theme.ts';

/** The groups of a grouping in display order (tier C last, segments as in §7, stages by life order). */
export function groupOrder(grouping: CompositionGrouping): readonly string[] {
  if (grouping === 'tier') return ['A', 'B', 'C'];
  if (grouping === 'segment') return RFM_SEGMENTS;
  return STAGE_ORDER;
}

/** A group's name: "Tier A", a segment's or a stage's name; "–" for the tier when total value ≤ 0. */
export function groupName(t: ChartContext['t'], grouping: CompositionGrouping, group: string | null): string {
  if (group === null) return '–';
  if (grouping === 'tier') return t('chart.pareto.tier', { tier: group });
  if (grouping === 'segment') return segmentName(t, group);
  return stageName(t, group as (typeof STAGE_ORDER)[number]);
}

/** A dimension value's label: the value, "(blank)" or "other". */
export function valueName(t: ChartContext['t'], r: Pick<CompositionRow, 'value' | 'other'>): string {
  if (r.other) return t('chart.comp.other');
  return r.value ?? t('chart.blank');
}

const SEGMENT_COLORS = ['#0072B2', '#56B4E9', '#009E73', '#7FC97F', '#CC79A7', '#E69F00', '#F0E442', '#D55E00', '#8B0000', '#8C96A3'];

function groupColors(grouping: CompositionGrouping): string[] {
  if (grouping === 'tier') return [PALETTE.tiers.A, PALETTE.tiers.B, PALETTE.tiers.C];
  if (grouping === 'segment') return SEGMENT_COLORS;
  return STAGE_ORDER.map((s) => STAGE_COLORS[s]);
}

/** Revenue per value of one dimension, each bar split by the groups of one grouping. */
export function compositionChart(rows: readonly CompositionRow[], grouping: CompositionGrouping, ctx: ChartContext): PlotOptions {
  const data = rows.filter((r) => r.grouping === grouping);
  if (data.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const label = (r: CompositionRow) => valueName(t, r);
  const totals = new Map<string, number>();
  for (const r of data) totals.set(label(r), (totals.get(label(r)) ?? 0) + r.revenue);
  const values = [...totals.keys()];
  const order = groupOrder(grouping);
  const domain = [...order, ...(data.some((r) => r.group === null) ? ['–'] : [])];
  const marginLeft = Math.min(Math.round(ctx.width * 0.35), Math.max(60, ...values.map((v) => labelWidth(v) + 12)));
  return {
    ...baseOptions(ctx, values.length * 26 + 90),
    marginLeft,
    x: { label: moneyLabel(ctx, 'chart.axis.revenue'), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    y: { domain: values, label: null },
    color: {
      domain: domain.map((g) => (g === '–' ? '–' : groupName(t, grouping, g))),
      range: [...groupColors(grouping).slice(0, order.length), PALETTE.muted],
      legend: true,
    },
    marks: [
      Plot.barX(
        data,
        Plot.stackX({
          x: 'revenue',
          y: label,
          ...drillChannel(ctx.drill, (r: CompositionRow) => ({ drill: { kind: 'composition', dimension: r.dimension, value: r.value, other: r.other, grouping: r.grouping, group: r.group } })),
          fill: (r: CompositionRow) => groupName(t, grouping, r.group),
          order: (r: CompositionRow) => (r.group === null ? order.length : order.indexOf(r.group)),
          title: (r: CompositionRow) =>
            [`${label(r)} · ${groupName(t, grouping, r.group)}`, t('chart.customers', { n: r.customers }), `${t('chart.axis.revenue')}: ${formatMoney(locale, r.revenue, ctx.currency)}`, ...(r.profit === null ? [] : [`${t('dash.col.profit')}: ${formatMoney(locale, r.profit, ctx.currency)}`])].join('\n'),
          tip: true,
        }),
      ),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}

interface MonthPart {
  readonly month: Date;
  readonly part: 'new' | 'returning';
  readonly revenue: number;
  readonly customers: number;
}

/** Revenue per month from new customers (in their first purchase month) and from returning ones, stacked. */
export function newReturningChart(rows: readonly NewReturningRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const parts: MonthPart[] = rows.flatMap((r) => [
    { month: isoDate(r.month), part: 'new' as const, revenue: r.new_revenue, customers: r.new_customers },
    { month: isoDate(r.month), part: 'returning' as const, revenue: r.returning_revenue, customers: r.returning_customers },
  ]);
  const name = (p: 'new' | 'returning') => t(p === 'new' ? 'chart.overview.new' : 'chart.overview.returning');
  const end = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.45, 240, 360)),
    x: monthAxis(ctx, parts.map((p) => p.month), { centred: true }),
    y: { label: moneyLabel(ctx, 'chart.axis.revenue'), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    color: { domain: [name('new'), name('returning')], range: [PALETTE.secondary, PALETTE.primary], legend: true },
    marks: [
      Plot.rectY(
        parts,
        Plot.stackY({
          x1: 'month',
          x2: (p: MonthPart) => end(p.month),
          ...drillChannel(ctx.drill, (p: MonthPart) => ({ drill: { kind: 'newReturning', month: p.month.toISOString().slice(0, 10), isNew: p.part === 'new' } })),
          y: 'revenue',
          fill: (p: MonthPart) => name(p.part),
          order: (p: MonthPart) => (p.part === 'new' ? 0 : 1),
          insetLeft: 1,
          insetRight: 1,
          title: (p: MonthPart) => `${name(p.part)}\n${t('chart.customers', { n: p.customers })}\n${formatMoney(locale, p.revenue, ctx.currency)}`,
          tip: true,
        }),
      ),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** Which slice of the composition table a card draws (the view's selector). */
export interface CompositionChoice {
  readonly dimension?: Dimension;
  readonly grouping?: CompositionGrouping;
}

/** The Composition panel's chart cards: a dimension × grouping split (when a dimension is mapped), new vs returning revenue. */
export function compositionCards(result: Shown<'composition'>, _settings: Settings, ctx: CardContext, choice: CompositionChoice = {}): ChartCardSpec[] {
  const { t } = ctx;
  const f = cardFormat(ctx);
  const c = result.composition;
  const dims = [...new Set(c.rows.map((r) => r.dimension))];
  const dimension = choice.dimension && dims.includes(choice.dimension) ? choice.dimension : dims[0];
  const grouping = choice.grouping ?? 'tier';
  const cards: ChartCardSpec[] = [];
  if (dimension !== undefined) {
    const rows = c.rows.filter((r) => r.dimension === dimension);
    const perValue = new Map<string, number>();
    for (const r of rows.filter((x) => x.grouping === grouping)) perValue.set(valueName(t, r), (perValue.get(valueName(t, r)) ?? 0) + r.revenue);
    const total = [...perValue.values()].reduce((s, v) => s + v, 0);
    const [topValue, topRevenue] = [...perValue.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ['', 0];
    cards.push({
      id: 'composition',
      title: total > 0 ? t('dash.comp.title', { dim: t(`dash.dim.${dimension}`), value: topValue, share: f.pct(topRevenue / total) }) : t('dash.comp.noneRevenue'),
      subtitle: t('dash.comp.subtitle', { dim: t(`dash.dim.${dimension}`), grouping: t(`dash.comp.grouping.${grouping}`) }),
      build: (w) => compositionChart(rows, grouping, chartContextOf(ctx, w)),
    });
  }
  const share = c.summary.new_customer_revenue_share;
  cards.push({
    id: 'new-returning',
    title: share === null ? t('dash.comp.newNone') : t('dash.comp.newTitle', { share: f.pct(share), rest: f.pct(1 - share) }),
    subtitle: t('dash.comp.newSubtitle'),
    build: (w) => newReturningChart(c.months, chartContextOf(ctx, w)),
  });
  return cards;
}
