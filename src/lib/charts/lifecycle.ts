/** Lifecycle stages, their migration and history (METRICS.md §8): rows → Plot options, and the panel's cards. */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import { drillChannel } from './drill.ts';
import type { Shown } from '../analyses/index.ts';
import type { FromStage, MigrationCell, StageHistoryRow, StageRow } from '../analyses/lifecycle.ts';
import type { Stage } from '../analyses/segments.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';
import { OKABE_ITO, PALETTE, baseOptions, chartHeight, emptyChart, formatCompact, formatInteger, formatMoney, formatPercent, isoDate, monthAxis, type ChartContext } from './theme.ts';

/** Stages in the order a relationship goes through them (the rules of §8 test them in another order). */
export const STAGE_ORDER: readonly Stage[] = ['exploration', 'formation', 'stability', 'decline', 'lost'];
export const FROM_ORDER: readonly FromStage[] = ['none', ...STAGE_ORDER];

export const STAGE_COLORS: Readonly<Record<Stage, string>> = {
  exploration: OKABE_ITO.sky,
  formation: OKABE_ITO.blue,
  stability: OKABE_ITO.green,
  decline: OKABE_ITO.orange,
  lost: '#8C96A3',
};

export const stageName = (t: ChartContext['t'], id: FromStage): string => t(`chart.stage.${id}`);

