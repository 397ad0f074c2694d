/**
 * The built-in demo data and the benchmark's sales files, from one seeded generator.
 *
 *   npx tsx src/cli/generate-demo.ts            writes public/demo/sales.csv and survey.csv
 *   npx tsx src/cli/generate-demo.ts --check    exits 1 when the shipped files differ
 *
 * Everything derives from a mulberry32 stream, so the same seed gives the same bytes on
 * every machine (dates are computed in UTC, numbers formatted with toFixed).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SALES_HEADER = [
  '订单号',
  '客户ID',
  '下单时间',
  '商品',
  '品类',
  '地区',
  '渠道',
  '数量',
  '单价',
  '实付金额',
  '成本',
  '满意度',
] as const;
export const SURVEY_HEADER = ['客户ID', '评分', '调查日期'] as const;

export const DEMO_SEED = 20240618;
export const DEMO_OPTIONS = { seed: DEMO_SEED, customers: 4000, start: '2023-01-01', years: 2 } as const;

const BOM = '\uFEFF';
const EOL = '\r\n';
const DAY = 86_400_000;

// ---------------------------------------------------------------- random numbers

export type Rng = () => number;

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by the polar method (no trigonometry, so no platform-dependent ulps). */
function normal(rng: Rng): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

function pickWeighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of items) total += w;
  let r = rng() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error('pickWeighted: no items');
  return last[0];
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round2 = (x: number): number => Math.round(x * 100) / 100;

// ---------------------------------------------------------------- catalogue

const CATALOGUE = {
  服装: { costRatio: 0.45, products: [['T恤', 79], ['卫衣', 169], ['牛仔裤', 199], ['连衣裙', 259], ['运动鞋', 399], ['羽绒服', 599]] },
  美妆: { costRatio: 0.35, products: [['洗面奶', 89], ['面膜10片装', 129], ['防晒霜', 159], ['口红', 219], ['面霜', 399], ['精华液', 499]] },
  数码: { costRatio: 0.75, products: [['数据线', 39], ['充电宝', 129], ['蓝牙耳机', 299], ['机械键盘', 459], ['智能手表', 1299], ['平板电脑', 2999]] },
  家居: { costRatio: 0.5, products: [['收纳箱', 59], ['香薰蜡烛', 79], ['保温杯', 129], ['台灯', 149], ['乳胶枕', 189], ['床品四件套', 399]] },
  食品: { costRatio: 0.6, products: [['牛奶整箱', 69], ['咖啡豆', 98], ['零食大礼包', 99], ['坚果礼盒', 128], ['月饼礼盒', 188], ['茶叶', 268]] },
} as const satisfies Record<string, { costRatio: number; products: readonly (readonly [string, number])[] }>;
type Category = keyof typeof CATALOGUE;
const CATEGORIES = Object.keys(CATALOGUE) as Category[];

const REGIONS = [['华东', 34], ['华南', 24], ['华北', 18], ['西南', 12], ['华中', 12]] as const;
const CHANNELS = [['天猫', 35], ['京东', 28], ['小程序', 22], ['门店', 15]] as const;
const CATEGORY_WEIGHTS = [['服装', 28], ['美妆', 22], ['数码', 14], ['家居', 16], ['食品', 20]] as const;
/** Orders by hour of day: quiet at night, a lunch bump, busiest in the evening. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 10, 9, 8, 8, 8, 9, 10, 12, 14, 15, 13, 7].map(
  (w, h) => [h, w] as const,
);

/** Chinese New Year's day (the 春节 dip centres on it). */
const SPRING_FESTIVAL: Readonly<Record<number, string>> = {
  2020: '2020-01-25', 2021: '2021-02-12', 2022: '2022-02-01', 2023: '2023-01-22', 2024: '2024-02-10',
  2025: '2025-01-29', 2026: '2026-02-17', 2027: '2027-02-06', 2028: '2028-01-26', 2029: '2029-02-13',
  2030: '2030-02-03',
};

// ---------------------------------------------------------------- calendar

