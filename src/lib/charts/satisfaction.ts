/** Satisfaction and loyalty (METRICS.md §6): rows → Plot options. */
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
  formatNumber,
  formatPercent,
  integerTicks,
  labelWidth,
  percentTick,
  SMALL_FILL,
  smallGroupTip,
  type ChartContext,
} from './theme.ts';
import type { Shown } from '../analyses/index.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';

import type { LevelRow, Quadrant, QuadrantRow, SatisfactionGroup, SatisfactionGroupRow } from '../analyses/satisfaction.ts';

export type { Quadrant, SatisfactionGroup };
export const QUADRANTS: readonly Quadrant[] = ['loyalists', 'mercenaries', 'hostages', 'defectors'];
export const SATISFACTION_GROUPS: readonly SatisfactionGroup[] = ['top_box', 'satisfied', 'below'];
/** Jones & Sasser curve: repurchase rate per satisfaction level (customer score rounded half up). */
export type SatisfactionLevelRow = Pick<LevelRow, 'level' | 'n' | 'repeat_customers' | 'repurchase_rate'> & Partial<Pick<LevelRow, 'group' | 'small'>>;
/** The three groups by customer score, for the curve's legend. */
export type SatisfactionGroupSummary = Pick<SatisfactionGroupRow, 'group' | 'n' | 'repurchase_rate'>;

const GROUP_RANGE = [PALETTE.positive, PALETTE.secondary, PALETTE.muted];
export type QuadrantSummaryRow = Pick<QuadrantRow, 'quadrant' | 'high' | 'loyal' | 'customers' | 'share' | 'value' | 'value_share'>;

const QUADRANT_RANGE = QUADRANTS.map((q) => PALETTE.quadrants[q]);

/** Inset of the curve's x scale, so the end levels' labels clear the y axis. */
const CURVE_INSET = 14;
/** Room a curve label takes across (10 px digits, "100%" or "n=1,234"), with a gap. */
const LABEL_WIDTH = 34;

/**
 * The curve, each level's dot coloured by its group (top box, satisfied but not completely,
 * below); the legend gives each group's repurchase rate over its customers when `groups` is given.
 * A small level's dot is grey whatever its group.
 */
