/** Satisfaction and loyalty (METRICS.md §6): rows → Plot options. */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import {
  PALETTE,
  baseOptions,
  chartHeight,
  emptyChart,
  formatCompact,
  formatInteger,
  formatMoney,
  formatPercent,
  percentTick,
  type ChartContext,
} from './theme.ts';

/** Jones & Sasser curve: repurchase rate per satisfaction level (score rounded half up). */
export interface SatisfactionLevelRow {
  readonly level: number;
  readonly customers: number;
  readonly repeaters: number;
  readonly rate: number | null;
}

export type Quadrant = 'loyalists' | 'mercenaries' | 'hostages' | 'defectors';
export const QUADRANTS: readonly Quadrant[] = ['loyalists', 'mercenaries', 'hostages', 'defectors'];

/** Customers with a score, by satisfaction level × number of purchase orders (capped). */
export interface QuadrantCell {
  readonly level: number;
  readonly n_orders: number;
  readonly customers: number;
}

export interface QuadrantSummaryRow {
  readonly quadrant: Quadrant;
  readonly customers: number;
  readonly value: number;
}

/** Customers per (rounded) score, for the distribution and NPS bands. */
export interface ScoreCountRow {
  readonly score: number;
  readonly customers: number;
}

export interface QuadrantThresholds {
  /** High satisfaction: score ≥ this. */
  readonly high: number;
  /** Loyal: n_orders ≥ this. */
  readonly loyalMinOrders: number;
  readonly scaleMin: number;
  readonly scaleMax: number;
}

export function quadrantOf(level: number, nOrders: number, th: Pick<QuadrantThresholds, 'high' | 'loyalMinOrders'>): Quadrant {
  const satisfied = level >= th.high;
  const loyal = nOrders >= th.loyalMinOrders;
  if (satisfied) return loyal ? 'loyalists' : 'mercenaries';
  return loyal ? 'hostages' : 'defectors';
}

const QUADRANT_RANGE = QUADRANTS.map((q) => PALETTE.quadrants[q]);

export function satisfactionCurveChart(rows: readonly SatisfactionLevelRow[], ctx: ChartContext): PlotOptions {
  const data = rows.filter((r) => r.rate !== null);
  if (data.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.45, 220, 340)),
    x: { label: t('chart.satisfaction.level'), ticks: data.map((r) => r.level), tickFormat: (v: number) => String(v) },
    y: { label: t('chart.repurchaseRate'), tickFormat: percentTick(locale), domain: [0, 1], grid: true },
    marks: [
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.lineY(data, { x: 'level', y: 'rate', stroke: PALETTE.primary, strokeWidth: 2.5 }),
      Plot.dot(data, {
        x: 'level',
        y: 'rate',
        r: 4,
        fill: PALETTE.primary,
        stroke: 'white',
        title: (r: SatisfactionLevelRow) =>
          `${t('chart.satisfaction.level')} ${r.level}: ${formatPercent(locale, r.rate)}\n${t('chart.repurchase.returnedOf', { returned: formatInteger(locale, r.repeaters), customers: formatInteger(locale, r.customers) })}`,
        tip: true,
      }),
      Plot.text(data, {
        x: 'level',
        y: 'rate',
        text: (r: SatisfactionLevelRow) => `${formatPercent(locale, r.rate, 0)}\nn=${formatInteger(locale, r.customers)}`,
        dy: -16,
        fill: PALETTE.ink,
        fontSize: 10,
      }),
    ],
  };
}

/** Satisfaction × loyalty: dots sized by customers, coloured by quadrant, thresholds as rules. */
export function quadrantMapChart(cells: readonly QuadrantCell[], ctx: ChartContext, th: QuadrantThresholds): PlotOptions {
  if (cells.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const data = cells.map((c) => ({ ...c, quadrant: quadrantOf(c.level, c.n_orders, th) }));
  const maxOrders = Math.max(th.loyalMinOrders + 1, ...cells.map((c) => c.n_orders));
  const xDomain: [number, number] = [th.scaleMin - 0.5, th.scaleMax + 0.5];
  const yDomain: [number, number] = [0.5, maxOrders + 0.5];
  const corner = (q: Quadrant, frameAnchor: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right') =>
    Plot.text([`${t(`chart.satisfaction.quadrant.${q}`)}\n${t(`chart.satisfaction.dickBasu.${q}`)}`], {
      frameAnchor,
      dx: frameAnchor.endsWith('left') ? 6 : -6,
      dy: frameAnchor.startsWith('top') ? 6 : -6,
      fill: PALETTE.quadrants[q],
      fontWeight: 600,
      lineHeight: 1.2,
    });
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.55, 260, 420)),
    x: { label: t('chart.satisfaction.level'), domain: xDomain, ticks: Array.from({ length: th.scaleMax - th.scaleMin + 1 }, (_, i) => th.scaleMin + i), tickFormat: (v: number) => String(v) },
    y: { label: t('chart.satisfaction.ordersAxis'), domain: yDomain, ticks: Array.from({ length: maxOrders }, (_, i) => i + 1), tickFormat: (v: number) => (v === maxOrders ? `${v}+` : String(v)) },
    r: { range: [2, 18] },
    color: { domain: QUADRANTS, range: QUADRANT_RANGE },
    marks: [
      Plot.ruleX([th.high - 0.5], { stroke: PALETTE.inkSoft, strokeDasharray: '4,3' }),
      Plot.ruleY([th.loyalMinOrders - 0.5], { stroke: PALETTE.inkSoft, strokeDasharray: '4,3' }),
      Plot.dot(data, {
        x: 'level',
        y: 'n_orders',
        r: 'customers',
        fill: 'quadrant',
        fillOpacity: 0.75,
        stroke: 'white',
        title: (c: (typeof data)[number]) =>
          `${t(`chart.satisfaction.quadrant.${c.quadrant}`)}\n${t('chart.satisfaction.level')} ${c.level} · ${t('chart.orders', { n: c.n_orders === maxOrders ? `${c.n_orders}+` : c.n_orders })}\n${t('chart.customers', { n: formatInteger(locale, c.customers) })}`,
        tip: true,
      }),
      corner('loyalists', 'top-right'),
      corner('hostages', 'top-left'),
      corner('mercenaries', 'bottom-right'),
      corner('defectors', 'bottom-left'),
    ],
  };
}

