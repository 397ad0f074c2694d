/**
 * Customer lifetime value from a fitted BG/NBD and Gamma-Gamma pair (METRICS.md §12), and
 * the holdout comparison of the purchase model with what happened after the calibration end.
 */
import { pAlive, purchasesIfAlive, type BgNbdParams, type RfmGroups } from './bgnbd.ts';
import { expectedSpend, type GammaGammaParams } from './gamma-gamma.ts';

export type TimeUnit = 'day' | 'week' | 'month';

/** Days per time unit; a month is 365.25 ÷ 12 days. */
export const UNIT_DAYS: Readonly<Record<TimeUnit, number>> = { day: 1, week: 7, month: 30.4375 };

export const MONTH_DAYS = 30.4375;

/** The default horizon H, 52 weeks (364 days), in `unit`s. */
export function defaultHorizon(unit: TimeUnit): number {
  return 364 / UNIT_DAYS[unit];
}

/** Whole months in a horizon of `horizon` units (at least 1): the M of the CLV sum. */
export function horizonMonths(horizon: number, unit: TimeUnit): number {
  return Math.max(1, Math.round((horizon * UNIT_DAYS[unit]) / MONTH_DAYS));
}

/**
 * Σ_{m=1..M} (E[Y(m)] − E[Y(m−1)]) ÷ (1+d)^m for one customer: expected repeat purchases
 * month by month, discounted at `d` per month. `monthUnits` is a month in model units.
 */
export function discountedPurchases(
  p: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  months: number,
  monthUnits: number,
  d: number,
): number {
  return discountedIfAlive(p, x, T, months, monthUnits, d) * pAlive(p, x, tx, T);
}

/** The discounted monthly sum ÷ P(alive): depends on x and T only. */
function discountedIfAlive(p: BgNbdParams, x: number, T: number, months: number, monthUnits: number, d: number): number {
  let prev = 0;
  let total = 0;
  let factor = 1;
  for (let m = 1; m <= months; m++) {
    const cum = purchasesIfAlive(p, m * monthUnits, x, T);
    factor /= 1 + d;
    total += (cum - prev) * factor;
    prev = cum;
  }
  return total;
}

/**
 * The distinct (x, T) pairs of the groups: E[Y(t)] = P(alive | x, t_x, T) · f(x, T, t), so
 * the hypergeometric part is computed once per pair, not per (x, t_x, T) triple.
 */
export interface XtPairs {
  readonly x: Float64Array;
  readonly T: Float64Array;
  /** For every group, the index of its pair. */
  readonly pairOf: Uint32Array;
}

export function xtPairs(g: RfmGroups): XtPairs {
  const k = g.x.length;
  const order = new Uint32Array(k);
  for (let i = 0; i < k; i++) order[i] = i;
  order.sort((i, j) => (g.x[i] as number) - (g.x[j] as number) || (g.T[i] as number) - (g.T[j] as number));
  const x: number[] = [];
  const T: number[] = [];
  const pairOf = new Uint32Array(k);
  for (const i of order) {
    const last = x.length - 1;
    if (last >= 0 && x[last] === g.x[i] && T[last] === g.T[i]) pairOf[i] = last;
    else {
      x.push(g.x[i] as number);
      T.push(g.T[i] as number);
      pairOf[i] = last + 1;
    }
  }
  return { x: Float64Array.from(x), T: Float64Array.from(T), pairOf };
}

/** Per customer, same index as the summary. */
export interface ClvCustomerArrays {
  /** P(alive at c). */
  readonly pAlive: Float64Array;
  /** Expected repeat purchase days in (c, c + H]. */
  readonly expectedPurchases: Float64Array;
  /** Gamma-Gamma conditional mean spend per purchase day; NaN when there is no spend model. */
  readonly expectedSpend: Float64Array;
  /** expectedSpend × discounted expected purchases over M months; NaN without a spend model. */
  readonly clv: Float64Array;
}

