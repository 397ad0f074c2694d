/**
 * Retention by cohort (METRICS.md §5). A customer's cohort is the calendar period of their
 * first purchase order; period k of cohort c is the calendar period c + k.
 */
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import type { CohortPeriod, RetentionMode } from '../model/settings.ts';
import { asOfDate, div, isoDate } from './common.ts';

export interface RetentionParams {
  readonly asOf: string;
  readonly period: CohortPeriod;
  readonly mode: RetentionMode;
}

/**
 * One cohort × period cell. Cells exist for every k from 0 up to the period containing
 * as_of (also when nobody was active).
 */
export interface CohortCell {
  /** ISO date of the first day of the cohort period (weeks start on Monday). */
  readonly cohort: string;
  /** 'YYYY-MM' (month), 'YYYY-Qn' (quarter), or the Monday 'YYYY-MM-DD' (week). */
  readonly cohort_label: string;
  readonly k: number;
  /** ISO date of the first day of period c + k. */
  readonly period_start: string;
  /** size(c): customers whose first purchase order falls in c. */
  readonly size: number;
  /** "on": customers of c with a purchase order in c + k; "on_or_after": in c + k or later. */
  readonly active: number;
  /** active ÷ size. */
  readonly rate: number | null;
  /** Σ order_net (returns included) of cohort c's customers in period c + k. */
  readonly revenue: number;
  /** revenue ÷ revenue of period 0 (can exceed 1); null when that is ≤ 0. */
  readonly revenue_rate: number | null;
  /** Period c + k ended on or before as_of (its last day ≤ as_of). */
  readonly complete: boolean;
}

/** The size-weighted average curve: Σ_c active(c,k) ÷ Σ_c size(c) over complete cells. */
export interface RetentionCurvePoint {
  readonly k: number;
  /** Cohorts whose cell (c, k) is complete. */
  readonly cohorts: number;
  readonly size: number;
  readonly active: number;
  readonly rate: number | null;
  /** Σ revenue(c, k) ÷ Σ revenue(c, 0) over the same cohorts; null when that is ≤ 0. */
  readonly revenue_rate: number | null;
}

/** retention_m1/m3/m6/m12: monthly cohorts, mode "on", whatever the settings. */
export interface RetentionKpiRow {
  readonly retention_m1: number | null;
  readonly retention_m3: number | null;
  readonly retention_m6: number | null;
  readonly retention_m12: number | null;
}

/**
 * Active vs lapsed customers at each month end before as_of, and at as_of itself (the
 * last point equals the active_customers / lapsed_customers KPIs). At date e: customers =
 * first purchase ≤ e; active = a purchase order in [e − W, e].
 */
export interface ActivityRow {
  /** ISO date. */
  readonly date: string;
  readonly customers: number;
  readonly active: number;
  readonly lapsed: number;
}

export interface RetentionResult {
  readonly cells: readonly CohortCell[];
  readonly curve: readonly RetentionCurvePoint[];
  readonly kpis: RetentionKpiRow;
  readonly activity: readonly ActivityRow[];
}
