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
const NUM = (key: string, label: string): ReportColumn => ({ key, label, kind: 'number' });

/** "lo–hi", one number when they are equal, a dash when there is none (a score no customer has). */
const range = (lo: unknown, hi: unknown): string => (lo === null || lo === undefined ? '–' : lo === hi ? str(lo) : `${str(lo)}–${str(hi)}`);

/** A composition group: tier, RFM segment or lifecycle stage. */
function compositionGroup(r: Readonly<Record<string, unknown>>, t: Translate): string {
  if (r.group === null || r.group === undefined) return '–';
  if (r.grouping === 'tier') return t('chart.pareto.tier', { tier: str(r.group) });
  return t(r.grouping === 'segment' ? `chart.seg.${str(r.group)}` : `chart.stage.${str(r.group)}`);
}

/** The columns of a segment's or a class's row after its name. */
const GROUP_COLUMNS: readonly ReportColumn[] = [
  COUNT('customers', 'dash.col.customers'),
  PCT('customer_share', 'dash.col.customerShare'),
  MONEY('revenue', 'dash.col.revenue'),
  PCT('revenue_share', 'dash.col.revenueShare'),
  NUM('avg_r', 'dash.col.avgR'),
  NUM('avg_f', 'dash.col.avgF'),
  MONEY('avg_m', 'dash.col.avgM'),
];

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
      { key: 'small', label: 'dash.col.small', kind: 'yesno' },
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
      { key: 'small', label: 'dash.col.small', kind: 'yesno' },
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
      { key: 'small', label: 'dash.col.small', kind: 'yesno' },
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
      { key: 'small', label: 'dash.col.small', kind: 'yesno' },
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
      { key: 'small', label: 'dash.col.small', kind: 'yesno' },
    ],
  },
  'satisfaction.groups': {
    title: 'rpt.table.satGroups',
    columns: [
      { key: 'group', label: 'dash.col.satGroup', kind: 'text', text: (r, t) => t(`chart.satisfaction.group.${str(r.group)}`) },
      COUNT('n', 'dash.col.customers'),
      COUNT('repeat_customers', 'dash.col.repeaters'),
      PCT('repurchase_rate', 'chart.repurchaseRate'),
      { key: 'small', label: 'dash.col.small', kind: 'yesno' },
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
  'segments.rfm_grid': {
    title: 'rpt.table.rfmGrid',
    columns: [
      COUNT('r_score', 'dash.col.rScore'),
      COUNT('f_score', 'dash.col.fScore'),
      { key: 'segment', label: 'dash.col.segment', kind: 'text', text: (r, t) => t(`chart.seg.${str(r.segment)}`) },
      COUNT('customers', 'dash.col.customers'),
      MONEY('avg_m', 'dash.col.avgM'),
      PCT('revenue_share', 'dash.col.revenueShare'),
      NUM('avg_recency', 'dash.col.avgR'),
    ],
  },
  'segments.rfm_segments': {
    title: 'rpt.table.rfmSegments',
    columns: [
      { key: 'id', label: 'dash.col.segment', kind: 'text', text: (r, t) => t(`chart.seg.${str(r.id)}`) },
      ...GROUP_COLUMNS,
      { key: 'id', label: 'dash.col.action', kind: 'text', text: (r, t) => t(`dash.seg.action.${str(r.id)}`) },
    ],
  },
  'segments.rfm8_classes': {
    title: 'rpt.table.rfm8Classes',
    columns: [{ key: 'id', label: 'dash.col.rfm8Class', kind: 'text', text: (r, t) => t(`chart.rfm8.${str(r.id)}`) }, ...GROUP_COLUMNS],
  },
  'segments.rfm8_thresholds': {
    title: 'rpt.table.rfm8Thresholds',
    columns: [
      { key: 'basis', label: 'dash.col.basis', kind: 'text', text: (r, t) => t(`dash.seg.basis.${str(r.basis)}`) },
      NUM('r', 'dash.col.rCut'),
      NUM('f', 'dash.col.fCut'),
      MONEY('m', 'dash.col.mCut'),
    ],
  },
  'segments.rfm_score_boundaries': {
    title: 'rpt.table.rfmScoreBoundaries',
    columns: [
      COUNT('score', 'dash.col.score'),
      { key: 'r_min', label: 'dash.col.rRange', kind: 'text', text: (r) => range(r.r_min, r.r_max) },
      COUNT('r_customers', 'dash.col.rCustomers'),
      { key: 'f_min', label: 'dash.col.fRange', kind: 'text', text: (r) => range(r.f_min, r.f_max) },
      COUNT('f_customers', 'dash.col.fCustomers'),
      MONEY('m_min', 'dash.col.mMin'),
      MONEY('m_max', 'dash.col.mMax'),
      COUNT('m_customers', 'dash.col.mCustomers'),
    ],
  },
  'lifecycle.lifecycle_stages': {
    title: 'rpt.table.lifecycleStages',
    columns: [
      { key: 'stage', label: 'dash.col.stage', kind: 'text', text: (r, t) => t(`chart.stage.${str(r.stage)}`) },
      COUNT('customers', 'dash.col.customers'),
      PCT('customer_share', 'dash.col.customerShare'),
      MONEY('revenue_365', 'dash.col.revenue365'),
      { key: 'stage', label: 'dash.col.strategy', kind: 'text', text: (r, t) => t(`dash.life.strategy.${str(r.stage)}`) },
    ],
  },
  'lifecycle.lifecycle_migration': {
    title: 'rpt.table.lifecycleMigration',
    columns: [
      { key: 'from', label: 'dash.col.fromStage', kind: 'text', text: (r, t) => t(`chart.stage.${str(r.from)}`) },
      { key: 'to', label: 'dash.col.toStage', kind: 'text', text: (r, t) => t(`chart.stage.${str(r.to)}`) },
      COUNT('customers', 'dash.col.customers'),
      PCT('from_share', 'dash.col.fromShare'),
      PCT('share', 'dash.col.share'),
    ],
  },
  'lifecycle.lifecycle_history': {
    title: 'rpt.table.lifecycleHistory',
    columns: [
      { key: 'date', label: 'dash.col.date', kind: 'date' },
      COUNT('exploration', 'chart.stage.exploration'),
      COUNT('formation', 'chart.stage.formation'),
      COUNT('stability', 'chart.stage.stability'),
      COUNT('decline', 'chart.stage.decline'),
      COUNT('lost', 'chart.stage.lost'),
    ],
  },
  'lifecycle.lifecycle_summary': {
    title: 'rpt.table.lifecycleSummary',
    columns: [
      { key: 'from_date', label: 'dash.col.fromDate', kind: 'date' },
      COUNT('returning_customers', 'dash.col.returningCustomers'),
      COUNT('new_customers_period', 'dash.col.newCustomersPeriod'),
    ],
  },
  'composition.composition': {
    title: 'rpt.table.composition',
    columns: [
      { key: 'dimension', label: 'dash.col.dimension', kind: 'text', text: (r, t) => t(`dash.dim.${str(r.dimension)}`) },
      { key: 'value', label: 'dash.col.dimValue', kind: 'text', text: (r, t) => (r.other === true ? t('chart.comp.other') : r.value === null ? t('chart.blank') : str(r.value)) },
      { key: 'grouping', label: 'dash.col.grouping', kind: 'text', text: (r, t) => t(`dash.comp.grouping.${str(r.grouping)}`) },
      { key: 'group', label: 'dash.col.group', kind: 'text', text: (r, t) => compositionGroup(r, t) },
      COUNT('customers', 'dash.col.customers'),
      MONEY('revenue', 'dash.col.revenue'),
      { ...MONEY('profit', 'dash.col.profit'), optional: true },
    ],
  },
  'composition.new_vs_returning': {
    title: 'rpt.table.newVsReturning',
    columns: [
      { key: 'month', label: 'dash.col.month', kind: 'text', text: (r) => str(r.month).slice(0, 7) },
      COUNT('new_customers', 'dash.col.newCustomers'),
      MONEY('new_revenue', 'dash.col.newRevenue'),
      COUNT('returning_customers', 'dash.col.returningBuyers'),
      MONEY('returning_revenue', 'dash.col.returningRevenue'),
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