/** P(alive), E[Y(H)] and the discounted monthly sum per group of identical (x, t_x, T). */
export interface GroupPredictions {
  readonly pAlive: Float64Array;
  readonly expectedPurchases: Float64Array;
  readonly discounted: Float64Array;
}

export function predictGroups(
  p: BgNbdParams,
  g: RfmGroups,
  horizon: number,
  unit: TimeUnit,
  monthlyDiscount: number,
  onProgress?: (done: number, total: number) => void,
): GroupPredictions {
  const k = g.x.length;
  const months = horizonMonths(horizon, unit);
  const monthUnits = MONTH_DAYS / UNIT_DAYS[unit];
  const pairs = xtPairs(g);
  const np = pairs.x.length;
  const eyPair = new Float64Array(np);
  const discPair = new Float64Array(np);
  const step = Math.max(1, Math.floor(np / 20));
  for (let j = 0; j < np; j++) {
    const x = pairs.x[j] as number;
    const T = pairs.T[j] as number;
    eyPair[j] = purchasesIfAlive(p, horizon, x, T);
    discPair[j] = discountedIfAlive(p, x, T, months, monthUnits, monthlyDiscount);
    if (onProgress && j % step === 0) onProgress(j, np);
  }
  const alive = new Float64Array(k);
  const ey = new Float64Array(k);
  const disc = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const pa = pAlive(p, g.x[i] as number, g.tx[i] as number, g.T[i] as number);
    const j = pairs.pairOf[i] as number;
    alive[i] = pa;
    ey[i] = pa * (eyPair[j] as number);
    disc[i] = pa * (discPair[j] as number);
  }
  return { pAlive: alive, expectedPurchases: ey, discounted: disc };
}

/** Spread group predictions to customers and apply the spend model (null: none). */
export function customerValues(
  g: RfmGroups,
  pred: GroupPredictions,
  x: Float64Array,
  zbar: Float64Array,
  spend: GammaGammaParams | null,
): ClvCustomerArrays {
  const n = g.groupOf.length;
  const alive = new Float64Array(n);
  const ey = new Float64Array(n);
  const es = new Float64Array(n);
  const clv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const gi = g.groupOf[i] as number;
    alive[i] = pred.pAlive[gi] as number;
    ey[i] = pred.expectedPurchases[gi] as number;
    const s = spend ? expectedSpend(spend, x[i] as number, zbar[i] as number) : Number.NaN;
    es[i] = s;
    clv[i] = s * (pred.discounted[gi] as number);
  }
  return { pAlive: alive, expectedPurchases: ey, expectedSpend: es, clv };
}

/** The §12 totals over modelled customers. */
export interface ClvTotals {
  /** clv_customers: customers with a purchase by c (all of them are modelled). */
  readonly customers: number;
  /** clv_expected_alive: Σ P(alive at c). */
  readonly expectedAlive: number;
  /** clv_expected_purchases: Σ expected repeat purchases in the next H units. */
  readonly expectedPurchases: number;
  /** clv_total: Σ clv; null without a spend model. */
  readonly total: number | null;
}

export function clvTotals(c: ClvCustomerArrays, hasSpend: boolean): ClvTotals {
  let alive = 0;
  let ey = 0;
  let total = 0;
  for (let i = 0; i < c.pAlive.length; i++) {
    alive += c.pAlive[i] as number;
    ey += c.expectedPurchases[i] as number;
    total += c.clv[i] as number;
  }
  return { customers: c.pAlive.length, expectedAlive: alive, expectedPurchases: ey, total: hasSpend ? total : null };
}

/** Holdout comparison by calibration repeat purchases x = 0 … 6 and 7+ (bucket 7). */
export interface HoldoutByXRow {
  /** 0 … 7; 7 stands for "7 or more". */
  readonly x: number;
  readonly customers: number;
  /** Σ purchase days in (c, as_of] of the bucket's customers. */
  readonly actual: number;
  /** Σ E[Y(as_of − c) | x, t_x, T] of the same customers. */
  readonly expected: number;
}

