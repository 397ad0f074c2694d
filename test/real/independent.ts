/**
 * An independent, plain-TypeScript computation of every metric of METRICS.md (no SQL):
 * Maps and loops over parsed lines. Used to check the SQL on real data. It reads the real
 * files itself (papaparse, string splits) and shares nothing with src/lib/ingest.
 * Money is kept in integer units of 1e-4 so that sums are exact like DECIMAL(18,4).
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { Metrics } from '../../src/lib/model/metrics.ts';
import type { Settings } from '../../src/lib/model/settings.ts';
import type { ClvMetricId } from '../../src/lib/clv/fit.ts';

export interface RefLine {
  readonly customer: string;
  readonly order: string | null;
  /** 'YYYY-MM-DD' */
  readonly date: string;
  /** Amount in units of 1e-4. */
  readonly amount: number;
  readonly score: number | null;
}

export interface RefSurvey {
  readonly customer: string | null;
  readonly order: string | null;
  readonly score: number;
  /** 'YYYY-MM-DD' when the response is dated. */
  readonly date?: string | null;
}

/** A decimal string → integer units of 1e-4 (half away from zero beyond 4 decimals). */
export function toUnits(text: string): number {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = (m[3] ?? '').padEnd(5, '0');
  let units = Number(m[2] || '0') * 10000 + Number(frac.slice(0, 4));
  if (Number(frac[4]) >= 5) units += 1;
  return m[1] === '-' ? -units : units;
}

const DAY = 86_400_000;
function dayNumber(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY;
}
function monthIndex(day: number): number {
  const d = new Date(day * DAY);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}
/** Last day (day number) of month index m. */
function monthEnd(m: number): number {
  return Date.UTC(Math.floor(m / 12), (m % 12) + 1, 0) / DAY;
}

interface Order {
  customer: string;
  key: string;
  hasId: boolean;
  id: string | null;
  day: number;
  net: number;
  scoreSum: number;
  scoreN: number;
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}
function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}
function medianInterpolated(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * 0.5;
  const lo = s[Math.floor(pos)]!;
  const hi = s[Math.ceil(pos)]!;
  return lo + (hi - lo) * (pos - Math.floor(pos));
}
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A satisfaction group of METRICS.md §6: top box, satisfied but not completely, below. */
export interface RefGroup {
  readonly group: 'top_box' | 'satisfied' | 'below';
  readonly n: number;
  readonly repeat_customers: number;
}

/** The segment panels' metrics (§7–§11): computed independently in independent-segments.ts. */
export type SegmentMetricId = Extract<
  keyof Metrics,
  `rfm_${string}` | `rfm8_${string}` | `stage_${string}` | `key_${string}` | `${string}_warning_${string}` | 'returning_customers' | 'new_customers_period' | 'new_customer_revenue_share'
>;
/** The lifetime-value metrics are checked against published fits (test/lib/clv, test/cli), not here. */
export type RefMetrics = Omit<Metrics, 'rows_read' | 'rows_kept' | 'rows_rejected' | 'rows_skipped' | SegmentMetricId | ClvMetricId>;

/**
 * `npsScore`: the score column is named as a Net Promoter question (the reference cannot see
 * column names, so the caller says so).
 */
