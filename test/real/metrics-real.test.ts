/**
 * Every metric on real public data, computed twice: by the product (its ingest, `loadDataset`,
 * then the analysis SQL on native DuckDB) and by test/real/independent.ts (plain TypeScript
 * that reads the raw files itself, no SQL). Money must agree to the cent, ratios to 1e-9,
 * counts exactly; with default settings and with one non-default settings case per dataset.
 * Reads ../shared (not available on users' machines).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAll, metricsOf, runDashboard } from '../../src/lib/analyses/index.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { literal } from '../../src/lib/db/sql.ts';
import { loadDataset, type InputFile } from '../../src/lib/ingest/load.ts';
import type { FileReport, LoadReport } from '../../src/lib/ingest/types.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import { METRIC_IDS, type MetricId, type Metrics } from '../../src/lib/model/metrics.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../src/lib/model/settings.ts';
import { readCdnow, readOlist, readOnlineRetail, referenceMetrics, referenceRetentionCurve, type RefDataset, type SegmentMetricId } from './independent.ts';
import type { ClvMetricId } from '../../src/lib/clv/fit.ts';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const OLIST = `${DATA}olist-sample/`;
const MONEY: readonly MetricId[] = ['revenue', 'returns_value', 'aov'];
const RATIOS: readonly MetricId[] = [
  'orders_per_customer', 'repurchase_rate', 'repeat_order_share', 'median_days_to_second_repeaters', 'km_reached_share', 'top20_share', 'gini',
  'tier_a_customer_share', 'retention_m1', 'retention_m3', 'retention_m6', 'retention_m12', 'satisfaction_mean', 'nps',
];

/** Metric ids whose two values differ beyond the tolerance of their kind (counts: exactly). */
function disagreements(product: Metrics, reference: Omit<Metrics, SegmentMetricId | ClvMetricId>): { id: MetricId; product: number | null; reference: number | null }[] {
  return (Object.keys(reference) as (keyof typeof reference)[]).flatMap((id) => {
    const a = product[id];
    const b = reference[id];
    const tolerance = MONEY.includes(id) ? 0.005 : RATIOS.includes(id) ? 1e-9 : 0;
    const agree = a === null || b === null ? a === b : Math.abs(a - b) <= tolerance;
    return agree ? [] : [{ id, product: a, reference: b }];
  });
}

/** The mapping of a file as field → column label. */
function mappedLabels(f: FileReport): Record<string, string> {
  return Object.fromEntries(Object.entries(f.mapping).map(([field, c]) => [field, f.labels[c] ?? `#${c + 1}`]));
}

function file(path: string): InputFile {
  return { name: path.slice(path.lastIndexOf('/') + 1), bytes: new Uint8Array(readFileSync(path)) };
}

interface Dataset {
  readonly name: string;
  /** The files the user would drop, as bytes (built from the raw data where needed). */
  input(db: NodeDb): Promise<{ sales: InputFile[]; survey?: InputFile }>;
  reference(): RefDataset;
  /** One non-default settings case (as-of before the data end, churn window 90, …). */
  readonly other: Partial<Settings>;
  /** What the load report must say about this dataset beyond the row accounting. */
  checkReport(report: LoadReport, ref: RefDataset): void;
}

const cdnow: Dataset = {
  name: 'cdnow',
  async input() {
    return { sales: [file(`${DATA}cdnow/CDNOW_master.txt`)] };
  },
  reference: () => readCdnow(`${DATA}cdnow/CDNOW_master.txt`),
  other: { asOf: '1997-09-30', churnWindowDays: 90, tierA: 0.7 },
  checkReport(report) {
    const [f] = report.files;
    if (!f) throw new Error('no file report');
    expect([f.dialect.delimiter, f.headerLine]).toEqual(['whitespace', 1]);
    expect(mappedLabels(f)).toEqual({ customer: 'customer_id', date: 'date', quantity: 'number_of_cds', amount: 'dollar_value' });
  },
};

