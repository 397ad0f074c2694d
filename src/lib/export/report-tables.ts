/**
 * How each panel table of the registry reads in the report: its title, and its columns with
 * a translated heading and a kind that fixes the number format (whole numbers, percentages
 * with one decimal, money with two). Long tables are cut: the full data is in the exports.
 */
import { formatDate, formatInteger, formatMoney, formatNumber, formatPercent } from '../format.ts';
import type { Locale } from '../i18n/index.ts';

export type Translate = (key: string, params?: Readonly<Record<string, string | number>>) => string;

/** Rows shown per panel table; the rest are counted in a note. */
export const REPORT_TABLE_ROWS = 50;

export type ReportColumnKind = 'text' | 'int' | 'percent' | 'money' | 'number' | 'date' | 'yesno';

export interface ReportColumn {
  /** The field shown (or the first of those `text` combines). */
  readonly key: string;
  /** Message key of the heading. */
  readonly label: string;
  readonly kind: ReportColumnKind;
  /** Text of a cell built from the row (labels, ranges); else the field's value by kind. */
  readonly text?: (row: Readonly<Record<string, unknown>>, t: Translate) => string;
  /** Left out when no row has a value (the profit column without a profit mapping). */
  readonly optional?: boolean;
}

export interface ReportTableSpec {
  /** Message key of the table's heading. */
  readonly title: string;
  readonly columns: readonly ReportColumn[];
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

const dayBin: ReportColumn['text'] = (r, t) =>
  r.hi === null ? t('chart.repurchase.daysOpen', { from: num(r.lo) }) : t('chart.repurchase.dayRange', { from: num(r.lo), to: num(r.hi) - 1 });

const COUNT = (key: string, label: string): ReportColumn => ({ key, label, kind: 'int' });
const PCT = (key: string, label: string): ReportColumn => ({ key, label, kind: 'percent' });
const MONEY = (key: string, label: string): ReportColumn => ({ key, label, kind: 'money' });

/** Keyed by `<panel>.<table name>` of the registry. */
export const REPORT_TABLES: Readonly<Record<string, ReportTableSpec>> = {
  'overview.activity': {
    title: 'rpt.table.activity',
    columns: [{ key: 'date', label: 'dash.col.date', kind: 'date' }, COUNT('customers', 'dash.col.customers'), COUNT('active', 'dash.col.active'), COUNT('lapsed', 'dash.col.lapsed')],
  },
  'pareto.tiers': {
    title: 'rpt.table.tiers',
    columns: [
      { key: 'tier', label: 'dash.col.tier', kind: 'text', text: (r, t) => t('chart.pareto.tier', { tier: str(r.tier) }) },
      { key: 'first_rank', label: 'dash.col.ranks', kind: 'text', text: (r) => `${str(r.first_rank)}–${str(r.last_rank)}` },
      COUNT('customers', 'dash.col.customers'),
      PCT('customer_share', 'dash.col.customerShare'),
      MONEY('value', 'dash.col.value'),
      PCT('value_share', 'dash.col.valueShare'),
      COUNT('orders', 'dash.col.orders'),
      MONEY('aov', 'chart.aov'),
      PCT('repurchase_rate', 'chart.repurchaseRate'),
      { ...MONEY('profit', 'dash.col.profit'), optional: true },
    ],
  },
  'pareto.deciles': {
    title: 'rpt.table.deciles',
    columns: [
      { key: 'decile', label: 'dash.col.decile', kind: 'text', text: (r, t) => t('chart.pareto.decile', { from: (num(r.decile) - 1) * 10, to: num(r.decile) * 10 }) },
      COUNT('customers', 'dash.col.customers'),
      MONEY('value', 'dash.col.value'),
      PCT('value_share', 'dash.col.share'),
      PCT('cum_value_share', 'dash.col.cumShare'),
    ],
  },
  'pareto.profit_split': {
    title: 'rpt.table.profitSplit',
    columns: [
      { key: 'group', label: 'dash.col.group', kind: 'text', text: (r, t) => t(`chart.pareto.profit.${str(r.group)}`) },
      COUNT('customers', 'dash.col.customers'),
      MONEY('profit', 'dash.col.profit'),
      PCT('profit_share', 'dash.col.profitShare'),
    ],
  },
  'repurchase.order_counts': {
    title: 'rpt.table.orderCounts',
    columns: [{ key: 'bucket', label: 'chart.repurchase.ordersAxis', kind: 'text' }, COUNT('customers', 'dash.col.customers'), PCT('share', 'dash.col.share')],
  },
  'repurchase.days_to_second': {
    title: 'rpt.table.daysToSecond',
    columns: [{ key: 'lo', label: 'dash.col.days', kind: 'text', text: dayBin }, COUNT('n', 'dash.col.customers'), PCT('share', 'dash.col.share')],
  },
  'repurchase.gaps': {
    title: 'rpt.table.gaps',
    columns: [{ key: 'lo', label: 'dash.col.days', kind: 'text', text: dayBin }, COUNT('n', 'dash.col.gaps'), PCT('share', 'dash.col.share')],
  },
  'repurchase.next_month': {
    title: 'rpt.table.nextMonth',
    columns: [
      { key: 'period', label: 'dash.col.month', kind: 'text' },
      { key: 'next_period', label: 'dash.col.nextMonth', kind: 'text' },
      COUNT('buyers', 'dash.col.buyers'),
      COUNT('returning', 'dash.col.returning'),
      PCT('rate', 'dash.col.rate'),
      { key: 'complete', label: 'dash.col.complete', kind: 'yesno' },
    ],
  },
  'repurchase.by_dimension': {
    title: 'rpt.table.byDimension',
    columns: [
      { key: 'dimension', label: 'dash.col.dimension', kind: 'text', text: (r, t) => t(`dash.dim.${str(r.dimension)}`) },
      { key: 'value', label: 'dash.col.firstOrderValue', kind: 'text', text: (r, t) => (r.value === null ? t('chart.blank') : str(r.value)) },
      COUNT('customers', 'dash.col.customers'),
      COUNT('repeat_customers', 'dash.col.repeaters'),
      PCT('repurchase_rate', 'chart.repurchaseRate'),
    ],
  },
  'retention.curve': {
    title: 'rpt.table.curve',
    columns: [
      COUNT('k', 'dash.col.k'),
      COUNT('cohorts', 'dash.col.cohorts'),
      COUNT('size', 'dash.col.cohortSize'),
      COUNT('active', 'dash.col.active'),
      PCT('rate', 'chart.retention.customerRetention'),
      PCT('revenue_rate', 'chart.retention.revenueRetention'),
    ],
  },
  'retention.cohorts': {
    title: 'rpt.table.cohorts',
    columns: [
      { key: 'cohort_label', label: 'dash.col.cohort', kind: 'text' },
      COUNT('k', 'dash.col.k'),
      COUNT('size', 'dash.col.cohortSize'),
      COUNT('active', 'dash.col.active'),
      PCT('rate', 'chart.retention.customerRetention'),
      MONEY('revenue', 'dash.col.revenue'),
      PCT('revenue_rate', 'chart.retention.revenueRetention'),
      { key: 'complete', label: 'dash.col.complete', kind: 'yesno' },
    ],
  },
  'satisfaction.levels': {
    title: 'rpt.table.levels',
    columns: [
      COUNT('level', 'chart.satisfaction.level'),
      { key: 'group', label: 'dash.col.satGroup', kind: 'text', text: (r, t) => t(`chart.satisfaction.group.${str(r.group)}`) },
      COUNT('n', 'dash.col.customers'),
      COUNT('repeat_customers', 'dash.col.repeaters'),
      PCT('repurchase_rate', 'chart.repurchaseRate'),
    ],
  },
  'satisfaction.groups': {
    title: 'rpt.table.satGroups',
    columns: [
      { key: 'group', label: 'dash.col.satGroup', kind: 'text', text: (r, t) => t(`chart.satisfaction.group.${str(r.group)}`) },
      COUNT('n', 'dash.col.customers'),
      COUNT('repeat_customers', 'dash.col.repeaters'),
      PCT('repurchase_rate', 'chart.repurchaseRate'),
    ],
  },
  'satisfaction.quadrants': {
    title: 'rpt.table.quadrants',
    columns: [
      { key: 'quadrant', label: 'dash.col.quadrant', kind: 'text', text: (r, t) => t(`chart.satisfaction.quadrant.${str(r.quadrant)}`) },
      { key: 'quadrant', label: 'dash.col.dickBasu', kind: 'text', text: (r, t) => t(`chart.satisfaction.dickBasu.${str(r.quadrant)}`) },
      COUNT('customers', 'dash.col.customers'),
      PCT('share', 'dash.col.share'),
      MONEY('value', 'dash.col.value'),
      PCT('value_share', 'dash.col.valueShare'),
    ],
  },
  'clv.totals': {
    title: 'dash.clv.totals',
    columns: [
      COUNT('customers', 'dash.col.customers'),
      { key: 'expected_alive', label: 'metric.clv_expected_alive.label', kind: 'number' },
      { key: 'expected_purchases', label: 'metric.clv_expected_purchases.label', kind: 'number' },
      MONEY('clv_total', 'metric.clv_total.label'),
      COUNT('holdout_actual', 'metric.clv_holdout_actual.label'),
      { key: 'holdout_expected', label: 'metric.clv_holdout_expected.label', kind: 'number' },
    ],
  },
  'clv.parameters': {
    title: 'dash.clv.parameters',
    columns: [
      { key: 'model', label: 'dash.col.model', kind: 'text' },
      { key: 'parameter', label: 'dash.col.parameter', kind: 'text' },
      { key: 'value', label: 'dash.col.value', kind: 'number' },
      { key: 'll', label: 'dash.col.ll', kind: 'number' },
      COUNT('n', 'dash.col.n'),
    ],
  },
  'clv.refusals': {
    title: 'dash.clv.refusals',
    columns: [
      { key: 'model', label: 'dash.col.model', kind: 'text' },
      { key: 'reason', label: 'dash.col.reason', kind: 'text', text: (r, t) => t(`dash.clv.reason.${str(r.reason)}`, { have: str(r.have), needed: str(r.needed), parameter: str(r.parameter), value: str(r.value) }) },
    ],
  },
  'clv.p_alive': {
    title: 'dash.clv.pAliveTitle',
    columns: [
      { key: 'from', label: 'dash.col.pAlive', kind: 'text', text: (r) => `${num(r.from).toFixed(1)}–${num(r.to).toFixed(1)}` },
      COUNT('customers', 'dash.col.customers'),
      COUNT('one_time', 'dash.col.oneTime'),
    ],
  },
  'clv.clv_distribution': {
    title: 'dash.clv.distributionTitle',
    columns: [MONEY('from', 'dash.col.range'), COUNT('customers', 'dash.col.customers'), MONEY('clv', 'dash.col.clv')],
  },
  'clv.top_customers': {
    title: 'dash.clv.topSubtitle',
    columns: [
      COUNT('rank', 'dash.col.rank'),
      { key: 'customer_id', label: 'dash.col.customer', kind: 'text' },
      COUNT('x', 'dash.col.x'),
      { key: 'p_alive', label: 'dash.col.pAlive', kind: 'number' },
      { key: 'expected_purchases', label: 'dash.col.expectedPurchases', kind: 'number' },
      MONEY('expected_spend', 'dash.col.expectedSpend'),
      MONEY('clv', 'dash.col.clv'),
    ],
  },
  'clv.holdout_by_x': {
    title: 'dash.clv.holdoutXTitle',
    columns: [
      { key: 'x', label: 'dash.col.x', kind: 'text', text: (r) => (num(r.x) >= 7 ? '7+' : str(r.x)) },
      COUNT('customers', 'dash.col.customers'),
      COUNT('actual', 'dash.col.actual'),
      { key: 'expected', label: 'dash.col.expected', kind: 'number' },
    ],
  },
};

/** One cell as text, by its column's kind. */
export function reportCell(col: ReportColumn, row: Readonly<Record<string, unknown>>, ctx: { readonly locale: Locale; readonly t: Translate; readonly currency: string | null }): string {
  if (col.text) return col.text(row, ctx.t);
  const v = row[col.key];
  if (v === null || v === undefined) return '–';
  switch (col.kind) {
    case 'int':
      return formatInteger(ctx.locale, num(v));
    case 'percent':
      return formatPercent(ctx.locale, num(v), 1);
    case 'money':
      return formatMoney(ctx.locale, num(v), ctx.currency);
    case 'number':
      return formatNumber(ctx.locale, num(v), 2);
    case 'date':
      return formatDate(ctx.locale, str(v));
    case 'yesno':
      return ctx.t(v === true ? 'dash.yes' : 'dash.no');
    default:
      return str(v);
  }
}