export function referenceMetrics(
  allLines: readonly RefLine[],
  allSurvey: readonly RefSurvey[],
  settings: Settings,
  opts: { readonly npsScore?: boolean } = {},
): RefMetrics & { readonly lines_after_as_of: number; readonly satisfaction_groups: RefGroup[] } {
  // As-of (METRICS.md §1): the default is the latest day; an earlier one sets later lines aside.
  let maxDay = -Infinity;
  for (const l of allLines) maxDay = Math.max(maxDay, dayNumber(l.date));
  const asOf = settings.asOf === null ? maxDay : dayNumber(settings.asOf);
  const lines: RefLine[] = [];
  let linesAfterAsOf = 0;
  for (const l of allLines) {
    if (dayNumber(l.date) <= asOf) lines.push(l);
    else linesAfterAsOf++;
  }

  // A chosen as-of date also leaves out the responses given after it (undated ones stay).
  const loadedSurvey = allSurvey.length > 0;
  let survey = allSurvey;
  if (settings.asOf !== null) survey = survey.filter((r) => r.date == null || dayNumber(r.date) <= asOf);

  // Orders (METRICS.md §1).
  const orders = new Map<string, Order>();
  let revenue = 0;
  for (const l of lines) {
    const day = dayNumber(l.date);
    revenue += l.amount;
    const hasId = l.order !== null;
    const key = hasId ? l.order! : l.date;
    const k = `${l.customer}\u0000${hasId ? 1 : 0}\u0000${key}`;
    let o = orders.get(k);
    if (!o) {
      o = { customer: l.customer, key, hasId, id: l.order, day, net: 0, scoreSum: 0, scoreN: 0 };
      orders.set(k, o);
    }
    o.day = Math.min(o.day, day);
    o.net += l.amount;
    if (l.score !== null) {
      o.scoreSum += l.score;
      o.scoreN += 1;
    }
  }
  const byCustomer = new Map<string, Order[]>();
  for (const o of orders.values()) {
    const list = byCustomer.get(o.customer) ?? [];
    list.push(o);
    byCustomer.set(o.customer, list);
  }

  interface Cust {
    id: string;
    purchases: Order[];
    value: number;
    score: number | null;
  }
  const customers: Cust[] = [];
  let nOrders = 0;
  let purchaseValue = 0;
  let returnsValue = 0;
  for (const o of orders.values()) {
    if (o.net >= 0) {
      nOrders += 1;
      purchaseValue += o.net;
    } else returnsValue += o.net;
  }

  // Survey scores (§6): when the survey has rows it is the source, else the sales-file column.
  const surveyUnits = new Map<string, number[]>();
  if (loadedSurvey) {
    const ordersById = new Map<string, Order[]>();
    for (const o of orders.values()) {
      if (!o.hasId) continue;
      const l = ordersById.get(o.key) ?? [];
      l.push(o);
      ordersById.set(o.key, l);
    }
    const perOrder = new Map<Order, number[]>();
    for (const s of survey) {
      if (s.order !== null) {
        for (const o of ordersById.get(s.order) ?? []) {
          const l = perOrder.get(o) ?? [];
          l.push(s.score);
          perOrder.set(o, l);
        }
      } else if (s.customer !== null) {
        const l = surveyUnits.get(s.customer) ?? [];
        l.push(s.score);
        surveyUnits.set(s.customer, l);
      }
    }
    for (const [o, scores] of perOrder) {
      const l = surveyUnits.get(o.customer) ?? [];
      l.push(mean(scores)!);
      surveyUnits.set(o.customer, l);
    }
  }

  for (const [id, list] of byCustomer) {
    const purchases = list
      .filter((o) => o.net >= 0)
      .sort((a, b) => a.day - b.day || cmp(a.key, b.key) || Number(a.hasId) - Number(b.hasId));
    if (purchases.length === 0) continue;
    const value = list.reduce((a, o) => a + o.net, 0);
    const score =
      loadedSurvey
        ? mean(surveyUnits.get(id) ?? [])
        : mean(list.filter((o) => o.scoreN > 0).map((o) => o.scoreSum / o.scoreN));
    customers.push({ id, purchases, value, score });
  }
  const n = customers.length;
  const repeaters = customers.filter((c) => c.purchases.length >= 2);

  // Kaplan–Meier days to the second purchase (§3): a second purchase is an event on its day;
  // everyone else is censored at as_of. Walk the days in order, at risk = not yet out.
  const eventsOn = new Map<number, number>();
  const outOn = new Map<number, number>();
  for (const c of customers) {
    const first = c.purchases[0]!.day;
    const second = c.purchases[1]?.day;
    const t = second === undefined ? asOf - first : second - first;
    outOn.set(t, (outOn.get(t) ?? 0) + 1);
    if (second !== undefined) eventsOn.set(t, (eventsOn.get(t) ?? 0) + 1);
  }
  let atRisk = customers.length;
  let survival = 1;
  let kmMedian: number | null = null;
  for (const t of [...outOn.keys()].sort((a, b) => a - b)) {
    const e = eventsOn.get(t) ?? 0;
    survival *= 1 - e / atRisk;
    if (kmMedian === null && survival <= 0.5) kmMedian = t;
    atRisk -= outOn.get(t)!;
  }
  const kmReached = customers.length === 0 ? null : 1 - survival;

  // Pareto (§4), on values in currency units.
  const ranked = [...customers].sort((a, b) => b.value - a.value || cmp(a.id, b.id));
  const total = ranked.reduce((a, c) => a + c.value, 0);
  const top20n = Math.ceil(Number((0.2 * n).toFixed(9)));
  let top20 = 0;
  let cum = 0;
  let tierA: number | null = null;
  ranked.forEach((c, i) => {
    if (i < top20n) top20 += c.value;
    cum += c.value;
    if (tierA === null && total > 0 && cum / 1e4 >= settings.tierA * (total / 1e4)) tierA = i + 1;
  });
  const xs = customers.map((c) => Math.max(c.value, 0) / 1e4).sort((a, b) => a - b);
  const sx = xs.reduce((a, b) => a + b, 0);
  const giniNum = xs.reduce((a, x, i) => a + (2 * (i + 1) - n - 1) * x, 0);

  // Retention (§5), monthly, "on".
  const cohortSize = new Map<number, number>();
  const activeAt = new Map<string, number>();
  for (const c of customers) {
    const cm = monthIndex(c.purchases[0]!.day);
    cohortSize.set(cm, (cohortSize.get(cm) ?? 0) + 1);
    const months = new Set(c.purchases.map((o) => monthIndex(o.day)));
    for (const m of months) activeAt.set(`${cm}:${m - cm}`, (activeAt.get(`${cm}:${m - cm}`) ?? 0) + 1);
  }
  const leftOut = firstCohortLeftOut(cohortSize, settings.firstCohort);
  const retention = (k: number): number | null => {
    let size = 0;
    let active = 0;
    for (const [cm, s] of cohortSize) {
      if (monthEnd(cm + k) > asOf || cm === leftOut) continue;
      size += s;
      active += activeAt.get(`${cm}:${k}`) ?? 0;
    }
    return ratio(active, size);
  };

  // Satisfaction (§6).
  const scored = customers.filter((c) => c.score !== null);
  let lo = Infinity;
  let hi = -Infinity;
  const raw = loadedSurvey ? survey.map((s) => s.score) : lines.flatMap((l) => (l.score === null ? [] : [l.score]));
  for (const s of raw) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  // A column named as an NPS question puts the answers on 0–10; else the range decides.
  let detected: Settings['scoreScale'] = null;
  if (raw.length > 0) {
    if (opts.npsScore && lo >= 0 && hi <= 10) detected = '0-10';
    else if (lo >= 1 && hi <= 5) detected = '1-5';
    else if (lo >= 1 && hi <= 7) detected = '1-7';
    else if (lo >= 1 && hi <= 10) detected = '1-10';
    else if (lo >= 0 && hi <= 10) detected = '0-10';
  }
  const scale = settings.scoreScale ?? detected;
  // Top box by default.
  const high = scale === null ? null : (settings.highSatisfaction ?? { '1-5': 5, '1-7': 7, '0-10': 9, '1-10': 9 }[scale]);
  const satisfiedFrom = scale === null ? null : { '1-5': 4, '1-7': 6, '0-10': 7, '1-10': 7 }[scale];
  const satisfactionGroups: RefGroup[] = [];
  if (high !== null && satisfiedFrom !== null) {
    for (const group of ['top_box', 'satisfied', 'below'] as const) {
      let n = 0;
      let repeat = 0;
      for (const c of scored) {
        const g = c.score! >= high ? 'top_box' : c.score! >= satisfiedFrom ? 'satisfied' : 'below';
        if (g !== group) continue;
        n++;
        if (c.purchases.length >= settings.loyalMinOrders) repeat++;
      }
      satisfactionGroups.push({ group, n, repeat_customers: repeat });
    }
  }
  const tenPoint = scale === '0-10' || scale === '1-10';
  const npsDefined = tenPoint && (settings.scoreScale !== null || (opts.npsScore === true && detected === '0-10') || hi === 10);
  // NPS answers: each survey row of a customer (by order id, an order of a customer; else by
  // customer id), or each score cell of a customer's sales line when there is no survey.
  const isCustomer = new Set(customers.map((c) => c.id));
  const orderOfCustomer = new Set<string>();
  for (const o of orders.values()) if (o.hasId && isCustomer.has(o.customer)) orderOfCustomer.add(o.key);
  const answers: number[] = [];
  if (loadedSurvey) {
    for (const r of survey) {
      if (r.order !== null ? orderOfCustomer.has(r.order) : r.customer !== null && isCustomer.has(r.customer)) answers.push(r.score);
    }
  } else {
    for (const l of lines) if (l.score !== null && isCustomer.has(l.customer)) answers.push(l.score);
  }
  let promoters = 0;
  let detractors = 0;
  for (const a of answers) {
    if (a >= 9) promoters++;
    if (a <= 6) detractors++;
  }
  const loyal = (c: Cust) => c.purchases.length >= settings.loyalMinOrders;
  const quadrant = (isHigh: boolean, isLoyal: boolean) =>
    high === null ? null : scored.filter((c) => c.score! >= high === isHigh && loyal(c) === isLoyal).length;

  return {
    customers: n,
    orders: nOrders,
    revenue: revenue / 1e4,
    returns_value: returnsValue / 1e4,
    aov: nOrders === 0 ? null : purchaseValue / 1e4 / nOrders,
    orders_per_customer: ratio(nOrders, n),
    repurchase_rate: ratio(repeaters.length, n),
    repeat_order_share: ratio(nOrders - n, nOrders),
    median_days_to_second: kmMedian,
    km_reached_share: kmReached,
    median_days_to_second_repeaters: medianInterpolated(repeaters.map((c) => c.purchases[1]!.day - c.purchases[0]!.day)),
    top20_share: total > 0 ? top20 / total : null,
    gini: sx === 0 ? null : giniNum / (n * sx),
    tier_a_customers: tierA,
    tier_a_customer_share: tierA === null ? null : tierA / n,
    retention_m1: retention(1),
    retention_m3: retention(3),
    retention_m6: retention(6),
    retention_m12: retention(12),
    active_customers: customers.filter((c) => asOf - c.purchases.at(-1)!.day <= settings.churnWindowDays).length,
    lapsed_customers: customers.filter((c) => asOf - c.purchases.at(-1)!.day > settings.churnWindowDays).length,
    customers_with_score: scored.length,
    satisfaction_mean: mean(scored.map((c) => c.score!)),
    quadrant_loyalists: quadrant(true, true),
    quadrant_mercenaries: quadrant(true, false),
    quadrant_hostages: quadrant(false, true),
    quadrant_defectors: quadrant(false, false),
    nps: npsDefined && answers.length > 0 ? (100 * (promoters - detractors)) / answers.length : null,
    nps_responses: npsDefined ? answers.length : null,
    lines_after_as_of: linesAfterAsOf,
    satisfaction_groups: satisfactionGroups,
  };
}

