/**
 * Shapes shared by the CLV models (METRICS.md §12): the per-customer calibration summary
 * as typed arrays, and the refusal every fit returns instead of a doubtful answer.
 */

/**
 * The calibration summary, one element per customer (same index in every array).
 * Times are in the chosen unit (day, week, or month of 30.4375 days).
 */
export interface RfmArrays {
  /** Repeat purchase days by the calibration end c: distinct purchase days − 1. */
  readonly x: Float64Array;
  /** Last purchase day − first purchase day. */
  readonly tx: Float64Array;
  /** c − first purchase day. */
  readonly T: Float64Array;
}

/** The summary plus spend and, when c < as_of, what happened after c. */
export interface ClvSummary extends RfmArrays {
  /**
   * Mean net of the repeat purchase days (first day excluded); NaN when x = 0 or a repeat
   * day's net is not positive. Such customers are left out of the Gamma-Gamma fit.
   */
  readonly zbar: Float64Array;
  /** Purchase days in (c, as_of]; null when c = as_of. */
  readonly holdoutX: Float64Array | null;
  /**
   * All summarised customers' purchase days in holdout week w = 1 … W at index w − 1, week w
   * being the days (c + 7(w−1), c + 7w] up to as_of; null when c = as_of.
   */
  readonly holdoutWeekly: Float64Array | null;
}

export type ClvModel = 'bgnbd' | 'gamma-gamma';

export type ClvRefusalReason =
  /** Fewer repeat customers (x > 0; for Gamma-Gamma, with positive zbar) than `needed`. */
  | 'too-few-repeat-customers'
  /** The optimiser ran out of evaluations before settling. */
  | 'no-convergence'
  /** A parameter ended outside [PARAMETER_MIN, PARAMETER_MAX]: the likelihood has no interior maximum. */
  | 'parameter-at-bound'
  /** Gamma-Gamma: zbar not positive for a customer given to the fit. */
  | 'spend-not-positive'
  /** The fitted parameters give predictions that are not finite numbers. */
  | 'not-finite';

/** Why a model gives no answer; the page shows this instead of predictions. */
export interface ClvRefusal {
  readonly refused: true;
  readonly model: ClvModel;
  readonly reason: ClvRefusalReason;
  /** Repeat customers available (too-few-repeat-customers). */
  readonly have?: number;
  /** Repeat customers needed (too-few-repeat-customers). */
  readonly needed?: number;
  /** The parameter at a bound (parameter-at-bound). */
  readonly parameter?: string;
  /** Its value. */
  readonly value?: number;
  /** parameter-at-bound: all parameters where the optimiser stopped. */
  readonly at?: Readonly<Record<string, number>>;
}

/** Parameters outside this range mean the likelihood ran off to a boundary (e.g. no dropout). */
export const PARAMETER_MIN = 1e-4;
export const PARAMETER_MAX = 1e4;

/** Fewest repeat customers a model is fitted on. */
export const MIN_REPEAT_CUSTOMERS = 20;

export function isRefusal<T extends object>(v: T | ClvRefusal): v is ClvRefusal {
  return (v as Partial<ClvRefusal>).refused === true;
}

/** The first parameter outside [PARAMETER_MIN, PARAMETER_MAX], as a refusal. */
export function boundRefusal(model: ClvModel, params: Readonly<Record<string, number>>): ClvRefusal | null {
  for (const [name, value] of Object.entries(params)) {
    if (!(value >= PARAMETER_MIN && value <= PARAMETER_MAX)) {
      return { refused: true, model, reason: 'parameter-at-bound', parameter: name, value, at: { ...params } };
    }
  }
  return null;
}
