/**
 * An independent, plain-TypeScript computation of METRICS.md §7–§11 (RFM, lifecycle,
 * warnings, key customers, composition): Maps and loops over parsed lines, no SQL, nothing
 * from src/. Every rule is applied as the text states it (e.g. the pace baseline sums the
 * orders of its window directly; medians sort the gaps again for each day). Money is kept in
 * integer units of 1e-4, so sums are exact like DECIMAL(18,4).
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { toUnits } from './independent.ts';

export type Dim = 'category' | 'region' | 'channel';

export interface SegLine {
  readonly customer: string;
  readonly order: string | null;
  /** 'YYYY-MM-DD' */
  readonly date: string;
  /** Units of 1e-4. */
  readonly amount: number;
  /** Units of 1e-4; null when the line has no profit (no cost/profit column, or blank). */
  readonly profit: number | null;
  readonly dims: Readonly<Partial<Record<Dim, string | null>>>;
}

export interface SegSettings {
  readonly asOf: string;
  readonly W: number;
  readonly k: number;
  readonly S: number;
  readonly P: number;
  readonly t: number;
  readonly basis: 'mean' | 'median';
  readonly tierA: number;
  readonly tierB: number;
}

const DAY = 86_400_000;
export function day(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY;
}
export function iso(d: number): string {
  return new Date(d * DAY).toISOString().slice(0, 10);
}
function monthOf(d: number): number {
  const x = new Date(d * DAY);
  return x.getUTCFullYear() * 12 + x.getUTCMonth();
}
function monthLast(m: number): number {
  return Date.UTC(Math.floor(m / 12), (m % 12) + 1, 0) / DAY;
}
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) / 2;
  return (s[Math.floor(h)]! + s[Math.ceil(h)]!) / 2;
}
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const SEGMENT_IDS = ['champions', 'loyal', 'potential_loyalists', 'new', 'promising', 'need_attention', 'about_to_sleep', 'at_risk', 'cant_lose', 'hibernating'] as const;
export const CLASS_IDS = ['important_value', 'important_develop', 'important_keep', 'important_retain', 'general_value', 'general_develop', 'general_keep', 'general_retain'] as const;
export const STAGE_IDS = ['lost', 'exploration', 'decline', 'stability', 'formation'] as const;
export const KEY_IDS = ['red', 'white', 'dark', 'potential', 'ordinary'] as const;

function segmentOf(r: number, f: number): string {
  // The table of METRICS.md §7, row by row.
  const table: [string, number[], number[]][] = [
    ['champions', [5], [4, 5]],
    ['loyal', [3, 4], [4, 5]],
    ['potential_loyalists', [4, 5], [2, 3]],
    ['new', [5], [1]],
    ['promising', [4], [1]],
    ['need_attention', [3], [3]],
    ['about_to_sleep', [3], [1, 2]],
    ['at_risk', [1, 2], [3, 4]],
    ['cant_lose', [1, 2], [5]],
    ['hibernating', [1, 2], [1, 2]],
  ];
  const hits = table.filter(([, rs, fs]) => rs.includes(r) && fs.includes(f));
  if (hits.length !== 1) throw new Error(`R ${r} F ${f} is in ${hits.length} segments`);
  return hits[0]![0];
}

function classOf(rHigh: boolean, fHigh: boolean, mHigh: boolean): string {
  return `${mHigh ? 'important' : 'general'}_${rHigh && fHigh ? 'value' : rHigh ? 'develop' : fHigh ? 'keep' : 'retain'}`;
}

/** The stage of §8 for a customer with purchase days `days` (ascending, all ≤ on) on day `on`. */
function stageOn(days: readonly number[], on: number, s: SegSettings): string {
  const p = days.length;
  const recency = on - days[p - 1]!;
  if (recency > s.W) return 'lost';
  if (p === 1) return 'exploration';
  const gaps = days.slice(1).map((d, i) => d - days[i]!);
  if (recency > s.k * median(gaps)) return 'decline';
  if (p >= s.S) return 'stability';
  return 'formation';
}

interface Order {
  customer: string;
  day: number;
  net: number;
}

export interface RefCustomer {
  readonly id: string;
  readonly p: number;
  readonly g: number | null;
  readonly recency: number;
  readonly nOrders: number;
  readonly value: number;
  readonly r: number;
  readonly f: number;
  readonly m: number;
  readonly segment: string;
  readonly rfm8: string;
  readonly stage: string;
  readonly tier: string | null;
  readonly keyClass: string | null;
  readonly value365: number;
  readonly current: number;
  /** Scaled baseline (double) when assessed, else null. */
  readonly baseline: number | null;
  readonly paceFlag: boolean;
}