export function satisfactionCurveChart(rows: readonly SatisfactionLevelRow[], ctx: ChartContext, groups: readonly SatisfactionGroupSummary[] = []): PlotOptions {
  const data = rows.flatMap((r) => (r.repurchase_rate === null ? [] : [{ ...r, rate: r.repurchase_rate, group: r.group ?? 'below' }]));
  if (data.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  type Level = (typeof data)[number];
  const legend = (g: SatisfactionGroup): string => {
    const row = groups.find((x) => x.group === g);
    const name = t(`chart.satisfaction.group.${g}`);
    return row ? `${name}: ${formatPercent(locale, row.repurchase_rate, 0)} (n=${formatInteger(locale, row.n)})` : name;
  };
  const grouped = groups.length > 0 || rows.some((r) => r.group !== undefined);
  const levelTip = (r: Level): string =>
    [
      `${t('chart.satisfaction.level')} ${r.level}: ${formatPercent(locale, r.rate)}`,
      t('chart.repurchase.returnedOf', { returned: formatInteger(locale, r.repeat_customers), customers: formatInteger(locale, r.n) }),
      ...(grouped ? [t(`chart.satisfaction.group.${r.group}`)] : []),
      ...(r.small ? [smallGroupTip(ctx)] : []),
    ].join('\n');
  // A label ("100%" over "n=198") needs about LABEL_WIDTH px: where the levels stand closer (a
  // phone, 0–10), every second (or third …) level is labelled, the first always; the others'
  // rate and n are in their tips and the table view.
  const base = baseOptions(ctx, chartHeight(ctx.width, 0.45, 220, 340));
  const span = ctx.width - Number(base.marginLeft ?? 0) - Number(base.marginRight ?? 0) - 2 * CURVE_INSET;
  const spacing = data.length > 1 ? span / (data.length - 1) : span;
  const every = Math.max(1, Math.ceil(LABEL_WIDTH / spacing));
  const labelled = data.filter((_, i) => i % every === 0);
  return {
    ...base,
    marginTop: 40,
    // Inset: the first and last levels' labels are centred on their dots, clear of the y axis.
    x: { label: t('chart.satisfaction.level'), ticks: data.map((r) => r.level), tickFormat: (v: number) => String(v), inset: CURVE_INSET },
    y: { label: t('chart.repurchaseRate'), tickFormat: percentTick(locale), domain: [0, 1], grid: true },
    color: { domain: SATISFACTION_GROUPS, range: GROUP_RANGE, legend: grouped, tickFormat: legend },
    marks: [
      Plot.ruleY([0], { stroke: PALETTE.ink }),
      Plot.lineY(data, { x: 'level', y: 'rate', stroke: PALETTE.primary, strokeWidth: 2.5 }),
      Plot.dot(
        data.filter((r) => !r.small),
        { x: 'level', y: 'rate', ...drillChannel(ctx.drill, (r: Level) => ({ drill: { kind: 'level', level: r.level } })), r: grouped ? 5 : 4, fill: grouped ? 'group' : PALETTE.primary, stroke: 'white', title: levelTip, tip: true },
      ),
      Plot.text(labelled, {
        x: 'level',
        y: 'rate',
        text: (r: Level) => `${formatPercent(locale, r.rate, 0)}\nn=${formatInteger(locale, r.n)}`,
        lineAnchor: 'bottom',
        dy: -8,
        fill: (r: Level) => (r.small ? PALETTE.muted : PALETTE.ink),
        fontSize: 10,
      }),
      Plot.dot(
        data.filter((r) => r.small),
        { x: 'level', y: 'rate', ...drillChannel(ctx.drill, (r: Level) => ({ drill: { kind: 'level', level: r.level } })), r: grouped ? 5 : 4, fill: SMALL_FILL, stroke: PALETTE.muted, title: levelTip, tip: true },
      ),
    ],
  };
}

/**
 * Satisfaction × loyalty as a 2 × 2 map: each quadrant a tile named after Jones & Sasser and
 * Dick & Basu, with its customers and value; the tile's opacity follows its share of customers.
 */
export function quadrantMapChart(rows: readonly QuadrantSummaryRow[], ctx: ChartContext, th: { readonly high: number; readonly loyalMinOrders: number }): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const sat = (high: boolean): string => t(high ? 'chart.satisfaction.highAt' : 'chart.satisfaction.lowBelow', { score: formatNumber(locale, th.high) });
  const loyal = (l: boolean): string => t(l ? 'chart.satisfaction.loyalAt' : 'chart.satisfaction.notLoyalBelow', { n: th.loyalMinOrders });
  const data = rows.map((r) => ({ ...r, x: sat(r.high), y: loyal(r.loyal) }));
  type Tile = (typeof data)[number];
  // Each tile's text is fitted to the tile: each group (a name, a count and its share, a value
  // and its share) wraps at spaces; the font shrinks (to 9 px) when a word alone is too wide;
  // the chart grows when the lines are too many for its height. Text drawn past a tile ran
  // into its neighbour.
  const base = baseOptions(ctx, chartHeight(ctx.width, 0.5, 280, 380));
  // On a narrow chart the axis labels take two lines, the condition under the name.
  const narrow = ctx.width < 480;
  const tick = (label: string): string => (narrow ? label.replace(/\s*([(（])/, '\n$1') : label);
  const widest = (label: string): number => Math.max(...tick(label).split('\n').map((l) => labelWidth(l)));
  const marginLeft = Math.min(200, 14 + Math.max(widest(loyal(true)), widest(loyal(false))));
  const margin = { top: 8, right: 8, bottom: narrow ? 58 : 44 };
  const padding = 0.03;
  const bandShare = (1 - padding) / (2 + padding);
  const room = (Number(base.width) - marginLeft - margin.right) * bandShare - 8;
  const parts = (r: Tile): string[][] => [
    [t(`chart.satisfaction.quadrant.${r.quadrant}`)],
    [t(`chart.satisfaction.dickBasu.${r.quadrant}`)],
    [''],
    [t('chart.customers', { n: formatInteger(locale, r.customers) }), `(${formatPercent(locale, r.share)})`],
    [`${t('chart.axis.value')}: ${formatMoney(locale, r.value, ctx.currency)}`, `(${formatPercent(locale, r.value_share)})`],
  ];
  const describe = (r: Tile): string => parts(r).map((group) => group.join(' ')).join('\n');
  const linesAt = (r: Tile, px: number): string[] =>
    parts(r).flatMap((group) => {
      const lines: string[] = [];
      for (const part of group.join(' ').split(' ')) {
        const last = lines[lines.length - 1];
        if (last !== undefined && labelWidth(`${last} ${part}`, px) <= room) lines[lines.length - 1] = `${last} ${part}`;
        else lines.push(part);
      }
      return lines;
    });
  const fits = (px: number): boolean => data.every((r) => linesAt(r, px).every((l) => labelWidth(l, px) <= room));
  const fontSize = [12, 11, 10].find(fits) ?? 9;
  const lineHeight = 1.3;
  const mostLines = Math.max(...data.map((r) => linesAt(r, fontSize).length));
  const tileHeight = mostLines * fontSize * lineHeight + 8;
  const height = Math.max(Number(base.height), Math.ceil(tileHeight / bandShare) + margin.top + margin.bottom);
  return {
    ...base,
    height,
    marginLeft,
    marginTop: margin.top,
    marginBottom: margin.bottom,
    marginRight: margin.right,
    padding,
    x: { domain: [sat(false), sat(true)], label: t('chart.satisfaction.satisfactionAxis'), axis: 'bottom', tickSize: 0, tickFormat: tick },
    y: { domain: [loyal(true), loyal(false)], label: null, axis: 'left', tickSize: 0, tickFormat: tick },
    color: { domain: QUADRANTS, range: QUADRANT_RANGE },
    opacity: { domain: [0, 1], range: [0.15, 0.75] },
    marks: [
      Plot.cell(data, { x: 'x', y: 'y', fill: 'quadrant', fillOpacity: (r: Tile) => r.share ?? 0, title: describe, tip: true, ...drillChannel(ctx.drill, (r: Tile) => ({ quadrant: r.quadrant })) }),
      Plot.text(data, { x: 'x', y: 'y', text: (r: Tile) => linesAt(r, fontSize).join('\n'), fill: PALETTE.ink, fontSize, lineHeight }),
    ],
  };
}

/** Customers and value per quadrant, as two aligned horizontal bar rows. */
export function quadrantSummaryChart(rows: readonly QuadrantSummaryRow[], ctx: ChartContext): PlotOptions {
  const total = rows.reduce((s, r) => s + r.customers, 0);
  if (rows.length === 0 || total === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const name = (q: Quadrant): string => t(`chart.satisfaction.quadrant.${q}`);
  const data = rows;
  const longest = Math.max(...rows.map((r) => labelWidth(name(r.quadrant))));
  return {
    ...baseOptions(ctx, 40 * rows.length + 60),
    marginLeft: Math.min(200, 16 + longest),
    marginRight: 120,
    x: { label: t('chart.axis.customers'), ticks: integerTicks(0, Math.max(...rows.map((r) => r.customers))), tickFormat: (v: number) => formatCompact(locale, v), grid: true },
    y: { label: null, domain: QUADRANTS.filter((q) => rows.some((r) => r.quadrant === q)), tickFormat: name },
    color: { domain: QUADRANTS, range: QUADRANT_RANGE },
    marks: [
      Plot.barX(data, {
        x: 'customers',
        y: 'quadrant',
        ...drillChannel(ctx.drill, (r: { readonly quadrant: Quadrant }) => ({ quadrant: r.quadrant })),
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

type Band = 'detractor' | 'passive' | 'promoter';

/** Customers per satisfaction level; on 0–10 coloured as detractors / passives / promoters (NPS). */
export function scoreDistributionChart(
  rows: readonly SatisfactionLevelRow[],
  ctx: ChartContext,
  opts: { readonly high: number; readonly detractorMax: number | null },
): PlotOptions {
  const total = rows.reduce((s, r) => s + r.n, 0);
  if (rows.length === 0 || total === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const nps = opts.detractorMax !== null;
  const band = (level: number): Band =>
    level >= opts.high ? 'promoter' : nps && level > (opts.detractorMax ?? 0) ? 'passive' : 'detractor';
  const data = rows.map((r) => ({ ...r, share: r.n / total, band: band(r.level) }));
  type Bar = (typeof data)[number];
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.35, 200, 280)),
    x: { label: t('chart.satisfaction.level'), domain: data.map((d) => d.level), tickFormat: (v: number) => String(v) },
    y: { label: t('chart.axis.customers'), ticks: integerTicks(0, Math.max(...rows.map((r) => r.n))), tickFormat: (v: number) => formatCompact(locale, v), grid: true, insetTop: 14 },
    color: nps
      ? { domain: ['detractor', 'passive', 'promoter'], range: [PALETTE.nps.detractor, PALETTE.nps.passive, PALETTE.nps.promoter], legend: true, tickFormat: (b: string) => t(`chart.satisfaction.nps.${b}`) }
      : { domain: ['detractor', 'promoter'], range: [PALETTE.muted, PALETTE.primary], legend: true, tickFormat: (b: string) => t(b === 'promoter' ? 'chart.satisfaction.high' : 'chart.satisfaction.low') },
    marks: [
      Plot.barY(data, {
        x: 'level',
        y: 'n',
        ...drillChannel(ctx.drill, (d: Bar) => ({ drill: { kind: 'level', level: d.level } })),
        fill: 'band',
        title: (d: Bar) => `${d.level}: ${t('chart.customers', { n: formatInteger(locale, d.n) })} (${formatPercent(locale, d.share)})`,
        tip: true,
      }),
      Plot.text(data, { x: 'level', y: 'n', text: (d: Bar) => formatPercent(locale, d.share, 0), dy: -7, fill: PALETTE.ink }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The Satisfaction panel's chart cards, in page order; none when no customer has a score. */
export function satisfactionCards(result: Shown<'satisfaction'>, settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const { t } = ctx;
  const f = cardFormat(ctx);
  const sat = result.satisfaction;
  if (!(sat.summary.customers_with_score > 0)) return [];
  const high = sat.scaleInfo.high;
  // The curve's ends as quoted: the lowest and highest levels that are not small groups.
  const rated = sat.levels.filter((l) => l.repurchase_rate !== null);
  const quotable = rated.filter((l) => !l.small);
  const lo = quotable[0];
  const hi = quotable[quotable.length - 1];
  const loyal = sat.quadrants.find((q) => q.quadrant === 'loyalists');
  const hostages = sat.quadrants.find((q) => q.quadrant === 'hostages');
  const { nps, satisfaction_mean: mean } = sat.summary;
  return [
    {
      id: 'satisfaction-curve',
      title:
        !lo || !hi || lo === hi
          ? rated.length >= 2
            ? t('dash.satisfaction.curveSmall', { min: f.int(settings.minGroupSize) })
            : t('dash.satisfaction.curveNone')
          : t('dash.satisfaction.curveTitle', { lo: lo.level, loRate: f.pct(lo.repurchase_rate), hi: hi.level, hiRate: f.pct(hi.repurchase_rate) }),
      subtitle: t('dash.satisfaction.curveSubtitle', { n: settings.loyalMinOrders }),
      build: (w) => satisfactionCurveChart(sat.levels, { ...chartContextOf(ctx, w), minGroupSize: settings.minGroupSize }, sat.groups),
    },
    {
      id: 'quadrants',
      title: loyal && hostages ? t('dash.satisfaction.quadrantTitle', { loyal: f.pct(loyal.share), hostages: f.pct(hostages.share) }) : t('dash.satisfaction.quadrantNone'),
      subtitle: t('dash.satisfaction.quadrantSubtitle', { high: high === null ? '–' : f.num(high, 1), n: settings.loyalMinOrders }),
      build: (w) =>
        high === null
          ? quadrantSummaryChart([], chartContextOf(ctx, w))
          : quadrantMapChart(sat.quadrants, chartContextOf(ctx, w), { high, loyalMinOrders: settings.loyalMinOrders }),
    },
    {
      id: 'quadrant-value',
      title: loyal ? t('dash.satisfaction.valueTitle', { share: f.pct(loyal.value_share) }) : t('dash.satisfaction.quadrantNone'),
      subtitle: t('dash.satisfaction.valueSubtitle'),
      build: (w) => quadrantSummaryChart(sat.quadrants, chartContextOf(ctx, w)),
    },
    {
      id: 'score-distribution',
      title: nps !== null ? t('dash.satisfaction.npsTitle', { nps: f.num(nps, 1) }) : t('dash.satisfaction.distTitle', { mean: f.num(mean, 2) }),
      subtitle: t('dash.satisfaction.distSubtitle'),
      build: (w) => scoreDistributionChart(sat.levels, chartContextOf(ctx, w), { high: high ?? Infinity, detractorMax: sat.scaleInfo.detractorMax }),
    },
  ];
}
