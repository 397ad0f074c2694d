/** Lifetime value (METRICS.md §12): rows → Plot options. */
import * as Plot from '@observablehq/plot';
import type { Drill } from '../analyses/drill.ts';
import { drillChannel } from './drill.ts';
import type { PlotOptions } from '@observablehq/plot';
import type { ClvBinRow, ClvGridRow, ClvHoldoutXRow, ClvTopRow, PAliveBinRow } from '../analyses/clv.ts';
import type { Shown } from '../analyses/index.ts';
import type { HoldoutWeekRow } from '../clv/clv.ts';
import { formatDate } from '../format.ts';
import type { Settings } from '../model/settings.ts';
import { chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';
import {
  OKABE_ITO,
  PALETTE,
  baseOptions,
  chartHeight,
  emptyChart,
  formatCompact,
  formatInteger,
  formatMoney,
  formatNumber,
  moneyLabel,
  type ChartContext,
} from './theme.ts';

export type { ClvBinRow, ClvGridRow, ClvHoldoutXRow, ClvTopRow, PAliveBinRow };
export type ClvUnitKind = 'day' | 'week' | 'month';

/** The list behind P(alive) bin `bin` (a row of `pAlive`, in order). */
export function pAliveBinDrill(bin: number, r: Pick<PAliveBinRow, 'from' | 'to'>): Drill {
  return { kind: 'clvBin', measure: 'pAlive', bin, from: r.from, to: r.to };
}

/** The list behind CLV bin `bin` (a row of `clvBins`, in order). */
export function clvBinDrill(bin: number, r: Pick<ClvBinRow, 'from' | 'to'>): Drill {
  return { kind: 'clvBin', measure: 'clv', bin, from: r.from, to: r.to };
}

/** Customers by P(alive) in tenths, the ones without a repeat purchase (P(alive) = 1) stacked apart. */
export function pAliveChart(rows: readonly PAliveBinRow[], ctx: ChartContext): PlotOptions {
  if (rows.every((r) => r.customers === 0)) return emptyChart(ctx);
  const { locale, t } = ctx;
  // Stacked by hand (one-time customers on top) so that the drawn values are the rows' own.
  const data = rows.flatMap((r, bin) => [
    { bin, from: r.from, to: r.to, group: 'repeat', n: r.customers - r.one_time, y1: 0, y2: r.customers - r.one_time },
    { bin, from: r.from, to: r.to, group: 'oneTime', n: r.one_time, y1: r.customers - r.one_time, y2: r.customers },
  ]);
  const label = (g: string): string => t(g === 'oneTime' ? 'chart.clv.oneTime' : 'chart.clv.repeat');
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.5, 220, 360)),
    x: { domain: [0, 1], label: t('chart.clv.pAlive'), tickFormat: (v: number) => formatNumber(locale, v, 1) },
    y: { label: t('chart.axis.customers'), grid: true, tickFormat: (v: number) => formatCompact(locale, v) },
    color: { domain: ['repeat', 'oneTime'], range: [PALETTE.primary, PALETTE.tiers.C], legend: true, tickFormat: label },
    marks: [
      Plot.rectY(data, {
        x1: 'from',
        x2: 'to',
        y1: 'y1',
        y2: 'y2',
        fill: 'group',
        inset: 1,
        title: (d: (typeof data)[number]) => `${formatNumber(locale, d.from, 1)}–${formatNumber(locale, d.to, 1)}\n${label(d.group)}: ${formatInteger(locale, d.n)}`,
        tip: true,
        // Either part of a bar opens the whole bin: the count its list has is the bar's.
        ...(ctx.drill
          ? {
              ariaLabel: (d: (typeof data)[number]) => `${formatNumber(locale, d.from, 1)}–${formatNumber(locale, d.to, 1)}: ${t('chart.customers', { n: formatInteger(locale, d.y2) })}`,
              ...drillChannel(ctx.drill, (d: (typeof data)[number]) => ({ drill: pAliveBinDrill(d.bin, d) })),
            }
          : {}),
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** Customers by predicted CLV; the last, open bin is drawn one width wide and labelled "≥". */
export function clvDistributionChart(rows: readonly ClvBinRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0 || rows.every((r) => r.customers === 0)) return emptyChart(ctx);
  const { locale, t } = ctx;
  const first = rows[0] as ClvBinRow;
  const width = (first.to ?? first.from + 1) - first.from;
  const data = rows.map((r, bin) => ({ ...r, bin, end: r.to ?? r.from + width }));
  const money = (v: number): string => formatMoney(locale, v, ctx.currency ?? null);
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.5, 220, 360)),
    x: { label: moneyLabel(ctx, 'chart.clv.value'), tickFormat: (v: number) => formatCompact(locale, v) },
    y: { label: t('chart.axis.customers'), grid: true, tickFormat: (v: number) => formatCompact(locale, v) },
    marks: [
      Plot.rectY(data, {
        x1: 'from',
        x2: 'end',
        y1: () => 0,
        y2: 'customers',
        fill: (d: (typeof data)[number]) => (d.to === null ? PALETTE.secondary : PALETTE.primary),
        inset: 1,
        title: (d: (typeof data)[number]) =>
          `${d.to === null ? `≥ ${money(d.from)}` : `${money(d.from)}–${money(d.to)}`}\n${t('chart.customers', { n: formatInteger(locale, d.customers) })}`,
        tip: true,
        ...(ctx.drill
          ? {
              ariaLabel: (d: (typeof data)[number]) => `${d.to === null ? `≥ ${money(d.from)}` : `${money(d.from)}–${money(d.to)}`}: ${t('chart.customers', { n: formatInteger(locale, d.customers) })}`,
              ...drillChannel(ctx.drill, (d: (typeof data)[number]) => (d.customers > 0 ? { drill: clvBinDrill(d.bin, d) } : null)),
            }
          : {}),
      }),
      Plot.text(
        data.filter((d) => d.to === null && d.customers > 0),
        { x: (d: (typeof data)[number]) => (d.from + d.end) / 2, y: 'customers', text: () => '≥', dy: -8, fill: PALETTE.inkSoft },
      ),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The recency × frequency grid of mean P(alive) (`measure` 'p_alive') or of mean expected purchases. */
export function recencyFrequencyChart(
  rows: readonly ClvGridRow[],
  ctx: ChartContext,
  opts: { readonly measure: 'p_alive' | 'expected_purchases'; readonly unit: ClvUnitKind },
): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const unit = t(`chart.clv.unit.${opts.unit}`);
  const frequencies = [...new Set(rows.map((r) => r.frequency))].sort((a, b) => a - b);
  const freqLabel = (f: number): string => {
    const row = rows.find((r) => r.frequency === f);
    return row?.frequency_max === null ? `${f}+` : String(f);
  };
  const max = Math.max(...rows.map((r) => r[opts.measure]));
  const top = opts.measure === 'p_alive' ? 1 : Math.max(max, 1e-9);
  const fmt = (v: number): string => formatNumber(locale, v, 2);
  const data = rows.map((r) => ({ ...r, value: r[opts.measure] }));
  type Cell = (typeof data)[number];
  return {
    ...baseOptions(ctx, Math.max(200, 24 * frequencies.length + 90)),
    marginLeft: 56,
    x: { label: t('chart.clv.recency', { unit }), tickFormat: (v: number) => formatNumber(locale, v, 0) },
    y: { label: t('chart.clv.frequency'), domain: frequencies.map(freqLabel).reverse(), type: 'band' },
    color: {
      type: 'linear',
      scheme: PALETTE.sequential,
      domain: [0, top],
      legend: true,
      tickFormat: fmt,
      label: t(opts.measure === 'p_alive' ? 'dash.clv.gridAlive' : 'dash.clv.gridPurchases'),
    },
    marks: [
      Plot.barX(data, {
        x1: 'recency_from',
        x2: 'recency_to',
        y: (d: Cell) => freqLabel(d.frequency),
        fill: 'value',
        inset: 0.5,
        title: (d: Cell) =>
          `x = ${freqLabel(d.frequency)} · ${formatNumber(locale, d.recency_from, 0)}–${formatNumber(locale, d.recency_to, 0)} ${unit}\n${t('chart.customers', { n: formatInteger(locale, d.customers) })}\n${t(opts.measure === 'p_alive' ? 'dash.clv.gridAlive' : 'dash.clv.gridPurchases')}: ${fmt(d.value)}`,
        tip: true,
      }),
    ],
  };
}

/** Holdout purchases per customer by calibration x (7 = 7+): actual and expected side by side (FHL 2005, fig. 5). */
export function holdoutByXChart(rows: readonly ClvHoldoutXRow[], ctx: ChartContext): PlotOptions {
  const shown = rows.filter((r) => r.customers > 0);
  if (shown.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const xLabel = (x: number): string => (x >= 7 ? '7+' : String(x));
  const data = shown.flatMap((r) => [
    { x: xLabel(r.x), series: 'actual', v: r.actual_mean ?? 0, customers: r.customers },
    { x: xLabel(r.x), series: 'expected', v: r.expected_mean ?? 0, customers: r.customers },
  ]);
  const label = (s: string): string => t(s === 'actual' ? 'chart.clv.actual' : 'chart.clv.expected');
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.5, 220, 360)),
    fx: { label: t('chart.clv.byX'), domain: shown.map((r) => xLabel(r.x)), padding: 0.15 },
    x: { axis: null, domain: ['actual', 'expected'], padding: 0.05 },
    y: { label: t('chart.clv.perCustomer'), grid: true, tickFormat: (v: number) => formatNumber(locale, v, 1) },
    color: { domain: ['actual', 'expected'], range: [PALETTE.primary, PALETTE.secondary], legend: true, tickFormat: label },
    marks: [
      Plot.barY(data, {
        fx: 'x',
        x: 'series',
        y1: () => 0,
        y2: 'v',
        fill: 'series',
        title: (d: (typeof data)[number]) => `x = ${d.x}\n${label(d.series)}: ${formatNumber(locale, d.v, 2)}\n${t('chart.customers', { n: formatInteger(locale, d.customers) })}`,
        tip: true,
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** Cumulative repeat purchases after the calibration end, actual and expected, week by week. */
export function cumulativeChart(rows: readonly HoldoutWeekRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const data = [{ week: 0, actual: 0, expected: 0 }, ...rows].flatMap((r) => [
    { week: r.week, series: 'actual', v: r.actual },
    { week: r.week, series: 'expected', v: r.expected },
  ]);
  const label = (s: string): string => t(s === 'actual' ? 'chart.clv.actual' : 'chart.clv.expected');
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.5, 220, 360)),
    x: { label: t('chart.clv.week'), tickFormat: (v: number) => formatInteger(locale, v) },
    y: { label: t('chart.clv.cumulative'), grid: true, tickFormat: (v: number) => formatCompact(locale, v) },
    color: { domain: ['actual', 'expected'], range: [PALETTE.primary, OKABE_ITO.orange], legend: true, tickFormat: label },
    marks: [
      Plot.line(data.filter((d) => d.series === 'actual'), { x: 'week', y: 'v', stroke: 'series', strokeWidth: 2 }),
      Plot.line(data.filter((d) => d.series === 'expected'), { x: 'week', y: 'v', stroke: 'series', strokeWidth: 2, strokeDasharray: '5,3' }),
      Plot.dot(data, {
        x: 'week',
        y: 'v',
        fill: 'series',
        r: 1.5,
        title: (d: (typeof data)[number]) => `${t('dash.col.week')} ${d.week}\n${label(d.series)}: ${formatNumber(locale, d.v, 1)}`,
        tip: true,
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The highest-value customers as horizontal bars (CLV, or expected purchases without a spend model), best at the top. */
export function topCustomersChart(rows: readonly ClvTopRow[], ctx: ChartContext, opts: { readonly limit?: number } = {}): PlotOptions {
  const shown = rows.slice(0, opts.limit ?? 20);
  if (shown.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const hasSpend = shown.some((r) => r.clv !== null);
  const value = (r: ClvTopRow): number => (hasSpend ? (r.clv ?? 0) : r.expected_purchases);
  const fmt = (v: number): string => (hasSpend ? formatMoney(locale, v, ctx.currency ?? null) : formatNumber(locale, v, 1));
  return {
    ...baseOptions(ctx, Math.max(160, 18 * shown.length + 60)),
    marginLeft: 96,
    x: { label: hasSpend ? moneyLabel(ctx, 'chart.clv.value') : t('dash.col.expectedPurchases'), grid: true, tickFormat: (v: number) => formatCompact(locale, v) },
    y: { label: null, domain: shown.map((r) => r.customer_id) },
    marks: [
      Plot.barX(shown, {
        x1: () => 0,
        x2: value,
        y: 'customer_id',
        fill: PALETTE.primary,
        title: (r: ClvTopRow) =>
          `${r.customer_id}\n${fmt(value(r))}\nP(alive) ${formatNumber(locale, r.p_alive, 2)} · ${t('dash.col.expectedPurchases')} ${formatNumber(locale, r.expected_purchases, 2)}`,
        tip: true,
      }),
      Plot.text(shown, { x: value, y: 'customer_id', text: (r: ClvTopRow) => fmt(value(r)), textAnchor: 'start', dx: 4, fill: PALETTE.inkSoft, fontSize: 10 }),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}

/**
 * The lifetime-value panel's chart cards; none when BG/NBD refused (the panel then says why),
 * the CLV distribution only with a Gamma-Gamma fit, the holdout cards only with a holdout.
 */
export function clvCards(result: Shown<'clv'>, _settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const c = result.clv;
  const { t } = ctx;
  if (c.bgnbd !== null) return [];
  const at = (w: number) => chartContextOf(ctx, w);
  const cards: ChartCardSpec[] = [
    { id: 'clv-p-alive', title: t('dash.clv.pAliveTitle'), subtitle: t('dash.clv.pAliveSubtitle'), build: (w) => pAliveChart(c.pAlive, at(w)) },
  ];
  if (c.gammaGamma === null) {
    cards.push({
      id: 'clv-distribution',
      title: t('dash.clv.distributionTitle'),
      subtitle: t('dash.clv.distributionSubtitle'),
      build: (w) => clvDistributionChart(c.clvBins, at(w)),
    });
  }
  cards.push(
    {
      id: 'clv-grid-alive',
      title: `${t('dash.clv.gridTitle')}: ${t('dash.clv.gridAlive')}`,
      subtitle: t('dash.clv.gridSubtitle'),
      build: (w) => recencyFrequencyChart(c.grid, at(w), { measure: 'p_alive', unit: c.unit }),
    },
    {
      id: 'clv-grid-purchases',
      title: `${t('dash.clv.gridTitle')}: ${t('dash.clv.gridPurchases')}`,
      subtitle: t('dash.clv.gridSubtitle'),
      build: (w) => recencyFrequencyChart(c.grid, at(w), { measure: 'expected_purchases', unit: c.unit }),
    },
  );
  if (c.holdoutDays !== null) {
    cards.push(
      {
        id: 'clv-holdout-x',
        title: t('dash.clv.holdoutXTitle'),
        subtitle: t('dash.clv.holdoutXSubtitle', { c: formatDate(ctx.locale, c.calibrationEnd), asOf: formatDate(ctx.locale, c.asOf) }),
        build: (w) => holdoutByXChart(c.holdoutByX, at(w)),
      },
      { id: 'clv-cumulative', title: t('dash.clv.cumulativeTitle'), subtitle: t('dash.clv.cumulativeSubtitle'), build: (w) => cumulativeChart(c.cumulative, at(w)) },
    );
  }
  if (c.top.length > 0) {
    cards.push({ id: 'clv-top', title: t('dash.clv.topTitle', { n: c.top.length }), subtitle: t('dash.clv.topSubtitle'), build: (w) => topCustomersChart(c.top, at(w)) });
  }
  return cards;
}