export interface RefComposition {
  /** `${dimension}|${grouping}|${value ?? ''}|${other}|${group ?? ''}` → figures. */
  readonly cells: Map<string, { customers: number; revenue: number; profit: number | null }>;
  readonly months: Map<string, { newCustomers: number; newRevenue: number; returningCustomers: number; returningRevenue: number }>;
}

export interface RefSegments {
  readonly customers: Map<string, RefCustomer>;
  readonly metrics: Record<string, number | null>;
  readonly migration: Map<string, number>;
  readonly history: Map<string, Record<string, number>>;
  /** The ids in each stage on an ISO day, from the purchase days on or before it. */
  readonly stagesOn: (isoDay: string) => Map<string, string[]>;
  readonly stageRevenue: Record<string, number>;
  readonly churnOrder: string[];
  readonly paceOrder: string[];
  readonly keyClasses: Record<string, { customers: number; revenue: number; profit: number }>;
  readonly composition: RefComposition;
}

export function referenceSegments(allLines: readonly SegLine[], s: SegSettings, dims: readonly Dim[], maxValues = 20): RefSegments {
  const asOf = day(s.asOf);
  const start = asOf - s.P;
  // §1: the data as it stood on the as-of date — lines dated after it are set aside.
  const lines = allLines.filter((l) => day(l.date) <= asOf);

  // Orders (METRICS.md §1): one customer's lines with one order id, else one customer's lines of a day.
  const orders = new Map<string, Order>();
  for (const l of lines) {
    const key = `${l.customer}\u0001${l.order === null ? `d${l.date}` : `o${l.order}`}`;
    const o = orders.get(key);
    if (o) {
      o.day = Math.min(o.day, day(l.date));
      o.net += l.amount;
    } else orders.set(key, { customer: l.customer, day: day(l.date), net: l.amount });
  }
  const byCustomer = new Map<string, Order[]>();
  for (const o of orders.values()) {
    const list = byCustomer.get(o.customer) ?? [];
    list.push(o);
    byCustomer.set(o.customer, list);
  }

  // §4 and §10 over every order of a customer up to the as-of date.
  const profitOf = new Map<string, number | null>();
  for (const l of lines) {
    if (l.profit === null) {
      if (!profitOf.has(l.customer)) profitOf.set(l.customer, null);
    } else profitOf.set(l.customer, (profitOf.get(l.customer) ?? 0) + l.profit);
  }
  const all: { id: string; value: number }[] = [];
  for (const [id, os] of byCustomer) {
    if (os.some((o) => o.net >= 0)) all.push({ id, value: os.reduce((a, o) => a + o.net, 0) });
  }
  all.sort((a, b) => b.value - a.value || cmp(a.id, b.id));
  const total = all.reduce((a, c) => a + c.value, 0);
  let cum = 0;
  let cutA: number | null = null;
  let cutB: number | null = null;
  all.forEach((c, i) => {
    cum += c.value;
    if (total > 0 && cutA === null && cum / 1e4 >= s.tierA * (total / 1e4)) cutA = i + 1;
    if (total > 0 && cutB === null && cum / 1e4 >= s.tierB * (total / 1e4)) cutB = i + 1;
  });
  const tierOf = new Map<string, string | null>();
  all.forEach((c, i) => tierOf.set(c.id, cutA === null ? null : i + 1 <= cutA ? 'A' : i + 1 <= cutB! ? 'B' : 'C'));
  const large = Math.ceil(Number((0.2 * all.length).toFixed(9)));
  let sp = 0n;
  let sv = 0n;
  for (const c of all) {
    const pr = profitOf.get(c.id) ?? null;
    if (c.value > 0 && pr !== null) {
      sp += BigInt(pr);
      sv += BigInt(c.value);
    }
  }
  const keyOf = new Map<string, string | null>();
  const keyClasses: Record<string, { customers: number; revenue: number; profit: number }> = {};
  for (const id of KEY_IDS) keyClasses[id] = { customers: 0, revenue: 0, profit: 0 };
  all.forEach((c, i) => {
    const pr = profitOf.get(c.id) ?? null;
    if (pr === null) return keyOf.set(c.id, null);
    const rich = c.value > 0 && sv > 0n && BigInt(pr) * sv >= sp * BigInt(c.value);
    const isLarge = i + 1 <= large;
    const k = pr <= 0 ? 'dark' : isLarge && rich ? 'red' : isLarge ? 'white' : rich ? 'potential' : 'ordinary';
    keyOf.set(c.id, k);
    const kc = keyClasses[k]!;
    kc.customers++;
    kc.revenue += c.value;
    kc.profit += pr;
  });

  // Customers at as_of: orders dated on or before it.
  interface Base {
    id: string;
    days: number[];
    os: Order[];
    nOrders: number;
    value: number;
  }
  const base: Base[] = [];
  for (const [id, os0] of byCustomer) {
    const os = os0.filter((o) => o.day <= asOf);
    const purchases = os.filter((o) => o.net >= 0);
    if (purchases.length === 0) continue;
    const days = [...new Set(purchases.map((o) => o.day))].sort((a, b) => a - b);
    base.push({ id, days, os, nOrders: purchases.length, value: os.reduce((a, o) => a + o.net, 0) });
  }
  const n = base.length;
  const scores = (badness: (b: Base) => number): Map<string, number> => {
    // rank = 1 + customers strictly worse; worse = larger badness.
    const sorted = base.map(badness).sort((a, b) => b - a);
    const first = new Map<number, number>();
    sorted.forEach((v, i) => {
      if (!first.has(v)) first.set(v, i + 1);
    });
    return new Map(base.map((b) => {
      const rank = first.get(badness(b))!;
      return [b.id, n === 1 ? 1 : Math.min(5, 1 + Math.floor((5 * (rank - 1)) / (n - 1)))];
    }));
  };
  const recencyOf = (b: Base) => asOf - b.days[b.days.length - 1]!;
  const R = scores((b) => recencyOf(b));
  const F = scores((b) => -b.nOrders);
  const M = scores((b) => -b.value);
  // The high/low cut, compared exactly: x above the mean ⇔ x·n > Σx; above the median ⇔ 2x > lo + hi.
  const above = (xs: number[]): ((x: number) => number) => {
    if (s.basis === 'mean') {
      const sum = xs.reduce((a, x) => a + x, 0);
      return (x) => x * xs.length - sum;
    }
    const sorted = [...xs].sort((a, b) => a - b);
    const h = (sorted.length - 1) / 2;
    const twice = sorted[Math.floor(h)]! + sorted[Math.ceil(h)]!;
    return (x) => 2 * x - twice;
  };
  const rCut = above(base.map(recencyOf));
  const fCut = above(base.map((b) => b.nOrders));
  const mCut = above(base.map((b) => b.value));

  const customers = new Map<string, RefCustomer>();
  for (const b of base) {
    const first = b.days[0]!;
    const gaps = b.days.slice(1).map((d, i) => d - b.days[i]!);
    const sumOver = (lo: number, hi: number) => b.os.filter((o) => o.day > lo && o.day <= hi).reduce((a, o) => a + o.net, 0);
    const B = Math.min(365, start - first + 1);
    const stage = stageOn(b.days, asOf, s);
    const current = sumOver(start, asOf);
    const baseSum = sumOver(start - B, start);
    const assessed = stage !== 'lost' && B >= s.P;
    const baseline = B >= s.P ? ((baseSum / 1e4) * s.P) / B : null;
    const r = R.get(b.id)!;
    const f = F.get(b.id)!;
    customers.set(b.id, {
      id: b.id,
      p: b.days.length,
      g: gaps.length > 0 ? median(gaps) : null,
      recency: recencyOf(b),
      nOrders: b.nOrders,
      value: b.value,
      r,
      f,
      m: M.get(b.id)!,
      segment: segmentOf(r, f),
      rfm8: classOf(rCut(recencyOf(b)) < 0, fCut(b.nOrders) > 0, mCut(b.value) > 0),
      stage,
      tier: tierOf.get(b.id) ?? null,
      keyClass: keyOf.get(b.id) ?? null,
      value365: sumOver(asOf - 365, asOf),
      current,
      baseline,
      paceFlag: assessed && baseSum > 0 && (current / 1e4) * B < s.t * s.P * (baseSum / 1e4),
    });
  }

  const metrics: Record<string, number | null> = {};
  const count = (pred: (c: RefCustomer) => boolean) => [...customers.values()].filter(pred).length;
  for (const id of SEGMENT_IDS) metrics[`rfm_${id}`] = count((c) => c.segment === id);
  for (const id of CLASS_IDS) metrics[`rfm8_${id}`] = count((c) => c.rfm8 === id);
  for (const id of STAGE_IDS) metrics[`stage_${id}`] = count((c) => c.stage === id);
  const stageRevenue: Record<string, number> = {};
  for (const id of STAGE_IDS) stageRevenue[id] = [...customers.values()].filter((c) => c.stage === id).reduce((a, c) => a + c.value365, 0);

  // Migration from as_of − P and the month-end history.
  const migration = new Map<string, number>();
  let returning = 0;
  let newcomers = 0;
  for (const b of base) {
    const before = b.days.filter((d) => d <= start);
    const from = before.length === 0 ? 'none' : stageOn(before, start, s);
    const to = customers.get(b.id)!.stage;
    migration.set(`${from}>${to}`, (migration.get(`${from}>${to}`) ?? 0) + 1);
    if (from === 'lost' && to !== 'lost') returning++;
    if (b.days[0]! > start) newcomers++;
  }
  metrics.returning_customers = returning;
  metrics.new_customers_period = newcomers;
  const history = new Map<string, Record<string, number>>();
  if (base.length > 0) {
    const firstDay = Math.min(...base.map((b) => b.days[0]!));
    const points: number[] = [];
    for (let m = monthOf(firstDay); monthLast(m) < asOf; m++) points.push(monthLast(m));
    points.push(asOf);
    for (const on of points) {
      const row: Record<string, number> = Object.fromEntries(STAGE_IDS.map((id) => [id, 0]));
      for (const b of base) {
        const before = b.days.filter((d) => d <= on);
        if (before.length > 0) row[stageOn(before, on, s)]!++;
      }
      history.set(iso(on), row);
    }
  }

  // Warnings.
  const list = [...customers.values()];
  const churn = list.filter((c) => c.stage === 'decline');
  metrics.churn_warning_customers = churn.length;
  metrics.churn_warning_value = churn.reduce((a, c) => a + c.value365, 0) / 1e4;
  const pace = list.filter((c) => c.paceFlag);
  const drop = (c: RefCustomer) => c.baseline! - c.current / 1e4;
  metrics.pace_warning_customers = pace.length;
  metrics.pace_warning_drop = pace.reduce((a, c) => a + drop(c), 0);
  const churnOrder = churn.sort((a, b) => b.value365 - a.value365 || cmp(a.id, b.id)).map((c) => c.id);
  const paceOrder = pace.sort((a, b) => drop(b) - drop(a) || cmp(a.id, b.id)).map((c) => c.id);

  const hasProfit = [...profitOf.values()].some((v) => v !== null);
  for (const id of KEY_IDS) metrics[`key_${id}`] = hasProfit ? keyClasses[id]!.customers : null;

  // Composition: lines dated on or before as_of of the customers at as_of.
  const cells = new Map<string, { customers: number; revenue: number; profit: number | null }>();
  const kept = lines.filter((l) => day(l.date) <= asOf && customers.has(l.customer));
  for (const dim of dims) {
    const byValue = new Map<string, number>();
    for (const l of kept) {
      const v = l.dims[dim] ?? null;
      if (v !== null) byValue.set(v, (byValue.get(v) ?? 0) + l.amount);
    }
    const top = new Set([...byValue].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).slice(0, maxValues).map(([v]) => v));
    const seen = new Map<string, Set<string>>();
    for (const l of kept) {
      const v = l.dims[dim] ?? null;
      const other = v !== null && !top.has(v);
      const shown = other ? null : v;
      const c = customers.get(l.customer)!;
      for (const [grouping, group] of [['tier', c.tier], ['segment', c.segment], ['stage', c.stage]] as const) {
        const key = `${dim}|${grouping}|${shown ?? ''}|${other}|${group ?? ''}`;
        const cell = cells.get(key) ?? { customers: 0, revenue: 0, profit: null };
        cell.revenue += l.amount;
        if (l.profit !== null) cell.profit = (cell.profit ?? 0) + l.profit;
        const ids = seen.get(key) ?? new Set<string>();
        if (!ids.has(l.customer)) {
          ids.add(l.customer);
          cell.customers++;
        }
        seen.set(key, ids);
        cells.set(key, cell);
      }
    }
  }
  const months = new Map<string, { newCustomers: number; newRevenue: number; returningCustomers: number; returningRevenue: number }>();
  const monthSeen = new Set<string>();
  let newRevenue = 0;
  let allRevenue = 0;
  for (const b of base) {
    const firstMonth = monthOf(b.days[0]!);
    for (const o of b.os) {
      if (o.net < 0) continue;
      const m = monthOf(o.day);
      const isNew = m === firstMonth;
      const label = iso(Date.UTC(Math.floor(m / 12), m % 12, 1) / DAY);
      const row = months.get(label) ?? { newCustomers: 0, newRevenue: 0, returningCustomers: 0, returningRevenue: 0 };
      const tag = `${label}|${b.id}|${isNew}`;
      if (isNew) {
        row.newRevenue += o.net;
        if (!monthSeen.has(tag)) row.newCustomers++;
        newRevenue += o.net;
      } else {
        row.returningRevenue += o.net;
        if (!monthSeen.has(tag)) row.returningCustomers++;
      }
      monthSeen.add(tag);
      allRevenue += o.net;
      months.set(label, row);
    }
  }
  metrics.new_customer_revenue_share = allRevenue === 0 ? null : newRevenue / allRevenue;

  // Who is in which stage on a day (the customers behind a point of the history).
  const stagesOn = (isoDay: string): Map<string, string[]> => {
    const on = day(isoDay);
    const out = new Map<string, string[]>();
    for (const b of base) {
      const before = b.days.filter((d) => d <= on);
      if (before.length === 0) continue;
      const stage = stageOn(before, on, s);
      const ids = out.get(stage) ?? [];
      ids.push(b.id);
      out.set(stage, ids);
    }
    return out;
  };

  return { customers, metrics, migration, history, stagesOn, stageRevenue, churnOrder, paceOrder, keyClasses, composition: { cells, months } };
}