/** One point of the average retention curve (METRICS.md §5), monthly cohorts, "on". */
export interface RefCurvePoint {
  readonly k: number;
  readonly cohorts: number;
  readonly size: number;
  readonly active: number;
}

/**
 * The size-weighted average retention curve with monthly cohorts and "on" retention, on the
 * lines dated on or before as_of: calendar months, or rolling 30-day windows since each
 * customer's first purchase; with `completeThrough` K, the cohorts complete at K for every k ≤ K.
 */
export function referenceRetentionCurve(allLines: readonly RefLine[], settings: Settings): RefCurvePoint[] {
  let maxDay = -Infinity;
  for (const l of allLines) maxDay = Math.max(maxDay, dayNumber(l.date));
  const asOf = settings.asOf === null ? maxDay : dayNumber(settings.asOf);
  // Orders: net and earliest day per (customer, order key); purchase orders are net ≥ 0.
  const orders = new Map<string, { customer: string; day: number; net: number }>();
  for (const l of allLines) {
    const day = dayNumber(l.date);
    if (day > asOf) continue;
    const k = `${l.customer}\u0000${l.order === null ? `d${l.date}` : `o${l.order}`}`;
    const o = orders.get(k) ?? { customer: l.customer, day, net: 0 };
    o.day = Math.min(o.day, day);
    o.net += l.amount;
    orders.set(k, o);
  }
  const purchaseDays = new Map<string, number[]>();
  for (const o of orders.values()) {
    if (o.net < 0) continue;
    const list = purchaseDays.get(o.customer) ?? [];
    list.push(o.day);
    purchaseDays.set(o.customer, list);
  }
  const rolling = settings.cohortClock === 'rolling';
  interface Cohort {
    size: number;
    maxFirst: number;
    active: Map<number, number>;
  }
  const cohorts = new Map<number, Cohort>();
  for (const days of purchaseDays.values()) {
    const first = Math.min(...days);
    const c = monthIndex(first);
    const cohort = cohorts.get(c) ?? { size: 0, maxFirst: -Infinity, active: new Map<number, number>() };
    cohort.size++;
    cohort.maxFirst = Math.max(cohort.maxFirst, first);
    const ks = new Set(days.map((d) => (rolling ? Math.floor((d - first) / 30) : monthIndex(d) - c)));
    for (const k of ks) cohort.active.set(k, (cohort.active.get(k) ?? 0) + 1);
    cohorts.set(c, cohort);
  }
  const complete = (c: number, cohort: Cohort, k: number): boolean =>
    rolling ? cohort.maxFirst + (k + 1) * 30 - 1 <= asOf : monthEnd(c + k) <= asOf;
  const leftOut = firstCohortLeftOut(new Map([...cohorts].map(([c, cohort]) => [c, cohort.size])), settings.firstCohort);
  for (const c of cohorts.keys()) if (c === leftOut) cohorts.delete(c);
  const through = settings.completeThrough;
  const points: RefCurvePoint[] = [];
  for (let k = 0; through === null || k <= through; k++) {
    let n = 0;
    let size = 0;
    let active = 0;
    for (const [c, cohort] of cohorts) {
      if (!complete(c, cohort, through ?? k)) continue;
      n++;
      size += cohort.size;
      active += cohort.active.get(k) ?? 0;
    }
    if (n === 0) break;
    points.push({ k, cohorts: n, size, active });
  }
  return points;
}

