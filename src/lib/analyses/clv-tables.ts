/**
 * The lifetime-value panel's computation (METRICS.md §12): the fit in a Web Worker in the
 * page (`fitClv`) or in-process in Node (`fitClvSync`), and the aggregate tables of its
 * predictions. Loaded by the panel's run only, so that the models stay out of the first screen.
 */
import { fitClv, fitClvSync } from '../clv/client.ts';
import { defaultHorizon, type ClvCustomerArrays, type HoldoutByXRow, type HoldoutWeekRow, type TimeUnit } from '../clv/clv.ts';
import { clvMetrics, type ClvMetricId, type ClvProgress, type ClvResult, type ClvSettings } from '../clv/fit.ts';
import { readClvSummary } from '../clv/summary.ts';
import { isRefusal, type ClvModel, type ClvRefusal, type ClvRefusalReason, type ClvSummary } from '../clv/types.ts';
import type { Settings } from '../model/settings.ts';
import { CLV_BINS, clvBinOf, P_ALIVE_BINS, pAliveBinOf } from './clv-bins.ts';
import type { DbClient } from '../db/client.ts';

/** Fits a summary: the worker in the page, in-process elsewhere. */
export type ClvFitter = (summary: ClvSummary, settings: ClvSettings, onProgress?: (p: ClvProgress) => void) => Promise<ClvResult>;

/** The worker where there is one (the page), else the same code on this thread (analyze, tests). */
export const defaultFitter: ClvFitter =
  typeof Worker === 'function' ? (s, o, p) => fitClv(s, o, p) : (s, o, p) => Promise.resolve(fitClvSync(s, o, p));

/** One fitted parameter: `value` of `parameter` in `model`, with the model's log-likelihood and customers fitted. */
export interface ClvParameterRow {
  readonly model: ClvModel;
  readonly parameter: string;
  readonly value: number;
  readonly ll: number;
  readonly n: number;
}

/** Why a model gave no answer (METRICS.md §12 "Refusals"). */
export interface ClvRefusalRow {
  readonly model: ClvModel;
  readonly reason: ClvRefusalReason;
  /** Repeat customers available / needed (too-few-repeat-customers). */
  readonly have: number | null;
  readonly needed: number | null;
  /** The parameter at a bound or not finite, and its value. */
  readonly parameter: string | null;
  readonly value: number | null;
}

/** Customers by P(alive at c) in [from, to) (the last bin includes 1); `one_time`: of them, x = 0 (P(alive) = 1 by the model). */
export interface PAliveBinRow {
  readonly from: number;
  readonly to: number;
  readonly customers: number;
  readonly one_time: number;
}

/** Customers by CLV in [from, to); `to` null for the last, open bin; `clv` the bin's Σ CLV. */
export interface ClvBinRow {
  readonly from: number;
  readonly to: number | null;
  readonly customers: number;
  readonly clv: number;
}

/**
 * The recency × frequency grid: customers with `frequency` = x (the last row, `frequency_max`
 * null, holds x ≥ its value) whose time since their last purchase, T − t_x in units, lies in
 * [recency_from, recency_to) (the last column includes its end); the means of P(alive) and
 * of the expected purchases over the horizon of those customers.
 */
export interface ClvGridRow {
  readonly frequency: number;
  readonly frequency_max: number | null;
  readonly recency_from: number;
  readonly recency_to: number;
  readonly customers: number;
  readonly p_alive: number;
  readonly expected_purchases: number;
}

/** The customers with the highest CLV (by expected purchases when there is no spend model), ties by id. */
export interface ClvTopRow {
  readonly rank: number;
  readonly customer_id: string;
  readonly x: number;
  readonly t_x: number;
  readonly t_cal: number;
  readonly p_alive: number;
  readonly expected_purchases: number;
  readonly expected_spend: number | null;
  readonly clv: number | null;
}

/** Holdout by calibration x (7 = "7 or more"), with the per-customer means of FHL 2005's chart. */
export interface ClvHoldoutXRow extends HoldoutByXRow {
  readonly actual_mean: number | null;
  readonly expected_mean: number | null;
}

/** The §12 totals, as one row. */
export interface ClvTotalsRow {
  readonly customers: number | null;
  readonly expected_alive: number | null;
  readonly expected_purchases: number | null;
  readonly clv_total: number | null;
  readonly holdout_actual: number | null;
  readonly holdout_expected: number | null;
}

