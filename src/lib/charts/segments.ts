/** RFM segments and the eight classes (METRICS.md §7): rows → Plot options, and the panel's cards. */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import { drillChannel } from './drill.ts';
import type { CustomerFilter } from '../analyses/customer-list.ts';
import type { Shown } from '../analyses/index.ts';
import type { Rfm8Class, RfmCellRow, RfmSegment, SegmentRow } from '../analyses/segments.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';
import { PALETTE, baseOptions, emptyChart, formatInteger, formatMoney, formatNumber, formatPercent, percentTick, type ChartContext } from './theme.ts';

/** The name of a segment (`chart.seg.<id>`) or class (`chart.rfm8.<id>`). */
export const segmentName = (t: ChartContext['t'], id: string): string => t(`chart.seg.${id}`);
export const className = (t: ChartContext['t'], id: string): string => t(`chart.rfm8.${id}`);

export type GridCell = Pick<RfmCellRow, 'r_score' | 'f_score' | 'segment' | 'customers' | 'avg_m' | 'revenue_share' | 'avg_recency'>;
export type GroupRow = Pick<SegmentRow, 'id' | 'customers' | 'customer_share' | 'revenue' | 'revenue_share'>;

interface Edge {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** The sides of the grid's cells where the segment changes (or the grid ends): each segment's outline. */
export function segmentEdges(cells: readonly GridCell[]): Edge[] {
  const at = new Map(cells.map((c) => [`${c.r_score},${c.f_score}`, c.segment]));
  const edges: Edge[] = [];
  for (const c of cells) {
    const { f_score: f, r_score: r } = c;
    const sides: [number, number, Edge][] = [
      [f - 1, r, { x1: f - 0.5, y1: r - 0.5, x2: f - 0.5, y2: r + 0.5 }],
      [f + 1, r, { x1: f + 0.5, y1: r - 0.5, x2: f + 0.5, y2: r + 0.5 }],
      [f, r - 1, { x1: f - 0.5, y1: r - 0.5, x2: f + 0.5, y2: r - 0.5 }],
      [f, r + 1, { x1: f - 0.5, y1: r + 0.5, x2: f + 0.5, y2: r + 0.5 }],
    ];
    for (const [nf, nr, e] of sides) if (at.get(`${nr},${nf}`) !== c.segment) edges.push(e);
  }
  // An inner side is found from both cells: keep it once.
  const seen = new Set<string>();
  return edges.filter((e) => {
    const k = `${e.x1},${e.y1},${e.x2},${e.y2}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The top-left corner of each segment's rectangle on the grid (where its name is written). */
export function segmentLabels(cells: readonly GridCell[]): { segment: RfmSegment; f: number; r: number }[] {
  const out = new Map<RfmSegment, { segment: RfmSegment; f: number; r: number }>();
  for (const c of cells) {
    const cur = out.get(c.segment);
    if (cur === undefined) out.set(c.segment, { segment: c.segment, f: c.f_score - 0.5, r: c.r_score + 0.5 });
    else out.set(c.segment, { segment: c.segment, f: Math.min(cur.f, c.f_score - 0.5), r: Math.max(cur.r, c.r_score + 0.5) });
  }
  return [...out.values()];
}

/**
 * The 5 × 5 R × F grid: customers per cell (colour and number), the ten segments outlined
 * and named in the corner of their rectangle; a cell's tip adds mean M, revenue share and
 * mean days since the last purchase.
 */
export function rfmGridChart(cells: readonly GridCell[], ctx: ChartContext): PlotOptions {
  if (cells.length === 0 || cells.every((c) => c.customers === 0)) return emptyChart(ctx);
  const { locale, t } = ctx;
  const width = Math.max(280, Math.round(ctx.width));
  const size = Math.min(width, 640);
  // Wider than the grid needs: the rest is margin on both sides, so cells stay square.
  const extra = Math.floor((width - size) / 2);
  const cellW = (size - 56 - 16) / 5;
  const max = Math.max(...cells.map((c) => c.customers));
  const tip = (c: GridCell): string =>
    [
      `${segmentName(t, c.segment)} · R ${c.r_score} · F ${c.f_score}`,
      t('chart.customers', { n: formatInteger(locale, c.customers) }),
      `${t('chart.seg.avgM')}: ${formatMoney(locale, c.avg_m, ctx.currency)}`,
      `${t('chart.seg.revenueShare')}: ${formatPercent(locale, c.revenue_share)}`,
      `${t('chart.seg.avgRecency')}: ${formatNumber(locale, c.avg_recency, 0)}`,
    ].join('\n');
  return {
    ...baseOptions(ctx, Math.round(size * 0.9)),
    marginLeft: 56 + extra,
    marginRight: 16 + width - size - extra,
    marginBottom: 44,
    x: { domain: [0.5, 5.5], ticks: [1, 2, 3, 4, 5], tickFormat: (v: number) => String(v), label: t('chart.seg.fAxis') },
    y: { domain: [0.5, 5.5], ticks: [1, 2, 3, 4, 5], tickFormat: (v: number) => String(v), label: t('chart.seg.rAxis') },
    color: { type: 'linear', domain: [0, Math.max(1, max)], range: ['#F3F6FA', PALETTE.primary], label: t('chart.axis.customers') },
    marks: [
      Plot.rect(cells, {
        ...drillChannel(ctx.drill, (c: GridCell) => ({ drill: { kind: 'rfmCell', r: c.r_score, f: c.f_score } })),
        x1: (c: GridCell) => c.f_score - 0.5,
        x2: (c: GridCell) => c.f_score + 0.5,
        y1: (c: GridCell) => c.r_score - 0.5,
        y2: (c: GridCell) => c.r_score + 0.5,
        fill: 'customers',
        stroke: 'white',
        title: tip,
        tip: true,
      }),
      Plot.text(cells, {
        x: 'f_score',
        y: 'r_score',
        dy: 8,
        text: (c: GridCell) => formatInteger(locale, c.customers),
        fill: (c: GridCell) => (c.customers > max * 0.55 ? 'white' : PALETTE.ink),
        fontSize: 13,
        fontWeight: 600,
      }),
      Plot.link(segmentEdges(cells), { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: PALETTE.ink, strokeWidth: 2 }),
      Plot.text(segmentLabels(cells), {
        x: 'f',
        y: 'r',
        text: (l: { segment: RfmSegment }) => segmentName(t, l.segment),
        textAnchor: 'start',
        lineAnchor: 'top',
        dx: 4,
        dy: 4,
        fontSize: 10,
        lineWidth: Math.max(4, cellW / 6.5),
        fill: PALETTE.inkSoft,
        stroke: 'white',
        strokeWidth: 3,
        paintOrder: 'stroke',
      }),
    ],
  };
}

/** Per group (segment or class): its share of customers (light bar) over its share of revenue (dark bar). */
export function groupShareChart(rows: readonly GroupRow[], ctx: ChartContext, name: (id: string) => string, drill?: (id: string) => CustomerFilter): PlotOptions {
  if (rows.length === 0 || rows.every((r) => r.customers === 0)) return emptyChart(ctx);
  const { locale, t } = ctx;
  const labels = rows.map((r) => name(r.id));
  const longest = Math.max(...labels.map((l) => l.length));
  const cjk = locale === 'zh-CN';
  const marginLeft = Math.min(Math.round(ctx.width * 0.4), Math.max(80, longest * (cjk ? 12 : 6.6) + 12));
  const max = Math.max(0.05, ...rows.map((r) => Math.max(r.customer_share ?? 0, r.revenue_share ?? 0)));
  const title = (r: GroupRow): string =>
    [name(r.id), t('chart.customers', { n: formatInteger(locale, r.customers) }), `${t('chart.seg.customerShare')}: ${formatPercent(locale, r.customer_share)}`, `${t('chart.seg.revenueShare')}: ${formatPercent(locale, r.revenue_share)} · ${formatMoney(locale, r.revenue, ctx.currency)}`].join('\n');
  return {
    ...baseOptions(ctx, rows.length * 36 + 60),
    marginLeft,
    marginRight: 48,
    x: { domain: [Math.min(0, ...rows.map((r) => r.revenue_share ?? 0)), max * 1.1], tickFormat: percentTick(locale), label: t('chart.seg.shareAxis'), grid: true },
    y: { domain: rows.map((r) => r.id), tickFormat: name, label: null, padding: 0.2 },
    marks: [
      Plot.barX(rows, { x: (r: GroupRow) => r.customer_share ?? 0, y: 'id', fill: PALETTE.tiers.B, insetBottom: 14, title, tip: true, ...drillChannel(drill ? ctx.drill : false, (r: GroupRow) => drill?.(r.id) ?? null) }),
      Plot.barX(rows, { x: (r: GroupRow) => r.revenue_share ?? 0, y: 'id', fill: PALETTE.primary, insetTop: 15, title, ...drillChannel(drill ? ctx.drill : false, (r: GroupRow) => drill?.(r.id) ?? null) }),
      Plot.text(rows, { x: (r: GroupRow) => Math.max(r.customer_share ?? 0, r.revenue_share ?? 0), y: 'id', text: (r: GroupRow) => formatInteger(locale, r.customers), textAnchor: 'start', dx: 4, fill: PALETTE.ink }),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The Segments panel's chart cards: the R × F grid, the ten segments, the eight classes. */
export function segmentsCards(result: Shown<'segments'>, settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const { t } = ctx;
  const f = cardFormat(ctx);
  const s = result.segments;
  const byRevenue = [...s.segments].filter((r) => r.customers > 0).sort((a, b) => (b.revenue_share ?? 0) - (a.revenue_share ?? 0) || a.id.localeCompare(b.id));
  const top = byRevenue[0];
  const topClass = [...s.classes].filter((r) => r.customers > 0).sort((a, b) => b.customers - a.customers || a.id.localeCompare(b.id))[0];
  const champions = s.segments.find((r) => r.id === 'champions');
  const th = s.thresholds;
  return [
    {
      id: 'rfm-grid',
      title: champions && s.customers > 0 ? t('dash.seg.gridTitle', { n: f.int(champions.customers), share: f.pct(champions.customer_share), revenue: f.pct(champions.revenue_share) }) : t('dash.seg.none'),
      subtitle: t('dash.seg.gridSubtitle', { n: f.int(s.customers) }),
      printSubtitle: t('dash.seg.gridSubtitlePrint', { n: f.int(s.customers) }),
      build: (w) => rfmGridChart(s.grid, chartContextOf(ctx, w)),
    },
    {
      id: 'rfm-segments',
      title: top ? t('dash.seg.segmentsTitle', { segment: segmentName(t, top.id), share: f.pct(top.customer_share), revenue: f.pct(top.revenue_share) }) : t('dash.seg.none'),
      subtitle: t('dash.seg.segmentsSubtitle'),
      build: (w) => groupShareChart(s.segments, chartContextOf(ctx, w), (id) => segmentName(t, id), (id) => ({ segment: id as RfmSegment })),
    },
    {
      id: 'rfm8-classes',
      title: topClass ? t('dash.seg.classesTitle', { cls: className(t, topClass.id), n: f.int(topClass.customers), share: f.pct(topClass.customer_share) }) : t('dash.seg.none'),
      subtitle: t(settings.rfm8Basis === 'median' ? 'dash.seg.classesSubtitleMedian' : 'dash.seg.classesSubtitleMean', {
        r: f.num(th.r, 1),
        f: f.num(th.f, 2),
        m: f.money(th.m),
      }),
      build: (w) => groupShareChart(s.classes, chartContextOf(ctx, w), (id) => className(t, id), (id) => ({ rfm8Class: id as Rfm8Class })),
    },
  ];
}