/**
 * The first cohort when it is taken for customers from before the data starts (METRICS.md §5):
 * by the setting, or by the rule — more than twice the median size of the next three cohorts.
 */
export function firstCohortLeftOut(sizes: ReadonlyMap<number, number>, choice: 'auto' | 'new' | 'existing'): number | null {
  const order = [...sizes.keys()].sort((a, b) => a - b);
  const first = order[0];
  if (first === undefined || choice === 'new') return null;
  if (choice === 'existing') return first;
  const next = order.slice(1, 4).map((c) => sizes.get(c) ?? 0).sort((a, b) => a - b);
  if (next.length === 0) return null;
  const mid = (next.length - 1) / 2;
  const median = (next[Math.floor(mid)]! + next[Math.ceil(mid)]!) / 2;
  return (sizes.get(first) ?? 0) > 2 * median ? first : null;
}

// ── Reading the real files, without SQL ─────────────────────────────────────────────────

/** A dataset as the reference reads it, with the row accounting METRICS.md §1 asks for. */
export interface RefDataset {
  readonly lines: RefLine[];
  readonly survey: RefSurvey[];
  /** Data rows of the sales file(s) and of the survey file together, like the load report. */
  readonly rows: { readonly read: number; readonly kept: number; readonly rejected: number; readonly skipped: number };
  readonly rejectedByReason: Readonly<Record<string, number>>;
}

