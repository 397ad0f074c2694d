/**
 * Warnings (METRICS.md §9): the size of both lists, the customers with most revenue at risk
 * (churn) and the largest drops against their own pace (baseline → current).
 */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import type { Shown } from '../analyses/index.ts';
import type { CustomerOrderRow } from '../analyses/customer-detail.ts';
import type { WarningRow, WarningSummaryRow } from '../analyses/warnings.ts';
import type { Settings } from '../model/settings.ts';
import { cardFormat, chartContextOf, type CardContext, type ChartCardSpec } from './cards.ts';
import { baseOptions, emptyChart, formatInteger, formatMoney, isoDate, labelWidth, moneyLabel, PALETTE, type ChartContext } from './theme.ts';

/** Customers drawn in each top-list chart. */
export const WARNING_TOP = 15;

interface CountBar {
  readonly label: string;
  readonly n: number;
}

/** Customers on each list, beside the customers the pace warning could assess. */
export function warningCountsChart(s: WarningSummaryRow, ctx: ChartContext): PlotOptions {
  const { t, locale } = ctx;
  const bars: CountBar[] = [
    { label: t('chart.warnings.churnBar'), n: s.churn_warning_customers },
    { label: t('chart.warnings.paceBar'), n: s.pace_warning_customers },
    { label: t('chart.warnings.assessedBar'), n: s.pace_assessed_customers },
  ];
  const left = Math.min(200, Math.max(...bars.map((b) => labelWidth(b.label))) + 16);
  return {
    ...baseOptions(ctx, 160),
    marginLeft: left,
    marginRight: 56,
    x: { label: t('chart.axis.customers'), grid: true, nice: true },
    y: { label: null, domain: bars.map((b) => b.label), padding: 0.3 },
    marks: [
      Plot.barX(bars, { x: 'n', y: 'label', fill: (b: CountBar) => (b === bars[2] ? PALETTE.muted : b === bars[0] ? PALETTE.accent : PALETTE.secondary) }),
      Plot.text(bars, { x: 'n', y: 'label', text: (b: CountBar) => formatInteger(locale, b.n), dx: 6, textAnchor: 'start', fill: PALETTE.ink }),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}

function idAxis(rows: readonly WarningRow[]): { domain: string[]; left: number } {
  const domain = rows.map((r) => r.customer_id);
  return { domain, left: Math.min(160, Math.max(48, ...domain.map((d) => labelWidth(d, 11) + 12))) };
}

/** The first WARNING_TOP churn-warning customers by revenue over the last 365 days. */
export function churnTopChart(rows: readonly WarningRow[], ctx: ChartContext): PlotOptions {
  const top = rows.slice(0, WARNING_TOP);
  if (top.length === 0) return emptyChart(ctx);
  const { domain, left } = idAxis(top);
  return {
    ...baseOptions(ctx, Math.max(160, 40 + top.length * 22)),
    marginLeft: left,
    marginRight: 72,
    x: { label: moneyLabel(ctx, 'chart.warnings.value365'), grid: true, nice: true },
    y: { label: null, domain, padding: 0.2 },
    marks: [
      Plot.barX(top, {
        x: 'value_365',
        y: 'customer_id',
        fill: PALETTE.accent,
        title: (r: WarningRow) => `${r.customer_id} · ${formatMoney(ctx.locale, r.value_365, ctx.currency ?? null)}`,
        tip: true,
      }),
      Plot.text(top, { x: 'value_365', y: 'customer_id', text: (r: WarningRow) => formatMoney(ctx.locale, r.value_365, ctx.currency ?? null), dx: 4, textAnchor: 'start', fill: PALETTE.inkSoft, fontSize: 10 }),
      Plot.ruleX([0], { stroke: PALETTE.ink }),
    ],
  };
}

/** The first WARNING_TOP pace-warning customers by drop: a link from baseline (grey) to current (orange). */
export function paceTopChart(rows: readonly WarningRow[], ctx: ChartContext): PlotOptions {
  const top = rows.slice(0, WARNING_TOP).filter((r) => r.baseline !== null);
  if (top.length === 0) return emptyChart(ctx);
  const { domain, left } = idAxis(top);
  const money = (v: number | null) => formatMoney(ctx.locale, v, ctx.currency ?? null);
  return {
    ...baseOptions(ctx, Math.max(180, 60 + top.length * 22)),
    marginLeft: left,
    x: { label: moneyLabel(ctx, 'chart.warnings.paceAxis'), grid: true, nice: true, zero: true },
    y: { label: null, domain, padding: 0.2 },
    color: { domain: [ctx.t('chart.warnings.baseline'), ctx.t('chart.warnings.current')], range: [PALETTE.muted, PALETTE.secondary], legend: true },
    marks: [
      Plot.link(top, { x1: 'baseline', x2: 'current', y1: 'customer_id', y2: 'customer_id', stroke: PALETTE.grid, strokeWidth: 3 }),
      Plot.dot(top, { x: 'baseline', y: 'customer_id', fill: PALETTE.muted, r: 4 }),
      Plot.dot(top, {
        x: 'current',
        y: 'customer_id',
        fill: PALETTE.secondary,
        r: 4,
        title: (r: WarningRow) => `${r.customer_id} · ${ctx.t('chart.warnings.baseline')} ${money(r.baseline)} → ${ctx.t('chart.warnings.current')} ${money(r.current)}`,
        tip: true,
      }),
    ],
  };
}

export function warningsCards(result: Shown<'warnings'>, settings: Settings, ctx: CardContext): ChartCardSpec[] {
  const { t } = ctx;
  const f = cardFormat(ctx);
  const w = result.warnings;
  const s = w.summary;
  const cards: ChartCardSpec[] = [
    {
      id: 'warning-counts',
      title: t('dash.warnings.countsTitle', { churn: f.int(s.churn_warning_customers), pace: f.int(s.pace_warning_customers) }),
      subtitle: t('dash.warnings.countsSubtitle', { assessed: f.int(s.pace_assessed_customers), p: f.int(settings.periodDays) }),
      build: (width) => warningCountsChart(s, chartContextOf(ctx, width)),
    },
  ];
  if (w.churn.rows.length > 0) {
    cards.push({
      id: 'churn-top',
      title: t('dash.warnings.churnTitle', { n: f.int(s.churn_warning_customers), value: f.money(s.churn_warning_value) }),
      subtitle: t('dash.warnings.churnSubtitle', { k: f.num(settings.overdueFactor), top: Math.min(WARNING_TOP, w.churn.rows.length) }),
      build: (width) => churnTopChart(w.churn.rows, chartContextOf(ctx, width)),
    });
  }
  if (w.pace.rows.some((r) => r.baseline !== null)) {
    cards.push({
      id: 'pace-top',
      title: t('dash.warnings.paceTitle', { n: f.int(s.pace_warning_customers), t: f.pct(settings.paceThreshold), drop: f.money(s.pace_warning_drop) }),
      subtitle: t('dash.warnings.paceSubtitle', { p: f.int(settings.periodDays), top: Math.min(WARNING_TOP, w.pace.rows.length) }),
      build: (width) => paceTopChart(w.pace.rows, chartContextOf(ctx, width)),
    });
  }
  return cards;
}

/** One customer's orders over time: a stem per order at its net amount (returns below zero). */
export function customerTimelineChart(orders: readonly CustomerOrderRow[], ctx: ChartContext): PlotOptions {
  if (orders.length === 0) return emptyChart(ctx, 120);
  const pts = orders.map((o) => ({ date: isoDate(o.order_date), net: o.order_net, key: o.order_key }));
  return {
    ...baseOptions(ctx, 160),
    x: { type: 'utc', label: null },
    y: { label: moneyLabel(ctx, 'chart.warnings.orderNet'), grid: true, nice: true },
    marks: [
      Plot.ruleY([0], { stroke: PALETTE.grid }),
      Plot.ruleX(pts, { x: 'date', y1: 0, y2: 'net', stroke: PALETTE.muted }),
      Plot.dot(pts, {
        x: 'date',
        y: 'net',
        fill: (p: { net: number }) => (p.net < 0 ? PALETTE.accent : PALETTE.primary),
        r: 3,
        title: (p: { key: string; net: number; date: Date }) => `${p.date.toISOString().slice(0, 10)} · ${p.key} · ${formatMoney(ctx.locale, p.net, ctx.currency ?? null)}`,
        tip: true,
      }),
    ],
  };
}