/** Customers per stage at as_of (bars), labelled with their revenue over the last 365 days. */
export function stageChart(rows: readonly StageRow[], ctx: ChartContext): PlotOptions {
  if (rows.every((r) => r.customers === 0)) return emptyChart(ctx);
  const { locale, t } = ctx;
  const data = STAGE_ORDER.map((id) => rows.find((r) => r.stage === id)).filter((r): r is StageRow => r !== undefined);
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.4, 220, 300)),
    x: { domain: STAGE_ORDER, tickFormat: (id: Stage) => stageName(t, id), label: null },
    y: { label: t('chart.axis.customers'), grid: true, insetTop: 28 },
    color: { domain: [...STAGE_ORDER], range: STAGE_ORDER.map((s) => STAGE_COLORS[s]) },
    marks: [
      Plot.barY(data, {
        x: 'stage',
        y: 'customers',
        ...drillChannel(ctx.drill, (r: StageRow) => ({ stage: r.stage })),
        fill: 'stage',
        title: (r: StageRow) =>
          [stageName(t, r.stage), t('chart.customers', { n: formatInteger(locale, r.customers) }), formatPercent(locale, r.customer_share), `${t('chart.stage.revenue365')}: ${formatMoney(locale, r.revenue_365, ctx.currency)}`].join('\n'),
        tip: true,
      }),
      Plot.text(data, { x: 'stage', y: 'customers', text: (r: StageRow) => formatInteger(locale, r.customers), dy: -18, fill: PALETTE.ink, fontWeight: 600 }),
      Plot.text(data, { x: 'stage', y: 'customers', text: (r: StageRow) => formatCompact(locale, r.revenue_365), dy: -6, fill: PALETTE.inkSoft, fontSize: 10 }),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The from × to matrix: each cell's share of its row (colour) and its customers (number). */
export function migrationChart(cells: readonly MigrationCell[], ctx: ChartContext): PlotOptions {
  if (cells.every((c) => c.customers === 0)) return emptyChart(ctx);
  const { locale, t } = ctx;
  const narrow = ctx.width < 520;
  const name = (id: FromStage) => stageName(t, id);
  const longest = Math.max(...FROM_ORDER.map((id) => name(id).length));
  const marginLeft = Math.min(Math.round(ctx.width * 0.3), Math.max(64, longest * (locale === 'zh-CN' ? 12 : 6.6) + 10));
  return {
    ...baseOptions(ctx, 6 * 40 + 90),
    marginLeft,
    marginBottom: narrow ? 64 : 44,
    x: { domain: STAGE_ORDER, tickFormat: name, label: t('chart.stage.toAxis'), tickRotate: narrow ? -30 : 0 },
    // Rows are named in the subtitle: an axis label here would stick out left of the row names.
    y: { domain: FROM_ORDER, tickFormat: name, label: null },
    color: { type: 'linear', domain: [0, 1], range: ['#F3F6FA', PALETTE.primary], label: t('chart.stage.fromShare') },
    marks: [
      Plot.cell(cells, {
        x: 'to',
        y: 'from',
        ...drillChannel(ctx.drill, (c: MigrationCell) => ({ drill: { kind: 'migration', from: c.from, to: c.to } })),
        fill: (c: MigrationCell) => c.from_share ?? 0,
        stroke: 'white',
        title: (c: MigrationCell) =>
          `${name(c.from)} → ${name(c.to)}\n${t('chart.customers', { n: formatInteger(locale, c.customers) })}\n${t('chart.stage.fromShare')}: ${formatPercent(locale, c.from_share)}\n${t('chart.stage.allShare')}: ${formatPercent(locale, c.share)}`,
        tip: true,
      }),
      Plot.text(cells, {
        x: 'to',
        y: 'from',
        text: (c: MigrationCell) => formatInteger(locale, c.customers),
        fill: (c: MigrationCell) => ((c.from_share ?? 0) > 0.55 ? 'white' : PALETTE.ink),
      }),
    ],
  };
}

interface HistoryPoint {
  /** ISO, as in the row. */
  readonly day: string;
  readonly date: Date;
  readonly stage: Stage;
  readonly customers: number;
}

/** Stage counts on every month end (and on as_of), stacked. */
export function stageHistoryChart(rows: readonly StageHistoryRow[], ctx: ChartContext): PlotOptions {
  if (rows.length === 0) return emptyChart(ctx);
  const { locale, t } = ctx;
  const points: HistoryPoint[] = rows.flatMap((r) => STAGE_ORDER.map((stage) => ({ day: r.date, date: isoDate(r.date), stage, customers: r[stage] })));
  return {
    ...baseOptions(ctx, chartHeight(ctx.width, 0.45, 240, 360)),
    x: monthAxis(ctx, points.map((p) => p.date)),
    y: { label: t('chart.axis.customers'), grid: true },
    color: { domain: [...STAGE_ORDER], range: STAGE_ORDER.map((s) => STAGE_COLORS[s]), tickFormat: (id: Stage) => stageName(t, id), legend: true },
    marks: [
      Plot.areaY(points, { x: 'date', y: 'customers', fill: 'stage', order: [...STAGE_ORDER] }),
      // A point in the middle of each stage's band at each date opens its customers.
      ...(ctx.drill
        ? [
            Plot.dot(
              points,
              Plot.stackY({
                x: 'date',
                y: 'customers',
                z: 'stage',
                order: [...STAGE_ORDER],
                r: 3.5,
                fill: 'white',
                stroke: PALETTE.ink,
                strokeWidth: 1,
                filter: (p: HistoryPoint) => p.customers > 0,
                ariaLabel: (p: HistoryPoint) => `${p.day} ${stageName(t, p.stage)}: ${formatInteger(locale, p.customers)}`,
                ...drillChannel(ctx.drill, (p: HistoryPoint) => ({ drill: { kind: 'stageAt', date: p.day, stage: p.stage } })),
              }),
            ),
          ]
        : []),
      Plot.ruleX(
        points,
        Plot.pointerX({
          x: 'date',
          stroke: PALETTE.muted,
          title: (p: HistoryPoint) => {
            const r = rows.find((h) => isoDate(h.date).getTime() === p.date.getTime());
            return r ? [r.date, ...STAGE_ORDER.map((s) => `${stageName(t, s)}: ${formatInteger(locale, r[s])}`)].join('\n') : '';
          },
          tip: true,
        }),
      ),
      Plot.ruleY([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The Lifecycle panel's chart cards: stages at as_of, their migration over P days, their history. */
export function lifecycleCards(result: Shown<'lifecycle'>, settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const { t } = ctx;
  const f = cardFormat(ctx);
  const l = result.lifecycle;
  const total = l.stages.reduce((s, r) => s + r.customers, 0);
  const active = l.stages.filter((r) => r.stage !== 'lost').reduce((s, r) => s + r.customers, 0);
  const stable = l.stages.find((r) => r.stage === 'stability');
  const decline = l.stages.find((r) => r.stage === 'decline');
  return [
    {
      id: 'stages',
      title: total > 0 ? t('dash.life.stagesTitle', { active: f.pct(active / total), stable: f.int(stable?.customers ?? 0), decline: f.int(decline?.customers ?? 0) }) : t('dash.life.none'),
      subtitle: t('dash.life.stagesSubtitle', { w: settings.churnWindowDays, k: f.num(settings.overdueFactor, 1), s: settings.stableDays }),
      build: (w) => stageChart(l.stages, chartContextOf(ctx, w)),
    },
    {
      id: 'migration',
      title: t('dash.life.migrationTitle', { returning: f.int(l.summary.returning_customers), fresh: f.int(l.summary.new_customers_period), p: settings.periodDays }),
      subtitle: t('dash.life.migrationSubtitle', { from: l.summary.from_date, p: settings.periodDays }),
      build: (w) => migrationChart(l.migration, chartContextOf(ctx, w)),
    },
    {
      id: 'stage-history',
      title: t('dash.life.historyTitle', { n: f.int(active) }),
      subtitle: t('dash.life.historySubtitle'),
      build: (w) => stageHistoryChart(l.history, chartContextOf(ctx, w)),
    },
  ];
}