/** The placeholders METRICS.md names for "no customer id" (compared upper-cased). */
const NO_ID = new Set(['', 'NULL', 'N/A', '-', '无']);

function records(path: string): string[][] {
  const text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: false });
  if (parsed.errors.length > 0) throw new Error(`${path}: ${parsed.errors[0]?.message}`);
  return parsed.data;
}

/** Records of a CSV with a header, as objects; throws on a missing column. */
function table(path: string, columns: readonly string[]): Record<string, string>[] {
  const [header, ...rows] = records(path);
  if (!header) throw new Error(`${path}: empty`);
  const at = columns.map((c) => {
    const i = header.indexOf(c);
    if (i < 0) throw new Error(`${path}: no column ${c}`);
    return i;
  });
  return rows.map((r) => Object.fromEntries(columns.map((c, k) => [c, r[at[k]!] ?? ''])));
}

/** CDNOW_master.txt: a header, then `customer yyyymmdd cds dollars` separated by runs of spaces. */
export function readCdnow(path: string): RefDataset {
  const lines: RefLine[] = [];
  let blank = 0;
  const [header, ...rows] = readFileSync(path, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/);
  if (header?.trim().split(/\s+/).join(',') !== 'customer_id,date,number_of_cds,dollar_value') throw new Error(`CDNOW: header ${header}`);
  for (const row of rows) {
    const p = row.trim().split(/\s+/);
    if (row.trim() === '') {
      blank++;
      continue;
    }
    if (p.length !== 4) throw new Error(`CDNOW: unexpected row ${row}`);
    const [customer, d, , amount] = p as [string, string, string, string];
    lines.push({ customer, order: null, date: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, amount: toUnits(amount), score: null });
  }
  return { lines, survey: [], rows: { read: rows.length, kept: lines.length, rejected: 0, skipped: blank }, rejectedByReason: {} };
}