/** Relative order intensity of a day: 双11, 618 and 双12 peaks, a dip around 春节. */
export function dayWeight(dayMs: number): number {
  const d = new Date(dayMs);
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const festival = SPRING_FESTIVAL[d.getUTCFullYear()];
  if (festival !== undefined) {
    const offset = (dayMs - Date.parse(festival)) / DAY;
    if (offset >= -10 && offset <= 7) return 0.35;
  }
  if (m === 11 && day === 11) return 6;
  if (m === 11 && day <= 10) return 1.8;
  if (m === 6 && day === 18) return 4;
  if (m === 6 && day <= 17) return 1.5;
  if (m === 12 && day === 12) return 2.5;
  const weekday = d.getUTCDay();
  return weekday === 0 || weekday === 6 ? 1.15 : 1;
}
const MAX_DAY_WEIGHT = 6;

function isPromotion(dayMs: number): boolean {
  return dayWeight(dayMs) >= 1.5;
}

interface Span {
  readonly start: number;
  /** Last day (inclusive), at 00:00 UTC. */
  readonly end: number;
}

function spanOf(start: string, years: number): Span {
  const s = Date.parse(`${start}T00:00:00Z`);
  if (!Number.isFinite(s)) throw new Error(`bad start date: ${start}`);
  const d = new Date(s);
  const e = Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate()) - DAY;
  return { start: s, end: e };
}

/** A day drawn by `propose`, kept with probability proportional to its weight. */
function seasonalDay(rng: Rng, propose: () => number): number {
  for (let i = 0; i < 20; i++) {
    const day = propose();
    if (rng() * MAX_DAY_WEIGHT < dayWeight(day)) return day;
  }
  return propose();
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  );
}

// ---------------------------------------------------------------- customers and lines

/** One sales line before its order id is assigned. */
export interface SaleLine {
  readonly ts: number;
  /** Unique per order within one generation; lines of an order share it and `ts`. */
  readonly orderKey: number;
  readonly customer: string;
  readonly product: string;
  readonly category: Category;
  readonly region: string;
  readonly channel: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly paid: number;
  readonly cost: number;
  readonly score: number | null;
}

type Segment = 'once' | 'occasional' | 'loyal';

interface Customer {
  readonly id: string;
  readonly segment: Segment;
  /** Latent satisfaction on a 1–5 scale; loyal customers tend to be happier. */
  readonly satisfaction: number;
  readonly firstDay: number;
}

const SEGMENT_SATISFACTION: Record<Segment, number> = { once: 3.3, occasional: 3.9, loyal: 4.45 };

/** Line-level satisfaction is filled in on about a third of purchase lines. */
const SCORE_SHARE = 0.35;
const RETURN_SHARE = 0.025;

/**
 * Draws one customer's whole history: an acquisition day, a segment (most buy once, a
 * loyal core buys often), and lines with lognormal spend; `nextOrderKey` numbers orders.
 */