export interface ClvPanelResult {
  /** The calibration end used: the setting, at most as_of; as_of when automatic. */
  readonly calibrationEnd: string;
  readonly asOf: string;
  readonly unit: TimeUnit;
  readonly horizon: number;
  readonly monthlyDiscount: number;
  /** as_of − c in days; null without a holdout. */
  readonly holdoutDays: number | null;
  readonly bgnbd: ClvRefusal | null;
  readonly gammaGamma: ClvRefusal | null;
  readonly metrics: Readonly<Record<ClvMetricId, number | null>>;
  readonly parameters: readonly ClvParameterRow[];
  readonly refusals: readonly ClvRefusalRow[];
  readonly pAlive: readonly PAliveBinRow[];
  readonly clvBins: readonly ClvBinRow[];
  readonly grid: readonly ClvGridRow[];
  readonly top: readonly ClvTopRow[];
  readonly holdoutByX: readonly ClvHoldoutXRow[];
  readonly cumulative: readonly HoldoutWeekRow[];
  readonly totals: readonly ClvTotalsRow[];
  /** Per customer (same index as `ids`); null when BG/NBD refused, and in a published summary. */
  readonly perCustomer: { readonly ids: readonly string[]; readonly values: ClvCustomerArrays } | null;
}

export const TOP_CUSTOMERS = 50;
export { P_ALIVE_BINS, CLV_BINS } from './clv-bins.ts';
export const GRID_FREQUENCIES = 10;
export const GRID_RECENCY_BINS = 12;

/** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ v (v > 0). */
export function niceStep(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** The horizon in units for the settings (null = 52 weeks in the chosen unit). */
export function clvHorizon(settings: Pick<Settings, 'horizon' | 'clvUnit'>): number {
  return settings.horizon ?? defaultHorizon(settings.clvUnit);
}

export function pAliveBins(pAlive: Float64Array, x: Float64Array): PAliveBinRow[] {
  const customers = new Array<number>(P_ALIVE_BINS).fill(0);
  const oneTime = new Array<number>(P_ALIVE_BINS).fill(0);
  for (let i = 0; i < pAlive.length; i++) {
    const b = pAliveBinOf(pAlive[i] as number);
    customers[b] = (customers[b] as number) + 1;
    if (x[i] === 0) oneTime[b] = (oneTime[b] as number) + 1;
  }
  return customers.map((n, b) => ({ from: b / P_ALIVE_BINS, to: (b + 1) / P_ALIVE_BINS, customers: n, one_time: oneTime[b] as number }));
}

/** The k-th smallest of `a[0 … n)` (0-based), reordering `a`: quickselect, linear on average. */
export function kthSmallest(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i++] = a[j] as number;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] as number;
}

/** CLV_BINS − 1 bins of a nice width up to about the 99th percentile, then one open bin. Empty without a spend model. */
export function clvBins(clv: Float64Array): ClvBinRow[] {
  let n = 0;
  const v = new Float64Array(clv.length);
  for (const c of clv) if (Number.isFinite(c)) v[n++] = c;
  if (n === 0) return [];
  // The percentile by selection, not a sort: this runs on the page's main thread.
  const p99 = kthSmallest(v, n, Math.min(n - 1, Math.floor(0.99 * (n - 1))));
  const step = niceStep(Math.max(p99, 0) / (CLV_BINS - 1));
  const rows: { from: number; to: number | null; customers: number; clv: number }[] = [];
  for (let b = 0; b < CLV_BINS; b++) rows.push({ from: b * step, to: b === CLV_BINS - 1 ? null : (b + 1) * step, customers: 0, clv: 0 });
  for (const c of clv) {
    const b = clvBinOf(c, step);
    if (b === null) continue;
    const row = rows[b] as (typeof rows)[number];
    row.customers++;
    row.clv += c;
  }
  return rows;
}