/**
 * Online Retail: one line per invoice line, amount = Quantity × UnitPrice, order = InvoiceNo,
 * customer = CustomerID as written ("17850.0"); a blank CustomerID is missing_customer_id.
 */
export function readOnlineRetail(path: string): RefDataset {
  const lines: RefLine[] = [];
  let missingCustomer = 0;
  const rows = table(path, ['InvoiceNo', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID']);
  for (const r of rows) {
    const customer = r.CustomerID!.trim();
    if (NO_ID.has(customer.toUpperCase())) {
      missingCustomer++;
      continue;
    }
    const quantity = Number(r.Quantity);
    if (!Number.isInteger(quantity)) throw new Error(`Online Retail: quantity ${r.Quantity}`);
    lines.push({
      customer,
      order: r.InvoiceNo!.trim(),
      date: r.InvoiceDate!.slice(0, 10),
      amount: quantity * toUnits(r.UnitPrice!),
      score: null,
    });
  }
  return {
    lines,
    survey: [],
    rows: { read: rows.length, kept: lines.length, rejected: missingCustomer, skipped: 0 },
    rejectedByReason: missingCustomer > 0 ? { missing_customer_id: missingCustomer } : {},
  };
}

/**
 * The Olist sample as an order-level sales table plus its reviews as a survey keyed by order:
 * customer = customers.customer_unique_id (via orders.customer_id), amount = the order's
 * payment_value summed. An order without any payment row has no known amount: it is not a
 * line and counts as rejected missing_amount (the sample has none). Every review row is a
 * survey response (score 1–5).
 */
export function readOlist(dir: string): RefDataset {
  const person = new Map<string, string>();
  for (const c of table(`${dir}olist_customers_dataset.csv`, ['customer_id', 'customer_unique_id'])) {
    person.set(c.customer_id!, c.customer_unique_id!);
  }
  const paid = new Map<string, number>();
  for (const p of table(`${dir}olist_order_payments_dataset.csv`, ['order_id', 'payment_value'])) {
    paid.set(p.order_id!, (paid.get(p.order_id!) ?? 0) + toUnits(p.payment_value!));
  }
  const orders = table(`${dir}olist_orders_dataset.csv`, ['order_id', 'customer_id', 'order_purchase_timestamp']);
  const lines: RefLine[] = [];
  let unpaid = 0;
  for (const o of orders) {
    const customer = person.get(o.customer_id!);
    if (customer === undefined) throw new Error(`Olist: order ${o.order_id} has no customer row`);
    const amount = paid.get(o.order_id!);
    if (amount === undefined) {
      unpaid++;
      continue;
    }
    lines.push({ customer, order: o.order_id!, date: o.order_purchase_timestamp!.slice(0, 10), amount, score: null });
  }
  const survey = table(`${dir}olist_order_reviews_dataset.csv`, ['order_id', 'review_score', 'review_creation_date']).map((r) => {
    const score = Number(r.review_score);
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new Error(`Olist: review score ${r.review_score}`);
    return { customer: null, order: r.order_id!, score, date: r.review_creation_date!.slice(0, 10) };
  });
  return {
    lines,
    survey,
    rows: { read: orders.length + survey.length, kept: lines.length + survey.length, rejected: unpaid, skipped: 0 },
    rejectedByReason: unpaid > 0 ? { missing_amount: unpaid } : {},
  };
}
