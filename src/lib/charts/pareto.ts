/** Pareto (80/20) and value tiers (METRICS.md §4): rows → Plot options. */
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
  formatPercent,
  labelWidth,
  moneyLabel,
  percentTick,
  type ChartContext,
} from './theme.ts';
import type { Shown } from '../analyses/index.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';

import type { DecileRow as DecileResult, LorenzPoint as LorenzResult, ProfitGroup, ProfitSplitRow, Tier, TierRow as TierResult } from '../analyses/pareto.ts';

export type { ProfitGroup, Tier };
/** Cumulative shares of customers (ranked by value, descending) and of value. */
/** `rank` (the top customers the point stands for) lets the point open their list. */
export type LorenzPoint = Pick<LorenzResult, 'customer_share' | 'value_share'> & Partial<Pick<LorenzResult, 'rank'>>;

/** Of a curve, the first point at or past each `1 / steps` of customers (the points that open a list). */
export function lorenzSteps(points: readonly LorenzPoint[], steps = 20): LorenzPoint[] {
  const out: LorenzPoint[] = [];
  for (let k = 1; k <= steps; k++) {
    const p = points.find((q) => q.customer_share >= k / steps - 1e-12);
    if (p !== undefined && p.rank !== undefined && p.rank > 0 && out.at(-1) !== p) out.push(p);
  }
  return out;
}
export type TierRow = Pick<TierResult, 'tier' | 'customers' | 'value' | 'orders' | 'aov' | 'repurchase_rate'>;
export type DecileRow = Pick<DecileResult, 'decile' | 'customers' | 'value' | 'value_share'>;
export type ProfitGroupRow = Pick<ProfitSplitRow, 'group' | 'customers' | 'profit' | 'profit_share'>;

export interface LorenzMarkers {
  /** X of "top X % bring Y %". */
  readonly topShare: number;
  /** Y, or null when total value ≤ 0. */
  readonly topValueShare: number | null;
  /** Tier cut points (shares of value). */
  readonly tierA: number;
  readonly tierB: number;
}

