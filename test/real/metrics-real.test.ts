/**
 * Every metric on real public data, computed twice: by the analysis SQL (native DuckDB)
 * and by test/real/independent.ts (plain TypeScript, no SQL). Money must agree to the
 * cent, ratios to 1e-9, counts exactly. Reads ../shared (not available on users' machines).
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsOf, runDashboard } from '../../src/lib/analyses/index.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { literal } from '../../src/lib/db/sql.ts';
import type { Mapped } from '../../src/lib/model/derive.ts';
import { METRIC_IDS, type MetricId } from '../../src/lib/model/metrics.ts';
import { LINES_DDL, SURVEY_DDL } from '../../src/lib/model/schema.ts';
import { DEFAULT_SETTINGS } from '../../src/lib/model/settings.ts';
import { referenceMetrics, toUnits, type RefLine, type RefMetrics, type RefSurvey } from './independent.ts';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const MAPPED: Mapped = { category: false, region: false, channel: false, order: true };
const MONEY: readonly MetricId[] = ['revenue', 'returns_value', 'aov'];
const COUNTS: readonly MetricId[] = [
  'customers', 'orders', 'tier_a_customers', 'active_customers', 'lapsed_customers', 'customers_with_score',
  'quadrant_loyalists', 'quadrant_mercenaries', 'quadrant_hostages', 'quadrant_defectors',
];

function csv(path: string): Record<string, string>[] {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`${path}: ${parsed.errors[0]?.message}`);
  return parsed.data;
}

interface Dataset {
  readonly name: string;
  readonly mapped: Mapped;
  /** Fill `lines` (and `survey`) for the SQL side. */
  load(db: NodeDb): Promise<void>;
  /** The same data for the reference side, parsed without SQL. */
  reference(): { lines: RefLine[]; survey: RefSurvey[] };
}

const cdnow: Dataset = {
  name: 'cdnow',
  mapped: { ...MAPPED, order: false },
  async load(db) {
    const path = literal(`${DATA}cdnow/CDNOW_master.txt`);
    await db.exec(`INSERT INTO lines (file_no, line_no, customer_id, order_ts, order_date, amount, quantity)
      SELECT 1, n, p[1], strptime(p[2], '%Y%m%d'), strptime(p[2], '%Y%m%d')::DATE, p[4]::DECIMAL(18,4), p[3]::DOUBLE
      FROM (SELECT row_number() OVER () + 1 AS n, string_split_regex(trim(line), '\\s+') AS p
            FROM read_csv(${path.text}, columns = {'line': 'VARCHAR'}, header = true, delim = '\\t', quote = '', escape = ''))`);
  },
  reference() {
    const rows = readFileSync(`${DATA}cdnow/CDNOW_master.txt`, 'utf8').split(/\r?\n/).slice(1);
    const lines: RefLine[] = [];
    for (const row of rows) {
      const p = row.trim().split(/\s+/);
      if (p.length < 4) continue;
      const [customer, d, , amount] = p as [string, string, string, string];
      lines.push({ customer, order: null, date: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, amount: toUnits(amount), score: null });
    }
    return { lines, survey: [] };
  },
};

const onlineRetail: Dataset = {
  name: 'online_retail',
  mapped: MAPPED,
  async load(db) {
    const path = literal(`${DATA}online-retail/online_retail.csv`);
    await db.exec(`INSERT INTO lines (file_no, line_no, customer_id, order_id, order_ts, order_date, amount, quantity, unit_price)
      SELECT 1, n, trim(CustomerID), InvoiceNo, InvoiceDate::TIMESTAMP, InvoiceDate::TIMESTAMP::DATE,
             (Quantity::DECIMAL(18,4) * UnitPrice::DECIMAL(18,4))::DECIMAL(18,4), Quantity::DOUBLE, UnitPrice::DOUBLE
      FROM (SELECT row_number() OVER () + 1 AS n, * FROM read_csv(${path.text}, header = true, all_varchar = true))
      WHERE CustomerID IS NOT NULL AND trim(CustomerID) <> ''`);
  },
  reference() {
    const lines: RefLine[] = [];
    for (const r of csv(`${DATA}online-retail/online_retail.csv`)) {
      const customer = (r.CustomerID ?? '').trim();
      if (customer === '') continue;
      const quantity = Number(r.Quantity);
      lines.push({
        customer,
        order: r.InvoiceNo ?? null,
        date: (r.InvoiceDate ?? '').slice(0, 10),
        amount: quantity * toUnits(r.UnitPrice ?? ''),
        score: null,
      });
    }
    return { lines, survey: [] };
  },
};