/** Customers and value per quadrant, as two aligned horizontal bar rows. */
export function quadrantSummaryChart(rows: readonly QuadrantSummaryRow[], ctx: ChartContext): PlotOptions {
  const total = rows.reduce((s, r) => s + r.customers, 0);
  if (rows.length === 0 || total === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const name = (q: Quadrant): string => t(`chart.satisfaction.quadrant.${q}`);
  const data = rows.map((r) => ({ ...r, share: r.customers / total }));
  const longest = Math.max(...rows.map((r) => [...name(r.quadrant)].length));
  return {
    ...baseOptions(ctx, 40 * rows.length + 60),
    marginLeft: Math.min(200, 16 + 8 * longest),
    marginRight: 120,
    x: { label: t('chart.axis.customers'), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    y: { label: null, domain: QUADRANTS.filter((q) => rows.some((r) => r.quadrant === q)), tickFormat: name },
    color: { domain: QUADRANTS, range: QUADRANT_RANGE },
    marks: [
      Plot.barX(data, {
        x: 'customers',
        y: 'quadrant',
        fill: 'quadrant',
        title: (r: (typeof data)[number]) =>
          `${name(r.quadrant)} (${t(`chart.satisfaction.dickBasu.${r.quadrant}`)})\n${t('chart.customers', { n: formatInteger(locale, r.customers) })} (${formatPercent(locale, r.share)})\n${t('chart.axis.value')}: ${formatMoney(locale, r.value, ctx.currency)}`,
        tip: true,
      }),
      Plot.text(data, {
        x: 'customers',
        y: 'quadrant',
        text: (r: (typeof data)[number]) => `${formatPercent(locale, r.share, 0)} · ${formatMoney(locale, r.value, ctx.currency)}`,
        textAnchor: 'start',
        dx: 4,
        fill: PALETTE.ink,
      }),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}

type NpsBand = 'detractor' | 'passive' | 'promoter';
function npsBand(score: number): NpsBand {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

/** Customers per score; on a 0–10 scale coloured as detractors / passives / promoters. */
export function scoreDistributionChart(rows: readonly ScoreCountRow[], ctx: ChartContext, opts: { readonly nps: boolean; readonly high: number }): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const total = rows.reduce((s, r) => s + r.customers, 0);
  const data = rows.map((r) => ({ ...r, share: total > 0 ? r.customers / total : 0, band: opts.nps ? npsBand(r.score) : r.score >= opts.high ? 'promoter' : 'detractor' }));
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 280)),
    x: { label: t('chart.satisfaction.level'), domain: data.map((d) => d.score), tickFormat: (v: number) => String(v) },
    y: { label: t('chart.axis.customers'), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    color: opts.nps
      ? { domain: ['detractor', 'passive', 'promoter'], range: [PALETTE.nps.detractor, PALETTE.nps.passive, PALETTE.nps.promoter], legend: true, tickFormat: (b: string) => t(`chart.satisfaction.nps.${b}`) }
      : { domain: ['detractor', 'promoter'], range: [PALETTE.muted, PALETTE.primary], legend: true, tickFormat: (b: string) => t(b === 'promoter' ? 'chart.satisfaction.high' : 'chart.satisfaction.low') },
    marks: [
      Plot.barY(data, {
        x: 'score',
        y: 'customers',
        fill: 'band',
        title: (d: (typeof data)[number]) => `${d.score}: ${t('chart.customers', { n: formatInteger(locale, d.customers) })} (${formatPercent(locale, d.share)})`,
        tip: true,
      }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}