/** The Lorenz curve (customers ranked by value, descending) with the line of equality. */
export function lorenzChart(
  points: readonly LorenzPoint[],
  ctx: ChartContext,
  markers: LorenzMarkers,
): PlotOptions {
  if (points.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const first = points[0];
  const curve: LorenzPoint[] =
    first !== undefined && first.customer_share === 0 ? [...points] : [{ customer_share: 0, value_share: 0 }, ...points];
  const pct = percentTick(locale);
  const x = markers.topShare;
  const y = markers.topValueShare;
  const cuts = [
    { share: markers.tierA, label: t('chart.pareto.cutA', { share: formatPercent(locale, markers.tierA, 0) }) },
    { share: markers.tierB, label: t('chart.pareto.cutB', { share: formatPercent(locale, markers.tierB, 0) }) },
  ];
  const size = Math.min(ctx.width, 560);
  // The cut labels sit in the right margin, past the curve's end: inside the frame the curve
  // (near 100 %) or the line of equality crossed them. A below its rule, B above, so they never meet.
  const cutFont = 10;
  return {
    ...baseOptions(ctx, chartHeight(size, 0.75, 240, 420)),
    marginRight: 12 + Math.max(...cuts.map((c) => labelWidth(c.label, cutFont))),
    x: { domain: [0, 1], tickFormat: pct, label: t('chart.pareto.customerShare'), grid: true },
    y: { domain: [Math.min(0, ...curve.map((p) => p.value_share)), Math.max(1, ...curve.map((p) => p.value_share))], tickFormat: pct, label: t('chart.pareto.valueShare'), grid: true },
    marks: [
      Plot.areaY(curve, { x: 'customer_share', y: 'value_share', fill: PALETTE.primary, fillOpacity: 0.1 }),
      Plot.line(
        [
          { customer_share: 0, value_share: 0 },
          { customer_share: 1, value_share: 1 },
        ],
        { x: 'customer_share', y: 'value_share', stroke: PALETTE.reference, strokeDasharray: '4,4' },
      ),
      Plot.text([{ customer_share: 0.62, value_share: 0.55 }], {
        x: 'customer_share',
        y: 'value_share',
        text: () => t('chart.pareto.equality'),
        rotate: 0,
        fill: PALETTE.inkSoft,
        textAnchor: 'start',
        dx: 6,
      }),
      Plot.ruleY(cuts, { y: 'share', stroke: PALETTE.muted, strokeDasharray: '2,3' }),
      ...cuts.map((cut, i) =>
        Plot.text([cut], {
          y: 'share',
          text: 'label',
          frameAnchor: 'right',
          textAnchor: 'start',
          lineAnchor: i === 0 ? 'top' : 'bottom',
          dx: 4,
          dy: i === 0 ? 2 : -2,
          fontSize: cutFont,
          fill: PALETTE.inkSoft,
        }),
      ),
      Plot.lineY(curve, {
        x: 'customer_share',
        y: 'value_share',
        stroke: PALETTE.primary,
        strokeWidth: 2.5,
      }),
      Plot.dot(curve, Plot.pointerX({
        x: 'customer_share',
        y: 'value_share',
        fill: PALETTE.primary,
        r: 4,
        tip: true,
        title: (p: LorenzPoint) =>
          t('chart.pareto.lorenzTip', {
            customers: formatPercent(locale, p.customer_share),
            value: formatPercent(locale, p.value_share),
          }),
      })),
      ...(y === null
        ? []
        : [
            Plot.ruleX([{ x, y }], { x: 'x', y1: 0, y2: 'y', stroke: PALETTE.accent, strokeWidth: 1.5 }),
            Plot.ruleY([{ x, y }], { y: 'y', x1: 0, x2: 'x', stroke: PALETTE.accent, strokeWidth: 1.5 }),
            Plot.dot([{ x, y }], { x: 'x', y: 'y', r: 5, fill: PALETTE.accent, stroke: 'white' }),
            Plot.text([{ x, y }], {
              x: 'x',
              y: 'y',
              text: () => t('chart.pareto.topMarker', { x: formatPercent(locale, x, 0), y: formatPercent(locale, y, 0) }),
              textAnchor: 'start',
              dx: 10,
              dy: 10,
              fontWeight: 600,
              fill: PALETTE.accent,
            }),
          ]),
      // Last, so that no marker covers a point that opens a list.
      ...(ctx.drill
        ? [
            Plot.dot(lorenzSteps(points), {
              x: 'customer_share',
              y: 'value_share',
              r: 3,
              fill: 'white',
              stroke: PALETTE.primary,
              ariaLabel: (p: LorenzPoint) => t('chart.pareto.lorenzTip', { customers: formatPercent(locale, p.customer_share), value: formatPercent(locale, p.value_share) }),
              ...drillChannel(ctx.drill, (p: LorenzPoint) => (p.rank === undefined ? null : { drill: { kind: 'topRank', rank: p.rank } })),
            }),
          ]
        : []),
    ],
  };
}

interface TierSegment {
  readonly measure: string;
  readonly tier: Tier;
  readonly x1: number;
  readonly x2: number;
  readonly share: number;
  readonly title: string;
}

/** Two stacked bars: each tier's share of customers next to its share of value. */
export function tierShareChart(rows: readonly TierRow[], ctx: ChartContext): PlotOptions {
  const totalCustomers = rows.reduce((s, r) => s + r.customers, 0);
  const totalValue = rows.reduce((s, r) => s + r.value, 0);
  if (rows.length === 0 || totalCustomers === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const segments: TierSegment[] = [];
  const measures = [
    { label: t('chart.pareto.customersBar'), of: (r: TierRow) => r.customers, total: totalCustomers },
    { label: t('chart.pareto.valueBar'), of: (r: TierRow) => r.value, total: totalValue },
  ];
  for (const m of measures) {
    if (!(m.total > 0)) continue;
    let at = 0;
    for (const r of rows) {
      const share = m.of(r) / m.total;
      segments.push({
        measure: m.label,
        tier: r.tier,
        x1: at,
        x2: at + share,
        share,
        title: `${t('chart.pareto.tier', { tier: r.tier })} · ${m.label}: ${formatPercent(locale, share)}`,
      });
      at += share;
    }
  }
  return {
    ...baseOptions(ctx, 150),
    marginLeft: 96,
    x: { domain: [0, 1], tickFormat: percentTick(locale), label: null, grid: false },
    y: { label: null, domain: measures.filter((m) => m.total > 0).map((m) => m.label), padding: 0.25 },
    color: { domain: ['A', 'B', 'C'], range: [PALETTE.tiers.A, PALETTE.tiers.B, PALETTE.tiers.C] },
    marks: [
      Plot.barX(segments, { x1: 'x1', x2: 'x2', y: 'measure', fill: 'tier', stroke: 'white', strokeWidth: 1, title: 'title', tip: true, ...drillChannel(ctx.drill, (s: TierSegment) => ({ tier: s.tier })) }),
      Plot.text(
        segments.filter((s) => s.share >= 0.06),
        {
          x: (s: TierSegment) => (s.x1 + s.x2) / 2,
          y: 'measure',
          text: (s: TierSegment) => `${s.tier} ${formatPercent(locale, s.share, 0)}`,
          fill: (s: TierSegment) => (s.tier === 'C' ? PALETTE.ink : 'white'),
          fontWeight: 600,
        },
      ),
    ],
  };
}

function decileLabel(ctx: ChartContext, decile: number): string {
  return ctx.t('chart.pareto.decile', { from: (decile - 1) * 10, to: decile * 10 });
}

/** Share of value per 10 % of ranked customers; a zero baseline (a decile can be negative). */
export function decileChart(rows: readonly DecileRow[], ctx: ChartContext, opts: { readonly xLabelKey?: string; readonly yLabelKey?: string; readonly measure?: 'value' | 'profit' } = {}): PlotOptions {
  const data = rows.filter((r) => r.value_share !== null);
  if (data.length === 0) return emptyChart(ctx);
  const { locale } = ctx;
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 320)),
    // Ranges ("10–20%") need ~56 px per bar; narrower, each bar is named by its upper edge.
    x: {
      label: ctx.t(opts.xLabelKey ?? 'chart.pareto.decileAxis'),
      tickFormat: ctx.width >= 700 ? (d: number) => decileLabel(ctx, d) : (d: number) => `${d * 10}%`,
      domain: data.map((r) => r.decile),
    },
    y: { label: ctx.t(opts.yLabelKey ?? 'chart.pareto.valueShare'), tickFormat: percentTick(locale), grid: true, insetTop: 14 },
    marks: [
      Plot.barY(data, {
        x: 'decile',
        y: 'value_share',
        ...drillChannel(ctx.drill, (r: DecileRow) => ({ drill: { kind: 'decile', measure: opts.measure ?? 'value', decile: r.decile } })),
        fill: (r: DecileRow) => (r.decile <= 2 ? PALETTE.primary : PALETTE.tiers.B),
        title: (r: DecileRow) =>
          `${decileLabel(ctx, r.decile)}: ${formatPercent(locale, r.value_share)} · ${ctx.t('chart.customers', { n: formatInteger(locale, r.customers) })} · ${formatMoney(locale, r.value, ctx.currency)}`,
        tip: true,
      }),
      Plot.text(data, {
        x: 'decile',
        y: 'value_share',
        text: (r: DecileRow) => formatPercent(locale, r.value_share, 0),
        dy: -7,
        fill: PALETTE.ink,
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** Per-tier value as bars with AOV and repurchase rate as labels. */
export function tierValueChart(rows: readonly TierRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 280)),
    x: { label: null, domain: rows.map((r) => r.tier), tickFormat: (tier: Tier) => t('chart.pareto.tier', { tier }) },
    y: { label: moneyLabel(ctx), tickFormat: (v: number) => formatCompact(locale, v), grid: true, insetTop: 14 },
    color: { domain: ['A', 'B', 'C'], range: [PALETTE.tiers.A, PALETTE.tiers.B, PALETTE.tiers.C] },
    marks: [
      Plot.barY(rows, {
        x: 'tier',
        y: 'value',
        ...drillChannel(ctx.drill, (r: TierRow) => ({ tier: r.tier })),
        fill: 'tier',
        title: (r: TierRow) =>
          [
            t('chart.pareto.tier', { tier: r.tier }),
            t('chart.customers', { n: formatInteger(locale, r.customers) }),
            `${t('chart.axis.value')}: ${formatMoney(locale, r.value, ctx.currency)}`,
            `${t('chart.aov')}: ${formatMoney(locale, r.aov, ctx.currency)}`,
            `${t('chart.repurchaseRate')}: ${formatPercent(locale, r.repurchase_rate)}`,
          ].join('\n'),
        tip: true,
      }),
      Plot.text(rows, {
        x: 'tier',
        y: 'value',
        text: (r: TierRow) => formatCompact(locale, r.value),
        dy: -7,
        fill: PALETTE.ink,
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

const PROFIT_GROUPS: readonly ProfitGroup[] = ['top20', 'middle60', 'bottom20'];

/** 20/60/20 split: each group's share of total profit (the bottom group can be negative). */
export function profitSplitChart(rows: readonly ProfitGroupRow[], ctx: ChartContext): PlotOptions {
  const data = rows.filter((r) => r.profit_share !== null);
  if (data.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const label = (g: ProfitGroup): string => t(`chart.pareto.profit.${g}`);
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 280)),
    x: { label: null, domain: PROFIT_GROUPS.filter((g) => data.some((r) => r.group === g)), tickFormat: label },
    // Room below a negative bar for its label, clear of the group names.
    y: { label: t('chart.pareto.profitShare'), tickFormat: percentTick(locale), grid: true, insetTop: 14, insetBottom: data.some((r) => (r.profit_share ?? 0) < 0) ? 16 : 0 },
    marks: [
      Plot.barY(data, {
        x: 'group',
        y: 'profit_share',
        ...drillChannel(ctx.drill, (r: ProfitGroupRow) => ({ drill: { kind: 'profitGroup', group: r.group } })),
        fill: (r: ProfitGroupRow) => ((r.profit_share ?? 0) < 0 ? PALETTE.accent : PALETTE.positive),
        title: (r: ProfitGroupRow) =>
          `${label(r.group)}: ${formatPercent(locale, r.profit_share)} · ${formatMoney(locale, r.profit, ctx.currency)} · ${t('chart.customers', { n: formatInteger(locale, r.customers) })}`,
        tip: true,
      }),
      ...[
        { rows: data.filter((r) => (r.profit_share ?? 0) >= 0), dy: -7 },
        { rows: data.filter((r) => (r.profit_share ?? 0) < 0), dy: 9 },
      ].map(({ rows: part, dy }) =>
        Plot.text(part, {
          x: 'group',
          y: 'profit_share',
          text: (r: ProfitGroupRow) => formatPercent(locale, r.profit_share, 0),
          dy,
          fill: PALETTE.ink,
        }),
      ),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The Pareto panel's chart cards, in page order (the profit cards only when profit is mapped). */
export function paretoCards(result: Shown<'pareto'>, settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const { t } = ctx;
  const f = cardFormat(ctx);
  const p = result.pareto;
  const s = settings;
  const tierA = p.tiers.find((r) => r.tier === 'A');
  const topDecile = p.deciles.find((d) => d.decile === 1);
  const cards: ChartCardSpec[] = [
    {
      id: 'lorenz',
      title: p.summary.top_share === null ? t('dash.pareto.lorenzNone') : t('dash.pareto.lorenzTitle', { x: f.pct(s.topShare), y: f.pct(p.summary.top_share) }),
      subtitle: t('dash.pareto.lorenzSubtitle', { gini: f.num(p.summary.gini, 3), n: f.int(p.summary.customers) }),
      build: (w) => lorenzChart(p.curve, chartContextOf(ctx, w), { topShare: s.topShare, topValueShare: p.summary.top_share, tierA: s.tierA, tierB: s.tierB }),
    },
    {
      id: 'deciles',
      title: topDecile ? t('dash.pareto.decilesTitle', { share: f.pct(topDecile.value_share) }) : t('dash.pareto.decilesNone'),
      subtitle: t('dash.pareto.decilesSubtitle'),
      build: (w) => decileChart(p.deciles, chartContextOf(ctx, w)),
    },
    {
      id: 'tiers',
      title: tierA ? t('dash.pareto.tiersTitle', { n: f.int(tierA.customers), share: f.pct(tierA.customer_share), cut: f.pct(s.tierA) }) : t('dash.pareto.tiersNone'),
      subtitle: t('dash.pareto.tiersSubtitle', { a: f.pct(s.tierA), b: f.pct(s.tierB) }),
      build: (w) => tierShareChart(p.tiers, chartContextOf(ctx, w)),
    },
    {
      id: 'tier-value',
      title: tierA && p.summary.total_value > 0 ? t('dash.pareto.tierAovTitle', { a: f.money(tierA.aov), rate: f.pct(tierA.repurchase_rate) }) : t('dash.pareto.tiersNone'),
      subtitle: t('dash.pareto.tierAovSubtitle'),
      printSubtitle: t('dash.pareto.tierAovSubtitlePrint'),
      build: (w) => tierValueChart(p.tiers, chartContextOf(ctx, w)),
    },
  ];
  const profit = p.profit;
  if (profit) {
    const top = profit.split.find((g) => g.group === 'top20');
    const bottom = profit.split.find((g) => g.group === 'bottom20');
    cards.push(
      {
        id: 'profit-split',
        title: top && bottom ? t('dash.pareto.profitTitle', { top: f.pct(top.profit_share), bottom: f.pct(bottom.profit_share) }) : t('dash.pareto.profitNone'),
        subtitle: t('dash.pareto.profitSubtitle', { total: f.money(profit.summary.total_profit) }),
        build: (w) => profitSplitChart(profit.split, chartContextOf(ctx, w)),
      },
      {
        id: 'profit-deciles',
        title: t('dash.pareto.profitDecilesTitle', { share: f.pct(profit.summary.top20_share) }),
        subtitle: t('dash.pareto.profitDecilesSubtitle'),
        // Ranked by profit, not by value (analyses/pareto.ts, rankedTables).
        build: (w) => decileChart(profit.deciles, chartContextOf(ctx, w), { xLabelKey: 'chart.pareto.decileAxisProfit', yLabelKey: 'chart.pareto.profitShare', measure: 'profit' }),
      },
    );
  }
  return cards;
}