const onlineRetail: Dataset = {
  name: 'online_retail',
  async input() {
    return { sales: [file(`${DATA}online-retail/online_retail.csv`)] };
  },
  reference: () => readOnlineRetail(`${DATA}online-retail/online_retail.csv`),
  other: { asOf: '2011-09-30', churnWindowDays: 90 },
  checkReport(report, ref) {
    const [f] = report.files;
    if (!f) throw new Error('no file report');
    // Automatic mapping: amount = Quantity × UnitPrice (no amount column), order = InvoiceNo.
    expect(mappedLabels(f)).toMatchObject({
      customer: 'CustomerID',
      order: 'InvoiceNo',
      date: 'InvoiceDate',
      quantity: 'Quantity',
      unit_price: 'UnitPrice',
    });
    expect(f.mapping.amount).toBeUndefined();
    expect(f.rejectedByReason).toEqual({ missing_customer_id: ref.rejectedByReason.missing_customer_id });
    expect(ref.rejectedByReason.missing_customer_id).toBe(135_080); // SOURCE.md: rows without CustomerID
  },
};

/**
 * Olist: an order-level sales CSV built here with SQL over the raw tables (the reference
 * joins them again in TypeScript), and the raw reviews file, unchanged, as the survey keyed
 * by order id. An order without a payment row gets an empty payment_value, which the ingest
 * rejects as missing_amount; the reference counts it the same way (the sample has none).
 */
const olist: Dataset = {
  name: 'olist_sample',
  async input(db) {
    const f = (name: string) => literal(`${OLIST}olist_${name}_dataset.csv`).text;
    const rows = await db.query(`
      SELECT c.customer_unique_id AS customer, o.order_id AS "order", o.order_purchase_timestamp AS ts,
             coalesce(sum(p.payment_value::DECIMAL(18,2))::VARCHAR, '') AS paid
      FROM read_csv(${f('orders')}, header = true, all_varchar = true) o
      JOIN read_csv(${f('customers')}, header = true, all_varchar = true) c USING (customer_id)
      LEFT JOIN read_csv(${f('order_payments')}, header = true, all_varchar = true) p USING (order_id)
      GROUP BY ALL ORDER BY ts, "order"`);
    const text = ['customer_unique_id,order_id,order_purchase_timestamp,payment_value']
      .concat(rows.map((r) => `${String(r.customer)},${String(r.order)},${String(r.ts)},${String(r.paid)}`))
      .join('\n');
    return {
      sales: [{ name: 'olist_orders_paid.csv', bytes: new TextEncoder().encode(`${text}\n`) }],
      survey: file(`${OLIST}olist_order_reviews_dataset.csv`),
    };
  },
  reference: () => readOlist(OLIST),
  other: { asOf: '2018-03-31', churnWindowDays: 90, highSatisfaction: 5 },
  checkReport(report, ref) {
    const [sales, survey] = report.files;
    if (!sales || !survey) throw new Error('expected a sales and a survey file report');
    expect(mappedLabels(sales)).toEqual({
      customer: 'customer_unique_id',
      order: 'order_id',
      date: 'order_purchase_timestamp',
      amount: 'payment_value',
    });
    expect(sales.rejectedByReason).toEqual(ref.rejectedByReason);
    expect(survey.role).toBe('survey');
    expect(mappedLabels(survey)).toEqual({ order: 'order_id', score: 'review_score', date: 'review_creation_date' });
    expect([survey.rows_read, survey.rows_kept]).toEqual([ref.survey.length, ref.survey.length]);
  },
};

