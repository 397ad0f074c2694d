/**
 * Repurchase (复购, METRICS.md §3): second purchases, gaps between purchases,
 * period-over-period 回购率 and breakdowns by the first order's dimensions.
 */
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import type { Dimension } from '../model/schema.ts';
import { asOfDate, dayBins, div, isoDate, type DayBinRow } from './common.ts';

export interface RepurchaseParams {
  /** ISO date: Kaplan–Meier censoring and the completeness of 回购率 periods. */
  readonly asOf: string;
  /** First-order dimensions to break the repurchase rate down by (only mapped ones). */
  readonly dimensions: readonly Dimension[];
}

export interface RepurchaseSummaryRow {
  readonly customers: number;
  /** Customers with n_orders ≥ 2. */
  readonly repeat_customers: number;
  /** repeat_customers ÷ customers (复购率, by customer). */
  readonly repurchase_rate: number | null;
  /** (orders − customers) ÷ orders (复购率, by order). */
  readonly repeat_order_share: number | null;
  /**
   * Interpolated median, over customers with n_orders ≥ 2, of the days from the first to
   * the second purchase order (purchase orders ordered by date, then order key).
   */
  readonly median_days_to_second: number | null;
  /** Mean of the same days. */
  readonly mean_days_to_second: number | null;
}

/** Customers by number of purchase orders: buckets '1' … '9' and '10+'. */
export interface OrderCountRow {
  /** '1' … '9', '10+'. */
  readonly bucket: string;
  /** Smallest n_orders of the bucket (1 … 10), for sorting. */
  readonly n_orders: number;
  readonly customers: number;
  /** customers ÷ all customers. */
  readonly share: number | null;
}

/**
 * Kaplan–Meier cumulative repurchase: after `day` days from the first purchase, the share
 * of customers who made a second purchase order (1 − S(day)). Customers without one (or
 * whose second comes after as_of) are censored at as_of − first_date; customers whose
 * first purchase is after as_of are left out. One point per distinct day with an event or a
 * censoring, plus day 0.
 */
export interface KmPoint {
  readonly day: number;
  /** Customers still at risk just before `day`. */
  readonly at_risk: number;
  /** Second purchases on `day`. */
  readonly events: number;
  /** Customers censored on `day`. */
  readonly censored: number;
  /** 1 − Π (1 − events ÷ at_risk) over days ≤ day. */
  readonly cumulative: number;
}

/**
 * 回购率 by calendar month: of the customers with a purchase order in month `period`, the
 * share who also have one in the next month. Months from the first with data to the one
 * before as_of's month; `complete` when the next month ended on or before as_of.
 */
export interface PeriodRepurchaseRow {
  /** 'YYYY-MM'. */
  readonly period: string;
  /** 'YYYY-MM' of t + 1. */
  readonly next_period: string;
  readonly buyers: number;
  /** Buyers of `period` who also buy in `next_period`. */
  readonly returning: number;
  /** returning ÷ buyers. */
  readonly rate: number | null;
  readonly complete: boolean;
}

/** Repurchase rate by a dimension of the customer's first purchase order. */
export interface RepurchaseByDimRow {
  readonly dimension: Dimension;
  /** The dimension value; null = blank. */
  readonly value: string | null;
  readonly customers: number;
  readonly repeat_customers: number;
  readonly repurchase_rate: number | null;
}

export interface RepurchaseResult {
  readonly summary: RepurchaseSummaryRow;
  readonly orderCounts: readonly OrderCountRow[];
  /** Days from first to second purchase order (customers with n_orders ≥ 2). */
  readonly daysToSecond: readonly DayBinRow[];
  readonly km: readonly KmPoint[];
  /** Days between consecutive purchase orders of the same customer. */
  readonly gaps: readonly DayBinRow[];
  readonly byPeriod: readonly PeriodRepurchaseRow[];
  /** Empty when no dimension is mapped. */
  readonly byDimension: readonly RepurchaseByDimRow[];
}
