/**
 * The lists behind the points of the activity line, the stage history, the Kaplan–Meier and
 * Lorenz curves and the lifetime-value bins, on CDNOW and Online Retail through the real load:
 * for every point and bin, the list the page opens (customerListCountQuery / customerListFor
 * with the drill) holds as many customers as the panel's own table counts there. Where an
 * independent definition exists, the ids too: the stage of every customer at every month end
 * (independent-segments.ts), the ranking by value (its customers' values, ties by id) and
 * P(alive) from the independent summary (clv-independent.ts) with the fitted parameters.
 * Reads ../shared.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDashboard, type CustomerFilter, type DashboardResult } from '../../src/lib/analyses/index.ts';
import { customerListCountQuery, customerListFor, customerListParams } from '../../src/lib/analyses/customer-list.ts';
import { SEGMENT_DEFAULTS } from '../../src/lib/analyses/segments.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../src/lib/model/settings.ts';
import { referenceClvSummary } from './clv-independent.ts';
import { readCdnow, readOnlineRetail, type RefLine } from './independent.ts';
import { readCdnowLines, readOnlineRetailLines, referenceSegments, type SegLine } from './independent-segments.ts';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;

interface Dataset {
  readonly name: string;
  readonly path: string;
  segLines(): SegLine[];
  refLines(): RefLine[];
}

const DATASETS: Dataset[] = [
  {
    name: 'cdnow',
    path: `${DATA}cdnow/CDNOW_master.txt`,
    segLines: () => readCdnowLines(`${DATA}cdnow/CDNOW_master.txt`),
    refLines: () => readCdnow(`${DATA}cdnow/CDNOW_master.txt`).lines,
  },
  {
    name: 'online_retail',
    path: `${DATA}online-retail/online_retail.csv`,
    segLines: () => readOnlineRetailLines(`${DATA}online-retail/online_retail.csv`),
    refLines: () => readOnlineRetail(`${DATA}online-retail/online_retail.csv`).lines,
  },
];

const STAGES = ['lost', 'exploration', 'decline', 'stability', 'formation'] as const;

describe.each(DATASETS)('$name', (ds) => {
  let db: NodeDb;
  let r: DashboardResult;
  const s: Settings = { ...DEFAULT_SETTINGS };

  const count = async (filter: CustomerFilter): Promise<number> => {
    const [row] = await db.query(customerListCountQuery(customerListParams(r, s, filter)));
    return Number(row?.n);
  };
  const ids = async (filter: CustomerFilter): Promise<string[]> => (await db.query(customerListFor(r, s, filter))).map((x) => String(x.customer_id)).sort();

  beforeAll(async () => {
    db = await NodeDb.open();
    const name = ds.path.slice(ds.path.lastIndexOf('/') + 1);
    const report = await loadDataset(db, [{ name, bytes: new Uint8Array(readFileSync(ds.path)) }]);
    r = await runDashboard(db, s, mappedOf(report));
  }, 600_000);
  afterAll(async () => {
    await db.close();
  });
  /** The independent §7–§11 computation on the same lines, at the run's as-of date and settings. */
  const reference = () =>
    referenceSegments(
      ds.segLines(),
      { W: s.churnWindowDays, k: SEGMENT_DEFAULTS.overdueFactor, S: SEGMENT_DEFAULTS.stableDays, P: SEGMENT_DEFAULTS.periodDays, t: SEGMENT_DEFAULTS.paceThreshold, basis: 'mean', tierA: s.tierA, tierB: s.tierB, asOf: r.asOf ?? '' },
      [],
    );

  it('activity: active and lapsed at every point', async () => {
    expect(r.overview.activity.length).toBeGreaterThan(10);
    const bad: string[] = [];
    for (const a of r.overview.activity) {
      const active = await count({ drill: { kind: 'activeAt', date: a.date, active: true } });
      const lapsed = await count({ drill: { kind: 'activeAt', date: a.date, active: false } });
      if (active !== a.active || lapsed !== a.lapsed) bad.push(`${a.date}: ${active}/${lapsed} listed, ${a.active}/${a.lapsed} counted`);
    }
    expect(bad).toEqual([]);
    // The last point is as_of: the KPIs.
    expect(r.overview.activity.at(-1)).toMatchObject({ date: r.asOf, active: r.overview.active_customers, lapsed: r.overview.lapsed_customers });
  }, 600_000);

  it('stage history: every stage at every point, customer by customer as the independent history has them', async () => {
    const ref = reference();
    expect(r.lifecycle.history.length).toBeGreaterThan(10);
    const bad: string[] = [];
    for (const h of r.lifecycle.history) {
      const byStage = ref.stagesOn(h.date);
      for (const stage of STAGES) {
        const listed = await ids({ drill: { kind: 'stageAt', date: h.date, stage } });
        if (listed.length !== h[stage]) bad.push(`${h.date} ${stage}: ${listed.length} listed, ${h[stage]} counted`);
        const expected = [...(byStage.get(stage) ?? [])].sort();
        if (listed.join('\u0000') !== expected.join('\u0000')) bad.push(`${h.date} ${stage}: ids differ from the independent history (${listed.length} vs ${expected.length})`);
      }
    }
    expect(bad).toEqual([]);
  }, 600_000);

  it('Kaplan–Meier: at risk and events at every step', async () => {
    expect(r.repurchase.km.length).toBeGreaterThan(50);
    const bad: string[] = [];
    for (const p of r.repurchase.km) {
      const atRisk = await count({ drill: { kind: 'km', day: p.day, part: 'atRisk' } });
      const events = await count({ drill: { kind: 'km', day: p.day, part: 'events' } });
      if (atRisk !== p.at_risk || events !== p.events) bad.push(`day ${p.day}: ${atRisk}/${events} listed, ${p.at_risk}/${p.events} counted`);
    }
    expect(bad).toEqual([]);
  }, 900_000);

  it('Lorenz: every point lists its top customers, in the independent ranking by value', async () => {
    const ref = reference();
    const ranking = [...ref.customers.values()].sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((c) => c.id);
    const n = r.overview.customers;
    expect(ranking.length).toBe(n);
    const bad: string[] = [];
    for (const p of r.pareto.curve) {
      const listed = await count({ drill: { kind: 'topRank', rank: p.rank } });
      if (listed !== p.rank || Math.abs(p.customer_share - p.rank / n) > 1e-12) bad.push(`rank ${p.rank}: ${listed} listed`);
    }
    expect(bad).toEqual([]);
    // Ids at each 10 % of customers, and at tier A's last rank (the tiers' cut: its list is tier A).
    const tierA = r.pareto.tiers.find((t) => t.tier === 'A');
    const checked = [...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => r.pareto.curve.find((p) => p.customer_share >= k / 10 - 1e-12)?.rank ?? 0), tierA?.last_rank ?? 0];
    for (const rank of checked) {
      expect(await ids({ drill: { kind: 'topRank', rank } }), `rank ${rank}`).toEqual(ranking.slice(0, rank).sort());
    }
    expect(await ids({ drill: { kind: 'topRank', rank: tierA?.last_rank ?? 0 } })).toEqual(await ids({ tier: 'A' }));
  }, 600_000);

  it('lifetime value: every P(alive) tenth and CLV bin; the tenths as the independent P(alive) puts them', async () => {
    const c = r.clv;
    const bad: string[] = [];
    for (const [bin, b] of c.pAlive.entries()) {
      const listed = await count({ drill: { kind: 'clvBin', measure: 'pAlive', bin } });
      if (listed !== b.customers) bad.push(`P(alive) ${bin}: ${listed} listed, ${b.customers} counted`);
    }
    for (const [bin, b] of c.clvBins.entries()) {
      const listed = await count({ drill: { kind: 'clvBin', measure: 'clv', bin } });
      if (listed !== b.customers) bad.push(`CLV ${bin}: ${listed} listed, ${b.customers} counted`);
    }
    expect(bad).toEqual([]);
    console.log(ds.name, 'P(alive) bins', c.pAlive.map((b) => b.customers).join(' '), 'CLV bins', c.clvBins.map((b) => b.customers).join(' '));
    if (c.perCustomer === null) {
      // BG/NBD refused: no bins and no lists.
      expect(c.pAlive).toEqual([]);
      return;
    }
    // P(alive) = 1 / (1 + a ÷ (b + x − 1) · ((α + T) ÷ (α + t_x))^(r + x)) for x > 0, 1 for x = 0 (FHL 2005, eq. 11), in weeks.
    const par = (name: string) => c.parameters.find((p) => p.model === 'bgnbd' && p.parameter === name)?.value ?? NaN;
    const [rr, alpha, a, b] = ['r', 'alpha', 'a', 'b'].map(par) as [number, number, number, number];
    const summary = referenceClvSummary(ds.refLines(), c.calibrationEnd, c.asOf);
    const expected = new Map<number, string[]>();
    const nearEdge = new Set<string>();
    for (const [id, w] of summary) {
      const tx = w.txDays / 7;
      const T = w.tDays / 7;
      const p = w.x === 0 ? 1 : 1 / (1 + (a / (b + w.x - 1)) * ((alpha + T) / (alpha + tx)) ** (rr + w.x));
      const tenth = Math.min(9, Math.floor(p * 10));
      if (Math.abs(p * 10 - Math.round(p * 10)) < 1e-9 && p < 1) nearEdge.add(id);
      const inTenth = expected.get(tenth) ?? [];
      inTenth.push(id);
      expected.set(tenth, inTenth);
    }
    let total = 0;
    for (let bin = 0; bin < c.pAlive.length; bin++) {
      const listed = (await ids({ drill: { kind: 'clvBin', measure: 'pAlive', bin } })).filter((id) => !nearEdge.has(id));
      total += listed.length;
      expect(listed, `tenth ${bin}`).toEqual((expected.get(bin) ?? []).filter((id) => !nearEdge.has(id)).sort());
    }
    expect(total + nearEdge.size).toBe(summary.size);
  }, 600_000);
});