function customerHistory(
  rng: Rng,
  index: number,
  span: Span,
  nextOrderKey: () => number,
): { customer: Customer; lines: SaleLine[] } {
  const id = `C${pad(index, 5)}`;
  const u = rng();
  const segment: Segment = u < 0.52 ? 'once' : u < 0.82 ? 'occasional' : 'loyal';
  const maxOrders =
    segment === 'once' ? 1 : segment === 'occasional' ? 2 + Math.floor(rng() * 5) : 8 + Math.floor(exponential(rng, 20));
  const meanGap = segment === 'loyal' ? 20 * Math.exp(0.4 * normal(rng)) : 80;
  const satisfaction = clamp(SEGMENT_SATISFACTION[segment] + 0.6 * normal(rng), 1, 5);
  const spend = Math.exp(0.8 * normal(rng));
  const region = pickWeighted(rng, REGIONS);
  const homeChannel = pickWeighted(rng, CHANNELS);
  const favourite = pickWeighted(rng, CATEGORY_WEIGHTS);
  const days = (span.end - span.start) / DAY + 1;
  const firstDay = seasonalDay(rng, () => span.start + Math.floor(rng() * days) * DAY);

  const lines: SaleLine[] = [];
  let day = firstDay;
  for (let k = 0; k < maxOrders && day <= span.end; k++) {
    const ts = day + pickWeighted(rng, HOUR_WEIGHTS) * 3_600_000 + Math.floor(rng() * 3600) * 1000;
    const orderKey = nextOrderKey();
    const channel = rng() < 0.75 ? homeChannel : pickWeighted(rng, CHANNELS);
    const discount = isPromotion(day) ? 0.8 + 0.1 * rng() : rng() < 0.6 ? 1 : 0.85 + 0.13 * rng();
    const n = 1 + (rng() < 0.45 ? 1 + (rng() < 0.3 ? 1 + (rng() < 0.3 ? 1 : 0) : 0) : 0);
    const inOrder = new Set<string>();
    for (let j = 0; j < n; j++) {
      const category = rng() < 0.5 ? favourite : pickWeighted(rng, CATEGORY_WEIGHTS);
      const { costRatio, products } = CATALOGUE[category];
      // Big spenders lean to the dearer products and buy more units.
      const tilt = Math.log(spend);
      const choices = products
        .filter((p) => !inOrder.has(p[0]))
        .map((p) => [p, Math.pow(p[1] / 100, 0.6 * tilt - 0.4)] as const);
      if (choices.length === 0) break;
      const [product, listPrice] = pickWeighted(rng, choices);
      inOrder.add(product);
      const quantity = 1 + Math.min(19, Math.floor(exponential(rng, 0.35 * spend)));
      const paid = round2(quantity * listPrice * discount);
      const cost = round2(quantity * listPrice * costRatio * (0.9 + 0.2 * rng()));
      const score = rng() < SCORE_SHARE ? Math.round(clamp(satisfaction + 0.7 * normal(rng), 1, 5)) : null;
      const line = { ts, orderKey, customer: id, product, category, region, channel, quantity, unitPrice: listPrice, paid, cost, score };
      lines.push(line);
      if (rng() < RETURN_SHARE) {
        const back = ts + (3 + Math.floor(rng() * 12)) * DAY + Math.floor(rng() * 36_000) * 1000;
        if (back < span.end + DAY) {
          lines.push({ ...line, ts: back, orderKey: nextOrderKey(), quantity: -quantity, paid: -paid, cost: -cost, score: null });
        }
      }
    }
    day = seasonalDay(rng, () => day + Math.max(1, Math.round(exponential(rng, meanGap))) * DAY);
  }
  return { customer: { id, segment, satisfaction, firstDay }, lines };
}

/** Order ids as a shop system writes them: yymmdd plus a per-day sequence number. */
class OrderIds {
  private readonly ids = new Map<number, string>();
  private readonly perDay = new Map<string, number>();

  idFor(line: SaleLine): string {
    const known = this.ids.get(line.orderKey);
    if (known !== undefined) return known;
    const ymd = formatTimestamp(line.ts).slice(2, 10).replaceAll('-', '');
    const seq = (this.perDay.get(ymd) ?? 0) + 1;
    this.perDay.set(ymd, seq);
    const id = `${ymd}${pad(seq, 4)}`;
    this.ids.set(line.orderKey, id);
    return id;
  }
}

function formatLine(line: SaleLine, orderId: string): string {
  return [
    orderId,
    line.customer,
    formatTimestamp(line.ts),
    line.product,
    line.category,
    line.region,
    line.channel,
    String(line.quantity),
    line.unitPrice.toFixed(2),
    line.paid.toFixed(2),
    line.cost.toFixed(2),
    line.score === null ? '' : String(line.score),
  ].join(',');
}

// ---------------------------------------------------------------- public API

export interface SalesOptions {
  readonly seed: number;
  /** Exactly this many data lines follow the header. */
  readonly lines: number;
  readonly start?: string;
  readonly years?: number;
}