describe('CDNOW as the data stood on 1997-09-30', () => {
  it('computes every number on the lines dated on or before the as-of date, and counts the rest set aside', async () => {
    const db = await NodeDb.open();
    try {
      const report = await loadDataset(db, await cdnow.input(db).then((i) => i.sales));
      const ref = cdnow.reference();
      const settings: Settings = { ...DEFAULT_SETTINGS, asOf: '1997-09-30' };
      const result = await runDashboard(db, settings, mappedOf(report));
      const m = metricsOf(result, report);
      // Orders and revenue also counted with awk on the raw file: distinct customer × day with a
      // date ≤ 19970930 (none is negative), and Σ dollar_value of those lines.
      expect([m.orders, m.active_customers]).toEqual([47_907, 7_281]);
      expect(m.revenue).toBeCloseTo(1_723_354.5, 2);
      const { lines_after_as_of: after } = referenceMetrics(ref.lines, ref.survey, settings);
      expect(result.linesAfterAsOf).toBe(after);
      expect(result.linesAfterAsOf).toBe(ref.lines.filter((l) => l.date > '1997-09-30').length);
      expect(result.linesAfterAsOf).toBeGreaterThan(0);
      // Fewer than half of the customers had bought again by then: no Kaplan–Meier median.
      expect(m.median_days_to_second).toBeNull();
      expect(m.km_reached_share).toBeLessThan(0.5);
    } finally {
      await db.close();
    }
  });
});

describe('Online Retail days to the second purchase', () => {
  it('the Kaplan–Meier median counts everyone, the repeaters-only median does not', async () => {
    const db = await NodeDb.open();
    try {
      const report = await loadDataset(db, (await onlineRetail.input(db)).sales);
      const m = metricsOf(await runDashboard(db, DEFAULT_SETTINGS, mappedOf(report)), report);
      expect([m.median_days_to_second, m.median_days_to_second_repeaters]).toEqual([97, 50]);
    } finally {
      await db.close();
    }
  });
});

/**
 * Where `a` and `b` differ, as paths: numbers by more than `relative` × their size (integers
 * must be equal), anything else at all (NaN equals NaN).
 */
function numbersDiffering(a: unknown, b: unknown, relative: number, path = '', out: string[] = []): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    const same = Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
    const close = !Number.isInteger(a) && !Number.isInteger(b) && Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b));
    if (!same && !close) out.push(`${path}: ${a} vs ${b}`);
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b) || ArrayBuffer.isView(a) !== ArrayBuffer.isView(b)) out.push(`${path}: not the same kind`);
    else {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) numbersDiffering((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], relative, `${path}.${k}`, out);
    }
  } else if (!Object.is(a, b)) out.push(`${path}: ${String(a)} vs ${String(b)}`);
  return out;
}

describe.each([cdnow, onlineRetail])('$name: the average retention curve', (ds) => {
  let db: NodeDb;
  let report: LoadReport;
  let ref: RefDataset;
  beforeAll(async () => {
    db = await NodeDb.open();
    report = await loadDataset(db, (await ds.input(db)).sales);
    ref = ds.reference();
  });
  afterAll(async () => {
    await db.close();
  });

  it.each([
    { label: 'calendar months', s: {} },
    { label: 'calendar months, complete through 6', s: { completeThrough: 6 } },
    { label: 'rolling 30 days', s: { cohortClock: 'rolling' as const } },
    { label: 'rolling 30 days, complete through 3, as of the other case', s: { cohortClock: 'rolling' as const, completeThrough: 3, asOf: ds.other.asOf ?? null } },
  ])('agrees with the independent computation point by point ($label)', async ({ s }) => {
    const settings: Settings = { ...DEFAULT_SETTINGS, ...s };
    const result = await runDashboard(db, settings, mappedOf(report));
    const expected = referenceRetentionCurve(ref.lines, settings);
    expect(expected.length).toBeGreaterThan(1);
    expect(result.retention.curve.map((p) => ({ k: p.k, cohorts: p.cohorts, size: p.size, active: p.active }))).toEqual(expected);
    if (settings.completeThrough !== null) expect(new Set(expected.map((p) => p.cohorts)).size).toBe(1);
  });
});

/** Printed at the end: one row per metric, one column per dataset × settings case. */
const table: Record<string, Record<string, string>> = {};
const show = (v: number | null) => (v === null ? 'null' : String(Number(v.toPrecision(10))));

