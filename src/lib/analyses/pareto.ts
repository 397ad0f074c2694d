/**
 * Pareto (80/20) and value tiers (METRICS.md §4). Customers are ranked by `value`
 * descending, ties by customer id ascending; every figure comes from the full ranking,
 * only the curve is thinned for drawing.
 */
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import { div } from './common.ts';

export interface ParetoParams {
  /** Tier A ends at the first rank where the cumulative value share reaches this (0.8). */
  readonly tierA: number;
  /** Tier B ends at the first rank where it reaches this (0.95). */
  readonly tierB: number;
  /** X of "the top X % of customers bring Y % of value" (0.2). */
  readonly topShare: number;
  /** Most points of the curve (the last point and the tier cuts are always kept). */
  readonly maxCurvePoints?: number;
}

export type Tier = 'A' | 'B' | 'C';

/** The headline figures, one row. */
export interface ParetoSummaryRow {
  readonly customers: number;
  /** Σ value over customers (returns included). */
  readonly total_value: number;
  /** Σ max(value, 0). */
  readonly positive_value: number;
  /** Value of the first ⌈0.2 × customers⌉ ranked customers ÷ total_value; null when total_value ≤ 0. */
  readonly top20_share: number | null;
  /** ⌈topShare × customers⌉ (the customers counted by `top_share`). */
  readonly top_customers: number;
  /** Value of the first ⌈topShare × customers⌉ ranked customers ÷ total_value; null when total_value ≤ 0. */
  readonly top_share: number | null;
  /** Gini of max(value, 0): Σᵢ (2i − n − 1)·xᵢ ÷ (n · Σ xᵢ), x ascending; null when Σ xᵢ = 0. */
  readonly gini: number | null;
  /** Rank of the first customer where the cumulative value share reaches tierA; null when total_value ≤ 0. */
  readonly tier_a_customers: number | null;
  /** tier_a_customers ÷ customers. */
  readonly tier_a_customer_share: number | null;
  /** Rank of the first customer where the cumulative value share reaches tierB; null when total_value ≤ 0. */
  readonly tier_b_last_rank: number | null;
}

/**
 * A point of the concentration (Pareto/Lorenz) curve: the top `rank` customers by value are
 * `customer_share` of customers and bring `value_share` of total value. Starts at (0, 0).
 * Empty when total_value ≤ 0.
 */
export interface LorenzPoint {
  readonly rank: number;
  readonly customer_share: number;
  readonly value_share: number;
}

/**
 * Decile d (1 = most valuable) holds the ranks r with ⌈10·r ÷ customers⌉ = d (with fewer
 * than 10 customers some deciles are empty and absent).
 */
export interface DecileRow {
  readonly decile: number;
  readonly customers: number;
  readonly value: number;
  /** value ÷ total_value (null when total_value ≤ 0). */
  readonly value_share: number | null;
  /** Cumulative share up to and including this decile. */
  readonly cum_value_share: number | null;
}

/** One value tier. Tiers are absent when total_value ≤ 0. */
export interface TierRow {
  readonly tier: Tier;
  readonly first_rank: number;
  readonly last_rank: number;
  readonly customers: number;
  /** customers ÷ all customers. */
  readonly customer_share: number;
  readonly value: number;
  /** value ÷ total_value. */
  readonly value_share: number | null;
  /** Purchase orders of the tier's customers. */
  readonly orders: number;
  /** Σ order_net of their purchase orders ÷ orders. */
  readonly aov: number | null;
  /** Their customers with n_orders ≥ 2 ÷ their customers. */
  readonly repurchase_rate: number | null;
  /** Σ profit of the tier's customers; null when no profit/cost is mapped. */
  readonly profit: number | null;
}

/** Profit view headline (present only when some line has a profit, i.e. profit or cost mapped). */
export interface ProfitSummaryRow {
  /** Customers with a profit figure. */
  readonly customers: number;
  readonly total_profit: number;
  /** Profit of the first ⌈0.2 × customers⌉ by profit ÷ total_profit; null when total_profit ≤ 0. */
  readonly top20_share: number | null;
}

export type ProfitGroup = 'top20' | 'middle60' | 'bottom20';

/**
 * 20/60/20 split by profit (descending, ties by customer id): top = ranks ≤ ⌈0.2·n⌉,
 * bottom = ranks > n − ⌊0.2·n⌋, middle = the rest. Shares can be negative.
 */
export interface ProfitSplitRow {
  readonly group: ProfitGroup;
  readonly customers: number;
  readonly profit: number;
  /** profit ÷ total_profit; null when total_profit = 0. */
  readonly profit_share: number | null;
}

export interface ProfitView {
  readonly summary: ProfitSummaryRow;
  readonly split: readonly ProfitSplitRow[];
  readonly deciles: readonly DecileRow[];
}

export interface ParetoResult {
  readonly summary: ParetoSummaryRow;
  readonly curve: readonly LorenzPoint[];
  readonly deciles: readonly DecileRow[];
  readonly tiers: readonly TierRow[];
  /** Null when no profit or cost column is mapped (no line has a profit). */
  readonly profit: ProfitView | null;
}