// ── Reading the files, with the columns §11 and §10 need ────────────────────────────────

function records(path: string): string[][] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').replace(/\r?\n$/, '');
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: false });
  if (parsed.errors.length > 0) throw new Error(`${path}: ${parsed.errors[0]?.message}`);
  return parsed.data;
}

function column(header: readonly string[], name: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return i;
}

const NO_ID = new Set(['', 'NULL', 'N/A', '-', '无']);
const blank = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v.trim());

/** CDNOW_master.txt: customer, yyyymmdd, cds, dollars; no order id, no dimensions. */
export function readCdnowLines(path: string): SegLine[] {
  const [, ...rows] = readFileSync(path, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/);
  return rows
    .filter((r) => r.trim() !== '')
    .map((r) => {
      const [customer, d, , amount] = r.trim().split(/\s+/) as [string, string, string, string];
      return { customer, order: null, date: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, amount: toUnits(amount), profit: null, dims: {} };
    });
}

/** Online Retail: amount = Quantity × UnitPrice, order = InvoiceNo, region = Country; blank CustomerID rows dropped. */
export function readOnlineRetailLines(path: string): SegLine[] {
  const [header, ...rows] = records(path);
  if (!header) throw new Error('empty');
  const [inv, qty, date, price, cust, country] = ['InvoiceNo', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'].map((c) => column(header, c)) as number[];
  const out: SegLine[] = [];
  for (const r of rows) {
    const customer = blank(r[cust!]);
    if (customer === null) continue;
    out.push({
      customer,
      order: r[inv!]!.trim(),
      date: r[date!]!.slice(0, 10),
      amount: Number(r[qty!]) * toUnits(r[price!]!),
      profit: null,
      dims: { region: blank(r[country!]) },
    });
  }
  return out;
}

/** The demo file: 订单号, 客户ID, 下单时间, 品类, 地区, 渠道, 实付金额, 成本 (profit = amount − cost). */
export function readDemoLines(path: string): SegLine[] {
  const [header, ...rows] = records(path);
  if (!header) throw new Error('empty');
  const [order, cust, date, cat, region, channel, amount, cost] = ['订单号', '客户ID', '下单时间', '品类', '地区', '渠道', '实付金额', '成本'].map((c) => column(header, c)) as number[];
  // A blank row is skipped and a row without a customer id rejected (METRICS.md §1; the file has one and two).
  const kept = rows.filter((r) => r.some((v) => v.trim() !== '') && !NO_ID.has((r[cust!] ?? '').trim().toUpperCase()));
  return kept.map((r) => {
    const a = toUnits(r[amount!]!);
    const c = blank(r[cost!]);
    return {
      customer: r[cust!]!.trim(),
      order: r[order!]!.trim(),
      date: r[date!]!.slice(0, 10),
      amount: a,
      profit: c === null ? null : a - toUnits(c),
      dims: { category: blank(r[cat!]), region: blank(r[region!]), channel: blank(r[channel!]) },
    };
  });
}