describe.each([cdnow, onlineRetail, olist])('$name through loadDataset', (ds) => {
  let db: NodeDb;
  let report: LoadReport;
  let ref: RefDataset;
  const cases = [
    { label: 'default', settings: DEFAULT_SETTINGS },
    { label: JSON.stringify(ds.other), settings: { ...DEFAULT_SETTINGS, ...ds.other } },
  ];

  beforeAll(async () => {
    db = await NodeDb.open();
    const { sales, survey } = await ds.input(db);
    report = await loadDataset(db, sales, survey ? { survey } : {});
    ref = ds.reference();
  });
  afterAll(async () => {
    await db.close();
  });

  it('accounts for every row as the reference does', () => {
    const r = ref.rows;
    expect([report.rows_read, report.rows_kept, report.rows_rejected, report.rows_skipped]).toEqual([r.read, r.kept, r.rejected, r.skipped]);
    ds.checkReport(report, ref);
  });

  it.each(cases)('agrees with the independent computation on every metric ($label)', async ({ settings }) => {
    const t0 = performance.now();
    const result = await runDashboard(db, settings, mappedOf(report));
    const millis = performance.now() - t0;
    const product = metricsOf(result, report);
    const r = ref.rows;
    const { lines_after_as_of: linesAfterAsOf, satisfaction_groups: groups, ...computed } = referenceMetrics(ref.lines, ref.survey, settings);
    const reference: Omit<Metrics, SegmentMetricId | ClvMetricId> = {
      rows_read: r.read,
      rows_kept: r.kept,
      rows_rejected: r.rejected,
      rows_skipped: r.skipped,
      ...computed,
      // Not compared here: the lifetime-value fits are checked against published values (test/lib/clv, test/cli).
    };
    expect(disagreements(product, reference)).toEqual([]);
    expect(result.linesAfterAsOf).toBe(linesAfterAsOf);
    expect(result.satisfaction.groups.map((g) => ({ group: g.group, n: g.n, repeat_customers: g.repeat_customers }))).toEqual(groups);
    const column = settings === DEFAULT_SETTINGS ? ds.name : `${ds.name}*`;
    for (const id of METRIC_IDS) (table[id] ??= {})[column] = show(product[id]);
    (table.run_ms ??= {})[column] = millis.toFixed(0);
    (table.load_ms ??= {})[column] = String(report.millis);
  });

  it('gives every table of every panel the same with its derived tables compressed and orders built in parts (as large data is run)', async () => {
    const whole = async (compressFrom?: number) => {
      // Compressed, `orders` is built in three parts of the customers (large data: one per 2.5 M lines).
      const options = compressFrom === undefined ? {} : { compressFrom, orderPartLines: Math.ceil(report.rows_kept / 3) };
      const r = await completeAll(db, DEFAULT_SETTINGS, await runDashboard(db, DEFAULT_SETTINGS, mappedOf(report), undefined, options));
      const { millis: _, phases: __, ...rest } = r;
      return rest;
    };
    const plain = await whole();
    const compressed = await whole(0);
    // The engine compresses a table's full row groups: CDNOW's 67 591 orders fill some, the other samples' do not.
    const kinds = (await db.query("SELECT DISTINCT compression AS c FROM pragma_storage_info('derived.orders')")).map((r) => String(r.c));
    if (ds === cdnow) expect(kinds.filter((k) => k !== 'Uncompressed').length).toBeGreaterThan(0);
    // The same up to a floating-point sum's last digits: orders built in parts come out in
    // another row order, and a DOUBLE sum or mean depends on the order it adds in (CDNOW's
    // pace drop moved by 5e-10). Texts, counts and every other number exactly.
    expect(numbersDiffering(compressed, plain, 1e-12)).toEqual([]);
  }, 300_000);
});

afterAll(() => {
  console.log(
    `* = ${[cdnow, onlineRetail, olist].map((d) => `${d.name} ${JSON.stringify(d.other)}`).join('; ')}\n`,
  );
  console.table(table);
});