/**
 * Lines of a clean sales file in the demo's schema (header first, no line endings), for
 * benchmarks from 100 k to 10 M lines. Streams customer by customer in O(1) memory per
 * customer; lines are grouped by customer, not sorted by time. About 7 lines per customer.
 */
export function* generateSales(options: SalesOptions): Generator<string> {
  const rng = mulberry32(options.seed);
  const span = spanOf(options.start ?? '2023-01-01', options.years ?? 2);
  const ids = new OrderIds();
  let orderKey = 0;
  const nextOrderKey = (): number => orderKey++;
  yield SALES_HEADER.join(',');
  let emitted = 0;
  for (let index = 1; emitted < options.lines; index++) {
    const { lines } = customerHistory(rng, index, span, nextOrderKey);
    for (const line of lines) {
      if (emitted >= options.lines) return;
      yield formatLine(line, ids.idFor(line));
      emitted++;
    }
  }
}

export interface DemoOptions {
  readonly seed: number;
  readonly customers: number;
  readonly start: string;
  readonly years: number;
}

export interface DemoFiles {
  /** UTF-8 with BOM, CRLF: what Excel on Chinese Windows writes for "CSV UTF-8". */
  readonly sales: string;
  readonly survey: string;
}

/**
 * The demo: sales lines sorted by time like a shop export, plus a survey (0–10) from
 * about a third of the customers. Two lines lose their customer id and one blank line is
 * inserted, so that the load report has something to report.
 */
export function generateDemo(options: DemoOptions): DemoFiles {
  const rng = mulberry32(options.seed);
  const span = spanOf(options.start, options.years);
  let orderKey = 0;
  const nextOrderKey = (): number => orderKey++;
  const all: SaleLine[] = [];
  const customers: Customer[] = [];
  for (let index = 1; index <= options.customers; index++) {
    const { customer, lines } = customerHistory(rng, index, span, nextOrderKey);
    customers.push(customer);
    all.push(...lines);
  }
  all.sort((a, b) => a.ts - b.ts || a.orderKey - b.orderKey);

  const ids = new OrderIds();
  const body = all.map((line) => formatLine(line, ids.idFor(line)));
  for (const at of [Math.floor(body.length * 0.31), Math.floor(body.length * 0.77)]) {
    const fields = (body[at] ?? '').split(',');
    fields[1] = '';
    body[at] = fields.join(',');
  }
  body.splice(Math.floor(body.length * 0.55), 0, '');

  const survey: string[] = [];
  for (const c of customers) {
    if (rng() >= 0.3) continue;
    const when = c.firstDay + (7 + Math.floor(rng() * 54)) * DAY;
    if (when > span.end) continue;
    const score = Math.round(clamp((c.satisfaction - 1) * 2.5 + 1.3 * normal(rng), 0, 10));
    survey.push([c.id, String(score), formatTimestamp(when).slice(0, 10)].join(','));
  }
  return {
    sales: BOM + [SALES_HEADER.join(','), ...body].join(EOL) + EOL,
    survey: BOM + [SURVEY_HEADER.join(','), ...survey].join(EOL) + EOL,
  };
}

export const DEMO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'demo');

async function main(args: readonly string[]): Promise<number> {
  const files = generateDemo(DEMO_OPTIONS);
  const targets = [
    [join(DEMO_DIR, 'sales.csv'), files.sales],
    [join(DEMO_DIR, 'survey.csv'), files.survey],
  ] as const;
  if (args.includes('--check')) {
    let same = true;
    for (const [path, text] of targets) {
      const shipped = await readFile(path, 'utf8').catch(() => null);
      if (shipped !== text) {
        console.error(`differs from a fresh generation: ${path}`);
        same = false;
      }
    }
    return same ? 0 : 1;
  }
  await mkdir(DEMO_DIR, { recursive: true });
  for (const [path, text] of targets) {
    await writeFile(path, text, 'utf8');
    console.log(`${path}: ${text.split(EOL).length - 2} data lines, ${Buffer.byteLength(text)} bytes`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
