/**
 * Everything about a view that is not data. Defaults are those of METRICS.md; the whole
 * object round-trips through the URL, so a link reproduces a view.
 */
import type { Dimension } from './schema.ts';

export type CohortPeriod = 'week' | 'month' | 'quarter';
/** Retention periods: calendar periods after the cohort's, or rolling 7/30/91-day windows since each customer's first purchase. */
export type CohortClock = 'calendar' | 'rolling';
/** Whether the first cohort's customers are new, or were customers before the data starts (METRICS.md §5). */
export type FirstCohort = 'auto' | 'new' | 'existing';
export type RetentionMode = 'on' | 'on_or_after';
export type RetentionMeasure = 'customers' | 'revenue';
export type ScoreScale = '1-5' | '1-7' | '0-10' | '1-10';
/** The time unit of the lifetime-value models (METRICS.md §12). */
export type ClvUnit = 'day' | 'week' | 'month';

/**
 * The currency the amounts are shown in (a name only: nothing is converted). `auto` = the one
 * the analysed amounts name, else none; a code names the amounts even when the file names
 * another currency.
 */
export const CURRENCY_LABELS = ['auto', 'CNY', 'HKD', 'TWD', 'USD', 'EUR', 'GBP', 'JPY', 'KRW', 'SGD', 'AUD', 'CAD'] as const;
export type CurrencyLabel = (typeof CURRENCY_LABELS)[number];

export function isCurrencyLabel(v: unknown): v is CurrencyLabel {
  return typeof v === 'string' && (CURRENCY_LABELS as readonly string[]).includes(v);
}

/**
 * The currency money is shown in: the one picked, else (auto) the one the data names, else
 * none. An explicit choice wins over the file's, for the user knows the amounts best.
 */
export function displayCurrency(label: CurrencyLabel, detected: string | null): string | null {
  return label === 'auto' ? detected : label;
}

export interface Filters {
  /** Inclusive ISO dates (YYYY-MM-DD); null = open. */
  readonly from: string | null;
  readonly to: string | null;
  /** Selected values per dimension; empty = all. */
  readonly dims: Readonly<Partial<Record<Dimension, readonly string[]>>>;
  /**
   * The currency analysed when the amounts name several (METRICS.md §1 "Currency"): an
   * ISO code, or `UNMARKED` for the lines whose amount names none. Absent or null = the
   * default (the named currency with the most lines). Ignored when the data names fewer
   * than two currencies.
   */
  readonly currency?: string | null;
}

/** The currency group of the lines whose amount cell names no currency (never an ISO code, which is upper case). */
export const UNMARKED = 'none';

/** A value `Filters.currency` can take: an ISO 4217-shaped code or `UNMARKED`. */
export function isCurrencyChoice(v: string | null | undefined): v is string {
  return typeof v === 'string' && (v === UNMARKED || /^[A-Z]{3}$/.test(v));
}

export interface Settings {
  /** ISO date; null = the latest calendar day among kept lines. */
  readonly asOf: string | null;
  /** Churn window W in days (`active_customers`: recency_days ≤ W). */
  readonly churnWindowDays: number;
  /** Tier cut points as shares of value (A up to the first, B up to the second). */
  readonly tierA: number;
  readonly tierB: number;
  /** X of "top X % of customers bring Y % of value" (top20_share always uses 0.2). */
  readonly topShare: number;
  readonly cohortPeriod: CohortPeriod;
  readonly cohortClock: CohortClock;
  /**
   * null = each point of the average curve over the cohorts complete at that k; K = every
   * point k ≤ K over the same cohorts, those whose period K is complete.
   */
  readonly completeThrough: number | null;
  /**
   * The first cohort's customers: new, or already customers when the data starts (left out of
   * the cohort averages and of new-customer counts); auto = by the rule of METRICS.md §5.
   */
  readonly firstCohort: FirstCohort;
  readonly retentionMode: RetentionMode;
  readonly retentionMeasure: RetentionMeasure;
  /** null = detected from the observed scores. */
  readonly scoreScale: ScoreScale | null;
  /** null = the scale's top box (5 on 1–5, 7 on 1–7, ≥9 on 0–10/1–10). */
  readonly highSatisfaction: number | null;
  /** Loyal (behavioural proxy): n_orders ≥ this. */
  readonly loyalMinOrders: number;
  /**
   * Groups (a dimension value, a score level, a cohort) with fewer customers than this are
   * small: greyed, sorted last and never quoted in a headline (METRICS.md §1 "Small groups").
   */
  readonly minGroupSize: number;
  /** k (METRICS.md §8): a customer is in decline when recency_days > k × their own rhythm. */
  readonly overdueFactor: number;
  /** S (§8): purchase days from which a customer is in the stable stage. */
  readonly stableDays: number;
  /** P (§8, §9): the look-back period in days of the migration, new customers and the pace warning. */
  readonly periodDays: number;
  /** t (§9): the pace warning fires when the current period's purchases < t × the baseline. */
  readonly paceThreshold: number;
  /** The high/low cut of the eight RFM classes (§7): the customers' mean or median. */
  readonly rfm8Basis: 'mean' | 'median';
  /** Lifetime value: calibration end c (ISO); null = the as-of date (no holdout). */
  readonly calibrationEnd: string | null;
  /** Lifetime value: the models' time unit. */
  readonly clvUnit: ClvUnit;
  /** Lifetime value: horizon H in `clvUnit`s; null = 52 weeks (364 days) in that unit. */
  readonly horizon: number | null;
  /** Lifetime value: monthly discount rate d. */
  readonly discount: number;
  /** The currency money is shown in (`displayCurrency`); display only. */
  readonly currencyLabel: CurrencyLabel;
  readonly filters: Filters;
}

export const DEFAULT_SETTINGS: Settings = {
  asOf: null,
  churnWindowDays: 180,
  tierA: 0.8,
  tierB: 0.95,
  topShare: 0.2,
  cohortPeriod: 'month',
  cohortClock: 'calendar',
  completeThrough: null,
  firstCohort: 'auto',
  retentionMode: 'on',
  retentionMeasure: 'customers',
  scoreScale: null,
  highSatisfaction: null,
  loyalMinOrders: 2,
  minGroupSize: 30,
  overdueFactor: 2,
  stableDays: 4,
  periodDays: 90,
  paceThreshold: 0.5,
  rfm8Basis: 'mean',
  calibrationEnd: null,
  clvUnit: 'week',
  horizon: null,
  discount: 0.01,
  currencyLabel: 'auto',
  filters: { from: null, to: null, dims: {} },
};
