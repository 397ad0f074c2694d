/**
 * Metric ids of METRICS.md: the keys of `analyze --json` and the `data-metric` attribute
 * of every KPI element. Stable; add, never rename.
 */
export const METRIC_IDS = [
  'rows_read',
  'rows_kept',
  'rows_rejected',
  'rows_skipped',
  'customers',
  'orders',
  'revenue',
  'returns_value',
  'aov',
  'orders_per_customer',
  'repurchase_rate',
  'repeat_order_share',
  'median_days_to_second',
  'top20_share',
  'gini',
  'tier_a_customers',
  'tier_a_customer_share',
  'retention_m1',
  'retention_m3',
  'retention_m6',
  'retention_m12',
  'active_customers',
  'lapsed_customers',
  'customers_with_score',
  'satisfaction_mean',
  'quadrant_loyalists',
  'quadrant_mercenaries',
  'quadrant_hostages',
  'quadrant_defectors',
  'nps',
  'km_reached_share',
  'median_days_to_second_repeaters',
  'nps_responses',
] as const;

export type MetricId = (typeof METRIC_IDS)[number];

/** Every metric, a finite number or null (undefined for the data at hand). */
export type Metrics = Record<MetricId, number | null>;
