/**
 * The lists behind a point of a curve or a bin of a model histogram (drill.ts `activeAt`,
 * `stageAt`, `km`, `topRank`, `clvBin`): on hand-made data, each list holds the customers
 * worked out by hand, and as many as the panel's own table counts at that point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { runDashboard, type CustomerFilter, type CustomerListRun, type DashboardResult } from '../../../src/lib/analyses/index.ts';
import { customerListFor } from '../../../src/lib/analyses/customer-list.ts';
import { clvBins, pAliveBins } from '../../../src/lib/analyses/clv-tables.ts';
import { boundIds, ID_CHUNK } from '../../../src/lib/analyses/drill.ts';
import type { ClvCustomerArrays } from '../../../src/lib/clv/clv.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/lib/model/settings.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { loadLines } from './fixture.ts';
import { LIFECYCLE_LINES, LIFECYCLE_PARAMS } from './lifecycle-fixture.ts';

const MAPPED: Mapped = { category: true, region: true, channel: false, order: true };

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

async function ids(run: CustomerListRun, s: Settings, filter: CustomerFilter): Promise<string[]> {
  return (await db.query(customerListFor(run, s, filter))).map((x) => x.customer_id as string).sort();
}

describe('on the dashboard fixture (as_of 2024-06-30)', () => {
  // W = 60 so that customers lapse within the data.
  const s: Settings = { ...DEFAULT_SETTINGS, churnWindowDays: 60 };
  let r: DashboardResult;
  beforeAll(async () => {
    await loadLines(db);
    r = await runDashboard(db, s, MAPPED);
  });

  it('activity: active and lapsed at a month end', async () => {
    // 2024-04-30, window [03-01, 04-30]: purchase orders C02 03-15 (zero value, still a purchase),
    // C06 03-03 and 04-10, C07 04-20. C01's 04-01 and C05's 03-01 are returns. First purchases
    // on or before 04-30: C01 C02 C03 C04 C05 C06 C07 C10, so five lapsed.
    const row = r.overview.activity.find((a) => a.date === '2024-04-30');
    expect(row).toMatchObject({ customers: 8, active: 3, lapsed: 5 });
    expect(await ids(r, s, { drill: { kind: 'activeAt', date: '2024-04-30', active: true } })).toEqual(['C02', 'C06', 'C07']);
    expect(await ids(r, s, { drill: { kind: 'activeAt', date: '2024-04-30', active: false } })).toEqual(['C01', 'C03', 'C04', 'C05', 'C10']);
    for (const a of r.overview.activity) {
      expect((await ids(r, s, { drill: { kind: 'activeAt', date: a.date, active: true } })).length, a.date).toBe(a.active);
      expect((await ids(r, s, { drill: { kind: 'activeAt', date: a.date, active: false } })).length, a.date).toBe(a.lapsed);
    }
  });

  it('activity at the window edges: a purchase exactly W days before a month end counts, gaps of W and W + 1', async () => {
    // W = 30. A buys 01-01, 01-31 (gap 30) and 03-02 (gap 31); B 01-31; C twice on 02-29 and on
    // 03-30; D 03-31 (as_of). Windows: 01-31 → [01-01, 01-31]: A, B; 02-29 → [01-30, 02-29]: A
    // (01-31), B, C; 03-31 → [03-01, 03-31]: A (03-02), C, D, and B lapsed.
    const edge: Parameters<typeof loadLines>[1] = [
      ['A', '2024-01-01', 'a1', 10, 'x', 'N', null, null],
      ['A', '2024-01-31', 'a2', 10, 'x', 'N', null, null],
      ['A', '2024-03-02', 'a3', 10, 'x', 'N', null, null],
      ['B', '2024-01-31', 'b1', 10, 'x', 'N', null, null],
      ['C', '2024-02-29', 'c1', 10, 'x', 'N', null, null],
      ['C', '2024-02-29', 'c2', 10, 'x', 'N', null, null],
      ['C', '2024-03-30', 'c3', 10, 'x', 'N', null, null],
      ['D', '2024-03-31', 'd1', 10, 'x', 'N', null, null],
    ];
    await loadLines(db, edge);
    try {
      const w30: Settings = { ...DEFAULT_SETTINGS, churnWindowDays: 30 };
      const at30 = await runDashboard(db, w30, MAPPED);
      expect(at30.overview.activity.map((a) => [a.date, a.customers, a.active, a.lapsed])).toEqual([
        ['2024-01-31', 2, 2, 0],
        ['2024-02-29', 3, 3, 0],
        ['2024-03-31', 4, 3, 1],
      ]);
      // Around the edges, every point against the list of the definition (a purchase in [e − W, e]).
      for (const w of [1, 28, 29, 30, 31, 32, 60]) {
        const sw: Settings = { ...DEFAULT_SETTINGS, churnWindowDays: w };
        const rw = await runDashboard(db, sw, MAPPED);
        for (const a of rw.overview.activity) {
          expect((await ids(rw, sw, { drill: { kind: 'activeAt', date: a.date, active: true } })).length, `W ${w} ${a.date}`).toBe(a.active);
        }
      }
    } finally {
      await loadLines(db);
      r = await runDashboard(db, s, MAPPED);
    }
  });

  it('Kaplan–Meier: at risk before a day, and the second purchases on it', async () => {
    // Days to the second purchase order (event) or to as_of (censored): C08 1, C01 36, C06 38,
    // C02 55 events; C09 15, C07 71, C05 137, C03 157, C10 180 censored; C04 two orders on day 0.
    const at36 = r.repurchase.km.find((p) => p.day === 36);
    expect(at36).toMatchObject({ at_risk: 7, events: 1 });
    expect(await ids(r, s, { drill: { kind: 'km', day: 36, part: 'atRisk' } })).toEqual(['C01', 'C02', 'C03', 'C05', 'C06', 'C07', 'C10']);
    expect(await ids(r, s, { drill: { kind: 'km', day: 36, part: 'events' } })).toEqual(['C01']);
    for (const p of r.repurchase.km) {
      expect((await ids(r, s, { drill: { kind: 'km', day: p.day, part: 'atRisk' } })).length, `day ${p.day}`).toBe(p.at_risk);
      expect((await ids(r, s, { drill: { kind: 'km', day: p.day, part: 'events' } })).length, `day ${p.day}`).toBe(p.events);
    }
  });

  it('Lorenz: the top customers of a point, in the tiers’ ranking', async () => {
    // Values: C03 500, C01 200, C06 180, C02 100 … the point at rank 3 is 30 % of ten customers.
    const p = r.pareto.curve.find((c) => c.rank === 3);
    expect(p?.customer_share).toBeCloseTo(0.3, 12);
    expect(await ids(r, s, { drill: { kind: 'topRank', rank: 3 } })).toEqual(['C01', 'C03', 'C06']);
    for (const c of r.pareto.curve) expect((await ids(r, s, { drill: { kind: 'topRank', rank: c.rank } })).length).toBe(Math.round(c.customer_share * r.overview.customers));
  });
});

describe('on the lifecycle fixture', () => {
  it('stage history: customers in a stage at a month end', async () => {
    await loadLines(db, LIFECYCLE_LINES);
    const s: Settings = { ...DEFAULT_SETTINGS, churnWindowDays: LIFECYCLE_PARAMS.churnWindowDays, asOf: LIFECYCLE_PARAMS.asOf };
    const r = await runDashboard(db, s, MAPPED);
    // 2024-03-31: C (89 days), D (90), H (81), K (121) exploring; G lost (212); I, J forming.
    const h = r.lifecycle.history.find((x) => x.date === '2024-03-31');
    expect(h).toMatchObject({ lost: 1, exploration: 4, formation: 2, decline: 0, stability: 0 });
    expect(await ids(r, s, { drill: { kind: 'stageAt', date: '2024-03-31', stage: 'exploration' } })).toEqual(['C', 'D', 'H', 'K']);
    expect(await ids(r, s, { drill: { kind: 'stageAt', date: '2024-03-31', stage: 'lost' } })).toEqual(['G']);
    expect(await ids(r, s, { drill: { kind: 'stageAt', date: '2024-03-31', stage: 'formation' } })).toEqual(['I', 'J']);
    const stages = ['lost', 'exploration', 'decline', 'stability', 'formation'] as const;
    for (const row of r.lifecycle.history) {
      for (const stage of stages) {
        expect((await ids(r, s, { drill: { kind: 'stageAt', date: row.date, stage } })).length, `${row.date} ${stage}`).toBe(row[stage]);
      }
    }
  });
});

describe('lifetime-value bins', () => {
  const f = (...v: number[]) => Float64Array.from(v);
  it('a bin lists the customers the fit puts in it, the ids bound, not written into SQL', async () => {
    await loadLines(db);
    const s: Settings = { ...DEFAULT_SETTINGS };
    const r = await runDashboard(db, s, MAPPED);
    // Hand-made predictions for six of the customers. P(alive): C01 0.05 → tenth 0; C02 0.1 and
    // C03 0.15 → 1; C04 0.95, C05 1, C06 1 → 9. CLV 0, 3, 7, 12, 40, 200: p99 of six values is the
    // 5th smallest (40), step nice(40 / 19) = 2.5: bins 0, 1, 2, 4, 16 and 19 (open, 200).
    const ids6 = ['C01', 'C02', 'C03', 'C04', 'C05', 'C06'];
    const values: ClvCustomerArrays = {
      pAlive: f(0.05, 0.1, 0.15, 0.95, 1, 1),
      expectedPurchases: f(0, 0, 0, 0, 0, 0),
      expectedSpend: f(1, 1, 1, 1, 1, 1),
      clv: f(0, 3, 7, 12, 40, 200),
    };
    const pAlive = pAliveBins(values.pAlive, f(1, 1, 1, 1, 0, 0));
    const bins = clvBins(values.clv);
    expect(bins[0]?.to).toBe(2.5);
    const run = { ...r, clv: { perCustomer: { ids: ids6, values }, clvBins: bins } };
    expect(await ids(run, s, { drill: { kind: 'clvBin', measure: 'pAlive', bin: 1 } })).toEqual(['C02', 'C03']);
    expect(await ids(run, s, { drill: { kind: 'clvBin', measure: 'pAlive', bin: 9 } })).toEqual(['C04', 'C05', 'C06']);
    expect(await ids(run, s, { drill: { kind: 'clvBin', measure: 'clv', bin: 4 } })).toEqual(['C04']);
    expect(await ids(run, s, { drill: { kind: 'clvBin', measure: 'clv', bin: 19 } })).toEqual(['C06']);
    for (const [bin, b] of pAlive.entries()) expect((await ids(run, s, { drill: { kind: 'clvBin', measure: 'pAlive', bin } })).length).toBe(b.customers);
    for (const [bin, b] of bins.entries()) expect((await ids(run, s, { drill: { kind: 'clvBin', measure: 'clv', bin } })).length).toBe(b.customers);
    // Without a fit the list is empty.
    expect(await ids(r, s, { drill: { kind: 'clvBin', measure: 'pAlive', bin: 9 } })).toEqual([]);
  });

  it('binds any id, in chunks when there are many', async () => {
    const hostile = ["a'); DROP TABLE lines; --", 'b"c', '\u001f', '', '中文', '?'];
    const many = Array.from({ length: 2 * ID_CHUNK + 7 }, (_, i) => `id${i}`);
    const q = boundIds([...hostile, ...many]);
    expect(q.text).not.toContain('DROP');
    const got = (await db.query(q)).map((x) => x.customer_id as string);
    expect(got.sort()).toEqual([...hostile, ...many].sort());
    expect(q.text.match(/UNION ALL/g)).toHaveLength(2);
  });
});