export function clvGrid(x: Float64Array, tx: Float64Array, T: Float64Array, c: ClvCustomerArrays): ClvGridRow[] {
  const n = x.length;
  if (n === 0) return [];
  let maxRecency = 0;
  for (let i = 0; i < n; i++) maxRecency = Math.max(maxRecency, (T[i] as number) - (tx[i] as number));
  const step = niceStep(maxRecency / GRID_RECENCY_BINS);
  const cols = Math.max(1, Math.min(GRID_RECENCY_BINS, Math.ceil(maxRecency / step - 1e-9)));
  const cells = (GRID_FREQUENCIES + 1) * cols;
  const count = new Float64Array(cells);
  const alive = new Float64Array(cells);
  const ey = new Float64Array(cells);
  for (let i = 0; i < n; i++) {
    const f = Math.min(GRID_FREQUENCIES, x[i] as number);
    const r = Math.min(cols - 1, Math.floor(((T[i] as number) - (tx[i] as number)) / step));
    const k = f * cols + r;
    count[k] = (count[k] as number) + 1;
    alive[k] = (alive[k] as number) + (c.pAlive[i] as number);
    ey[k] = (ey[k] as number) + (c.expectedPurchases[i] as number);
  }
  const rows: ClvGridRow[] = [];
  for (let f = 0; f <= GRID_FREQUENCIES; f++) {
    for (let r = 0; r < cols; r++) {
      const k = f * cols + r;
      const m = count[k] as number;
      if (m === 0) continue;
      rows.push({
        frequency: f,
        frequency_max: f === GRID_FREQUENCIES ? null : f,
        recency_from: r * step,
        recency_to: (r + 1) * step,
        customers: m,
        p_alive: (alive[k] as number) / m,
        expected_purchases: (ey[k] as number) / m,
      });
    }
  }
  return rows;
}

export function topCustomers(ids: readonly string[], x: Float64Array, tx: Float64Array, T: Float64Array, c: ClvCustomerArrays, hasSpend: boolean): ClvTopRow[] {
  const key = hasSpend ? c.clv : c.expectedPurchases;
  const better = (i: number, j: number): boolean =>
    (key[i] as number) > (key[j] as number) || ((key[i] as number) === (key[j] as number) && (ids[i] as string) < (ids[j] as string));
  // The best TOP_CUSTOMERS kept sorted, best first: one pass, no sort of every customer.
  const best: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (best.length === TOP_CUSTOMERS && !better(i, best[best.length - 1] as number)) continue;
    let at = best.length;
    while (at > 0 && better(i, best[at - 1] as number)) at--;
    best.splice(at, 0, i);
    if (best.length > TOP_CUSTOMERS) best.pop();
  }
  return best.map((i, k) => ({
    rank: k + 1,
    customer_id: ids[i] as string,
    x: x[i] as number,
    t_x: tx[i] as number,
    t_cal: T[i] as number,
    p_alive: c.pAlive[i] as number,
    expected_purchases: c.expectedPurchases[i] as number,
    expected_spend: hasSpend ? (c.expectedSpend[i] as number) : null,
    clv: hasSpend ? (c.clv[i] as number) : null,
  }));
}

function refusalRow(r: ClvRefusal): ClvRefusalRow {
  return { model: r.model, reason: r.reason, have: r.have ?? null, needed: r.needed ?? null, parameter: r.parameter ?? null, value: r.value ?? null };
}

/** The panel's result from a fit (pure: the tests build it from `fitClvSync`). */
export function clvPanelResult(
  fit: ClvResult,
  ids: readonly string[],
  rfm: { readonly x: Float64Array; readonly tx: Float64Array; readonly T: Float64Array },
  meta: Pick<ClvPanelResult, 'calibrationEnd' | 'asOf' | 'unit' | 'horizon' | 'monthlyDiscount' | 'holdoutDays'>,
): ClvPanelResult {
  const bg = isRefusal(fit.bgnbd) ? null : fit.bgnbd;
  const gg = isRefusal(fit.gammaGamma) ? null : fit.gammaGamma;
  const parameters: ClvParameterRow[] = [
    ...(bg ? (['r', 'alpha', 'a', 'b'] as const).map((k) => ({ model: 'bgnbd' as const, parameter: k, value: bg[k], ll: bg.ll, n: bg.n })) : []),
    ...(gg ? (['p', 'q', 'gamma'] as const).map((k) => ({ model: 'gamma-gamma' as const, parameter: k, value: gg[k], ll: gg.ll, n: gg.n })) : []),
  ];
  const refusals = [fit.bgnbd, fit.gammaGamma].filter((r): r is ClvRefusal => isRefusal(r)).map(refusalRow);
  const c = fit.customers;
  const m = clvMetrics(fit);
  const holdoutByX: ClvHoldoutXRow[] = (fit.holdout?.byX ?? []).map((r) => ({
    ...r,
    actual_mean: r.customers > 0 ? r.actual / r.customers : null,
    expected_mean: r.customers > 0 ? r.expected / r.customers : null,
  }));
  return {
    ...meta,
    bgnbd: isRefusal(fit.bgnbd) ? fit.bgnbd : null,
    gammaGamma: isRefusal(fit.gammaGamma) ? fit.gammaGamma : null,
    metrics: m,
    parameters,
    refusals,
    pAlive: c ? pAliveBins(c.pAlive, rfm.x) : [],
    clvBins: c && gg ? clvBins(c.clv) : [],
    grid: c ? clvGrid(rfm.x, rfm.tx, rfm.T, c) : [],
    top: c ? topCustomers(ids, rfm.x, rfm.tx, rfm.T, c, gg !== null) : [],
    holdoutByX,
    cumulative: fit.holdout?.cumulative ?? [],
    totals: c
      ? [
          {
            customers: m.clv_customers,
            expected_alive: m.clv_expected_alive,
            expected_purchases: m.clv_expected_purchases,
            clv_total: m.clv_total,
            holdout_actual: m.clv_holdout_actual,
            holdout_expected: m.clv_holdout_expected,
          },
        ]
      : [],
    perCustomer: c ? { ids, values: c } : null,
  };
}

