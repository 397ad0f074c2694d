/**
 * METRICS.md §7–§11 on real data, computed twice: by the product (ingest, derive, the segment
 * SQL on native DuckDB) and by test/real/independent-segments.ts (plain TypeScript over the
 * raw files). Counts must agree exactly, money to the cent, ratios to 1e-9; per customer
 * every score, segment, class, stage, tier and key class. CDNOW master, Online Retail, and
 * the demo file (category, region, channel and cost). Reads ../shared.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mappedDimensions, runDashboard } from '../../src/lib/analyses/index.ts';
import { compositionMetrics, runComposition } from '../../src/lib/analyses/composition.ts';
import { keyCustomersMetrics, runKeyCustomers } from '../../src/lib/analyses/key-customers.ts';
import { lifecycleMetrics, runLifecycle } from '../../src/lib/analyses/lifecycle.ts';
import { buildSegmentTables, runSegments, segmentsMetrics, SEGMENT_DEFAULTS, type SegmentParams } from '../../src/lib/analyses/segments.ts';
import { runWarnings, warningsMetrics } from '../../src/lib/analyses/warnings.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import type { LoadReport } from '../../src/lib/ingest/types.ts';
import type { Mapped } from '../../src/lib/model/derive.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import { DEFAULT_SETTINGS } from '../../src/lib/model/settings.ts';
import { readCdnowLines, readDemoLines, readOnlineRetailLines, referenceSegments, type Dim, type SegLine, type SegSettings } from './independent-segments.ts';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const DEMO = new URL('../../public/demo/sales.csv', import.meta.url).pathname;
const MONEY = ['churn_warning_value'];
const RATIOS = ['new_customer_revenue_share', 'pace_warning_drop'];

interface Case {
  readonly label: string;
  readonly settings: Omit<SegSettings, 'asOf'> & { asOf: string | null };
}
interface Dataset {
  readonly name: string;
  readonly path: string;
  read(): SegLine[];
  readonly cases: readonly Case[];
}

const DEFAULTS = { W: 180, k: SEGMENT_DEFAULTS.overdueFactor, S: SEGMENT_DEFAULTS.stableDays, P: SEGMENT_DEFAULTS.periodDays, t: SEGMENT_DEFAULTS.paceThreshold, basis: 'mean', tierA: 0.8, tierB: 0.95 } as const;
const DATASETS: Dataset[] = [
  {
    name: 'cdnow',
    path: `${DATA}cdnow/CDNOW_master.txt`,
    read: () => readCdnowLines(`${DATA}cdnow/CDNOW_master.txt`),
    cases: [
      { label: 'default', settings: { ...DEFAULTS, asOf: null } },
      { label: 'as_of 1997-12-31, W 90, k 1.5, S 3, P 60, t 0.6, median', settings: { ...DEFAULTS, asOf: '1997-12-31', W: 90, k: 1.5, S: 3, P: 60, t: 0.6, basis: 'median' } },
    ],
  },
  {
    name: 'online_retail',
    path: `${DATA}online-retail/online_retail.csv`,
    read: () => readOnlineRetailLines(`${DATA}online-retail/online_retail.csv`),
    cases: [
      { label: 'default', settings: { ...DEFAULTS, asOf: null } },
      { label: 'as_of 2011-09-30, S 6, P 120, median', settings: { ...DEFAULTS, asOf: '2011-09-30', S: 6, P: 120, basis: 'median' } },
    ],
  },
  {
    name: 'demo',
    path: DEMO,
    read: () => readDemoLines(DEMO),
    cases: [
      { label: 'default', settings: { ...DEFAULTS, asOf: null } },
      { label: 'as_of 2024-06-30, W 120, k 3', settings: { ...DEFAULTS, asOf: '2024-06-30', W: 120, k: 3 } },
    ],
  },
];

function close(id: string, a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  const tol = MONEY.includes(id) ? 0.005 : RATIOS.includes(id) ? 1e-9 * Math.max(1, Math.abs(b)) : 0;
  return Math.abs(a - b) <= tol;
}

const summary: Record<string, Record<string, string>> = {};

describe.each(DATASETS)('$name', (ds) => {
  let db: NodeDb;
  let report: LoadReport;
  let mapped: Mapped;
  let lines: SegLine[];
  let dataEnd: string;

  beforeAll(async () => {
    db = await NodeDb.open();
    const name = ds.path.slice(ds.path.lastIndexOf('/') + 1);
    report = await loadDataset(db, [{ name, bytes: new Uint8Array(readFileSync(ds.path)) }]);
    mapped = mappedOf(report);
    lines = ds.read();
    dataEnd = lines.reduce((m, l) => (l.date > m ? l.date : m), '');
  });
  afterAll(async () => {
    await db.close();
  });

  it('reads the same lines as the product', () => {
    expect(report.rows_kept).toBe(lines.length);
    if (ds.name === 'demo') {
      const f = report.files[0]!;
      const labels = Object.fromEntries(Object.entries(f.mapping).map(([k, c]) => [k, f.labels[c]]));
      expect(labels).toMatchObject({ amount: '实付金额', cost: '成本', category: '品类', region: '地区', channel: '渠道' });
    }
  });

  it.each(ds.cases)('agrees with the independent computation ($label)', async ({ settings }) => {
    const dashboard = await runDashboard(db, { ...DEFAULT_SETTINGS, churnWindowDays: settings.W, tierA: settings.tierA, tierB: settings.tierB, asOf: settings.asOf }, mapped);
    const asOf = dashboard.asOf!;
    expect(asOf).toBe(settings.asOf ?? dataEnd);
    const p: SegmentParams = {
      asOf, churnWindowDays: settings.W, overdueFactor: settings.k, stableDays: settings.S, periodDays: settings.P,
      paceThreshold: settings.t, rfm8Basis: settings.basis, tierA: settings.tierA, tierB: settings.tierB,
    };
    const dims = mappedDimensions(mapped);
    const t0 = performance.now();
    await buildSegmentTables(db, p);
    const seg = await runSegments(db, p);
    const life = await runLifecycle(db, p);
    const warn = await runWarnings(db, p);
    const key = await runKeyCustomers(db);
    const comp = await runComposition(db, { asOf, dimensions: dims });
    const millis = performance.now() - t0;
    const ref = referenceSegments(lines, { ...settings, asOf }, dims as Dim[]);

    // Every metric id.
    const product: Record<string, number | null> = {
      ...segmentsMetrics(seg), ...lifecycleMetrics(life), ...warningsMetrics(warn), ...keyCustomersMetrics(key), ...compositionMetrics(comp),
    };
    expect(Object.keys(product).sort()).toEqual(Object.keys(ref.metrics).sort());
    const wrong = Object.keys(product).filter((id) => !close(id, product[id]!, ref.metrics[id]!));
    expect(wrong.map((id) => ({ id, product: product[id], reference: ref.metrics[id] }))).toEqual([]);

    // Per customer.
    const rows = await db.query(`SELECT customer_id, p, g, recency_days, n_orders, r_score, f_score, m_score, rfm_segment, rfm8_class, stage, tier, key_class,
      value::DOUBLE AS value, value_365::DOUBLE AS value_365, current_net::DOUBLE AS current, baseline, pace_flag FROM customer_segments`);
    expect(rows.length).toBe(ref.customers.size);
    const diffs: string[] = [];
    for (const r of rows) {
      const c = ref.customers.get(String(r.customer_id));
      if (!c) {
        diffs.push(`${String(r.customer_id)}: not a reference customer`);
        continue;
      }
      const pairs: [string, unknown, unknown][] = [
        ['p', r.p, c.p], ['g', r.g, c.g], ['recency', r.recency_days, c.recency], ['n_orders', r.n_orders, c.nOrders],
        ['r', r.r_score, c.r], ['f', r.f_score, c.f], ['m', r.m_score, c.m], ['segment', r.rfm_segment, c.segment],
        ['rfm8', r.rfm8_class, c.rfm8], ['stage', r.stage, c.stage], ['tier', r.tier, c.tier], ['key', r.key_class, c.keyClass],
        ['value', r.value, c.value / 1e4], ['value_365', r.value_365, c.value365 / 1e4], ['current', r.current, c.current / 1e4],
        ['pace_flag', r.pace_flag, c.paceFlag],
      ];
      for (const [k, a, b] of pairs) if (a !== b && !(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-6)) diffs.push(`${String(r.customer_id)} ${k}: ${String(a)} ≠ ${String(b)}`);
      const bl = r.baseline as number | null;
      if ((bl === null) !== (c.baseline === null) || (bl !== null && Math.abs(bl - c.baseline!) > 1e-9 * Math.max(1, Math.abs(bl)))) diffs.push(`${String(r.customer_id)} baseline: ${bl} ≠ ${c.baseline}`);
    }
    expect(diffs.slice(0, 20)).toEqual([]);

    // Lifecycle: migration, history, revenue per stage.
    for (const cell of life.migration) expect(cell.customers, `${cell.from} → ${cell.to}`).toBe(ref.migration.get(`${cell.from}>${cell.to}`) ?? 0);
    expect(life.history.map((h) => h.date)).toEqual([...ref.history.keys()]);
    for (const h of life.history) expect({ ...h, date: undefined }, h.date).toEqual({ ...ref.history.get(h.date), date: undefined });
    for (const s of life.stages) expect(s.revenue_365, s.stage).toBeCloseTo(ref.stageRevenue[s.stage]! / 1e4, 2);

    // Warning lists in their own order (first page).
    expect(warn.churn.total).toBe(ref.churnOrder.length);
    expect(warn.churn.rows.map((r) => r.customer_id)).toEqual(ref.churnOrder.slice(0, 100));
    expect(warn.pace.total).toBe(ref.paceOrder.length);
    expect(warn.pace.rows.map((r) => r.customer_id)).toEqual(ref.paceOrder.slice(0, 100));

    // Key classes.
    expect(key.hasProfit).toBe(ds.name === 'demo');
    for (const k of key.classes) {
      const r = ref.keyClasses[k.key_class]!;
      expect([k.customers, k.revenue, k.profit], k.key_class).toEqual([r.customers, r.revenue / 1e4, r.profit / 1e4].map((v, i) => (i === 0 ? v : expect.closeTo(v, 2))));
    }

    // Composition.
    expect(comp.rows.length).toBe(ref.composition.cells.size);
    for (const row of comp.rows) {
      const cell = ref.composition.cells.get(`${row.dimension}|${row.grouping}|${row.value ?? ''}|${row.other}|${row.group ?? ''}`);
      expect(cell, `${row.dimension} ${row.value} ${row.grouping} ${row.group}`).toBeDefined();
      expect(row.customers).toBe(cell!.customers);
      expect(row.revenue).toBeCloseTo(cell!.revenue / 1e4, 2);
      if (cell!.profit === null) expect(row.profit).toBeNull();
      else expect(row.profit).toBeCloseTo(cell!.profit / 1e4, 2);
    }
    expect(comp.months.map((m) => m.month)).toEqual([...ref.composition.months.keys()].sort());
    for (const m of comp.months) {
      const r = ref.composition.months.get(m.month)!;
      expect([m.new_customers, m.returning_customers]).toEqual([r.newCustomers, r.returningCustomers]);
      expect(m.new_revenue).toBeCloseTo(r.newRevenue / 1e4, 2);
      expect(m.returning_revenue).toBeCloseTo(r.returningRevenue / 1e4, 2);
    }

    const col = `${ds.name}${settings.asOf === null ? '' : '*'}`;
    for (const [id, v] of Object.entries(product)) (summary[id] ??= {})[col] = v === null ? 'null' : String(Number(v.toPrecision(8)));
    (summary.segment_panels_ms ??= {})[col] = millis.toFixed(0);
  });
});

afterAll(() => {
  console.table(summary);
});
