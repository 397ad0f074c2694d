/**
 * Metric ids of METRICS.md, each with how its value reads: the keys of `analyze --json` and
 * the `data-metric` attribute of every KPI element. Stable; add, never rename. One line per
 * metric; its label and definition are the messages `metric.<id>.label` / `.def`.
 */

/** How a metric's value reads (formatting in the page, the report and exports). */
export type MetricKind = 'count' | 'money' | 'ratio' | 'days' | 'decimal' | 'index' | 'points';

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
  rfm_champions: 'count',
  rfm_loyal: 'count',
  rfm_potential_loyalists: 'count',
  rfm_new: 'count',
  rfm_promising: 'count',
  rfm_need_attention: 'count',
  rfm_about_to_sleep: 'count',
  rfm_at_risk: 'count',
  rfm_cant_lose: 'count',
  rfm_hibernating: 'count',
  rfm8_important_value: 'count',
  rfm8_important_develop: 'count',
  rfm8_important_keep: 'count',
  rfm8_important_retain: 'count',
  rfm8_general_value: 'count',
  rfm8_general_develop: 'count',
  rfm8_general_keep: 'count',
  rfm8_general_retain: 'count',
  stage_lost: 'count',
  stage_exploration: 'count',
  stage_decline: 'count',
  stage_stability: 'count',
  stage_formation: 'count',
  returning_customers: 'count',
  new_customers_period: 'count',
  new_customer_revenue_share: 'ratio',
  churn_warning_customers: 'count',
  churn_warning_value: 'money',
  pace_warning_customers: 'count',
  pace_warning_drop: 'money',
  key_red: 'count',
  key_white: 'count',
  key_dark: 'count',
  key_potential: 'count',
  key_ordinary: 'count',
} as const satisfies Record<string, MetricKind>;

export type MetricId = keyof typeof METRIC_KINDS;

export const METRIC_IDS = Object.keys(METRIC_KINDS) as readonly MetricId[];

/** Every metric, a finite number or null (undefined for the data at hand). */
export type Metrics = Record<MetricId, number | null>;
