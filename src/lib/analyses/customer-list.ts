/**
 * The customers behind a tier or a quadrant, for export (one row per customer).
 */
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import type { Tier } from './pareto.ts';
import type { Quadrant } from './satisfaction.ts';

export interface CustomerListParams {
  readonly asOf: string;
  readonly tierA: number;
  readonly tierB: number;
  /** Resolved threshold (ScaleInfo.high); null = no quadrant. */
  readonly high: number | null;
  readonly loyalMinOrders: number;
  /** Keep only this tier / quadrant; omitted = everyone. */
  readonly tier?: Tier;
  readonly quadrant?: Quadrant;
}

/** Ordered by value descending, then customer id (the Pareto rank). */
export interface CustomerListRow {
  readonly customer_id: string;
  readonly rank: number;
  readonly value: number;
  readonly n_orders: number;
  /** ISO dates. */
  readonly first_date: string;
  readonly last_date: string;
  readonly recency_days: number;
  /** null when total value ≤ 0. */
  readonly tier: Tier | null;
  readonly score: number | null;
  /** null without a score or a scale. */
  readonly quadrant: Quadrant | null;
}
