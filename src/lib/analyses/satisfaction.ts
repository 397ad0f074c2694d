/**
 * Satisfaction and loyalty (METRICS.md §6). Customer scores are on `customers.score`
 * (derive.ts); this module detects the scale and builds the quadrant and curve tables.
 */
import { raw, sql, type SqlQuery } from '../db/sql.ts';
import type { ScoreScale } from '../model/settings.ts';
import { div } from './common.ts';

export interface SatisfactionParams {
  /** Scale to use; null = detected (see `detectScale`). */
  readonly scale: ScoreScale | null;
  /** High-satisfaction threshold; null = the scale's default. */
  readonly highSatisfaction: number | null;
  /** Loyal = n_orders ≥ this. */
  readonly loyalMinOrders: number;
}

/** Observed range of the raw scores (order/response level) in use; nulls when none. */
export interface ScoreRangeRow {
  readonly source: ScoreSource;
  readonly min_score: number | null;
  readonly max_score: number | null;
  readonly n_scores: number;
}

/** Where customer scores come from: a survey file, the sales file's score column, or nowhere. */
export type ScoreSource = 'survey' | 'lines' | 'none';

export type Quadrant = 'loyalists' | 'mercenaries' | 'hostages' | 'defectors';

/** The scale and threshold used, and how they were chosen. */
export interface ScaleInfo {
  /** null when no score was observed or the range fits no known scale. */
  readonly scale: ScoreScale | null;
  readonly detected: ScoreScale | null;
  /** High satisfaction = customer score ≥ this; null when there is no scale. */
  readonly high: number | null;
  /** Customer score ≤ this is a detractor (0–10 scale only, for NPS). */
  readonly detractorMax: number | null;
}

export interface SatisfactionSummaryRow {
  readonly customers: number;
  /** Customers who have a customer score. */
  readonly customers_with_score: number;
  /** customers_with_score ÷ customers. */
  readonly coverage: number | null;
  /** Mean of customer scores. */
  readonly satisfaction_mean: number | null;
  readonly quadrant_loyalists: number | null;
  readonly quadrant_mercenaries: number | null;
  readonly quadrant_hostages: number | null;
  readonly quadrant_defectors: number | null;
  /** 0–10 scale only: 100 × (share with score ≥ 9 − share with score ≤ 6), in points (−100 … 100). */
  readonly nps: number | null;
}

/** Satisfaction–loyalty curve: level = customer score rounded half up. */
export interface LevelRow {
  readonly level: number;
  readonly n: number;
  readonly repeat_customers: number;
  /** repeat (n_orders ≥ loyalMinOrders) customers ÷ n. */
  readonly repurchase_rate: number | null;
}

export interface QuadrantRow {
  readonly quadrant: Quadrant;
  readonly high: boolean;
  readonly loyal: boolean;
  readonly customers: number;
  /** customers ÷ customers_with_score. */
  readonly share: number | null;
  readonly value: number;
  /** value ÷ Σ value of customers with a score. */
  readonly value_share: number | null;
}

export interface SatisfactionResult {
  readonly source: ScoreSource;
  readonly range: ScoreRangeRow;
  readonly scaleInfo: ScaleInfo;
  readonly summary: SatisfactionSummaryRow;
  readonly levels: readonly LevelRow[];
  /** Always the four quadrants (zero rows included) when there is a scale; empty otherwise. */
  readonly quadrants: readonly QuadrantRow[];
}