const olist: Dataset = {
  name: 'olist_sample',
  mapped: MAPPED,
  async load(db) {
    const f = (name: string) => literal(`${DATA}olist-sample/olist_${name}_dataset.csv`).text;
    await db.exec(`INSERT INTO lines (file_no, line_no, customer_id, order_id, order_ts, order_date, amount)
      SELECT 1, row_number() OVER (ORDER BY o.order_id) + 1, c.customer_unique_id, o.order_id,
             o.order_purchase_timestamp::TIMESTAMP, o.order_purchase_timestamp::TIMESTAMP::DATE,
             sum(p.payment_value::DECIMAL(18,4))
      FROM read_csv(${f('orders')}, header = true, all_varchar = true) o
      JOIN read_csv(${f('customers')}, header = true, all_varchar = true) c USING (customer_id)
      JOIN read_csv(${f('order_payments')}, header = true, all_varchar = true) p USING (order_id)
      GROUP BY c.customer_unique_id, o.order_id, o.order_purchase_timestamp`);
    await db.exec(`INSERT INTO survey (file_no, line_no, order_id, score)
      SELECT 2, row_number() OVER () + 1, order_id, review_score::DOUBLE
      FROM read_csv(${f('order_reviews')}, header = true, all_varchar = true)`);
  },
  reference() {
    const dir = `${DATA}olist-sample/`;
    const unique = new Map(csv(`${dir}olist_customers_dataset.csv`).map((c) => [c.customer_id, c.customer_unique_id]));
    const paid = new Map<string, number>();
    for (const p of csv(`${dir}olist_order_payments_dataset.csv`)) {
      const id = p.order_id ?? '';
      paid.set(id, (paid.get(id) ?? 0) + toUnits(p.payment_value ?? ''));
    }
    const lines: RefLine[] = [];
    for (const o of csv(`${dir}olist_orders_dataset.csv`)) {
      const amount = paid.get(o.order_id ?? '');
      const customer = unique.get(o.customer_id ?? '');
      if (amount === undefined || customer === undefined) continue;
      lines.push({ customer, order: o.order_id ?? null, date: (o.order_purchase_timestamp ?? '').slice(0, 10), amount, score: null });
    }
    const survey = csv(`${dir}olist_order_reviews_dataset.csv`).map((r) => ({ customer: null, order: r.order_id ?? null, score: Number(r.review_score) }));
    return { lines, survey };
  },
};

const table: Record<string, Record<string, string>> = {};

describe.each([cdnow, onlineRetail, olist])('$name', (ds) => {
  let db: NodeDb;
  let sqlMetrics: Record<MetricId, number | null>;
  let ref: RefMetrics;
  let millis = 0;

  beforeAll(async () => {
    db = await NodeDb.open();
    await db.exec(LINES_DDL);
    await db.exec(SURVEY_DDL);
    await ds.load(db);
    const [count] = await db.query('SELECT count(*)::INTEGER AS n FROM lines');
    const t0 = performance.now();
    const result = await runDashboard(db, DEFAULT_SETTINGS, ds.mapped);
    millis = performance.now() - t0;
    const n = Number(count?.n);
    sqlMetrics = metricsOf(result, { rows_read: n, rows_kept: n, rows_rejected: 0, rows_skipped: 0 });
    const { lines, survey } = ds.reference();
    expect(lines.length).toBe(n);
    ref = referenceMetrics(lines, survey, DEFAULT_SETTINGS);
  });
  afterAll(async () => {
    await db.close();
  });

  it('agrees with the independent TypeScript computation on every metric', () => {
    const col: Record<string, string> = {};
    for (const id of METRIC_IDS) {
      if (id.startsWith('rows_')) continue;
      const a = sqlMetrics[id];
      const b = ref[id as keyof RefMetrics];
      col[id] = a === null ? 'null' : String(Number(a.toPrecision(10)));
      if (b === null || a === null) {
        expect({ id, sql: a }).toEqual({ id, sql: b });
      } else if (COUNTS.includes(id)) {
        expect({ id, sql: a }).toEqual({ id, sql: b });
      } else {
        const tolerance = MONEY.includes(id) ? 0.005 : 1e-9;
        expect(Math.abs(a - b), `${id}: sql ${a} vs ts ${b}`).toBeLessThanOrEqual(tolerance);
      }
    }
    col['run_ms'] = millis.toFixed(0);
    table[ds.name] = col;
  });
});

afterAll(() => {
  // One row per metric, one column per dataset.
  const rows: Record<string, Record<string, string>> = {};
  for (const [name, col] of Object.entries(table)) for (const [id, v] of Object.entries(col)) (rows[id] ??= {})[name] = v;
  console.table(rows);
});

describe('through the real ingest (loadDataset)', () => {
  it('CDNOW_master.txt loads and gives the same metrics as the reference', async () => {
    const { loadDataset } = await import('../../src/lib/ingest/load.ts');
    const db = await NodeDb.open();
    try {
      const bytes = new Uint8Array(readFileSync(`${DATA}cdnow/CDNOW_master.txt`));
      const report = await loadDataset(db, [{ name: 'CDNOW_master.txt', bytes }]);
      const m = metricsOf(await runDashboard(db, DEFAULT_SETTINGS, { ...MAPPED, order: false }), report);
      const { lines, survey } = cdnow.reference();
      const ref = referenceMetrics(lines, survey, DEFAULT_SETTINGS);
      expect(report.rows_kept).toBe(lines.length);
      expect([m.customers, m.orders, m.tier_a_customers, m.active_customers]).toEqual([ref.customers, ref.orders, ref.tier_a_customers, ref.active_customers]);
      expect(Math.abs(m.revenue! - ref.revenue!)).toBeLessThanOrEqual(0.005);
      for (const id of ['gini', 'top20_share', 'retention_m3', 'median_days_to_second'] as const) {
        expect(Math.abs(m[id]! - ref[id]!), id).toBeLessThanOrEqual(1e-9);
      }
    } finally {
      await db.close();
    }
  });
});
