/**
 * The whole CLV computation on typed arrays: fit BG/NBD, fit Gamma-Gamma, predict per
 * customer, total, and compare with the holdout. The Web Worker (worker.ts) and in-process
 * callers (the `analyze` command, tests) run this same function.
 */
import { fitBgNbd, groupRfm, type BgNbdFit } from './bgnbd.ts';
import {
  clvTotals,
  customerValues,
  holdoutComparison,
  predictGroups,
  type ClvCustomerArrays,
  type ClvHoldout,
  type ClvTotals,
  type TimeUnit,
} from './clv.ts';
import { expectedSpend, fitGammaGamma, type GammaGammaFit } from './gamma-gamma.ts';
import { isRefusal, type ClvRefusal, type ClvSummary } from './types.ts';

export interface ClvSettings {
  /** Unit of x's times t_x and T (the summary must be built in the same unit). */
  readonly unit: TimeUnit;
  /** Prediction horizon H in `unit`s (default 52 weeks: `defaultHorizon(unit)`). */
  readonly horizon: number;
  /** Monthly discount rate d (default 0.01). */
  readonly monthlyDiscount: number;
  /** as_of − c in days when c < as_of (enables the holdout comparison), else null. */
  readonly holdoutDays: number | null;
  /** Fewest repeat customers per model (default MIN_REPEAT_CUSTOMERS). */
  readonly minRepeatCustomers?: number;
}

export const DEFAULT_CLV_SETTINGS: ClvSettings = { unit: 'week', horizon: 52, monthlyDiscount: 0.01, holdoutDays: null };

export type ClvStage = 'bgnbd' | 'gamma-gamma' | 'predict' | 'holdout';

export interface ClvProgress {
  readonly stage: ClvStage;
  /** Optimiser: likelihood evaluations so far; predict: groups done. */
  readonly done: number;
  /** predict: groups in all; optimiser: null. */
  readonly total: number | null;
  /** Optimiser: best log-likelihood so far. */
  readonly ll: number | null;
}

export interface ClvResult {
  readonly bgnbd: BgNbdFit | ClvRefusal;
  readonly gammaGamma: GammaGammaFit | ClvRefusal;
  /** Distinct (x, t_x, T) triples the likelihood was evaluated on. */
  readonly groups: number;
  /** null when BG/NBD refused (then nothing is predicted). */
  readonly customers: ClvCustomerArrays | null;
  readonly totals: ClvTotals | null;
  /** null without a holdout period or when BG/NBD refused. */
  readonly holdout: ClvHoldout | null;
}

function finite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i] as number)) return false;
  return true;
}

export function fitClvSync(summary: ClvSummary, settings: ClvSettings, onProgress?: (p: ClvProgress) => void): ClvResult {
  const g = groupRfm(summary);
  const minRepeatCustomers = settings.minRepeatCustomers;
  let bgnbd: BgNbdFit | ClvRefusal = fitBgNbd(g, {
    ...(minRepeatCustomers === undefined ? {} : { minRepeatCustomers }),
    onProgress: (done, ll) => onProgress?.({ stage: 'bgnbd', done, total: null, ll }),
  });
  let gammaGamma: GammaGammaFit | ClvRefusal = fitGammaGamma(summary, {
    ...(minRepeatCustomers === undefined ? {} : { minRepeatCustomers }),
    onProgress: (done, ll) => onProgress?.({ stage: 'gamma-gamma', done, total: null, ll }),
  });
  if (!isRefusal(gammaGamma) && !Number.isFinite(expectedSpend(gammaGamma, 0, Number.NaN))) {
    // q ≤ 1: the population mean spend is infinite.
    gammaGamma = { refused: true, model: 'gamma-gamma', reason: 'not-finite', parameter: 'q', value: gammaGamma.q };
  }
  if (isRefusal(bgnbd)) return { bgnbd, gammaGamma, groups: g.x.length, customers: null, totals: null, holdout: null };
  const pred = predictGroups(bgnbd, g, settings.horizon, settings.unit, settings.monthlyDiscount, (done, total) =>
    onProgress?.({ stage: 'predict', done, total, ll: null }),
  );
  if (!finite(pred.pAlive) || !finite(pred.expectedPurchases) || !finite(pred.discounted)) {
    bgnbd = { refused: true, model: 'bgnbd', reason: 'not-finite' };
    return { bgnbd, gammaGamma, groups: g.x.length, customers: null, totals: null, holdout: null };
  }
  const spend = isRefusal(gammaGamma) ? null : gammaGamma;
  const customers = customerValues(g, pred, summary.x, summary.zbar, spend);
  const totals = clvTotals(customers, spend !== null);
  let holdout: ClvHoldout | null = null;
  if (settings.holdoutDays !== null && settings.holdoutDays > 0 && summary.holdoutX && summary.holdoutWeekly) {
    onProgress?.({ stage: 'holdout', done: 0, total: null, ll: null });
    holdout = holdoutComparison(bgnbd, g, settings.unit, settings.holdoutDays, summary.holdoutX, summary.holdoutWeekly);
  }
  return { bgnbd, gammaGamma, groups: g.x.length, customers, totals, holdout };
}

/** Metric ids of METRICS.md §12. */
export const CLV_METRIC_IDS = [
  'bgnbd_r',
  'bgnbd_alpha',
  'bgnbd_a',
  'bgnbd_b',
  'bgnbd_ll',
  'gg_p',
  'gg_q',
  'gg_gamma',
  'gg_ll',
  'clv_customers',
  'clv_expected_alive',
  'clv_expected_purchases',
  'clv_total',
  'clv_holdout_actual',
  'clv_holdout_expected',
] as const;

export type ClvMetricId = (typeof CLV_METRIC_IDS)[number];

/** The §12 metrics of a result; null where a model refused or there is no holdout. */
export function clvMetrics(r: ClvResult): Record<ClvMetricId, number | null> {
  const bg = isRefusal(r.bgnbd) ? null : r.bgnbd;
  const gg = isRefusal(r.gammaGamma) ? null : r.gammaGamma;
  return {
    bgnbd_r: bg?.r ?? null,
    bgnbd_alpha: bg?.alpha ?? null,
    bgnbd_a: bg?.a ?? null,
    bgnbd_b: bg?.b ?? null,
    bgnbd_ll: bg?.ll ?? null,
    gg_p: gg?.p ?? null,
    gg_q: gg?.q ?? null,
    gg_gamma: gg?.gamma ?? null,
    gg_ll: gg?.ll ?? null,
    clv_customers: r.totals?.customers ?? null,
    clv_expected_alive: r.totals?.expectedAlive ?? null,
    clv_expected_purchases: r.totals?.expectedPurchases ?? null,
    clv_total: r.totals?.total ?? null,
    clv_holdout_actual: r.holdout?.actual ?? null,
    clv_holdout_expected: r.holdout?.expected ?? null,
  };
}
