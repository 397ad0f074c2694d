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

/** The columns of a warning list (METRICS.md §9) as the report shows them. */
function warningColumns(): ReportColumn[] {
  return [
    { key: 'customer_id', label: 'dash.warnings.col.customer_id', kind: 'text' },
    { key: 'stage', label: 'dash.warnings.col.stage', kind: 'text', text: (r, t) => t(`dash.warnings.stage.${str(r.stage)}`) },
    { key: 'rfm_segment', label: 'dash.warnings.col.rfm_segment', kind: 'text', text: (r, t) => t(`dash.warnings.segment.${str(r.rfm_segment)}`) },
    { key: 'tier', label: 'dash.warnings.col.tier', kind: 'text' },
    { key: 'first_date', label: 'dash.warnings.col.first_date', kind: 'date' },
    { key: 'last_date', label: 'dash.warnings.col.last_date', kind: 'date' },
    COUNT('p', 'dash.warnings.col.p'),
    { key: 'g', label: 'dash.warnings.col.g', kind: 'number' },
    COUNT('recency_days', 'dash.warnings.col.recency_days'),
    { key: 'overdue_days', label: 'dash.warnings.col.overdue_days', kind: 'number' },
    MONEY('value', 'dash.warnings.col.value'),
    MONEY('value_365', 'dash.warnings.col.value_365'),
    MONEY('current', 'dash.warnings.col.current'),
    MONEY('baseline', 'dash.warnings.col.baseline'),
    MONEY('drop', 'dash.warnings.col.drop'),
  ];
}

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
  'warnings.warning_summary': {
    title: 'rpt.table.warningSummary',
    columns: [
      COUNT('churn_warning_customers', 'metric.churn_warning_customers.label'),
      MONEY('churn_warning_value', 'metric.churn_warning_value.label'),
      COUNT('pace_assessed_customers', 'dash.warnings.col.assessed'),
      COUNT('pace_warning_customers', 'metric.pace_warning_customers.label'),
      MONEY('pace_warning_drop', 'metric.pace_warning_drop.label'),
    ],
  },
  'warnings.churn_warning': { title: 'rpt.table.churnWarning', columns: warningColumns() },
  'warnings.pace_warning': { title: 'rpt.table.paceWarning', columns: warningColumns() },
  'key_customers.key_summary': {
    title: 'rpt.table.keySummary',
    columns: [
      COUNT('customers', 'dash.col.customers'),
      COUNT('customers_with_profit', 'dash.key.col.customers_with_profit'),
      MONEY('total_profit', 'dash.key.col.total_profit'),
      PCT('overall_margin', 'dash.key.col.overall_margin'),
      COUNT('large_customers', 'dash.key.col.large_customers'),
    ],
  },
  'key_customers.key_classes': {
    title: 'rpt.table.keyClasses',
    columns: [
      { key: 'key_class', label: 'dash.key.col.key_class', kind: 'text', text: (r, t) => t(`chart.key.class.${str(r.key_class)}`) },
      COUNT('customers', 'dash.col.customers'),
      MONEY('revenue', 'dash.key.col.revenue'),
      MONEY('profit', 'dash.key.col.profit'),
      PCT('profit_share', 'dash.key.col.profit_share'),
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