/** Cumulative repeat purchases of the modelled customers, week by week after c. */
export interface HoldoutWeekRow {
  /** 1 … W: the week (c + 7(w−1), c + 7w] days (the last one ends at as_of). */
  readonly week: number;
  readonly actual: number;
  readonly expected: number;
}

export interface ClvHoldout {
  readonly byX: readonly HoldoutByXRow[];
  readonly cumulative: readonly HoldoutWeekRow[];
  /** clv_holdout_actual. */
  readonly actual: number;
  /** clv_holdout_expected. */
  readonly expected: number;
}

export const HOLDOUT_X_BUCKETS = 8;

/**
 * Compare the model with the holdout. `holdoutDays` = as_of − c; `holdoutX[i]` the
 * customer's purchase days in (c, as_of]; `weekly[w−1]` all modelled customers' purchase
 * days in week w (as the SQL of summary.ts returns them).
 */
export function holdoutComparison(
  p: BgNbdParams,
  g: RfmGroups,
  unit: TimeUnit,
  holdoutDays: number,
  holdoutX: Float64Array,
  weekly: Float64Array,
): ClvHoldout {
  const unitDays = UNIT_DAYS[unit];
  const k = g.x.length;
  const pairs = xtPairs(g);
  const np = pairs.x.length;
  // Per pair: Σ weight · P(alive) of its groups, and E[Y(holdout)] ÷ P(alive).
  const alivePair = new Float64Array(np);
  const eyPair = new Float64Array(np);
  const alive = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const pa = pAlive(p, g.x[i] as number, g.tx[i] as number, g.T[i] as number);
    alive[i] = pa;
    const j = pairs.pairOf[i] as number;
    alivePair[j] = (alivePair[j] as number) + (g.weight[i] as number) * pa;
  }
  for (let j = 0; j < np; j++) eyPair[j] = purchasesIfAlive(p, holdoutDays / unitDays, pairs.x[j] as number, pairs.T[j] as number);
  const eAll = new Float64Array(k);
  for (let i = 0; i < k; i++) eAll[i] = (alive[i] as number) * (eyPair[pairs.pairOf[i] as number] as number);
  const customers = new Float64Array(HOLDOUT_X_BUCKETS);
  const actual = new Float64Array(HOLDOUT_X_BUCKETS);
  const expected = new Float64Array(HOLDOUT_X_BUCKETS);
  let sumActual = 0;
  let sumExpected = 0;
  for (let i = 0; i < g.groupOf.length; i++) {
    const gi = g.groupOf[i] as number;
    const bucket = Math.min(g.x[gi] as number, HOLDOUT_X_BUCKETS - 1);
    const a = holdoutX[i] as number;
    const e = eAll[gi] as number;
    customers[bucket] = (customers[bucket] as number) + 1;
    actual[bucket] = (actual[bucket] as number) + a;
    expected[bucket] = (expected[bucket] as number) + e;
    sumActual += a;
    sumExpected += e;
  }
  const byX: HoldoutByXRow[] = [];
  for (let b = 0; b < HOLDOUT_X_BUCKETS; b++) {
    byX.push({ x: b, customers: customers[b] as number, actual: actual[b] as number, expected: expected[b] as number });
  }
  const cumulative: HoldoutWeekRow[] = [];
  let cumActual = 0;
  for (let w = 1; w <= weekly.length; w++) {
    cumActual += weekly[w - 1] as number;
    const t = Math.min(7 * w, holdoutDays) / unitDays;
    let e = 0;
    for (let j = 0; j < np; j++) e += (alivePair[j] as number) * purchasesIfAlive(p, t, pairs.x[j] as number, pairs.T[j] as number);
    cumulative.push({ week: w, actual: cumActual, expected: e });
  }
  return { byX, cumulative, actual: sumActual, expected: sumExpected };
}
