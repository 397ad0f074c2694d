/**
 * Metric ids of METRICS.md, each with how its value reads: the keys of `analyze --json` and
 * the `data-metric` attribute of every KPI element. Stable; add, never rename. One line per
 * metric; its label and definition are the messages `metric.<id>.label` / `.def`.
 */

/** How a metric's value reads (formatting in the page, the report and exports). */
/** `parameter`: a fitted model parameter or log-likelihood, shown to 4 decimals (published fits are compared at that precision). */
export type MetricKind = 'count' | 'money' | 'ratio' | 'days' | 'decimal' | 'index' | 'points' | 'parameter';

export const METRIC_KINDS = {
  rows_read: 'count',
  rows_kept: 'count',
  rows_rejected: 'count',
  rows_skipped: 'count',
  customers: 'count',
  orders: 'count',
  revenue: 'money',
  returns_value: 'money',
  aov: 'money',
  orders_per_customer: 'decimal',
  repurchase_rate: 'ratio',
  repeat_order_share: 'ratio',
  median_days_to_second: 'days',
  top20_share: 'ratio',
  gini: 'index',
  tier_a_customers: 'count',
  tier_a_customer_share: 'ratio',
  retention_m1: 'ratio',
  retention_m3: 'ratio',
  retention_m6: 'ratio',
  retention_m12: 'ratio',
  active_customers: 'count',
  lapsed_customers: 'count',
  customers_with_score: 'count',
  satisfaction_mean: 'decimal',
  quadrant_loyalists: 'count',
  quadrant_mercenaries: 'count',
  quadrant_hostages: 'count',
  quadrant_defectors: 'count',
  nps: 'points',
  km_reached_share: 'ratio',
  median_days_to_second_repeaters: 'days',
  nps_responses: 'count',
  bgnbd_r: 'parameter',
  bgnbd_alpha: 'parameter',
  bgnbd_a: 'parameter',
  bgnbd_b: 'parameter',
  bgnbd_ll: 'parameter',
  gg_p: 'parameter',
  gg_q: 'parameter',
  gg_gamma: 'parameter',
  gg_ll: 'parameter',
  clv_customers: 'count',
  clv_expected_alive: 'decimal',
  clv_expected_purchases: 'decimal',
  clv_total: 'money',
  clv_holdout_actual: 'count',
  clv_holdout_expected: 'decimal',
} as const satisfies Record<string, MetricKind>;

export type MetricId = keyof typeof METRIC_KINDS;

export const METRIC_IDS = Object.keys(METRIC_KINDS) as readonly MetricId[];

/** Every metric, a finite number or null (undefined for the data at hand). */
export type Metrics = Record<MetricId, number | null>;