/** Read the summary and fit it with `fitter`; `onShare` is told how far the fit is (0 … 1). */
/**
 * A 64-bit fingerprint (two 32-bit FNV-1a-style lanes) of the summary, the customer ids and
 * the fit's settings: the fit is deterministic, so equal fingerprints give the same result.
 */
export function summaryFingerprint(ids: readonly string[], summary: ClvSummary, opts: ClvSettings): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ ids.length;
  const word = (w: number): void => {
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 15);
  };
  for (const a of [summary.x, summary.tx, summary.T, summary.zbar, summary.holdoutX, summary.holdoutWeekly]) {
    if (a === null) {
      word(-1);
      continue;
    }
    word(a.length);
    const u = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
    for (let i = 0; i < u.length; i++) word(u[i] as number);
  }
  for (const id of ids) {
    word(id.length);
    for (let i = 0; i < id.length; i++) word(id.charCodeAt(i));
  }
  return `${(h1 >>> 0).toString(16)}.${(h2 >>> 0).toString(16)}.${JSON.stringify(opts)}`;
}

/**
 * The last fit, by fingerprint: a run for a setting of another panel (a tier cut, the churn
 * window) reads the same summary and reuses it instead of fitting again.
 */
let lastFit: { readonly key: string; readonly fit: ClvResult } | null = null;

/** Read the summary and fit it with `fitter` (unless the last fit had the same summary and settings); `onShare` is told how far the run is (0 … 1). */
export async function runClv(
  db: DbClient,
  settings: Settings,
  asOf: string,
  fitter: ClvFitter = defaultFitter,
  onShare?: (share: number) => void,
): Promise<ClvPanelResult> {
  const calibrationEnd = settings.calibrationEnd !== null && settings.calibrationEnd < asOf ? settings.calibrationEnd : asOf;
  const unit = settings.clvUnit;
  const { ids, summary, holdoutDays } = await readClvSummary(db, { calibrationEnd, asOf, unit });
  onShare?.(0.2);
  // The worker takes the arrays (transferred); the grid and the top customers need x, t_x, T after it.
  const rfm = { x: summary.x.slice(), tx: summary.tx.slice(), T: summary.T.slice() };
  const horizon = clvHorizon(settings);
  const opts: ClvSettings = { unit, horizon, monthlyDiscount: settings.discount, holdoutDays };
  const key = summaryFingerprint(ids, summary, opts);
  let fit: ClvResult;
  if (lastFit !== null && lastFit.key === key) fit = lastFit.fit;
  else {
    const stageShare: Record<ClvProgress['stage'], number> = { bgnbd: 0.3, 'gamma-gamma': 0.6, predict: 0.7, holdout: 0.9 };
    fit = await fitter(summary, opts, (p) => onShare?.(stageShare[p.stage] + (p.total ? (0.1 * p.done) / p.total : 0)));
    lastFit = { key, fit };
  }
  return clvPanelResult(fit, ids, rfm, { calibrationEnd, asOf, unit, horizon, monthlyDiscount: settings.discount, holdoutDays });
}

